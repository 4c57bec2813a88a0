package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/term"

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
	// shown says the live line is on screen.
	shown bool
	// width is the terminal's width in columns (asked at each update: a pane may be
	// resized), 0 when unknown.
	width func() int
	// gate judges each result as it comes, and colours (recap.go).
	gate gate
	// several: the run has several servers (--jobs), so a server's events name it.
	several bool
}

// newProgress: tty is stderr as it is when it is a terminal (see isTerminal; stdout
// and stderr may wrap it), else nil.
func newProgress(stdout, stderr, tty io.Writer, verbose bool, total int) *progress {
	return &progress{stdout: stdout, stderr: stderr, tty: tty, verbose: verbose, live: tty != nil,
		total: total, counts: map[result.Status]int{}, width: terminalWidth(tty)}
}

// terminalWidth asks the terminal w its width (golang.org/x/term); 0 when w is not
// a terminal or does not say.
func terminalWidth(w io.Writer) func() int {
	f, ok := w.(*os.File)
	return func() int {
		if !ok {
			return 0
		}
		width, _, err := term.GetSize(int(f.Fd()))
		if err != nil {
			return 0
		}
		return width
	}
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
	if !result.LeftByLostServer(res) { // counted and recapped; the loss is said once
		p.show(res) // recap.go
	}
	if p.live {
		p.clear()
		fmt.Fprint(p.tty, p.liveLine(res.FileID, p.width()))
		p.shown = true
	}
}

// liveLine is the progress line, fit to width (fitLine): tests judged of all, the
// counts so far, and the file being run; where the file does not fit, its end is
// kept ("…/unified/bulkWrite-arrayFilters"), which names it, down to a few characters.
func (p *progress) liveLine(fileID string, width int) string {
	head := fmt.Sprintf("[%d/%d] %s · ", p.count, p.total, p.countLine(p.counts))
	file := []rune(oneLine(fileID, lineShown))
	if width <= 0 {
		width = defaultWidth
	}
	if room := width - 1 - utf8.RuneCountInString(head); len(file) > room && room >= minFileShown {
		file = append([]rune("…"), file[len(file)-room+1:]...)
	}
	return fitLine(head+string(file), width)
}

// minFileShown is the least of a file ID the live line keeps before it cuts the
// line's end instead.
const minFileShown = 12

// defaultWidth is the width assumed of a terminal that does not say.
const defaultWidth = 80

// fitLine cuts line to fit in width columns, less one: a line that reaches the last
// column leaves the cursor on the next one in some terminals, and the carriage return
// that clears it would not reach it. A cut line ends with "…".
func fitLine(line string, width int) string {
	if width <= 0 {
		width = defaultWidth
	}
	room := width - 1
	if utf8.RuneCountInString(line) <= room {
		return line
	}
	if room < 1 {
		return ""
	}
	runes := []rune(line)
	return string(runes[:room-1]) + "…"
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
		fmt.Fprintf(p.stderr, "specrun: %s: %s; the tests still to come on it are errors\n", ev.Server, oneLine(ev.Reason, reasonShown))
		return
	}
	server := ""
	if p.several {
		server = ev.Server + ": "
	}
	fmt.Fprintf(p.stderr, "specrun: %s%s\n", server, oneLine(ev.Reason, reasonShown))
}

func (p *progress) done() { p.clear() }

// clear erases the live line: back to the start of the line, and erase to its end
// (ANSI EL, which every terminal emulator has), so that nothing of a longer line
// stays, whatever the width is now.
func (p *progress) clear() {
	if p.live && p.shown {
		fmt.Fprint(p.tty, "\r\x1b[K")
		p.shown = false
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
