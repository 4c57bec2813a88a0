package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/specrun/specrun/internal/testcorpus"
)

// serverUnderTest is a server a conformance run starts with --server-cmd.
type serverUnderTest struct {
	// name is the product and version, given as --server-name and written at the top of
	// the expectations file.
	name string
	// command returns the --server-cmd ({port} for the port specrun picks).
	command func(t testing.TB) string
}

func (s *serverUnderTest) args(t testing.TB) []string {
	return []string{"--server-cmd", s.command(t), "--server-name", s.name}
}

// secantusDB is SecantusDB 0.7.0b3 (PyPI secantusdb), installed by .ci/run in the
// project's virtual environment (testcorpus.SecantusPython). It starts as a single-node
// replica set (its default persona, which runs change streams), in memory, with the
// test-only commands (configureFailPoint) on.
var secantusDB = serverUnderTest{
	name: "SecantusDB " + testcorpus.SecantusVersion,
	command: func(t testing.TB) string {
		python := testcorpus.SecantusPython(t)
		checkSecantusVersion(t, python)
		return shellQuote(python) + " -m secantus --host 127.0.0.1 --port {port} --storage-path :memory: --enable-test-commands --log-level ERROR"
	},
}

// checkSecantusVersion fails when the environment holds another SecantusDB than the
// one the expectations file records: its verdicts would be another server's.
func checkSecantusVersion(t testing.TB, python string) {
	t.Helper()
	out, err := exec.Command(python, "-c", "import importlib.metadata as m; print(m.version('secantusdb'))").Output()
	if err != nil {
		t.Fatalf("%s: the version of secantusdb: %v", python, err)
	}
	if v := strings.TrimSpace(string(out)); v != testcorpus.SecantusVersion {
		t.Fatalf("%s has secantusdb %s; the expectations are SecantusDB %s's (.ci/run installs it)", python, v, testcorpus.SecantusVersion)
	}
}

// shellQuote quotes s for sh, which runs --server-cmd.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
