package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/specrun/specrun/embedded"
	"github.com/specrun/specrun/internal/testcorpus"
	"github.com/specrun/specrun/report"
)

// The gate fixtures (testdata/gate) on the embedded server: six tests pass, one fails
// ($out is not implemented), one is unsupported (no fail points). gate/b/slow waits
// 1.5 s.
const (
	gateDir         = "../../testdata/gate"
	gateFail        = "gate/a/fails: $out is not implemented"
	gatePass        = "gate/a/passes"
	gateUnsupported = "gate/a/unsupported: fail point"
)

func writeExpect(t *testing.T, yaml string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "expect.yml")
	require.NoError(t, os.WriteFile(p, []byte(yaml), 0o644))
	return p
}

func readReport(t *testing.T, path string) *report.Run {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	r, err := report.ReadJSON(f)
	require.NoError(t, err)
	return r
}

func TestGateOutcomes(t *testing.T) {
	known := "tests:\n  - id: \"" + gateFail + "\"\n    status: fail\n    reason: \"$out: NotImplemented (238)\"\n"
	tests := []struct {
		name     string
		expect   string
		code     int
		contains []string
	}{
		{"clean pass: every departure has its entry", known, exitOK,
			[]string{"0 regressions, 0 unexpected passes, 0 stale entries: OK"}},
		{"regression: a failure with no entry", "tests: []\n", exitFail,
			[]string{"FAIL " + gateFail + "\n", "    regression: no entry\n",
				"regressions (1):\n  FAIL " + gateFail + ": operation 0 (aggregate): unexpected error: server error 238"}},
		{"regression: an unsupported test the file expects to fail", known + "  - id: \"" + gateUnsupported + "\"\n    status: fail\n    reason: r\n", exitFail,
			[]string{"UNSUPPORTED " + gateUnsupported + "\n", `:5 (id "` + gateUnsupported + `") expects fail`,
				"regressions (1):\n  UNSUPPORTED " + gateUnsupported + ": operation 0 (failPoint): the server has no configureFailPoint command"}},
		{"unexpected pass: the entry to remove is named", known + "  - id: " + gatePass + "\n    status: fail\n    reason: was broken\n", exitFail,
			[]string{"unexpected pass: " + gatePass + ": remove ", ":5 (id \"" + gatePass + "\", expects fail)"}},
		{"stale entry: reported, does not fail the run", known + "  - prefix: gate/zz/\n    status: fail\n    reason: gone\n", exitOK,
			[]string{"1 stale entry: OK", `stale: `, `:5: prefix "gate/zz/" (fail) decides no test`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reportPath := filepath.Join(t.TempDir(), "r.json")
			code, stdout, stderr := runArgs(t, "--skip", "slow", "--expect", writeExpect(t, tc.expect), "--json", reportPath, gateDir)
			assert.Equal(t, tc.code, code, stdout+stderr)
			for _, s := range tc.contains {
				assert.Contains(t, stdout, s)
			}
			rep := readReport(t, reportPath)
			require.NotNil(t, rep.Expect)
			assert.Equal(t, tc.code == exitOK, rep.Expect.OK(), "the JSON report carries the verdict")
		})
	}
}

func TestGateUpdateExpectRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "expect.yml")
	code, stdout, stderr := runArgs(t, "--skip", "slow", "--update-expect", path, gateDir)
	assert.Equal(t, exitFail, code, "without --expect the failure fails the run: %s%s", stdout, stderr)
	assert.Contains(t, stderr, "specrun: wrote "+path+": 1 entry (1 added, 0 changed, 0 removed); 1 reason to fill in")
	exp, err := report.LoadExpectations(path)
	require.NoError(t, err)
	require.Len(t, exp.Entries, 1, "unsupported needs no entry")
	assert.Equal(t, gateFail, exp.Entries[0].ID)
	assert.True(t, strings.HasPrefix(exp.Entries[0].Reason, report.TODOReason+"operation 0 (aggregate): unexpected error: server error 238"), exp.Entries[0].Reason)

	code, stdout, _ = runArgs(t, "--skip", "slow", "--expect", path, gateDir)
	assert.Equal(t, exitOK, code, "a second run with the written file passes the gate: %s", stdout)

	// A person fills in the reason; updating again keeps it and the file's header.
	edited := "# our server\ntests:\n  - id: \"" + gateFail + "\"\n    status: fail\n    reason: \"no $out yet\"\n"
	require.NoError(t, os.WriteFile(path, []byte(edited), 0o644))
	code, _, stderr = runArgs(t, "--skip", "slow", "--update-expect", path, "--expect", path, gateDir)
	assert.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "1 entry (0 added, 0 changed, 0 removed); 0 reasons to fill in")
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(after), "reason: \"no $out yet\"")
	assert.Equal(t, edited, string(after), "the file this run satisfies is the file as it was")

	// A narrower run keeps the entries of the tests it did not run.
	code, _, stderr = runArgs(t, "--run", "^gate/c/", "--update-expect", path, gateDir)
	assert.Equal(t, exitOK, code, stderr)
	again, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(after), string(again))
}

func TestGatePartialRun(t *testing.T) {
	t.Run("max-time", func(t *testing.T) {
		dir := t.TempDir()
		expectPath := filepath.Join(dir, "expect.yml")
		require.NoError(t, os.WriteFile(expectPath, []byte("tests: []\n"), 0o644))
		reportPath := filepath.Join(dir, "r.json")
		// gate/b/slow waits 1.5 s: a 700 ms run ends in it, or before.
		code, stdout, stderr := runArgs(t, "--max-time", "700ms", "--update-expect", expectPath, "--json", reportPath, gateDir)
		assert.Equal(t, exitFail, code, stdout+stderr)
		assert.Contains(t, stderr, "specrun: --max-time 700ms reached: the run is partial")
		assert.Contains(t, stderr, "--update-expect: a partial run does not update "+expectPath+"; it is unchanged")
		data, err := os.ReadFile(expectPath)
		require.NoError(t, err)
		assert.Equal(t, "tests: []\n", string(data))

		rep := readReport(t, reportPath)
		require.NotNil(t, rep.Partial, "the report says it is partial")
		assert.Equal(t, "--max-time 700ms reached", rep.Partial.Reason)
		var notRun []string
		for _, r := range rep.Partial.NotRun {
			notRun = append(notRun, r.ID)
		}
		assert.Contains(t, notRun, "gate/b/slow", "the test cut short is not run, not failed")
		ran := map[string]bool{}
		for _, r := range rep.Tests {
			ran[r.ID] = true
			assert.NotEqual(t, "gate/b/slow", r.ID)
		}
		assert.Equal(t, 8, len(rep.Tests)+len(rep.Partial.NotRun), "every selected test is either judged or listed as not run")
		for _, id := range notRun {
			assert.False(t, ran[id], id)
		}
	})
	t.Run("interrupted", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		time.AfterFunc(time.Second, cancel)
		reportPath := filepath.Join(t.TempDir(), "r.json")
		var out, errOut strings.Builder
		code := runTests(ctx, []string{"--run", "gate/b/", "--json", reportPath, gateDir}, &out, &errOut)
		assert.Equal(t, exitFail, code)
		assert.Contains(t, errOut.String(), "specrun: interrupted: stopping after the current test")
		rep := readReport(t, reportPath)
		require.NotNil(t, rep.Partial)
		assert.Equal(t, "interrupted", rep.Partial.Reason)
		require.Len(t, rep.Partial.NotRun, 1, "the slow test was cut: %+v", rep.Tests)
		assert.Equal(t, "gate/b/slow", rep.Partial.NotRun[0].ID)
	})
}

