package main

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/specrun/specrun/internal/testcorpus"
)

// serverUnderTest is a server a conformance run starts with --server-cmd.
type serverUnderTest struct {
	// name is the product and version, given as --server-name and written at the top of
	// the expectations file.
	name string
	// command is the --server-cmd, with the interpreter in its first %s.
	command func(t testing.TB) string
	// volatile are parts of the server's messages that differ from run to run, replaced
	// in reasons before they are compared with the expectations file.
	volatile []volatileText
}

type volatileText struct {
	re   *regexp.Regexp
	with string
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
	volatile: []volatileText{
		// Cursor ids, session ids and timestamps are drawn anew in every run.
		{regexp.MustCompile(`cursor id -?[0-9]{4,}`), "cursor id …"},
		{regexp.MustCompile(`\{"\$timestamp":\{"t":[0-9]+,"i":[0-9]+\}\}`), `{"$timestamp":…}`},
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
