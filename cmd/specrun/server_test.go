//go:build unix

package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests here kill the server under test: a specrun serve process of their own.

// startServeProcess starts specrun serve as a process and returns its URI.
func startServeProcess(t *testing.T) (*exec.Cmd, string) {
	t.Helper()
	cmd := asMain("serve", "--addr", "127.0.0.1:0")
	// killed, it cannot remove its data folder: let it be the test's
	cmd.Env = append(cmd.Env, "TMPDIR="+t.TempDir())
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	m := serveLine.FindStringSubmatch(line)
	require.NotNil(t, m, "serve printed %q", line)
	return cmd, m[1]
}

// runUntil runs specrun in the background and calls kill once the first test has
// passed (the slow one has started then); it returns the exit status, the output and
// the time from the kill to the end of the run.
func runUntil(t *testing.T, kill func(), args ...string) (code int, stdout, stderr string, afterKill time.Duration) {
	t.Helper()
	quickPassed := func(out string) bool { return strings.Contains(out, "pass slow/slow/quick before") }
	return runUntilReady(t, quickPassed, kill, args...)
}

// runUntilReady is runUntil with the moment to kill decided by ready, given the output
// so far.
func runUntilReady(t *testing.T, ready func(stdout string) bool, kill func(), args ...string) (code int, stdout, stderr string, afterKill time.Duration) {
	t.Helper()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() { done <- runTests(context.Background(), args, &out, &errOut) }()
	var killed time.Time
	for killed.IsZero() {
		select {
		case code := <-done:
			t.Fatalf("specrun ended (%d) before the slow test: %s%s", code, out.String(), errOut.String())
		case <-time.After(10 * time.Millisecond):
			if ready(out.String()) {
				kill()
				killed = time.Now()
			}
		}
	}
	select {
	case code = <-done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("specrun still runs 2 minutes after the server was killed: %s%s", out.String(), errOut.String())
	}
	return code, out.String(), errOut.String(), time.Since(killed)
}

// Done when: "Server killed mid-run under --uri: the run ends within 60 s of the kill,
// exit 3, report written, the tests after the crash error naming the lost server."
func TestServerKilledUnderURI(t *testing.T) {
	serve, uri := startServeProcess(t)
	dir := t.TempDir()
	reportPath, expectPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "expect.yml")
	code, stdout, stderr, afterKill := runUntil(t, func() { _ = serve.Process.Signal(syscall.SIGKILL) },
		"--uri", uri, "-v", "--json", reportPath, "--update-expect", expectPath, slowFixture)
	assert.Equal(t, exitUnreachable, code, stdout+stderr)
	assert.Less(t, afterKill, 60*time.Second)
	tests := readTests(t, reportPath)
	assert.Equal(t, "pass", tests["slow/slow/quick before"][0])
	assert.Equal(t, "fail", tests["slow/slow/slow"][0])
	assert.Regexp(t, `^server lost during this test: `, tests["slow/slow/slow"][1])
	assert.Equal(t, "error", tests["slow/slow/quick after"][0])
	assert.Regexp(t, `^not run: server lost after slow/slow/slow: `, tests["slow/slow/quick after"][1])
	assert.Regexp(t, `specrun: mongodb://[^ ]+: server lost after slow/slow/slow: .*; the tests still to come on it are errors`, stderr)
	assert.NotContains(t, stdout, "ERROR slow/slow/quick after", "the tests not run are counted, not printed one by one")
	assert.Contains(t, stdout, "\n1 test not run: no server to run them on (why: the last line)\n")
	assert.NoFileExists(t, expectPath, "a run that lost its server says nothing of what the server does")
	assert.Contains(t, stderr, "--update-expect: a run that lost its server does not update")
}

// Done when: "Under --server-cmd, the same kill: the crash is pinned on the test that
// was running, the server restarts, every other test gets the verdict of a clean run,
// exit 0 or 1." With --jobs 2 too: each worker has a server process of its own (the
// second runs a quick file of its own), and the worker whose server crashed starts it
// again.
func TestServerCmdKilledAndStartedAgain(t *testing.T) {
	for _, jobs := range []string{"1", "2"} {
		t.Run("jobs="+jobs, func(t *testing.T) { serverCmdKilledAndStartedAgain(t, jobs) })
	}
}

