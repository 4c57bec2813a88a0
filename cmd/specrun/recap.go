package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/specrun/specrun/report"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/run"
)

// What a run prints reads at a glance: a regression (without --expect, any fail or
// error) in full as it happens, in colour where allowed; a test that ends as its entry
// says is an expected result, counted in one line per status at the end (-v lists
// each); and the end of the output, the last lines a terminal keeps, recaps the
// regressions one line each before the counts.

const (
	// recapShown is how many regressions the recap lists; then how many more. With its
	// header, the count and the verdict lines, the recap stays within the last 15
	// lines of the output.
	recapShown = 10
	// recapLine is how long a recap line's test ID and reason are, at most: the reason
	// is cut to fit (to recapReasonMin characters at least).
	recapLine      = 160
	recapReasonMin = 40
	// endListed caps the unexpected passes and stale entries listed at the end.
	endListed = 10
)

// gate is what progress needs to judge results as they come: the expectations (nil
// without --expect) and the colours.
type gate struct {
	expect *report.Expectations
	ev     report.Evaluation // names the file in messages
	paint  palette
}

// show prints a judged test: a regression in full, an unexpected pass in a line and
// the entry to remove; with -v every other result, expected ones as such.
func (p *progress) show(res result.Test) {
	ev, v := p.gate.ev, p.gate.expect.Judge(res)
	id := oneLine(res.ID, lineShown)
	switch {
	case v.Judgement == report.Regression:
		p.clear()
		p.gate.paint.word(p.stdout, styleFail, strings.ToUpper(string(res.Status)))
		fmt.Fprintf(p.stdout, " %s\n    %s\n", id, oneLine(res.Reason, reasonShown))
		if p.gate.expect != nil {
			fmt.Fprintf(p.stdout, "    regression: %s\n", oneLine(ev.EntryText(v), lineShown))
		}
		if d := report.QuietDetail(res.Detail); d != "" {
			fmt.Fprintf(p.stdout, "    %s\n", strings.ReplaceAll(d, "\n", "\n    "))
		}
	case v.Judgement == report.UnexpectedPass:
		p.clear()
		p.gate.paint.word(p.stdout, styleOther, "PASS")
		fmt.Fprintf(p.stdout, " %s\n    unexpected pass: %s\n", id, oneLine(ev.UnexpectedPassAdvice(v), lineShown))
	case !p.verbose:
	case v.Judgement == report.Expected && res.Status != result.Pass:
		p.clear()
		p.gate.paint.word(p.stdout, styleQuiet, "expected "+string(res.Status))
		fmt.Fprintf(p.stdout, " %s: %s\n", id, oneLine(res.Reason, reasonShown))
	default:
		p.clear()
		p.gate.paint.word(p.stdout, statusStyle(string(res.Status)), string(res.Status))
		if res.Reason != "" {
			fmt.Fprintf(p.stdout, " %s: %s\n", id, oneLine(res.Reason, reasonShown))
		} else {
			fmt.Fprintf(p.stdout, " %s\n", id)
		}
	}
}

// writeEnd prints the end of a run: with --expect, the expected results (a line per
// status), the unexpected passes and stale entries; then the recap of the regressions
// (without --expect, the failures), one line each; the counts, which are the reports'
// (tests filtered out are skip there, and here); and the expectations' verdict.
func writeEnd(w io.Writer, c palette, rec *run.Record, expect bool) {
	ev := rec.Evaluation
	if expect {
		for _, st := range result.Statuses {
			if n := countExpected(ev, st); n > 0 {
				c.word(w, styleQuiet, "expected "+string(st))
				fmt.Fprintf(w, ": %s, as %s says (-v lists them)\n", count(n, "test"), oneLine(ev.File, lineShown))
			}
		}
		for i, v := range ev.Select(report.UnexpectedPass) {
			if more(w, i, len(ev.Select(report.UnexpectedPass)), "unexpected passes") {
				break
			}
			c.word(w, styleOther, "unexpected pass")
			fmt.Fprintf(w, ": %s: %s\n", oneLine(v.Result.ID, lineShown), oneLine(ev.UnexpectedPassAdvice(v), lineShown))
		}
		for i, e := range ev.Stale {
			if more(w, i, len(ev.Stale), "stale entries") {
				break
			}
			fmt.Fprintf(w, "stale: %s\n", oneLine(ev.StaleText(e), lineShown))
		}
	}
	// The tests a lost or unreachable server left are counted, not listed (the run
	// says why, once, last).
	var listed []report.Verdict
	notRun := 0
	for _, v := range ev.Select(report.Regression) {
		if result.LeftByLostServer(v.Result) {
			notRun++
			continue
		}
		listed = append(listed, v)
	}
	writeRecap(w, c, listed, expect)
	if notRun > 0 {
		fmt.Fprintf(w, "%s not run: no server to run them on (why: the last line)\n", count(notRun, "test"))
	}
	rep := rec.Report
	s := report.Summarize(rep.Tests)
	fmt.Fprintf(w, "%s: %d pass, %d fail, %d skip%s, %d unsupported, %d error (%s)\n", count(s.Total, "test"),
		s.Pass, s.Fail, s.Skip, filteredOut(rep.Tests), s.Unsupported, s.Error, rep.Duration.Round(time.Millisecond))
	if expect {
		fmt.Fprintf(w, "%s: ", oneLine(ev.SummaryLine(), lineShown))
		if ev.OK() {
			c.word(w, stylePass, "OK")
		} else {
			c.word(w, styleFail, "FAIL")
		}
		fmt.Fprintln(w)
	}
}

// writeRecap lists the regressions, one line each, at most recapShown.
func writeRecap(w io.Writer, c palette, vs []report.Verdict, expect bool) {
	if len(vs) == 0 {
		return
	}
	what := "failures"
	if expect {
		what = "regressions"
	}
	c.word(w, styleFail, fmt.Sprintf("%s (%d):", what, len(vs)))
	fmt.Fprintln(w)
	for i, v := range vs {
		if i == recapShown {
			fmt.Fprintf(w, "  … and %d more (above, and in the reports)\n", len(vs)-i)
			break
		}
		fmt.Fprint(w, "  ")
		c.word(w, styleFail, strings.ToUpper(string(v.Result.Status)))
		id := oneLine(v.Result.ID, lineShown)
		fmt.Fprintf(w, " %s: %s\n", id, oneLine(firstLineOf(v.Result.Reason), max(recapReasonMin, recapLine-len(id))))
	}
}

// more says, at the endListed-th item of n, how many more there are, and stops the list.
func more(w io.Writer, i, n int, what string) bool {
	if i < endListed {
		return false
	}
	fmt.Fprintf(w, "… and %d more %s (the reports list them)\n", n-i, what)
	return true
}

func countExpected(ev report.Evaluation, st result.Status) int {
	n := 0
	for _, v := range ev.Select(report.Expected) {
		if v.Result.Status == st {
			n++
		}
	}
	return n
}

func firstLineOf(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
