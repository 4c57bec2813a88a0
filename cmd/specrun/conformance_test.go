package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/internal/testcorpus"
	"github.com/specrun/specrun/report"
	"github.com/specrun/specrun/result"
)

// update rewrites, from this run, the expectations files of TestConformance
// (testdata/expect) and the golden files of the TestGolden tests (testdata/golden/specrun).
var update = flag.Bool("update", false, "rewrite from this run the expectations files of TestConformance (testdata/expect) and the golden files of TestGolden (testdata/golden/specrun)")

// conformanceRun is one corpus's folders that the project's own tests run, with the
// expectations file that records what the embedded FerretDB 1.24.2 does on them: every
// test that does not pass, with the reason specrun gives (which names the server's error
// or the mismatch). Regenerate with go test ./cmd/specrun -run TestConformance -update,
// and read the diff. The corpora get a file each: both hold crud/v1 and
// command-monitoring/legacy, with the same IDs but not the same files.
type conformanceRun struct {
	name    string
	root    func(testing.TB) string
	folders []string
	expect  string
	// server, when set, is the server under test, started with --server-cmd; nil is
	// the embedded FerretDB.
	server *serverUnderTest
}

var conformanceRuns = []conformanceRun{
	// Every folder of unified tests, and the legacy formats.
	{"shared", func(t testing.TB) string { return filepath.Join(testcorpus.Shared(t), "source") }, []string{
		"auth/tests/unified",
		"causal-consistency/tests",
		"change-streams/tests/unified",
		"client-backpressure/tests",
		"client-side-encryption/tests/legacy",
		"client-side-encryption/tests/unified",
		"client-side-operations-timeout/tests",
		"command-logging-and-monitoring/tests/logging",
		"command-logging-and-monitoring/tests/monitoring",
		"command-monitoring/tests/legacy",
		"connection-monitoring-and-pooling/tests/logging",
		"crud/tests/unified",
		"crud/tests/v1",
		"gridfs/tests",
		"load-balancers/tests",
		"mongodb-handshake/tests/unified",
		"open-telemetry/tests",
		"read-write-concern/tests/operation",
		"retryable-reads/tests/unified",
		"retryable-writes/tests/unified",
		"server-discovery-and-monitoring/tests/unified",
		"server-selection/tests/logging",
		"sessions/tests",
		"transactions-convenient-api/tests/unified",
		"transactions/tests/unified",
		"unified-test-format/tests/valid-pass",
		"unified-test-format/tests/valid-fail",
		"versioned-api/tests",
	}, "../../testdata/expect/ferretdb-1.24.2.yml", nil},
	{"debian", testcorpus.Debian, []string{
		"crud/v1",
		"command-monitoring/legacy",
		"change-streams/legacy",
		"gridfs",
		"transactions/legacy",
		"retryable-writes/legacy",
		"retryable-reads",
		"sessions/legacy",
		"read-write-concern/operation",
		"convenient-transactions",
		"client-side-encryption",
		"atlas-data-lake-testing",
		"server-discovery-and-monitoring/integration",
	}, "../../testdata/expect/ferretdb-1.24.2-debian.yml", nil},
	// SecantusDB 0.7.0b3 (secantus_test.go), a single-node replica set with fail points,
	// transactions and change streams, on the folders where its verdicts exercise most of
	// what FerretDB's do not: events, log messages, sessions, change streams, retryable
	// writes, the unified format's own tests, in about a minute. Left out for time, and
	// run by hand (README, "Testing your server"): transactions (2m20s), retryable-reads
	// (1m40s, but for its count files), server-discovery-and-monitoring (1m15s),
	// client-side-operations-timeout (50s, timing-bound), server-selection/logging.
	{"secantusdb", func(t testing.TB) string { return filepath.Join(testcorpus.Shared(t), "source") }, []string{
		"causal-consistency/tests",
		"change-streams/tests/unified",
		// single files whose verdicts pin the fail-point departures (socketTimeoutMS, a
		// fail point's appName) and CSOT in withTransaction, in about 2 s
		"client-side-operations-timeout/tests/convenient-transactions.json",
		"client-side-operations-timeout/tests/retryability-legacy-timeouts.json",
		"command-logging-and-monitoring/tests/logging",
		"command-logging-and-monitoring/tests/monitoring",
		"command-monitoring/tests/legacy",
		"crud/tests/unified",
		"crud/tests/v1",
		"gridfs/tests",
		"read-write-concern/tests/operation",
		"retryable-reads/tests/unified/count.json",
		"retryable-reads/tests/unified/count-serverErrors.json",
		"retryable-writes/tests/unified",
		"server-discovery-and-monitoring/tests/unified/find-network-timeout-error.json",
		"sessions/tests",
		"transactions-convenient-api/tests/unified",
		"transactions/tests/unified/error-labels-blockConnection.json",
		"unified-test-format/tests/valid-pass",
		"versioned-api/tests",
	}, "../../testdata/expect/secantusdb-0.7.0b3.yml", &secantusDB},
}

