package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/run"
)

// progress prints what a run does: every failure in full on stdout as it happens, and
// either a live progress line (stderr is a terminal) or one line per file. The test
// IDs, reasons and server events it prints are made one line each (oneLine: control
// characters escaped, a reason cut after reasonShown characters); the writers make
// the rest visible (terminal).
type progress struct {
	stdout, stderr io.Writer
	// tty is the unwrapped stderr, for the live line and the carriage returns that
	// clear it (nil when stderr is not a terminal).
	tty          io.Writer
	verbose      bool
	live         bool
	total, count int
	counts       map[result.Status]int
	lineLen      int
	// lost: the server is gone; the tests still to come are errors that say so, and
	// are counted, not printed one by one.
	lost bool
	// gate judges each result as it comes, and colours (recap.go).
	gate gate
}

// newProgress: tty is stderr as it is when it is a terminal (see isTerminal; stdout
// and stderr may wrap it), else nil.
func newProgress(stdout, stderr, tty io.Writer, verbose bool, total int) *progress {
	return &progress{stdout: stdout, stderr: stderr, tty: tty, verbose: verbose, live: tty != nil,
		total: total, counts: map[result.Status]int{}}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Judged prints a test's result (show: a regression in full, any result with -v) and
// the live line.
func (p *progress) Judged(res result.Test) {
	p.count++
	p.counts[res.Status]++
	if !p.lost {
		p.show(res) // recap.go
	}
	if p.live {
		p.clear()
		line := fmt.Sprintf("[%d/%d] %s", p.count, p.total, p.countLine(p.counts))
		fmt.Fprint(p.tty, line)
		p.lineLen = len(line)
	}
}

// FileDone ends a file: without a terminal, one line with the file's counts.
func (p *progress) FileDone(id string, results []result.Test) {
	if p.live || len(results) == 0 {
		return
	}
	counts := map[result.Status]int{}
	for _, r := range results {
		counts[r.Status]++
	}
	fmt.Fprintf(p.stderr, "%s: %s\n", oneLine(id, lineShown), p.countLine(counts))
}

// ServerEvent says, on one line, that the server crashed and was started again, or
// was lost.
func (p *progress) ServerEvent(ev run.ServerEvent) {
	p.clear()
	if ev.Lost {
		p.lost = true
		fmt.Fprintf(p.stderr, "specrun: %s; the tests still to come are errors\n", oneLine(ev.Reason, reasonShown))
		return
	}
	fmt.Fprintf(p.stderr, "specrun: %s\n", oneLine(ev.Reason, reasonShown))
}

func (p *progress) done() { p.clear() }

func (p *progress) clear() {
	if p.live && p.lineLen > 0 {
		fmt.Fprintf(p.tty, "\r%s\r", strings.Repeat(" ", p.lineLen))
		p.lineLen = 0
	}
}

func (p *progress) countLine(counts map[result.Status]int) string {
	var parts []string
	for _, st := range result.Statuses {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	return strings.Join(parts, ", ")
}

// Notice prints what the run says before its first test, on one line.
func (p *progress) Notice(line string) {
	p.clear()
	fmt.Fprintf(p.stderr, "specrun: %s\n", line)
}
