package report

import (
	"bytes"
	"flag"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/specrun/specrun/internal/golden"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

var update = flag.Bool("update", false, "rewrite the golden files of the TestGolden tests (testdata/golden/report) from this run")

// goldenFile compares got with testdata/golden/report/<name> (see golden.Check).
func goldenFile(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("..", "testdata", "golden", "report", name), got, *update,
		"go test ./report -run TestGolden")
}

// The corpus roots of goldenRun: the shared corpus and the Debian package's.
const (
	goldenShared = "/srv/specifications/source"
	goldenDebian = "/usr/share/gocode/src/go.mongodb.org/mongo-driver/data"
)

// goldenExpectations is the expectations file of goldenRun: an entry for each
// judgement the run needs (expected, regression with an entry, unexpected pass by id
// and by prefix), one kept alive by a test that did not run, and two stale ones.
const goldenExpectations = `tests:
  - id: crud/unified/aggregate-out/aggregate with $out
    status: fail
    reason: "no $out yet (SERVER-1234)"
  - id: crud/unified/find/Find with hint
    status: fail
    reason: hint is ignored
  - prefix: change-streams/
    status: unsupported
    reason: no change streams on this server
  - id: crud/unified/invalid-operation
    status: fail
    reason: written for a newer schema
  - prefix: crud/v1/
    status: fail
    reason: legacy CRUD is not ready
  - id: sessions/unified/driver-sessions/Dirty explicit session is discarded
    status: fail
    reason: kept by a test that did not run
  - id: gridfs/delete/Delete when files entry does not exist
    status: fail
    reason: fixed in 8.0.2
  - prefix: retryable-reads/
    status: unsupported
    reason: no fail points
`