func serverCmdKilledAndStartedAgain(t *testing.T, jobs string) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	serverCmd := "echo $$ >> " + pidFile + "; exec " + os.Args[0] + " serve --addr 127.0.0.1:{port}"
	t.Setenv(envAsMain, "1") // for the server command, which the shell starts
	// a killed server cannot remove its data folder: let it be the test's
	t.Setenv("TMPDIR", t.TempDir())
	reportPath := filepath.Join(dir, "r.json")
	kill := func() { // every server started so far
		data, err := os.ReadFile(pidFile)
		require.NoError(t, err)
		for _, line := range strings.Fields(string(data)) {
			pid, err := strconv.Atoi(line)
			require.NoError(t, err)
			require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
		}
	}
	ready := func(out string) bool { return strings.Contains(out, "pass slow/slow/quick before") }
	if jobs != "1" {
		// The output shows the file once it is done: the slow test runs once both
		// servers have started and a little time has passed.
		var started time.Time
		ready = func(string) bool {
			data, _ := os.ReadFile(pidFile)
			if started.IsZero() && len(strings.Fields(string(data))) == 2 {
				started = time.Now()
			}
			return !started.IsZero() && time.Since(started) > 3*time.Second
		}
	}
	files := []string{slowFixture}
	if jobs != "1" {
		files = append(files, filepath.Join("..", "..", "testdata", "run", "mixed", "one.json"))
	}
	args := append([]string{"--server-cmd", serverCmd, "-j", jobs, "-v", "--json", reportPath}, files...)
	code, stdout, stderr, afterKill := runUntilReady(t, ready, kill, args...)
	assert.Equal(t, exitFail, code, stdout+stderr)
	assert.Less(t, afterKill, 20*time.Second, "the slow test (30s) ends at the crash")
	tests := readTests(t, reportPath)
	assert.Equal(t, [2]string{"pass", ""}, tests["slow/slow/quick before"])
	assert.Equal(t, [2]string{"fail", "server crashed during this test (signal: killed)"}, tests["slow/slow/slow"])
	assert.Equal(t, [2]string{"pass", ""}, tests["slow/slow/quick after"], "against the server started again")
	server := "" // under --jobs, the event names its server
	if jobs != "1" {
		server = `mongodb://127\.0\.0\.1:\d+/\S*: `
	}
	assert.Regexp(t, regexp.MustCompile(`specrun: `+server+`server crashed \(signal: killed\) during slow/slow/slow; started again`), stderr)
}

func TestServerCmdThatDoesNotStart(t *testing.T) {
	reportPath := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := runArgs(t, "--server-cmd", "echo cannot bind {port} >&2; exit 7", "--json", reportPath, slowFixture)
	assert.Equal(t, exitUnreachable, code, stdout)
	assert.Contains(t, stderr, "the server command ended (exit status 7) before it answered hello; its last output:\n  cannot bind ")
	tests := readTests(t, reportPath)
	require.Len(t, tests, 3, "the reports are written: every test an error")
	for id, st := range tests {
		assert.Equal(t, "error", st[0], id)
		assert.Contains(t, st[1], "not run: server unreachable: the server did not start: the server command ended (exit status 7)", id)
	}
	assert.Equal(t, 1, strings.Count(stderr, "exit status 7) before"), "the reason once")
}

func TestServerUnreachableAtStart(t *testing.T) {
	reportPath := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := runArgs(t, "--uri", "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=200", "--json", reportPath, slowFixture)
	assert.Equal(t, exitUnreachable, code, stdout+stderr)
	tests := readTests(t, reportPath)
	require.Len(t, tests, 3)
	for id, st := range tests {
		assert.Equal(t, "error", st[0], id)
		assert.Regexp(t, `^not run: server unreachable: `, st[1])
	}
	assert.Contains(t, stdout, "3 tests not run: no server to run them on (why: the last line)\n3 tests: 0 pass, 0 fail, 0 skip, 0 unsupported, 3 error")
	assert.Equal(t, 1, strings.Count(stderr, "server unreachable"), "the reason once: %s", stderr)
}

func TestRunUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--timeout", "0"}, "--timeout must be more than 0"},
		{[]string{"--timeout", "-1s"}, "--timeout must be more than 0"},
		{[]string{"--max-time", "-1s"}, "--max-time must not be negative"},
		{[]string{"--uri", "http://localhost/"}, "--uri: not a connection string: "},
		{[]string{"--uri", "mongodb://u:p@h/?authMechanism=NOPE"}, "--uri: not a connection string: "},
		{[]string{"--multi-mongos-lb-uri", "nope"}, "--multi-mongos-lb-uri: not a connection string: "},
		{[]string{"--server-cmd", "serve without a port"}, "--server-cmd: the command must listen on {port}"},
		{[]string{"-j", "0"}, "--jobs must be at least 1"},
		{[]string{"--shuffle", "bogus"}, `--shuffle "bogus": want on, off or an integer seed`},
		{[]string{"--run", "("}, "--run: "},
		{[]string{"--color", "bogus"}, `--color "bogus": want auto, always or never`},
	} {
		code, stdout, stderr := runArgs(t, append(tt.args, slowFixture)...)
		assert.Equal(t, exitUsage, code, "%v: %s%s", tt.args, stdout, stderr)
		assert.Contains(t, stderr, tt.want, tt.args)
		assert.True(t, strings.HasSuffix(stderr, "\nRun 'specrun help run' for usage.\n"), "%v: where the help is: %s", tt.args, stderr)
	}
}

func TestMaxTimeBoundsConnecting(t *testing.T) {
	reportPath := filepath.Join(t.TempDir(), "r.json")
	start := time.Now()
	// Nothing answers on 10.255.255.1: connecting would take the driver's 30s.
	code, stdout, stderr := runArgs(t, "--uri", "mongodb://10.255.255.1:27017/", "--max-time", "500ms", "--json", reportPath, slowFixture)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Equal(t, exitFail, code, stdout+stderr)
	assert.Contains(t, stderr, "--max-time 500ms reached: the run is partial, 3 selected tests did not run")
	data, err := os.ReadFile(reportPath)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"partial"`)
}
