package report

import (
	"strings"
	"testing"

	"github.com/specrun/specrun/interpreter"
)

func res(id string, st interpreter.Status) interpreter.Result {
	r := interpreter.Result{ID: id, Status: st}
	if st != interpreter.Pass {
		r.Reason = "because " + string(st)
	}
	return r
}

// testExpectations is a file with one entry of each kind the cases below need.
func testExpectations(t *testing.T) *Expectations {
	t.Helper()
	exp, err := ParseExpectations("expect.yaml", []byte(`tests:
  - id: crud/unified/aggregate-out/aggregate with $out
    status: fail
    reason: $out not implemented
  - prefix: change-streams/
    status: unsupported
    reason: no change streams
  - id: crud/unified/find/find with collation
    status: fail
    reason: collation not implemented
  - id: crud/unified/insert/insert one
    status: error
    reason: runner bug
  - prefix: gridfs/
    status: fail
    reason: no gridfs
  - id: sessions/unified/x/y
    status: fail
    reason: filtered out in these runs
  - prefix: crud/unified/
    status: fail
    reason: shadowed by the id entries for every test of these runs
`))
	if err != nil {
		t.Fatal(err)
	}
	return exp
}

func TestEvaluateOutcomes(t *testing.T) {
	exp := testExpectations(t)
	entry := func(i int) *Entry { return &exp.Entries[i] }
	tests := []struct {
		name   string
		result interpreter.Result
		want   Outcome
		entry  *Entry
	}{
		{"expected fail", res("crud/unified/aggregate-out/aggregate with $out", interpreter.Fail), Expected, entry(0)},
		{"expected unsupported by prefix", res("change-streams/unified/a/b", interpreter.Unsupported), Expected, entry(1)},
		{"expected error", res("crud/unified/insert/insert one", interpreter.Error), Expected, entry(3)},
		{"regression: fail without entry", res("retryable-writes/unified/a/b", interpreter.Fail), Regression, nil},
		{"regression: error without entry", res("retryable-writes/unified/a/c", interpreter.Error), Regression, nil},
		{"regression: wrong status", res("crud/unified/find/find with collation", interpreter.Error), Regression, entry(2)},
		{"regression: expected error, got fail", res("crud/unified/insert/insert one", interpreter.Fail), Regression, entry(3)},
		{"regression: skipped under an entry", res("gridfs/a/b", interpreter.Skip), Regression, entry(4)},
		{"regression: unsupported under an entry", res("gridfs/a/c", interpreter.Unsupported), Regression, entry(4)},
		{"unexpected pass", res("crud/unified/find/find with collation", interpreter.Pass), UnexpectedPass, entry(2)},
		{"pass without entry", res("crud/legacy/find/x", interpreter.Pass), OK, nil},
		{"skip without entry", res("crud/legacy/find/y", interpreter.Skip), OK, nil},
		{"unsupported without entry", res("crud/legacy/find/z", interpreter.Unsupported), OK, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := exp.Evaluate([]interpreter.Result{tt.result}, nil)
			if len(ev.Verdicts) != 1 {
				t.Fatalf("%d verdicts", len(ev.Verdicts))
			}
			v := ev.Verdicts[0]
			if v.Outcome != tt.want || v.Entry != tt.entry || v.Result != tt.result {
				t.Errorf("got %v %+v, want %v %+v", v.Outcome, v.Entry, tt.want, tt.entry)
			}
			wantOK := tt.want == OK || tt.want == Expected
			if ev.OK() != wantOK {
				t.Errorf("OK() = %v, want %v", ev.OK(), wantOK)
			}
		})
	}
}

func TestEvaluatePrefixOnePasses(t *testing.T) {
	exp := testExpectations(t)
	results := []interpreter.Result{
		res("change-streams/unified/a/one", interpreter.Unsupported),
		res("change-streams/unified/a/two", interpreter.Pass),
		res("change-streams/unified/b/three", interpreter.Unsupported),
	}
	ev := exp.Evaluate(results, nil)
	want := []Outcome{Expected, UnexpectedPass, Expected}
	for i, v := range ev.Verdicts {
		if v.Outcome != want[i] || v.Entry != &exp.Entries[1] {
			t.Errorf("%s: %v %+v, want %v with the prefix entry", v.Result.ID, v.Outcome, v.Entry, want[i])
		}
	}
	if ev.OK() {
		t.Error("OK() with an unexpected pass")
	}
	if n := ev.Count(Expected); n != 2 {
		t.Errorf("Count(Expected) = %d", n)
	}
	if got := ev.Select(UnexpectedPass); len(got) != 1 || got[0].Result.ID != "change-streams/unified/a/two" {
		t.Errorf("Select(UnexpectedPass) = %+v", got)
	}
}

