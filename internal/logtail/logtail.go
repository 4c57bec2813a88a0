// Package logtail keeps the last lines a server logged, numbered, so that the lines
// logged while one test ran can be shown with that test's failure: the embedded
// FerretDB's records (through a slog handler) or a server process's output (through a
// writer).
package logtail

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// Tail keeps the last lines logged, numbered.
type Tail struct {
	mu    sync.Mutex
	lines []string // ring of the last cap lines
	next  uint64   // number of the next record
	size  int
}

// New keeps up to size lines.
func New(size int) *Tail { return &Tail{size: size} }

// Mark returns the number of the next record: Since(mark) gives what comes after.
// A nil Tail has no records.
func (l *Tail) Mark() uint64 {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.next
}

// Since returns the lines logged from mark on that are still kept, oldest first,
// and how many of them were dropped already.
func (l *Tail) Since(mark uint64) (lines []string, dropped int) {
	if l == nil {
		return nil, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	first := l.next - uint64(len(l.lines)) // number of the oldest kept line
	if mark < first {
		dropped, mark = int(first-mark), first
	}
	for n := mark; n < l.next; n++ {
		lines = append(lines, l.lines[int(n%uint64(l.size))])
	}
	return lines, dropped
}

func (l *Tail) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lines) < l.size {
		l.lines = append(l.lines, line)
	} else {
		l.lines[int(l.next%uint64(l.size))] = line
	}
	l.next++
}

// Handler returns the slog handler that feeds the tail: one line per record at Warn
// and above (FerretDB's error replies; its Info is every connection opened and
// closed), "LEVEL message key=value …", whitespace (multi-line dumps) folded.
func (l *Tail) Handler() slog.Handler { return &tailHandler{tail: l} }

// Writer returns a writer that feeds the tail a line per line written (a process's
// standard output and error), without its line break; a line longer than the limit
// is cut. A last line without a break is kept when the next write ends it.
func (l *Tail) Writer() io.Writer { return &lineWriter{tail: l} }

// maxLine bounds one kept line: a server that writes megabytes without a line break
// must not fill memory.
const maxLine = 4096

type lineWriter struct {
	tail    *Tail
	mu      sync.Mutex
	partial []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for rest := p; len(rest) > 0; {
		line, after, found := bytes.Cut(rest, []byte("\n"))
		if room := maxLine - len(w.partial); len(line) > room {
			line = line[:max(room, 0)]
		}
		w.partial = append(w.partial, line...)
		if !found {
			break
		}
		w.tail.add(strings.TrimRight(string(w.partial), "\r"))
		w.partial = w.partial[:0]
		rest = after
	}
	return len(p), nil
}

type tailHandler struct {
	tail   *Tail
	attrs  string // " key=value …" of WithAttrs, each under the groups of its time
	groups string
}

func (h *tailHandler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= slog.LevelWarn
}

func (h *tailHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s%s", r.Level, r.Message, h.attrs)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(formatAttr(h.groups, a))
		return true
	})
	h.tail.add(strings.Join(strings.Fields(b.String()), " "))
	return nil
}

func (h *tailHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	for _, a := range attrs {
		c.attrs += formatAttr(h.groups, a)
	}
	return &c
}

func (h *tailHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.groups = h.groups + name + "."
	return &c
}

func formatAttr(groups string, a slog.Attr) string {
	if a.Equal(slog.Attr{}) {
		return ""
	}
	return fmt.Sprintf(" %s%s=%s", groups, a.Key, a.Value.Resolve())
}
