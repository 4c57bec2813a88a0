package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/report"
	"github.com/specrun/specrun/result"
)

// cli runs specrun with the arguments as main does.
func cli(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = dispatch(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func testReport(shard report.Shard, tests ...result.Test) *report.Run {
	return &report.Run{
		SpecrunVersion: "v1", Driver: "go.mongodb.org/mongo-driver/v2 v2.9.3",
		Server:  report.ServerInfo{Embedded: true, Version: "7.0.42", Topology: "single", MaxWireVersion: 21},
		Corpus:  []report.CorpusRoot{{Root: "/corpus", Files: 1}},
		Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Duration: time.Second,
		Filters: report.Filters{Shard: shard},
		Tests:   tests,
	}
}

func testResult(file, desc string, st result.Status, reason string) result.Test {
	return result.Test{ID: "crud/" + file + "/" + desc, File: "/corpus/" + file + ".json", Description: desc, Status: st, Reason: reason}
}

func writeReport(t *testing.T, name string, r *report.Run) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	var b bytes.Buffer
	require.NoError(t, report.WriteJSON(&b, r))
	require.NoError(t, os.WriteFile(p, b.Bytes(), 0o644))
	return p
}

func TestDiffCommand(t *testing.T) {
	old := writeReport(t, "old.json", testReport(report.Shard{},
		testResult("a", "1", result.Pass, ""),
		testResult("a", "2", result.Fail, "x"),
		testResult("a", "gone", result.Pass, "")))
	regressed := writeReport(t, "new.json", testReport(report.Shard{},
		testResult("a", "1", result.Error, "boom"),
		testResult("a", "2", result.Pass, ""),
		testResult("a", "new", result.Fail, "y")))
	fixedOnly := writeReport(t, "fixed.json", testReport(report.Shard{},
		testResult("a", "1", result.Pass, ""),
		testResult("a", "2", result.Pass, ""),
		testResult("a", "gone", result.Pass, "")))

	jsonOut := filepath.Join(t.TempDir(), "diff.json")
	code, stdout, stderr := cli("diff", old, regressed, "--json", jsonOut)
	assert.Equal(t, exitFail, code, stderr)
	data, err := os.ReadFile(jsonOut)
	require.NoError(t, err)
	var machine struct {
		Regressed   bool
		Regressions []struct{ ID string }
	}
	require.NoError(t, json.Unmarshal(data, &machine))
	assert.True(t, machine.Regressed)
	require.Len(t, machine.Regressions, 1)
	assert.Equal(t, "crud/a/1", machine.Regressions[0].ID)
	assert.Equal(t, "1 regression, 1 fix, 0 other status changes, 0 changed reasons, 1 new test, 1 removed test\n"+
		"regression: crud/a/1: pass → error: boom\n"+
		"fix: crud/a/2: fail → pass\n"+
		"new: crud/a/new (fail)\n"+
		"removed: crud/a/gone (pass)\n", stdout)

	code, stdout, _ = cli("diff", old, fixedOnly)
	assert.Equal(t, exitOK, code, "a fix is no regression")
	assert.Contains(t, stdout, "0 regressions, 1 fix")

	code, _, _ = cli("diff", regressed, old)
	assert.Equal(t, exitFail, code, "the other way round, crud/a/2 regressed (pass → fail)")

	// Warnings do not change the exit status.
	other := testReport(report.Shard{}, testResult("a", "1", result.Pass, ""), testResult("a", "2", result.Fail, "x"),
		testResult("a", "gone", result.Pass, ""))
	other.Server.Version = "8.0.4"
	code, stdout, _ = cli("diff", old, writeReport(t, "other.json", other))
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "warning: other server: OLD 7.0.42 single (embedded), NEW 8.0.4 single (embedded)\n")
}

