package embedded

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
)

// LogTail keeps the last records FerretDB logged at Warn and above (its error replies;
// Info is every connection opened and closed), numbered, so that the lines logged
// while one test ran can be shown with that test's failure.
type LogTail struct {
	mu    sync.Mutex
	lines []string // ring of the last cap lines
	next  uint64   // number of the next record
	size  int
}

// NewLogTail keeps up to size lines.
func NewLogTail(size int) *LogTail { return &LogTail{size: size} }

// Mark returns the number of the next record: Since(mark) gives what comes after.
// A nil LogTail has no records.
func (l *LogTail) Mark() uint64 {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.next
}

// Since returns the lines logged from mark on that are still kept, oldest first,
// and how many of them were dropped already.
func (l *LogTail) Since(mark uint64) (lines []string, dropped int) {
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

func (l *LogTail) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lines) < l.size {
		l.lines = append(l.lines, line)
	} else {
		l.lines[int(l.next%uint64(l.size))] = line
	}
	l.next++
}

// Handler returns the slog handler that feeds the tail: one line per record,
// "LEVEL message key=value …", whitespace (FerretDB's multi-line dumps) folded.
func (l *LogTail) Handler() slog.Handler { return &tailHandler{tail: l} }

type tailHandler struct {
	tail   *LogTail
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
