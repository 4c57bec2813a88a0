package report

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

func sampleRun() *Run {
	return &Run{
		SpecrunVersion: "v0.1.0",
		Driver:         "go.mongodb.org/mongo-driver/v2 v2.9.3",
		Server: ServerInfo{
			URI:            "mongodb://127.0.0.1:40123/",
			Embedded:       true,
			Version:        "7.0.42",
			Topology:       "single",
			MaxWireVersion: 21,
			Capabilities:   map[string]bool{"failPoints": false, "transactions": false, "changeStreams": false},
		},
		Corpus:   []CorpusRoot{{Root: "/corpus/a", Files: 123}, {Root: "/corpus/b", Files: 4}},
		Started:  time.Date(2026, 3, 4, 5, 6, 7, 891_000_000, time.UTC),
		Duration: 12345 * time.Millisecond,
		Tests: []result.Test{
			{ID: "crud/unified/find/b", File: "crud/unified/find.json", Description: "b",
				Status: result.Pass, Duration: 3 * time.Millisecond},
			{ID: "crud/unified/find/a", File: "crud/unified/find.json", Description: "a",
				Status: result.Fail, Reason: "one line <with> & markup", Duration: 12 * time.Millisecond,
				Detail: "operation 0 (find)\nexpected 1 at cursor.firstBatch.0.x, got 2"},
			{ID: "change-streams/unified/x/y", File: "change-streams/unified/x.json", Description: "y",
				Status: result.Unsupported, Reason: "no change streams"},
			{ID: "sessions/unified/x/y", File: "sessions/unified/x.json", Description: "y",
				Status: result.Skip, Reason: "requires replicaset"},
			{ID: "crud/unified/bad/z", File: "crud/unified/bad.json", Description: "z",
				Status: result.Error, Reason: "unknown operation foo"},
			{ID: "crud/unified/find/c", File: "crud/unified/find.json", Description: "c",
				Status: result.Fail, Reason: "timed out after 60s", Duration: time.Minute},
		},
	}
}

func encode(t *testing.T, r *Run) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func keys(m map[string]any) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	slices.Sort(k)
	return k
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}

func TestWriteJSONFieldNames(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal(encode(t, sampleRun()), &m); err != nil {
		t.Fatal(err)
	}
	obj := func(v any) map[string]any {
		t.Helper()
		o, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%v is not an object", v)
		}
		return o
	}
	check := func(what string, o map[string]any, want ...string) {
		t.Helper()
		if got := keys(o); !reflect.DeepEqual(got, sorted(want...)) {
			t.Errorf("%s keys = %q, want %q", what, got, sorted(want...))
		}
	}
	check("top level", m, "specrun", "server", "corpus", "filters", "started", "durationMs", "summary", "tests")
	check("specrun", obj(m["specrun"]), "version", "driver")
	check("server", obj(m["server"]), "uri", "embedded", "version", "topology", "maxWireVersion", "capabilities")
	check("server.capabilities", obj(obj(m["server"])["capabilities"]), "failPoints", "transactions", "changeStreams")
	check("summary", obj(m["summary"]), "total", "pass", "fail", "skip", "unsupported", "error")
	corpus := m["corpus"].([]any)
	check("corpus[0]", obj(corpus[0]), "root", "files")
	tests := m["tests"].([]any)
	for i, tt := range tests {
		// every field is present, even an empty reason or detail
		check("tests["+string(rune('0'+i))+"]", obj(tt), "id", "file", "description", "status", "reason", "durationMs", "detail")
	}

	// values and types
	if got := m["started"]; got != "2026-03-04T05:06:07.891Z" {
		t.Errorf("started = %v", got)
	}
	if _, err := time.Parse(time.RFC3339, m["started"].(string)); err != nil {
		t.Errorf("started is not RFC 3339: %v", err)
	}
	if got := m["durationMs"]; got != 12345.0 {
		t.Errorf("durationMs = %v", got)
	}
	srv := obj(m["server"])
	if srv["uri"] != "mongodb://127.0.0.1:40123/" || srv["embedded"] != true || srv["version"] != "7.0.42" ||
		srv["topology"] != "single" || srv["maxWireVersion"] != 21.0 {
		t.Errorf("server = %v", srv)
	}
	if c := obj(corpus[0]); c["root"] != "/corpus/a" || c["files"] != 123.0 {
		t.Errorf("corpus[0] = %v", c)
	}
	t1 := obj(tests[1])
	if t1["id"] != "crud/unified/find/a" || t1["status"] != "fail" || t1["durationMs"] != 12.0 ||
		t1["reason"] != "one line <with> & markup" || !strings.Contains(t1["detail"].(string), "\n") {
		t.Errorf("tests[1] = %v", t1)
	}
}

