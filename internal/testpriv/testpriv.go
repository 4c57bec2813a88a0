// Package testpriv lets specrun's own tests meet a folder that cannot be read. Root
// reads any folder whatever its mode, and CI runs the tests as root: there the
// command under test runs under setpriv with no capabilities, which binds root to
// file modes as any other user.
package testpriv

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// Command is exec.Command(name, args...), made to run where file modes bind it: as
// it is for another user than root; for root, under setpriv with an empty bounding
// set (the test is skipped where there is no setpriv).
func Command(t testing.TB, name string, args ...string) *exec.Cmd {
	t.Helper()
	if os.Geteuid() != 0 {
		return exec.Command(name, args...)
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skipf("running as root without setpriv: cannot make a folder unreadable (%v)", err)
	}
	return exec.Command(setpriv, append([]string{"--bounding-set=-all", "--inh-caps=-all", name}, args...)...)
}

// envChild marks the test process that Rerun started.
const envChild = "SPECRUN_TESTPRIV_CHILD"

// Rerun makes the calling test run where file modes bind it. For another user than
// root it returns true at once: the body runs here. For root it runs the test again
// in a child test process (see Command) and returns false: the child's outcome is
// this test's, and the body must not run here. In that child it returns true.
func Rerun(t *testing.T) bool {
	t.Helper()
	if os.Geteuid() != 0 || os.Getenv(envChild) == "1" {
		return true
	}
	cmd := Command(t, os.Args[0], "-test.run=^"+regexp.QuoteMeta(t.Name())+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), envChild+"=1")
	out, err := cmd.CombinedOutput()
	switch {
	case strings.Contains(string(out), "--- SKIP: "+t.Name()):
		t.Skipf("skipped without root's capabilities:\n%s", out)
	case err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()):
		t.Fatalf("without root's capabilities (%v):\n%s", err, out)
	}
	return false
}
