package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/specrun/specrun/result"
)

// Judgement is how a test's status compares with what the expectations file says.
type Judgement int

const (
	// OK: no entry, and the test passed, was skipped or is unsupported.
	OK Judgement = iota
	// Expected: the test ended with the status of its entry.
	Expected
	// Regression: the test failed or errored without an entry, or ended with another
	// status than its entry's (and did not pass).
	Regression
	// UnexpectedPass: the test passed although its entry expects another status; the
	// entry should go.
	UnexpectedPass
)

var judgementNames = [...]string{OK: "ok", Expected: "expected", Regression: "regression", UnexpectedPass: "unexpectedPass"}

// String returns the name used in the JSON report: ok, expected, regression,
// unexpectedPass.
func (o Judgement) String() string {
	if o >= 0 && int(o) < len(judgementNames) {
		return judgementNames[o]
	}
	return fmt.Sprintf("Judgement(%d)", int(o))
}

func parseJudgement(s string) (Judgement, error) {
	for i, n := range judgementNames {
		if n == s {
			return Judgement(i), nil
		}
	}
	return 0, fmt.Errorf("unknown verdict %q", s)
}

// judge is the rule of the package doc.
func judge(st result.Status, e *Entry) Judgement {
	switch {
	case e == nil && (st == result.Fail || st == result.Error):
		return Regression
	case e == nil:
		return OK
	case st == e.Status:
		return Expected
	case st == result.Pass:
		return UnexpectedPass
	}
	return Regression
}

// Judge judges one result against the entry Lookup gives it, as Evaluate does (a nil
// Expectations judges with no entries): for printing each result as it comes.
func (e *Expectations) Judge(r result.Test) Verdict {
	en, _ := e.Lookup(r.ID)
	return Verdict{Result: r, Judgement: judge(r.Status, en), Entry: en}
}

// Verdict is the judgement on one test.
type Verdict struct {
	Result    result.Test
	Judgement Judgement
	Entry     *Entry // the entry Lookup gave, nil if none
}

// Evaluation is the judgement of an expectations file on a run.
type Evaluation struct {
	File     string    // the expectations file, "" if none
	Verdicts []Verdict // one per result, in run order
	Stale    []*Entry  // entries that decide no test, in file order
}

// Evaluate judges every result against its entry (see the package doc). known are the
// IDs of tests that exist but did not run (filtered out, another shard, out of time),
// or all IDs of the corpus: an entry that Lookup selects for one of them or for a
// result is not stale. With known nil, staleness is judged against the results
// only. A nil Expectations judges with no entries.
func (e *Expectations) Evaluate(results []result.Test, known []string) Evaluation {
	var ev Evaluation
	used := map[entryKey]bool{}
	for _, r := range results {
		en, _ := e.Lookup(r.ID)
		if en != nil {
			used[en.identity()] = true
		}
		ev.Verdicts = append(ev.Verdicts, Verdict{Result: r, Judgement: judge(r.Status, en), Entry: en})
	}
	if e == nil {
		return ev
	}
	ev.File = e.Path
	for _, id := range known {
		if len(used) == len(e.Entries) {
			break
		}
		if en, ok := e.Lookup(id); ok {
			used[en.identity()] = true
		}
	}
	for i := range e.Entries {
		if !used[e.Entries[i].identity()] {
			ev.Stale = append(ev.Stale, &e.Entries[i])
		}
	}
	return ev
}

// OK reports whether every test met its expectation: no regression and no unexpected
// pass. It decides between exit status 0 and 1. Stale entries do not count.
func (ev Evaluation) OK() bool {
	for _, v := range ev.Verdicts {
		if v.Judgement == Regression || v.Judgement == UnexpectedPass {
			return false
		}
	}
	return true
}

// Count returns the number of tests with the outcome.
func (ev Evaluation) Count(o Judgement) int {
	n := 0
	for _, v := range ev.Verdicts {
		if v.Judgement == o {
			n++
		}
	}
	return n
}