// passingValidFail are valid-fail tests that pass on FerretDB, each with the reason; a
// valid-fail test is written to fail on a conforming server.
var passingValidFail = map[string]string{
	"unified-test-format/valid-fail/operation-failure/Unsupported query operator": "FerretDB 1.24.2 answers find {$unsupportedQueryOperator: 1} on an empty collection with ok: 1 and no documents; MongoDB refuses the unknown operator",
}

// TestConformance runs the conformance folders through specrun run against the embedded
// server with the checked-in expectations: any change of verdict, or of the reason of a
// test that does not pass, fails.
func TestConformance(t *testing.T) {
	for _, c := range conformanceRuns {
		t.Run(c.name, func(t *testing.T) { c.check(t) })
	}
}

func (c conformanceRun) check(t *testing.T) {
	root := c.root(t)
	var paths []string
	for _, f := range c.folders {
		paths = append(paths, filepath.Join(root, f))
	}
	reportPath := filepath.Join(t.TempDir(), "r.json")
	args := append([]string{"--json", reportPath}, paths...)
	serverName := "the embedded FerretDB 1.24.2"
	if c.server != nil {
		args = append(c.server.args(t), args...)
		serverName = c.server.name
	}
	if !*update {
		args = append([]string{"--expect", c.expect}, args...)
	}
	var stdout, stderr bytes.Buffer
	code := runTests(context.Background(), args, &stdout, &stderr)
	data, err := os.ReadFile(reportPath)
	require.NoError(t, err, "stderr: %s", stderr.String())
	var rep struct {
		Tests []struct{ ID, Status, Reason string }
	}
	require.NoError(t, json.Unmarshal(data, &rep))
	require.NotEmpty(t, rep.Tests)

	if *update {
		require.NoError(t, os.WriteFile(c.expect, expectationsFor(serverName, c.name, rep.Tests), 0o644))
		t.Logf("wrote %s", c.expect)
		return
	}
	assert.Equal(t, exitOK, code, "every test ends as the expectations say:\n%s", stdout.String())
	expect, err := report.LoadExpectations(c.expect)
	require.NoError(t, err)
	for _, r := range rep.Tests {
		if e, ok := expect.Lookup(r.ID); ok {
			assert.True(t, report.SameReason(e.Reason, r.Reason), "reason of %s changed:\nwant %s\ngot  %s", r.ID, e.Reason, r.Reason)
		}
		if strings.HasPrefix(r.ID, "unified-test-format/valid-fail/") && r.Status == string(result.Pass) {
			assert.Contains(t, passingValidFail, r.ID, "a valid-fail test passed")
		}
		if !strings.HasPrefix(r.ID, "unified-test-format/") {
			assert.NotEqual(t, string(result.Error), r.Status, "%s: only the unified-format folders (valid-fail) may have a test in error: %s", r.ID, r.Reason)
		}
	}
}

// expectationsFor writes an expectations file with an id entry for every test that
// did not pass or skip, its reason the one this run gave.
func expectationsFor(server, corpus string, tests []struct{ ID, Status, Reason string }) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# What %s does on specrun's conformance folders of the %s corpus\n", server, corpus)
	b.WriteString("# (cmd/specrun/conformance_test.go). Generated by\n")
	b.WriteString("#   go test ./cmd/specrun -run TestConformance -update\n")
	b.WriteString("# Each reason is specrun's: the server's error (code and name) or the mismatch.\n")
	b.WriteString("tests:\n")
	for _, t := range tests {
		switch result.Status(t.Status) {
		case result.Pass, result.Skip:
			continue
		}
		fmt.Fprintf(&b, "  - id: %s\n    status: %s\n    reason: %s\n", quote(t.ID), t.Status, quote(report.Stable(t.Reason)))
	}
	return []byte(b.String())
}

func quote(s string) string {
	out, _ := json.Marshal(s) // a JSON string is a valid YAML double-quoted scalar
	return string(out)
}