// TestGateShards: the shards of a run are disjoint, cover it, and stay the same.
func TestGateShards(t *testing.T) {
	ids := func(args ...string) []string {
		reportPath := filepath.Join(t.TempDir(), "r.json")
		code, stdout, stderr := runArgs(t, append([]string{"--skip", "slow", "--json", reportPath}, append(args, gateDir)...)...)
		require.Contains(t, []int{exitOK, exitFail}, code, stdout+stderr)
		var out []string
		for _, r := range readReport(t, reportPath).Tests {
			out = append(out, r.ID)
		}
		return out
	}
	all := ids()
	one, two := ids("--shard", "1/2"), ids("--shard", "2/2")
	assert.NotEmpty(t, one)
	assert.NotEmpty(t, two)
	assert.ElementsMatch(t, all, append(one, two...))
	assert.Equal(t, one, ids("--shard", "1/2"), "a shard is stable")

	code, _, stderr := runArgs(t, "--shard", "3/2", gateDir)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "want I/N with 1 <= I <= N")
}

// TestGateNonemptyServer: gate/d.json names gate-d.coll; someone else's collection in
// its database, or in another, refuses the server, named; --allow-nonempty says in
// one line what the run may drop, and leaves the rest alone.
func TestGateNonemptyServer(t *testing.T) {
	srv, err := embedded.Start(context.Background(), embedded.Options{})
	require.NoError(t, err)
	defer srv.Close()
	client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
	require.NoError(t, err)
	defer client.Disconnect(context.Background())
	insert := func(db, coll string) {
		_, err := client.Database(db).Collection(coll).InsertOne(context.Background(), bson.D{{Key: "theirs", Value: 1}})
		require.NoError(t, err)
	}
	count := func(db, coll string) int64 {
		n, err := client.Database(db).Collection(coll).CountDocuments(context.Background(), bson.D{})
		require.NoError(t, err)
		return n
	}

	// The tests' own collections (left by an earlier run) are no reason to refuse.
	insert("gate-d", "coll")
	code, stdout, stderr := runArgs(t, "--uri", srv.URI(), gateDir+"/d.json")
	assert.Equal(t, exitOK, code, stdout+stderr)

	insert("gate-d", "mine")
	insert("customers", "orders")
	code, stdout, stderr = runArgs(t, "--uri", srv.URI(), gateDir+"/d.json")
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, stdout, "refused before the first test")
	assert.Equal(t, "specrun: "+srv.URI()+": the server holds collections these tests do not name: customers.orders, gate-d.mine; "+
		"a run drops and fills the collections its tests name, and some tests drop whole databases: use a server set aside for testing, "+
		"or pass --allow-nonempty\n", stderr)

	code, stdout, stderr = runArgs(t, "--uri", srv.URI(), "--allow-nonempty", gateDir+"/d.json")
	assert.Equal(t, exitOK, code, stdout+stderr)
	assert.Contains(t, stderr, "specrun: --allow-nonempty: this run may drop 1 of the server's collections: gate-d.coll\n")
	assert.EqualValues(t, 1, count("gate-d", "mine"), "other data is left alone")
	assert.EqualValues(t, 1, count("customers", "orders"))

	// The legacy change-streams tests drop their database whole: what it holds may be lost.
	insert("cs-db", "theirs")
	code, stdout, stderr = runArgs(t, "--uri", srv.URI(), "--allow-nonempty", "../../testdata/safety/change-streams.json")
	assert.Equal(t, exitOK, code, stdout+stderr)
	assert.Contains(t, stderr, "specrun: --allow-nonempty: this run may drop 1 of the server's collections: cs-db.theirs (no test names it)\n")
}

// TestGateCredentialsNeverShown: with a password in --uri (PLAIN, which FerretDB's
// SQLite backend accepts), nothing specrun prints or writes contains it.
func TestGateCredentialsNeverShown(t *testing.T) {
	srv, err := embedded.Start(context.Background(), embedded.Options{})
	require.NoError(t, err)
	defer srv.Close()
	const password = "Sup3rSecretPw"
	uri := strings.Replace(srv.URI(), "mongodb://", "mongodb://alice:"+password+"@", 1) + "?authMechanism=PLAIN"
	dir := t.TempDir()
	reportPath, expectPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "expect.yml")
	code, stdout, stderr := runArgs(t, "--uri", uri, "-v", "--json", reportPath, "--junit", filepath.Join(dir, "r.xml"),
		"--markdown", filepath.Join(dir, "r.md"), "--update-expect", expectPath, gateDir)
	assert.Equal(t, exitFail, code, "gate/a has a failure: %s", stderr)
	outputs := map[string]string{"stdout": stdout, "stderr": stderr}
	for _, f := range []string{"r.json", "r.xml", "r.md", "expect.yml"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		outputs[f] = string(data)
	}
	data := []byte(outputs["r.json"])
	for what, s := range outputs {
		assert.NotContains(t, s, password, what)
		assert.NotContains(t, s, "alice", what)
	}
	var rep struct{ Server struct{ URI string } }
	require.NoError(t, json.Unmarshal(data, &rep))
	assert.Equal(t, strings.Replace(uri, "alice:"+password+"@", "", 1), rep.Server.URI)
}