func TestWriteJSONEmptyCollections(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal(encode(t, &Run{}), &m); err != nil {
		t.Fatal(err)
	}
	// Empty lists and maps are written as [] and {}, never null.
	if _, ok := m["corpus"].([]any); !ok {
		t.Errorf("corpus = %#v", m["corpus"])
	}
	if _, ok := m["tests"].([]any); !ok {
		t.Errorf("tests = %#v", m["tests"])
	}
	if _, ok := m["server"].(map[string]any)["capabilities"].(map[string]any); !ok {
		t.Errorf("capabilities = %#v", m["server"])
	}
}

func TestWriteJSONNoHTMLEscaping(t *testing.T) {
	if out := encode(t, sampleRun()); !bytes.Contains(out, []byte("<with> & markup")) {
		t.Error("reason was HTML-escaped")
	}
}

func TestWriteJSONKeepsRunOrder(t *testing.T) {
	r, err := ReadJSON(bytes.NewReader(encode(t, sampleRun())))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tt := range r.Tests {
		got = append(got, tt.ID)
	}
	want := []string{"crud/unified/find/b", "crud/unified/find/a", "change-streams/unified/x/y",
		"sessions/unified/x/y", "crud/unified/bad/z", "crud/unified/find/c"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
}

func TestSummarize(t *testing.T) {
	p, f, s, u, e := result.Pass, result.Fail, result.Skip, result.Unsupported, result.Error
	tests := []struct {
		name     string
		statuses []result.Status
		want     Summary
	}{
		{"none", nil, Summary{}},
		{"one of each", []result.Status{p, f, s, u, e}, Summary{5, 1, 1, 1, 1, 1}},
		{"mixed", []result.Status{p, p, p, f, f, s, e, u, u, u}, Summary{10, 3, 2, 1, 3, 1}},
		{"unknown status counts in total only", []result.Status{p, "weird"}, Summary{Total: 2, Pass: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var results []result.Test
			for _, st := range tt.statuses {
				results = append(results, result.Test{Status: st})
			}
			got := Summarize(results)
			if got != tt.want {
				t.Errorf("Summarize = %+v, want %+v", got, tt.want)
			}
			for _, st := range result.Statuses {
				n := 0
				for _, x := range tt.statuses {
					if x == st {
						n++
					}
				}
				if got.Count(st) != n {
					t.Errorf("Count(%s) = %d, want %d", st, got.Count(st), n)
				}
			}
		})
	}

	var m map[string]any
	if err := json.Unmarshal(encode(t, sampleRun()), &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"total": 6.0, "pass": 1.0, "fail": 2.0, "skip": 1.0, "unsupported": 1.0, "error": 1.0}
	if !reflect.DeepEqual(m["summary"], want) {
		t.Errorf("summary in JSON = %v, want %v", m["summary"], want)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	withExpect := sampleRun()
	exp, err := ParseExpectations("expect.yaml", []byte(`tests:
  - id: crud/unified/find/a
    status: fail
    reason: known
  - id: crud/unified/find/b
    status: fail
    reason: fixed since
  - prefix: change-streams/
    status: unsupported
    reason: no change streams
  - prefix: gridfs/
    status: fail
    reason: stale
`))
	if err != nil {
		t.Fatal(err)
	}
	ev := exp.Evaluate(withExpect.Tests, nil)
	withExpect.Expect = &ev

	partial := sampleRun()
	partial.Filters = Filters{Run: "^crud/", Skip: "x", Shard: Shard{2, 3}, Shuffle: "-1733300000000000000"}
	partial.Partial = &Partial{Reason: "interrupted", NotRun: []result.Test{{ID: "crud/unified/z/d", File: "crud/unified/z.json", Description: "d"}}}
	partial.Corpus[0].Identity = specifications.Identity{GitCommit: "92b3c0b9287bfba1b0ec4084300858d05c654f8c",
		Provenance: "/c/PROVENANCE.md", ProvenanceSHA256: "ab", ProvenanceCommits: []string{"19c33559f0eef83a96e73a37a0a7b4704be59e1a"},
		DebianPackage: "golang-mongodb-mongo-driver-dev", DebianVersion: "1.17.3+ds1-1"}

	for name, run := range map[string]*Run{"plain": sampleRun(), "with expectations": withExpect, "partial, filtered, identified": partial} {
		t.Run(name, func(t *testing.T) {
			first := encode(t, run)
			got, err := ReadJSON(bytes.NewReader(first))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, run) {
				t.Errorf("round trip:\ngot  %+v\nwant %+v", got, run)
			}
			if second := encode(t, got); !bytes.Equal(first, second) {
				t.Errorf("second encoding differs:\n%s\n%s", first, second)
			}
		})
	}

	// What the expectations add to the JSON.
	var m map[string]any
	if err := json.Unmarshal(encode(t, withExpect), &m); err != nil {
		t.Fatal(err)
	}
	e := m["expectations"].(map[string]any)
	if e["file"] != "expect.yaml" || e["ok"] != false || e["expected"] != 2.0 || e["regressions"] != 2.0 ||
		e["unexpectedPasses"] != 1.0 || len(e["stale"].([]any)) != 1 {
		t.Errorf("expectations = %v", e)
	}
	t0 := m["tests"].([]any)[0].(map[string]any)
	if t0["verdict"] != "unexpectedPass" ||
		!reflect.DeepEqual(t0["expected"], map[string]any{"id": "crud/unified/find/b", "status": "fail", "reason": "fixed since", "line": 5.0}) {
		t.Errorf("tests[0] = %v", t0)
	}
	if t3 := m["tests"].([]any)[3].(map[string]any); t3["verdict"] != "ok" || t3["expected"] != nil {
		t.Errorf("tests[3] = %v", t3)
	}
}

// Durations are rounded to the millisecond (a test of 999µs took 1ms, not 0), the start
// time truncated (it is a time, written to the millisecond).
func TestJSONDurationsRoundToMilliseconds(t *testing.T) {
	r := sampleRun()
	r.Duration = 1500*time.Microsecond + 999*time.Nanosecond
	r.Tests[0].Duration = 999 * time.Microsecond
	r.Tests[1].Duration = 1499 * time.Microsecond
	r.Started = time.Date(2026, 1, 2, 3, 4, 5, 123_456_789, time.FixedZone("CET", 3600))
	got, err := ReadJSON(bytes.NewReader(encode(t, r)))
	if err != nil {
		t.Fatal(err)
	}
	if got.Duration != 2*time.Millisecond || got.Tests[0].Duration != time.Millisecond || got.Tests[1].Duration != time.Millisecond {
		t.Errorf("durations %v, %v, %v", got.Duration, got.Tests[0].Duration, got.Tests[1].Duration)
	}
	if want := time.Date(2026, 1, 2, 2, 4, 5, 123_000_000, time.UTC); !got.Started.Equal(want) || got.Started.Location() != time.UTC {
		t.Errorf("started %v, want %v", got.Started, want)
	}
}

func TestWriteJSONErrors(t *testing.T) {
	bad := sampleRun()
	bad.Tests[2].Status = "flaky"
	if err := WriteJSON(&bytes.Buffer{}, bad); err == nil || !strings.Contains(err.Error(), "flaky") {
		t.Errorf("unknown status: err = %v", err)
	}

	// every writer refuses verdicts that are not the tests' own, one for one
	for name, write := range map[string]func(io.Writer, *Run) error{"JSON": WriteJSON, "JUnit": WriteJUnit} {
		r := sampleRun()
		ev := (*Expectations)(nil).Evaluate(r.Tests[:2], nil)
		r.Expect = &ev
		if err := write(&bytes.Buffer{}, r); err == nil {
			t.Errorf("%s: verdicts for fewer tests accepted", name)
		}
		swapped := (*Expectations)(nil).Evaluate(sampleRun().Tests, nil)
		swapped.Verdicts[0], swapped.Verdicts[1] = swapped.Verdicts[1], swapped.Verdicts[0]
		r.Expect = &swapped
		if err := write(&bytes.Buffer{}, r); err == nil {
			t.Errorf("%s: verdicts out of order accepted", name)
		}
	}
}

func TestReadJSONErrors(t *testing.T) {
	good := string(encode(t, sampleRun()))
	r := sampleRun()
	ev := (*Expectations)(nil).Evaluate(r.Tests, nil)
	r.Expect = &ev
	withExpect := string(encode(t, r))

	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "empty input"},
		{"not JSON", "{", "unexpected EOF"},
		{"not an object", "[]", "cannot unmarshal array"},
		{"trailing data", good + "{}", "data after the report"},
		{"unknown status", strings.Replace(good, `"status": "skip"`, `"status": "skipped"`, 1), `unknown status "skipped"`},
		{"summary disagrees", strings.Replace(good, `"fail": 2`, `"fail": 3`, 1), "summary"},
		{"bad started", strings.Replace(good, `"started": "2026-03-04T05:06:07.891Z"`, `"started": "yesterday"`, 1), "started"},
		{"verdict disagrees", strings.Replace(withExpect, `"verdict": "regression"`, `"verdict": "ok"`, 1), `verdict "ok"`},
		{"unknown verdict", strings.Replace(withExpect, `"verdict": "ok"`, `"verdict": "fine"`, 1), `unknown verdict "fine"`},
		{"missing verdict", strings.Replace(withExpect, `,
      "verdict": "ok"`, ``, 1), `unknown verdict ""`},
		{"counts disagree", strings.Replace(withExpect, `"regressions": 3`, `"regressions": 2`, 1), "does not agree"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.in == good || tt.in == withExpect {
				t.Fatal("the test's replacement did not apply")
			}
			_, err := ReadJSON(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestReadJSONIgnoresAddedFields(t *testing.T) {
	in := strings.Replace(string(encode(t, sampleRun())), `"specrun": {`, `"future": [1, 2], "specrun": {"extra": true, `, 1)
	got, err := ReadJSON(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, sampleRun()) {
		t.Errorf("got %+v", got)
	}
}

func TestWriteJSONPartialAndIdentity(t *testing.T) {
	run := sampleRun()
	run.Filters.Shard = Shard{1, 2}
	run.Partial = &Partial{Reason: "--max-time 1m0s reached", NotRun: []result.Test{{ID: "a/b/c", File: "a/b.json", Description: "c", Status: result.Fail}}}
	run.Corpus[0].Identity = specifications.Identity{DebianPackage: "golang-mongodb-mongo-driver-dev", DebianVersion: "1.17.3+ds1-1"}
	var m struct {
		Filters map[string]any
		Partial struct {
			Reason string
			NotRun []map[string]any
		}
		Corpus []map[string]any
		Tests  []any
	}
	if err := json.Unmarshal(encode(t, run), &m); err != nil {
		t.Fatal(err)
	}
	if m.Filters["shard"] != "1/2" || len(m.Filters) != 1 {
		t.Errorf("filters = %v", m.Filters)
	}
	// the seed of --shuffle, as a string: an int64 seed does not fit a JSON number of
	// every reader
	run.Filters.Shuffle = "1733300000000000001"
	m.Filters = nil
	if err := json.Unmarshal(encode(t, run), &m); err != nil {
		t.Fatal(err)
	}
	if m.Filters["shuffle"] != "1733300000000000001" || len(m.Filters) != 2 {
		t.Errorf("filters = %v", m.Filters)
	}
	if m.Partial.Reason != "--max-time 1m0s reached" || len(m.Partial.NotRun) != 1 ||
		!reflect.DeepEqual(keys(m.Partial.NotRun[0]), sorted("id", "file", "description")) {
		t.Errorf("partial = %+v; a test that did not run has no status", m.Partial)
	}
	if len(m.Tests) != len(run.Tests) {
		t.Errorf("not-run tests must not be among the tests: %d", len(m.Tests))
	}
	id, _ := m.Corpus[0]["identity"].(map[string]any)
	if pkg, _ := id["debianPackage"].(map[string]any); pkg["name"] != "golang-mongodb-mongo-driver-dev" || pkg["version"] != "1.17.3+ds1-1" || len(id) != 1 {
		t.Errorf("corpus[0].identity = %v", id)
	}
	if _, ok := m.Corpus[1]["identity"]; ok {
		t.Errorf("a root with no identity has none: %v", m.Corpus[1])
	}
}

func TestParseShard(t *testing.T) {
	for in, want := range map[string]Shard{"1/1": {1, 1}, "2/4": {2, 4}, "4/4": {4, 4}} {
		if got, err := ParseShard(in); err != nil || got != want || got.String() != in {
			t.Errorf("ParseShard(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "0/4", "5/4", "1/0", "-1/2", "1/2x", "a/b", "1", "1/2/3"} {
		if _, err := ParseShard(in); err == nil {
			t.Errorf("ParseShard(%q) accepted", in)
		}
	}
}

func TestJSONGoModuleIdentity(t *testing.T) {
	r := sampleRun()
	r.Corpus[0].Identity = specifications.Identity{GoModule: "go.mongodb.org/mongo-driver@v1.17.3"}
	data := encode(t, r)
	if !strings.Contains(string(data), `"goModule": "go.mongodb.org/mongo-driver@v1.17.3"`) {
		t.Errorf("the module is not in the report: %s", data)
	}
	got, err := ReadJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Corpus[0].Identity, r.Corpus[0].Identity) {
		t.Errorf("identity %+v, want %+v", got.Corpus[0].Identity, r.Corpus[0].Identity)
	}
}
