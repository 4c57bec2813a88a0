package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/internal/testcorpus"
)

// runCombined runs specrun with stdout and stderr into one buffer, as a terminal
// shows them.
func runCombined(args ...string) (int, string) {
	var out bytes.Buffer
	code := runTests(context.Background(), args, &out, &out)
	return code, out.String()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Done when (issue 18): the gate from --update-expect gives exit 0, no FAIL line and
// no <failure> or <error> in JUnit; with one entry removed, exit 1, exactly one
// <failure>, named in the last 15 lines of the output.
func TestGateReadsAtAGlance(t *testing.T) {
	dir := t.TempDir()
	expectPath, junitPath := filepath.Join(dir, "expect.yml"), filepath.Join(dir, "junit.xml")
	code, out := runCombined("--skip", "slow", "--update-expect", expectPath, gateDir)
	require.Equal(t, exitFail, code, out)
	data, err := os.ReadFile(expectPath)
	require.NoError(t, err)
	require.Contains(t, string(data), gateFail)

	code, out = runCombined("--skip", "slow", "--expect", expectPath, "--junit", junitPath, gateDir)
	assert.Equal(t, exitOK, code, out)
	assert.NotRegexp(t, `(?m)^FAIL`, out, "a passing gate prints no FAIL line")
	assert.Contains(t, out, "expected fail: 1 test, as "+expectPath+" says (-v lists them)")
	junit, err := os.ReadFile(junitPath)
	require.NoError(t, err)
	assert.NotContains(t, string(junit), "<failure")
	assert.NotContains(t, string(junit), "<error")
	assert.Contains(t, string(junit), `<skipped message="expected: TODO: say why. specrun: operation 0 (aggregate)`)

	// The one entry removed: the test it covered is a regression.
	require.NoError(t, os.WriteFile(expectPath, []byte("tests: []\n"), 0o644))
	code, out = runCombined("--skip", "slow", "--expect", expectPath, "--junit", junitPath, gateDir)
	assert.Equal(t, exitFail, code, out)
	junit, err = os.ReadFile(junitPath)
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(junit), "<failure"), string(junit))
	assert.NotContains(t, string(junit), "<error")
	tail := lastLines(out, 15)
	assert.Contains(t, tail, "regressions (1):\n  FAIL "+gateFail+": ", "the regression is recapped at the end:\n%s", out)
	assert.Regexp(t, `: FAIL$`, tail)
}

// Done when (issue 18): two identical runs diff to no changed reason, although
// FerretDB's messages quote Go pointers that change from run to run.
func TestGateIdenticalRunsDiffToNoChangedReason(t *testing.T) {
	file := filepath.Join(testcorpus.Shared(t), "source/crud/tests/unified/aggregate-let.json")
	dir := t.TempDir()
	var reports []string
	for _, name := range []string{"a.json", "b.json"} {
		p := filepath.Join(dir, name)
		code, out := runCombined("--json", p, file)
		require.Equal(t, exitFail, code, out)
		reports = append(reports, p)
	}
	a, b := readReport(t, reports[0]), readReport(t, reports[1])
	pointer := regexp.MustCompile(`0x[0-9a-f]{6,}`)
	raw := false // the reports keep the raw text: the pointers differ
	for i := range a.Tests {
		if pointer.MatchString(a.Tests[i].Reason) && a.Tests[i].Reason != b.Tests[i].Reason {
			raw = true
		}
	}
	assert.True(t, raw, "the fixture's failures quote Go pointers, which differ between the runs")
	var stdout, stderr strings.Builder
	code := diff(reports, &stdout, &stderr)
	assert.Equal(t, exitOK, code, stdout.String()+stderr.String())
	assert.Contains(t, stdout.String(), "0 regressions, 0 fixes, 0 other status changes, 0 changed reasons, 0 new tests, 0 removed tests")
}
