//go:build unix

package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/internal/testcorpus"
)

// SIGHUP and SIGPIPE end a run as Ctrl-C does: the reports are written, marked
// partial, the exit status is 1, and the embedded server's data folder is removed.
func TestHangupAndBrokenPipeEndTheRunCleanly(t *testing.T) {
	crud := filepath.Join(testcorpus.Shared(t), "source", "crud", "tests")
	for _, tt := range []struct {
		name   string
		args   []string
		signal func(t *testing.T, pid int, stdout *os.File)
	}{
		{"SIGHUP", []string{slowFixture}, func(t *testing.T, pid int, _ *os.File) {
			require.NoError(t, syscall.Kill(pid, syscall.SIGHUP))
		}},
		// The reader of the output goes away: the next line written to it fails.
		{"SIGPIPE", []string{crud}, func(_ *testing.T, _ int, stdout *os.File) { stdout.Close() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			reportPath := filepath.Join(tmp, "r.json")
			cmd := asMain(append([]string{"-v", "--json", reportPath}, tt.args...)...)
			cmd.Env = append(cmd.Env, "TMPDIR="+tmp)
			stdout, err := cmd.StdoutPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			line, err := bufio.NewReader(stdout).ReadString('\n')
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(line, "pass "), line)
			tt.signal(t, cmd.Process.Pid, stdout.(*os.File))
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case err := <-exited:
				var exit interface{ ExitCode() int }
				require.ErrorAs(t, err, &exit)
				assert.Equal(t, exitFail, exit.ExitCode(), "a partial run")
			case <-time.After(time.Minute):
				_ = cmd.Process.Kill()
				t.Fatal("specrun did not end within a minute of the signal")
			}
			data, err := os.ReadFile(reportPath)
			require.NoError(t, err, "the report is written")
			assert.Contains(t, string(data), `"partial": {`)
			left, _ := filepath.Glob(filepath.Join(tmp, "specrun-ferretdb-*"))
			assert.Empty(t, left, "the embedded server's data folder is removed")
		})
	}
}

// Ctrl-C while the server is starting (a --server-cmd that never answers) ends the run
// at once, with its reports (every test not run), and stops the server.
func TestInterruptWhileConnecting(t *testing.T) {
	dir := t.TempDir()
	reportPath, pidFile := filepath.Join(dir, "r.json"), filepath.Join(dir, "pid")
	cmd := asMain("--server-cmd", "echo $$ > "+pidFile+"; exec sleep 60 # {port}", "--json", reportPath, slowFixture)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	// The line comes once the signals are caught.
	line, err := bufio.NewReader(stderr).ReadString('\n')
	require.NoError(t, err)
	require.Contains(t, line, "starting the server under test")
	require.Eventually(t, func() bool { _, err := os.Stat(pidFile); return err == nil }, 10*time.Second, time.Millisecond)
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		t.Fatal("specrun did not end within 5s of Ctrl-C while the server started")
	}
	assert.Equal(t, exitFail, cmd.ProcessState.ExitCode(), "a partial run, not an unreachable server")
	data, err := os.ReadFile(reportPath)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"reason": "interrupted"`)
	pid, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	n, err := strconv.Atoi(strings.TrimSpace(string(pid)))
	require.NoError(t, err)
	assert.Error(t, syscall.Kill(n, 0), "the server process is stopped")
}