func TestEvaluateStale(t *testing.T) {
	exp := testExpectations(t)
	results := []interpreter.Result{
		res("crud/unified/aggregate-out/aggregate with $out", interpreter.Fail),
		res("change-streams/unified/a/b", interpreter.Unsupported),
		res("crud/unified/find/find with collation", interpreter.Fail),
		res("crud/unified/insert/insert one", interpreter.Error),
	}
	staleOf := func(ev Evaluation) []string {
		var s []string
		for _, e := range ev.Stale {
			s = append(s, e.Pattern())
		}
		return s
	}
	tests := []struct {
		name  string
		known []string
		want  []string
	}{
		{"results only", nil,
			[]string{`prefix "gridfs/"`, `id "sessions/unified/x/y"`, `prefix "crud/unified/"`}},
		{"filtered-out tests are not stale",
			[]string{"sessions/unified/x/y", "gridfs/a/b", "crud/unified/aggregate-out/aggregate with $out"},
			[]string{`prefix "crud/unified/"`}},
		{"a known test under the prefix only", []string{"crud/unified/delete/one"},
			[]string{`prefix "gridfs/"`, `id "sessions/unified/x/y"`}},
		{"unknown IDs change nothing", []string{"sessions/unified/x/y2", "gridfs"},
			[]string{`prefix "gridfs/"`, `id "sessions/unified/x/y"`, `prefix "crud/unified/"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := exp.Evaluate(results, tt.known)
			if got := staleOf(ev); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("stale = %q, want %q", got, tt.want)
			}
			if !ev.OK() {
				t.Error("stale entries must not fail the run")
			}
		})
	}
}

func TestEvaluateNoExpectations(t *testing.T) {
	var exp *Expectations
	results := []interpreter.Result{
		res("a/b/pass", interpreter.Pass),
		res("a/b/skip", interpreter.Skip),
		res("a/b/unsupported", interpreter.Unsupported),
	}
	ev := exp.Evaluate(results, []string{"a/b/other"})
	if !ev.OK() || ev.Count(OK) != 3 || len(ev.Stale) != 0 || ev.File != "" {
		t.Errorf("got %+v", ev)
	}
	for _, st := range []interpreter.Status{interpreter.Fail, interpreter.Error} {
		ev := exp.Evaluate(append(results, res("a/b/bad", st)), nil)
		if ev.OK() || ev.Count(Regression) != 1 {
			t.Errorf("%s without expectations: OK=%v regressions=%d", st, ev.OK(), ev.Count(Regression))
		}
	}
	if ev := exp.Evaluate(nil, nil); !ev.OK() {
		t.Error("empty run not OK")
	}
}

func TestWriteSummary(t *testing.T) {
	exp := testExpectations(t)
	results := []interpreter.Result{
		res("crud/unified/aggregate-out/aggregate with $out", interpreter.Fail),
		res("crud/unified/find/find with collation", interpreter.Pass),
		res("change-streams/unified/a/b", interpreter.Unsupported),
		res("change-streams/unified/a/c", interpreter.Pass),
		res("crud/unified/insert/insert one", interpreter.Fail),
		{ID: "retryable-writes/unified/a/b", Status: interpreter.Error, Reason: "line one\nline two"},
		res("crud/legacy/x/y", interpreter.Pass),
	}
	ev := exp.Evaluate(results, []string{"sessions/unified/x/y"})
	var b strings.Builder
	if err := ev.WriteSummary(&b); err != nil {
		t.Fatal(err)
	}
	want := `expectations expect.yaml: 3 met (2 by an entry), 2 regressions, 2 unexpected passes, 2 stale entries: FAIL
regression: crud/unified/insert/insert one: fail, expect.yaml:11 (id "crud/unified/insert/insert one") expects error: because fail
regression: retryable-writes/unified/a/b: error, no entry: line one …
unexpected pass: crud/unified/find/find with collation: remove expect.yaml:8 (id "crud/unified/find/find with collation", expects fail)
unexpected pass: change-streams/unified/a/c: expect.yaml:5 (prefix "change-streams/") expects unsupported; narrow it, or add an id entry with status pass
stale: expect.yaml:14: prefix "gridfs/" (fail) decides no test
stale: expect.yaml:20: prefix "crud/unified/" (fail) decides no test
`
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	var none *Expectations
	b.Reset()
	if err := none.Evaluate([]interpreter.Result{res("a/b/c", interpreter.Pass)}, nil).WriteSummary(&b); err != nil {
		t.Fatal(err)
	}
	if want := "expectations (none): 1 met (0 by an entry), 0 regressions, 0 unexpected passes, 0 stale entries: OK\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestOutcomeString(t *testing.T) {
	for _, o := range []Outcome{OK, Expected, Regression, UnexpectedPass} {
		got, err := parseOutcome(o.String())
		if err != nil || got != o {
			t.Errorf("%v: parseOutcome(%q) = %v, %v", int(o), o.String(), got, err)
		}
	}
	if s := Outcome(9).String(); s != "Outcome(9)" {
		t.Errorf("Outcome(9).String() = %q", s)
	}
	if _, err := parseOutcome("nope"); err == nil {
		t.Error("parseOutcome accepted nope")
	}
}
