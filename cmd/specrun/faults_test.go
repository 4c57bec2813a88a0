package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/embedded"
	"github.com/specrun/specrun/internal/wireproxy"
)

// The tests here put a fault-injecting proxy between specrun and a server of their own.

func proxiedServer(t *testing.T) *wireproxy.Proxy {
	t.Helper()
	srv, err := embedded.Start(context.Background(), embedded.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return wireproxy.Start(t, srv.Addr())
}

// A server that refuses the credentials is a configuration error (exit 2), named as
// such, not "unreachable".
func TestAuthenticationFailureIsNamed(t *testing.T) {
	proxy := proxiedServer(t)
	proxy.On("saslStart", wireproxy.Reply(bson.D{{Key: "ok", Value: 0}, {Key: "code", Value: 18},
		{Key: "codeName", Value: "AuthenticationFailed"}, {Key: "errmsg", Value: "Authentication failed."}}))
	uri := strings.Replace(proxy.URI(), "mongodb://", "mongodb://alice:Wr0ngPassword@", 1) + "?authMechanism=PLAIN"
	code, stdout, stderr := runArgs(t, "--uri", uri, slowFixture)
	assert.Equal(t, exitUsage, code, stdout+stderr)
	assert.Contains(t, stderr, ": authentication failed: ")
	assert.NotContains(t, stderr, "unreachable")
	assert.NotContains(t, stderr, "Wr0ngPassword")
}

// A server that stops answering mid-test: the test times out (--timeout), and the
// process, once its reports are written, ends at once (a frozen socket holds nothing).
func TestFrozenServerAndPromptExit(t *testing.T) {
	proxy := proxiedServer(t)
	dir := t.TempDir()
	reportPath := filepath.Join(dir, "r.json")
	// From the first test on, every find hangs: the server froze.
	proxy.On("find", wireproxy.Hang())
	cmd := asMain("--uri", proxy.URI(), "--timeout", "1s", "--max-time", "3s", "--json", reportPath, slowFixture)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(time.Minute):
		t.Fatal("specrun did not end within a minute")
	}
	end := time.Now()
	info, err := os.Stat(reportPath)
	require.NoError(t, err, "the report is written")
	assert.Less(t, end.Sub(info.ModTime()), 2*time.Second, "the process ends within 2s of its reports")
	assert.Equal(t, exitFail, cmd.ProcessState.ExitCode())
	tests := readTests(t, reportPath)
	assert.Equal(t, "fail", tests["slow/slow/quick before"][0])
	assert.Regexp(t, `^timed out after 1s`, tests["slow/slow/quick before"][1])
}

// A server that answers one command with garbage fails the tests that use it (a
// network error, the server's fault); it still answers pings, so it is not lost.
func TestGarbageReplyIsNotALostServer(t *testing.T) {
	proxy := proxiedServer(t)
	proxy.On("find", wireproxy.Garbage())
	reportPath := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := runArgs(t, "--uri", proxy.URI(), "--skip", "/slow$", "--json", reportPath, slowFixture)
	assert.Equal(t, exitFail, code, stdout+stderr)
	tests := readTests(t, reportPath)
	for _, id := range []string{"slow/slow/quick before", "slow/slow/quick after"} {
		assert.Equal(t, "fail", tests[id][0], id)
		assert.Regexp(t, `^operation 0 \(find\): unexpected error: network error: `, tests[id][1], id)
	}
	assert.NotContains(t, stderr, "lost")
}

// What the probe could not learn is said once.
func TestProbeNotesAreShown(t *testing.T) {
	proxy := proxiedServer(t)
	proxy.On("listCommands", wireproxy.Rewrite(func(bson.Raw) bson.Raw {
		reply, _ := bson.Marshal(bson.D{{Key: "ok", Value: 1}})
		return reply
	}))
	code, stdout, stderr := runArgs(t, "--uri", proxy.URI(), "--skip", "/slow$", slowFixture)
	assert.Equal(t, exitOK, code, stdout+stderr)
	assert.Equal(t, 1, strings.Count(stderr, "specrun: note: "+proxy.URI()+": listCommands: "), stderr)
}