// Select returns the verdicts with the outcome, in run order.
func (ev Evaluation) Select(o Judgement) []Verdict {
	var out []Verdict
	for _, v := range ev.Verdicts {
		if v.Judgement == o {
			out = append(out, v)
		}
	}
	return out
}

// where names an entry's place: "file:line", or the file alone when the line is unknown.
func (ev Evaluation) where(e *Entry) string {
	file := ev.File
	if file == "" {
		file = "expectations"
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d", file, e.Line)
	}
	return file
}

// WriteSummary writes a short human summary: one line of counts, then one line per
// regression, unexpected pass and stale entry, naming the entry's file and line.
//
//	expectations expect.yaml: 120 met (40 by an entry), 2 regressions, 1 unexpected pass, 1 stale entry: FAIL
//	regression: crud/unified/find/Find with filter: fail, no entry: <reason>
//	regression: crud/unified/x/y: error, expect.yaml:12 (id "crud/unified/x/y") expects fail: <reason>
//	unexpected pass: crud/unified/a/b: remove expect.yaml:4 (id "crud/unified/a/b", expects fail)
//	stale: expect.yaml:20: prefix "gridfs/" (unsupported) decides no test
func (ev Evaluation) WriteSummary(w io.Writer) error {
	var b strings.Builder
	verdict := "OK"
	if !ev.OK() {
		verdict = "FAIL"
	}
	fmt.Fprintf(&b, "%s: %s\n", ev.SummaryLine(), verdict)
	for _, v := range ev.Select(Regression) {
		r := v.Result
		fmt.Fprintf(&b, "regression: %s: %s, %s", r.ID, r.Status, ev.EntryText(v))
		if reason := firstLine(r.Reason); reason != "" {
			fmt.Fprintf(&b, ": %s", reason)
		}
		b.WriteByte('\n')
	}
	for _, v := range ev.Select(UnexpectedPass) {
		fmt.Fprintf(&b, "unexpected pass: %s: %s\n", v.Result.ID, ev.UnexpectedPassAdvice(v))
	}
	for _, e := range ev.Stale {
		fmt.Fprintf(&b, "stale: %s\n", ev.StaleText(e))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// SummaryLine is the counts of the judgement, on one line, without the verdict:
// "expectations expect.yaml: 120 met (40 by an entry), 2 regressions, 1 unexpected
// pass, 1 stale entry".
func (ev Evaluation) SummaryLine() string {
	name := ev.File
	if name == "" {
		name = "(none)"
	}
	return fmt.Sprintf("expectations %s: %d met (%d by an entry), %s, %s, %s", name,
		ev.Count(OK)+ev.Count(Expected), ev.Count(Expected),
		plural(ev.Count(Regression), "regression", "regressions"),
		plural(ev.Count(UnexpectedPass), "unexpected pass", "unexpected passes"),
		plural(len(ev.Stale), "stale entry", "stale entries"))
}

// EntryText names a verdict's entry and what it expects for messages: "expect.yml:12
// (id "…") expects fail", or "no entry".
func (ev Evaluation) EntryText(v Verdict) string {
	if v.Entry == nil {
		return "no entry"
	}
	return fmt.Sprintf("%s (%s) expects %s", ev.where(v.Entry), v.Entry.Pattern(), v.Entry.Status)
}

// StaleText says that an entry decides no test.
func (ev Evaluation) StaleText(e *Entry) string {
	return fmt.Sprintf("%s: %s (%s) decides no test", ev.where(e), e.Pattern(), e.Status)
}

// UnexpectedPassAdvice says what to do about an unexpected pass: remove its id entry,
// or narrow its prefix entry.
func (ev Evaluation) UnexpectedPassAdvice(v Verdict) string {
	if v.Entry.Prefix == "" {
		return fmt.Sprintf("remove %s (%s, expects %s)", ev.where(v.Entry), v.Entry.Pattern(), v.Entry.Status)
	}
	return fmt.Sprintf("%s (%s) expects %s; narrow it, or add an id entry with status pass",
		ev.where(v.Entry), v.Entry.Pattern(), v.Entry.Status)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i]) + " …"
	}
	return s
}
