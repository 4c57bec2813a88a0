package report

import (
	"strings"
	"testing"

	"github.com/specrun/specrun/result"
)

func res(id string, st result.Status) result.Test {
	r := result.Test{ID: id, Status: st}
	if st != result.Pass {
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

func TestEvaluateJudgements(t *testing.T) {
	exp := testExpectations(t)
	entry := func(i int) *Entry { return &exp.Entries[i] }
	tests := []struct {
		name   string
		result result.Test
		want   Judgement
		entry  *Entry
	}{
		{"expected fail", res("crud/unified/aggregate-out/aggregate with $out", result.Fail), Expected, entry(0)},
		{"expected unsupported by prefix", res("change-streams/unified/a/b", result.Unsupported), Expected, entry(1)},
		{"expected error", res("crud/unified/insert/insert one", result.Error), Expected, entry(3)},
		{"regression: fail without entry", res("retryable-writes/unified/a/b", result.Fail), Regression, nil},
		{"regression: error without entry", res("retryable-writes/unified/a/c", result.Error), Regression, nil},
		{"regression: wrong status", res("crud/unified/find/find with collation", result.Error), Regression, entry(2)},
		{"regression: expected error, got fail", res("crud/unified/insert/insert one", result.Fail), Regression, entry(3)},
		{"regression: skipped under an entry", res("gridfs/a/b", result.Skip), Regression, entry(4)},
		{"regression: unsupported under an entry", res("gridfs/a/c", result.Unsupported), Regression, entry(4)},
		{"unexpected pass", res("crud/unified/find/find with collation", result.Pass), UnexpectedPass, entry(2)},
		{"pass without entry", res("crud/legacy/find/x", result.Pass), OK, nil},
		{"skip without entry", res("crud/legacy/find/y", result.Skip), OK, nil},
		{"unsupported without entry", res("crud/legacy/find/z", result.Unsupported), OK, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := exp.Evaluate([]result.Test{tt.result}, nil)
			if len(ev.Verdicts) != 1 {
				t.Fatalf("%d verdicts", len(ev.Verdicts))
			}
			v := ev.Verdicts[0]
			if v.Judgement != tt.want || v.Entry != tt.entry || v.Result != tt.result {
				t.Errorf("got %v %+v, want %v %+v", v.Judgement, v.Entry, tt.want, tt.entry)
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
	results := []result.Test{
		res("change-streams/unified/a/one", result.Unsupported),
		res("change-streams/unified/a/two", result.Pass),
		res("change-streams/unified/b/three", result.Unsupported),
	}
	ev := exp.Evaluate(results, nil)
	want := []Judgement{Expected, UnexpectedPass, Expected}
	for i, v := range ev.Verdicts {
		if v.Judgement != want[i] || v.Entry != &exp.Entries[1] {
			t.Errorf("%s: %v %+v, want %v with the prefix entry", v.Result.ID, v.Judgement, v.Entry, want[i])
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
	results := []result.Test{
		res("crud/unified/aggregate-out/aggregate with $out", result.Fail),
		res("change-streams/unified/a/b", result.Unsupported),
		res("crud/unified/find/find with collation", result.Fail),
		res("crud/unified/insert/insert one", result.Error),
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
	results := []result.Test{
		res("a/b/pass", result.Pass),
		res("a/b/skip", result.Skip),
		res("a/b/unsupported", result.Unsupported),
	}
	ev := exp.Evaluate(results, []string{"a/b/other"})
	if !ev.OK() || ev.Count(OK) != 3 || len(ev.Stale) != 0 || ev.File != "" {
		t.Errorf("got %+v", ev)
	}
	for _, st := range []result.Status{result.Fail, result.Error} {
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
	results := []result.Test{
		res("crud/unified/aggregate-out/aggregate with $out", result.Fail),
		res("crud/unified/find/find with collation", result.Pass),
		res("change-streams/unified/a/b", result.Unsupported),
		res("change-streams/unified/a/c", result.Pass),
		res("crud/unified/insert/insert one", result.Fail),
		{ID: "retryable-writes/unified/a/b", Status: result.Error, Reason: "line one\nline two"},
		res("crud/legacy/x/y", result.Pass),
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
	if err := none.Evaluate([]result.Test{res("a/b/c", result.Pass)}, nil).WriteSummary(&b); err != nil {
		t.Fatal(err)
	}
	if want := "expectations (none): 1 met (0 by an entry), 0 regressions, 0 unexpected passes, 0 stale entries: OK\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestJudgementString(t *testing.T) {
	for _, o := range []Judgement{OK, Expected, Regression, UnexpectedPass} {
		got, err := parseJudgement(o.String())
		if err != nil || got != o {
			t.Errorf("%v: parseJudgement(%q) = %v, %v", int(o), o.String(), got, err)
		}
	}
	if s := Judgement(9).String(); s != "Judgement(9)" {
		t.Errorf("Judgement(9).String() = %q", s)
	}
	if _, err := parseJudgement("nope"); err == nil {
		t.Error("parseJudgement accepted nope")
	}
}
