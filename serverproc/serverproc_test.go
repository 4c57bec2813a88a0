//go:build unix

package serverproc

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/embedded"
	"github.com/specrun/specrun/internal/logtail"
)

// The server the tests wait for is an embedded FerretDB of the test process (--uri);
// the command is a shell that records what it was given and stays in the foreground.
func startEmbedded(t *testing.T) string {
	t.Helper()
	srv, err := embedded.Start(context.Background(), embedded.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return srv.URI()
}

func TestStartStopRestart(t *testing.T) {
	uri := startEmbedded(t)
	record := filepath.Join(t.TempDir(), "given")
	tail := logtail.New(10)
	s, err := New(Options{Command: "echo {port} {dir} >> " + record + "; echo started; exec sleep 60", URI: uri, Log: tail})
	require.NoError(t, err)
	assert.Equal(t, uri, s.URI())
	select {
	case <-s.Exited():
	default:
		t.Fatal("a server not started counts as exited")
	}

	require.NoError(t, s.Restart(context.Background()))
	// the server answered at once (it is the test's): wait for the shell to have run
	started := func(n int) func() bool {
		return func() bool { lines, _ := tail.Since(0); return len(lines) == n }
	}
	require.Eventually(t, started(1), 5*time.Second, time.Millisecond)
	exited := s.Exited()
	select {
	case <-exited:
		t.Fatal("exited while running")
	default:
	}
	first := readGiven(t, record)
	require.Len(t, first, 1)
	assert.Equal(t, strconv.Itoa(s.port), first[0][0])
	assert.DirExists(t, first[0][1], "{dir} is made")

	require.NoError(t, s.Restart(context.Background()))
	<-exited // the first process was stopped
	require.Eventually(t, started(2), 5*time.Second, time.Millisecond)
	both := readGiven(t, record)
	require.Len(t, both, 2)
	assert.Equal(t, first[0][0], both[1][0], "the same port")
	assert.NotEqual(t, first[0][1], both[1][1], "a fresh folder")
	assert.NoDirExists(t, first[0][1], "the first folder is removed")

	start := time.Now()
	require.NoError(t, s.Stop())
	assert.Less(t, time.Since(start), stopGrace, "sleep ends on SIGTERM")
	assert.Equal(t, "signal: terminated", s.ExitReason())
	assert.NoDirExists(t, both[1][1])
	lines, _ := tail.Since(0)
	assert.Equal(t, []string{"started", "started"}, lines, "its output is kept")
}

func readGiven(t *testing.T, path string) [][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var out [][]string
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		out = append(out, strings.Fields(l))
	}
	return out
}

func TestStopKillsWhatIgnoresTerm(t *testing.T) {
	uri := startEmbedded(t)
	tail := logtail.New(10)
	s, err := New(Options{Command: "trap '' TERM; echo trapped; sleep 60 & wait; sleep 60", URI: uri, Log: tail})
	require.NoError(t, err)
	require.NoError(t, s.Restart(context.Background()))
	// the server answered at once (it is the test's): wait for the trap to be set
	require.Eventually(t, func() bool { lines, _ := tail.Since(0); return len(lines) == 1 }, 5*time.Second, time.Millisecond)
	start := time.Now()
	require.NoError(t, s.Stop())
	assert.GreaterOrEqual(t, time.Since(start), stopGrace)
	assert.Less(t, time.Since(start), stopGrace+5*time.Second)
	assert.Equal(t, "signal: killed", s.ExitReason())
}

func TestStartFailures(t *testing.T) {
	for _, tt := range []struct {
		name, command, uri string
		want               []string
	}{
		{"exits", "echo no such option >&2; exit 3", "", []string{"the server command ended (exit status 3) before it answered hello", "its last output:\n  no such option"}},
		{"never answers", "exec sleep 60", "", []string{"did not answer hello at mongodb://127.0.0.1:", "within 500ms", "it wrote nothing"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(Options{Command: tt.command + " # {port}", URI: tt.uri, StartTimeout: 500 * time.Millisecond})
			require.NoError(t, err)
			err = s.Restart(context.Background())
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			select {
			case <-s.Exited():
			case <-time.After(5 * time.Second):
				t.Fatal("a server that did not start is left running")
			}
		})
	}
}

func TestNewNeedsAPort(t *testing.T) {
	_, err := New(Options{Command: "mongod"})
	assert.ErrorContains(t, err, "must listen on {port}")
	s, err := New(Options{Command: "mongod", URI: "mongodb://db.example:27017/"})
	require.NoError(t, err, "a --uri says where it listens")
	assert.Equal(t, "mongodb://db.example:27017/", s.URI())
	s, err = New(Options{Command: "mongod --port {port}", URI: "mongodb://127.0.0.1:{port}/?replicaSet=rs"})
	require.NoError(t, err)
	assert.Equal(t, "mongodb://127.0.0.1:"+strconv.Itoa(s.port)+"/?replicaSet=rs", s.URI())
}