// goldenRun is one fixed, realistic run: every status, a rejected file, a failure whose
// description, reason and multi-line detail need escaping in XML and Markdown, the same
// ID in both corpus layouts, filters and a shard, a partial run with tests that did not
// run, two corpus roots with an identity each, and an expectations file with every
// judgement and stale entries. Times are fixed so that the reports are too.
func goldenRun(t *testing.T) *Run {
	t.Helper()
	shared := func(fileID, desc string, st result.Status, reason string, ms int) result.Test {
		spec, rest, _ := strings.Cut(fileID, "/") // crud/unified/find: crud/tests/unified/find.json
		return result.Test{ID: fileID + "/" + desc, FileID: fileID,
			File:        goldenShared + "/" + spec + "/tests/" + rest + ".json",
			Description: desc, Status: st, Reason: reason, Duration: time.Duration(ms) * time.Millisecond}
	}
	tests := []result.Test{
		shared("crud/unified/find", "Find with filter", P, "", 4),
		shared("crud/unified/find", "Find with sort & <limit> | by _id", F,
			`operation 1 (find): expectResult: 0.x: expected int32 1, got int32 2 (filter {"x": {"$gt": 1}}, *sorted*)`, 12),
		shared("crud/unified/find", "Find with hint", P, "", 3),
		shared("crud/unified/aggregate-out", "aggregate with $out", F,
			"operation 0 (aggregate): server error 59 (CommandNotFound): no such command: '$out'", 7),
		shared("change-streams/unified/change-streams", "Test array truncation", U,
			"the server lacks the changeStreams capability", 0),
		shared("sessions/unified/snapshot-sessions", "Find operation with snapshot", S,
			"requires topology sharded (server is replicaset)", 0),
		// A file the loader rejected: one result, for the file, with no description.
		{ID: "crud/unified/invalid-operation", FileID: "crud/unified/invalid-operation",
			File:   goldenShared + "/crud/tests/unified/invalid-operation.json",
			Status: E, Reason: "tests.0.operations.0.expectResults: unknown field", Duration: time.Millisecond},
		shared("crud/unified/insertMany", "InsertMany continue-on-error behavior with unordered (duplicate key in requests)", E,
			"specrun cannot run operation frobnicate on a collection", 1),
		// A test the server, lost during the run, left unrun.
		shared("sessions/unified/driver-sessions", "Server supports implicit sessions", E,
			result.NotRunReason("server lost: the server of --server-cmd exited (signal: killed)"), 0),
		// The same ID in both corpus layouts.
		shared("crud/v1/read/count", "Count documents with skip", F,
			"operation 0 (count): expectResult: expected int32 2, got int32 3", 5),
		{ID: "crud/v1/read/count/Count documents with skip", FileID: "crud/v1/read/count",
			File: goldenDebian + "/crud/v1/read/count.json", Description: "Count documents with skip",
			Status: P, Duration: 2 * time.Millisecond},
	}
	tests[1].Detail = "operation 1 (find): expectResult: 0.x: expected int32 1, got int32 2\n" +
		`operation find on collection0, arguments {"filter":{"x":{"$gt":1}},"sort":{"_id":1},"limit":2}` + "\n" +
		`expected: [{"_id":2,"x":1}]` + "\n" +
		`actual:   [{"_id":2,"x":2}]` + "\n" +
		`last command of client0: {"find":"coll0","filter":{"x":{"$gt":1}},"sort":{"_id":1},"limit":2}` + "\n" +
		`reply: {"cursor":{"firstBatch":[{"_id":2,"x":2}],"id":0,"ns":"crud-tests.coll0"},"ok":1.0}` + "\n" +
		"server log: \x1b[33mWARN\x1b[0m <sort> & <limit> ]]> \"quoted\" 'single'\ttabbed"
	notRun := []result.Test{
		{ID: "sessions/unified/driver-sessions/Dirty explicit session is discarded", FileID: "sessions/unified/driver-sessions",
			File: goldenShared + "/sessions/tests/unified/driver-sessions.json", Description: "Dirty explicit session is discarded"},
		{ID: "crud/unified/find/Find with batchSize", FileID: "crud/unified/find",
			File: goldenShared + "/crud/tests/unified/find.json", Description: "Find with batchSize"},
	}
	exp, err := ParseExpectations("expect.yml", []byte(goldenExpectations))
	if err != nil {
		t.Fatal(err)
	}
	var known []string
	for _, r := range append(append([]result.Test{}, tests...), notRun...) {
		known = append(known, r.ID)
	}
	ev := exp.Evaluate(tests, known)
	return &Run{
		SpecrunVersion: "v0.4.0",
		Driver:         "go.mongodb.org/mongo-driver/v2 v2.9.3",
		Server: ServerInfo{
			Name:           "ExampleDB 8.0.4",
			URI:            "mongodb://db1.example.net:27017,db2.example.net:27017/?replicaSet=rs0&tls=true",
			Version:        "8.0.4",
			Topology:       "replicaset",
			MaxWireVersion: 25,
			Capabilities:   map[string]bool{"failPoints": true, "transactions": true, "changeStreams": false},
		},
		Corpus: []CorpusRoot{
			{Root: goldenShared, Files: 412, Identity: specifications.Identity{
				GitCommit:         "92b3c0b9287bfba1b0ec4084300858d05c654f8c",
				Provenance:        "/srv/specifications/PROVENANCE.md",
				ProvenanceSHA256:  "5b1e0f3c9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f",
				ProvenanceCommits: []string{"19c33559f0eef83a96e73a37a0a7b4704be59e1a"},
			}},
			{Root: goldenDebian, Files: 1030, Identity: specifications.Identity{
				DebianPackage: "golang-mongodb-mongo-driver-dev", DebianVersion: "1.17.3+ds1-1",
			}},
		},
		Started:  time.Date(2026, 3, 4, 5, 6, 7, 891_000_000, time.UTC),
		Duration: 80*time.Second + 456*time.Millisecond + 789*time.Microsecond,
		Tests:    tests,
		Filters:  Filters{Run: `^(crud|sessions|change-streams)/`, Skip: `bulkWrite|\$merge`, Shard: Shard{Index: 2, Count: 4}},
		Command: []string{"specrun", "--uri", "mongodb://db1.example.net:27017,db2.example.net:27017/?replicaSet=rs0&tls=true",
			"--run", `^(crud|sessions|change-streams)/`, "--skip", `bulkWrite|\$merge`, "--shard", "2/4", "--max-time", "80s",
			"--expect", "expect.yml", "--markdown", "report.md", goldenShared, goldenDebian},
		Partial: &Partial{Reason: "--max-time 1m20s reached", NotRun: notRun},
		Expect:  &ev,
	}
}

// TestGoldenRunHasEveryCase keeps goldenRun what its doc says, so that the golden
// files cover every status and every judgement.
func TestGoldenRunHasEveryCase(t *testing.T) {
	r := goldenRun(t)
	s := Summarize(r.Tests)
	for _, st := range result.Statuses {
		if s.Count(st) == 0 {
			t.Errorf("no test with status %s", st)
		}
	}
	for _, j := range []Judgement{OK, Expected, Regression, UnexpectedPass} {
		if r.Expect.Count(j) == 0 {
			t.Errorf("no test judged %s", j)
		}
	}
	if len(r.Expect.Stale) != 2 {
		t.Errorf("%d stale entries, want 2", len(r.Expect.Stale))
	}
}