func TestHelpShowsNoCredentialsFromTheEnvironment(t *testing.T) {
	t.Setenv("MONGODB_URI", "mongodb://alice:EnvSecretPw@db.example:27017/")
	t.Setenv("MULTI_MONGOS_LB_URI", "mongodb://bob:LbSecretPw@lb.example:27017/")
	code, stdout, stderr := runArgs(t, "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "--uri URI")
	for _, secret := range []string{"EnvSecretPw", "LbSecretPw", "alice", "bob"} {
		assert.NotContains(t, stdout+stderr, secret)
	}
}

// testFields are what two runs of the same tests on the same server agree on (the
// detail quotes session ids and ports, the duration varies).
func testFields(r *report.Run) []string {
	var out []string
	for _, t := range r.Tests {
		out = append(out, strings.Join([]string{t.ID, t.File, t.Description, string(t.Status), t.Reason}, " | "))
	}
	return out
}

// TestGateShardsMergeToTheUnshardedRun: two shards of a real run, merged, are the
// unsharded run — tests, order, verdicts of the expectations file, file counts.
func TestGateShardsMergeToTheUnshardedRun(t *testing.T) {
	dir := t.TempDir()
	expect := writeExpect(t, "tests:\n  - id: \""+gateFail+"\"\n    status: fail\n    reason: no $out\n  - prefix: gate/zz/\n    status: fail\n    reason: stale\n")
	run := func(name string, extra ...string) *report.Run {
		p := filepath.Join(dir, name+".json")
		args := append([]string{"--skip", "slow", "--expect", expect, "--json", p}, extra...)
		code, stdout, stderr := runArgs(t, append(args, gateDir)...)
		require.Equal(t, exitOK, code, stdout+stderr)
		return readReport(t, p)
	}
	whole := run("whole")
	run("shard1", "--shard", "1/2")
	run("shard2", "--shard", "2/2")

	var stdout, stderr strings.Builder
	mergedPath := filepath.Join(dir, "merged.json")
	// Shards in any order.
	code := merge([]string{"--json", mergedPath, "--junit", filepath.Join(dir, "m.xml"), "--markdown", filepath.Join(dir, "m.md"),
		filepath.Join(dir, "shard2.json"), filepath.Join(dir, "shard1.json")}, &stdout, &stderr)
	require.Equal(t, exitOK, code, stdout.String()+stderr.String())
	merged := readReport(t, mergedPath)

	assert.Equal(t, testFields(whole), testFields(merged))
	assert.Equal(t, report.Summarize(whole.Tests), report.Summarize(merged.Tests))
	assert.Nil(t, merged.Partial)
	assert.Equal(t, report.Filters{Skip: "slow"}, merged.Filters)
	require.Len(t, merged.Corpus, 1)
	assert.Equal(t, whole.Corpus[0].Files, merged.Corpus[0].Files)
	require.NotNil(t, merged.Expect)
	assert.True(t, merged.Expect.OK())
	assert.Equal(t, whole.Expect.Count(report.Expected), merged.Expect.Count(report.Expected))
	require.Len(t, merged.Expect.Stale, 1, "stale in every shard")
	assert.Equal(t, "gate/zz/", merged.Expect.Stale[0].Prefix)
	for _, f := range []string{"m.xml", "m.md"} {
		info, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err)
		assert.NotZero(t, info.Size(), f)
	}

	// One shard alone is a partial merge.
	stdout.Reset()
	stderr.Reset()
	code = merge([]string{filepath.Join(dir, "shard1.json")}, &stdout, &stderr)
	assert.Equal(t, exitFail, code)
	assert.Contains(t, stderr.String(), "partial")
}