func TestDiffCommandUsage(t *testing.T) {
	good := writeReport(t, "good.json", testReport(report.Shard{}, testResult("a", "1", result.Pass, "")))
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"tests": [{"id": "x", "status": "great"}]}`), 0o644))
	empty := filepath.Join(dir, "empty.json")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	missing := filepath.Join(dir, "missing.json")

	cases := []struct {
		args []string
		want string
	}{
		{[]string{"diff"}, "want two reports, OLD.json and NEW.json; got 0"},
		{[]string{"diff", good}, "got 1"},
		{[]string{"diff", good, good, good}, "got 3"},
		{[]string{"diff", "--nope", good, good}, "specrun diff: unknown flag --nope\nRun 'specrun help diff' for usage.\n"},
		{[]string{"diff", good, bad}, "specrun diff: " + bad + ": report: tests[0] (\"x\"): unknown status \"great\""},
		{[]string{"diff", empty, good}, "specrun diff: " + empty + ": report: empty input"},
		{[]string{"diff", good, missing}, "specrun diff: open " + missing + ": no such file or directory"},
	}
	for _, c := range cases {
		code, stdout, stderr := cli(c.args...)
		assert.Equal(t, exitUsage, code, "%v", c.args)
		assert.Contains(t, stderr, c.want, "%v", c.args)
		assert.Empty(t, stdout, "%v", c.args)
	}
	code, stdout, _ := cli("diff", "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "Usage: specrun diff [--json FILE] OLD.json NEW.json")
}

func TestMergeCommand(t *testing.T) {
	dir := t.TempDir()
	s1 := writeReport(t, "s1.json", testReport(report.Shard{Index: 1, Count: 2},
		testResult("b", "1", result.Pass, ""), testResult("b", "2", result.Fail, "x")))
	s2 := writeReport(t, "s2.json", testReport(report.Shard{Index: 2, Count: 2},
		testResult("a", "1", result.Pass, ""), testResult("c", "1", result.Unsupported, "no fail points")))
	jsonOut, junitOut, mdOut := filepath.Join(dir, "m.json"), filepath.Join(dir, "m.xml"), filepath.Join(dir, "m.md")

	code, stdout, stderr := cli("merge", s2, "--json", jsonOut, s1, "--junit", junitOut, "--markdown", mdOut)
	assert.Equal(t, exitFail, code, "a test failed and there is no expectations file: "+stderr)
	assert.Equal(t, "merged 2 reports: 4 tests: 2 pass, 1 fail, 0 skip, 1 unsupported, 0 error (1s)\n", stdout)

	f, err := os.Open(jsonOut)
	require.NoError(t, err)
	defer f.Close()
	merged, err := report.ReadJSON(f)
	require.NoError(t, err)
	var ids []string
	for _, tt := range merged.Tests {
		ids = append(ids, tt.ID)
	}
	assert.Equal(t, []string{"crud/a/1", "crud/b/1", "crud/b/2", "crud/c/1"}, ids, "in the unsharded run's order")
	assert.Equal(t, report.Filters{}, merged.Filters)
	assert.Nil(t, merged.Partial)

	xmlData, err := os.ReadFile(junitOut)
	require.NoError(t, err)
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	require.NoError(t, xml.Unmarshal(xmlData, &suites))
	assert.Equal(t, 4, suites.Tests)
	assert.Equal(t, 1, suites.Failures)

	md, err := os.ReadFile(mdOut)
	require.NoError(t, err)
	assert.Contains(t, string(md), "| **Total** | 2 | 1 | 0 | 1 | 0 | 4 | 66.6% (judged 3 of 4) |")

	// Only passing shards: exit 0; a missing shard: partial, exit 1.
	p1 := writeReport(t, "p1.json", testReport(report.Shard{Index: 1, Count: 3}, testResult("a", "1", result.Pass, "")))
	p2 := writeReport(t, "p2.json", testReport(report.Shard{Index: 2, Count: 3}, testResult("b", "1", result.Pass, "")))
	p3 := writeReport(t, "p3.json", testReport(report.Shard{Index: 3, Count: 3}))
	code, _, stderr = cli("merge", p1, p2, p3)
	assert.Equal(t, exitOK, code, stderr)
	code, _, stderr = cli("merge", p1, p3, "--json", jsonOut)
	assert.Equal(t, exitFail, code)
	assert.Equal(t, "specrun merge: the merged report is partial: shard 2/3 missing\n", stderr)
	data, err := os.ReadFile(jsonOut)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"reason": "shard 2/3 missing"`, "the partial report is written all the same")
}

func TestMergeCommandRefuses(t *testing.T) {
	s1 := writeReport(t, "s1.json", testReport(report.Shard{Index: 1, Count: 2}, testResult("a", "1", result.Pass, "")))
	otherServer := testReport(report.Shard{Index: 2, Count: 2}, testResult("b", "1", result.Pass, ""))
	otherServer.Server.Topology = "replicaset"
	s2 := writeReport(t, "s2.json", otherServer)
	whole := writeReport(t, "whole.json", testReport(report.Shard{}, testResult("b", "1", result.Pass, "")))
	again := writeReport(t, "again.json", testReport(report.Shard{Index: 1, Count: 2}, testResult("b", "1", result.Pass, "")))
	otherFilter := testReport(report.Shard{Index: 2, Count: 2}, testResult("b", "1", result.Pass, ""))
	otherFilter.Filters.Run = "crud"
	filtered := writeReport(t, "filtered.json", otherFilter)
	missing := filepath.Join(t.TempDir(), "missing.json")

	cases := []struct {
		args []string
		want string
	}{
		{[]string{"merge"}, "specrun merge: give the JSON reports of the shards\nRun 'specrun help merge' for usage.\n"},
		{[]string{"merge", s1, s2}, "specrun merge: " + s2 + " (shard 2/2): other server: 7.0.42, replicaset, maxWireVersion 21, embedded; report 1: 7.0.42, single, maxWireVersion 21, embedded\n"},
		{[]string{"merge", s1, whole}, "specrun merge: " + whole + ": not a shard report (run without --shard)\n"},
		{[]string{"merge", s1, again}, "specrun merge: " + again + " (shard 1/2): shard 1/2 again (report 1 is shard 1/2 too)\n"},
		{[]string{"merge", s1, filtered}, "specrun merge: " + filtered + " (shard 2/2): other filters: --run crud; report 1: (none)\n"},
		{[]string{"merge", s1, missing}, "specrun merge: open " + missing + ": no such file or directory\n"},
	}
	for _, c := range cases {
		code, stdout, stderr := cli(c.args...)
		assert.Equal(t, exitUsage, code, "%v", c.args)
		assert.True(t, strings.HasSuffix(stderr, c.want) || strings.HasPrefix(stderr, c.want), "%v: stderr %q, want %q", c.args, stderr, c.want)
		assert.Empty(t, stdout, "%v", c.args)
	}
}

func TestUsageNamesDiffAndMerge(t *testing.T) {
	code, stdout, _ := cli("help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "specrun diff OLD.json NEW.json")
	assert.Contains(t, stdout, "specrun merge A.json B.json...")
}