func TestGoldenReports(t *testing.T) {
	for _, f := range []struct {
		name  string
		write func(io.Writer, *Run) error
	}{
		{"run.json", WriteJSON},
		{"run.junit.xml", WriteJUnit},
		{"run.md", WriteMarkdown},
	} {
		t.Run(f.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := f.write(&b, goldenRun(t)); err != nil {
				t.Fatal(err)
			}
			goldenFile(t, f.name, b.Bytes())
		})
	}
}

// goldenOldRun is the report goldenRun is compared with: an earlier release, on
// another server, with other filters and not partial. Against goldenRun it has a
// regression, a fix, a status change, a changed reason (multi-line before), a new test
// and a removed one, a test that is only in goldenRun's not-run list (neither), and the
// ID that both corpus layouts share.
func goldenOldRun(t *testing.T) *Run {
	t.Helper()
	r := goldenRun(t)
	old := &Run{
		SpecrunVersion: "v0.3.0",
		Driver:         r.Driver,
		Server: ServerInfo{URI: "mongodb://127.0.0.1:41327/", Embedded: true, Version: "7.0.42", Topology: "single",
			MaxWireVersion: 21, Capabilities: map[string]bool{"failPoints": false}},
		Corpus:   r.Corpus,
		Started:  time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC),
		Duration: 75 * time.Second,
		Filters:  Filters{Run: `^(crud|sessions|change-streams)/`},
	}
	byID := map[string]result.Test{}
	for _, x := range r.Tests {
		byID[x.ID+"\x00"+x.File] = x
	}
	with := func(id, file string, st result.Status, reason string) result.Test {
		x := byID[id+"\x00"+file]
		if x.ID == "" {
			t.Fatalf("no test %s in %s", id, file)
		}
		x.Status, x.Reason, x.Detail = st, reason, ""
		return x
	}
	find := goldenShared + "/crud/tests/unified/find.json"
	old.Tests = []result.Test{
		with("crud/unified/find/Find with filter", find, P, ""),
		// pass → fail: a regression
		with("crud/unified/find/Find with sort & <limit> | by _id", find, P, ""),
		// fail → pass: a fix
		with("crud/unified/find/Find with hint", find, F, "hint is ignored"),
		// fail, another reason, multi-line
		with("crud/unified/aggregate-out/aggregate with $out", goldenShared+"/crud/tests/unified/aggregate-out.json", F,
			`operation 0 (aggregate): expectResult: expected [{"_id":1}], got []`+"\nlast command of client0: {\"aggregate\":\"coll0\"}"),
		// skip → unsupported: another status
		with("change-streams/unified/change-streams/Test array truncation",
			goldenShared+"/change-streams/tests/unified/change-streams.json", S, "requires replicaset"),
		with("sessions/unified/snapshot-sessions/Find operation with snapshot",
			goldenShared+"/sessions/tests/unified/snapshot-sessions.json", S, "requires topology sharded (server is single)"),
		// only in the old report
		{ID: "crud/unified/find/Find with limit", FileID: "crud/unified/find", File: find,
			Description: "Find with limit", Status: P},
		// in the new report's not-run list: neither removed nor new
		{ID: "crud/unified/find/Find with batchSize", FileID: "crud/unified/find", File: find,
			Description: "Find with batchSize", Status: P},
		with("crud/v1/read/count/Count documents with skip", goldenShared+"/crud/tests/v1/read/count.json", F,
			"operation 0 (count): expectResult: expected int32 2, got int32 3"),
		with("crud/v1/read/count/Count documents with skip", goldenDebian+"/crud/v1/read/count.json", F,
			"operation 0 (count): expectResult: expected int32 2, got int32 3"),
	}
	return old
}

func TestGoldenDiff(t *testing.T) {
	d := Diff(goldenOldRun(t), goldenRun(t))
	var text, js bytes.Buffer
	if err := d.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	t.Run("diff.txt", func(t *testing.T) { goldenFile(t, "diff.txt", text.Bytes()) })
	t.Run("diff.json", func(t *testing.T) { goldenFile(t, "diff.json", js.Bytes()) })
}

// TestGoldenCompare puts goldenOldRun (the embedded server, no name: its column is
// named from its version) and goldenRun (named) side by side: other filters and a
// partial run are notes, and every kind of difference is there (pass and fail,
// skip and unsupported, a test only in one report, the ID both layouts share).
func TestGoldenCompare(t *testing.T) {
	c, err := Compare(goldenOldRun(t), goldenRun(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{{"compare.txt", c.WriteText}, {"compare.json", c.WriteJSON}, {"compare.md", c.WriteMarkdown}} {
		t.Run(f.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := f.write(&b); err != nil {
				t.Fatal(err)
			}
			goldenFile(t, f.name, b.Bytes())
		})
	}
}