// TestGateDiffOfRealRuns: the same tests run twice, the second time with one test
// broken and one fixed (the fixtures changed, as a server's behaviour would).
func TestGateDiffOfRealRuns(t *testing.T) {
	dir := t.TempDir()
	copyGate := func(name string, edit func(string) string) string {
		dst := filepath.Join(dir, name, "gate")
		require.NoError(t, os.MkdirAll(dst, 0o755))
		for _, f := range []string{"a.json", "c.json"} {
			data, err := os.ReadFile(filepath.Join(gateDir, f))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dst, f), []byte(edit(string(data))), 0o644))
		}
		return dst
	}
	oldDir := copyGate("old", func(s string) string { return s })
	newDir := copyGate("new", func(s string) string {
		// "passes c1" now expects a document the server does not have: it fails.
		s = strings.Replace(s, `"description": "passes c1",
      "operations": [
        {
          "object": "collection0",
          "name": "find",
          "arguments": {
            "filter": {}
          },
          "expectResult": [
            {
              "_id": 1,
              "x": 1`, `"description": "passes c1",
      "operations": [
        {
          "object": "collection0",
          "name": "find",
          "arguments": {
            "filter": {}
          },
          "expectResult": [
            {
              "_id": 1,
              "x": 2`, 1)
		// "$out" now expects the server's error: it passes.
		return strings.Replace(s, `"expectResult": []`, `"expectError": {"errorCode": 238}`, 1)
	})
	report := func(name, folder string) string {
		p := filepath.Join(dir, name+".json")
		code, stdout, stderr := runArgs(t, "--json", p, folder)
		require.Contains(t, []int{exitOK, exitFail}, code, stdout+stderr)
		return p
	}
	oldReport, newReport := report("old", oldDir), report("new", newDir)

	var stdout, stderr strings.Builder
	code := diff([]string{oldReport, newReport}, &stdout, &stderr)
	assert.Equal(t, exitFail, code, "a regression: %s%s", stdout.String(), stderr.String())
	out := stdout.String()
	assert.Contains(t, out, "gate/c/passes c1")
	assert.Contains(t, out, "gate/a/fails: $out is not implemented")
	assert.Regexp(t, `(?s)[Rr]egression.*gate/c/passes c1.*[Ff]ix.*gate/a/fails`, out)

	stdout.Reset()
	code = diff([]string{oldReport, oldReport}, &stdout, &stderr)
	assert.Equal(t, exitOK, code, stdout.String())
}

// TestGateSecondRunIsNotRefused: what a run of real corpus folders leaves on the
// server is what their tests name, so the same run again is not refused. On FerretDB
// these runs create only collections that initialData and entities name (it has no
// $out or $merge); TestNamespaces covers what operations name.
func TestGateSecondRunIsNotRefused(t *testing.T) {
	srv, err := embedded.Start(context.Background(), embedded.Options{})
	require.NoError(t, err)
	defer srv.Close()
	shared, debian := filepath.Join(testcorpus.Shared(t), "source"), testcorpus.Debian(t)
	args := []string{"--uri", srv.URI(), filepath.Join(debian, "gridfs"), filepath.Join(shared, "gridfs/tests")}
	for _, f := range []string{"aggregate-out", "aggregate-merge", "db-aggregate", "find"} {
		args = append(args, filepath.Join(shared, "crud/tests/unified", f+".json"))
	}
	for run := range 2 {
		code, stdout, stderr := runArgs(t, args...)
		assert.Equal(t, exitFail, code, "run %d: FerretDB fails some tests; it is not refused: %s", run+1, stderr)
		assert.Contains(t, stdout, " tests: ")
	}
	client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
	require.NoError(t, err)
	defer client.Disconnect(context.Background())
	dbs, err := client.ListDatabaseNames(context.Background(), bson.D{})
	require.NoError(t, err)
	assert.Greater(t, len(dbs), 3, "the runs left data: %v", dbs)
}
