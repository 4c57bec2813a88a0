package main

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What specrun prints quotes fixtures and servers, which may hold escape sequences
// (that a terminal would act on: colours, a cleared screen, a changed title, text
// hidden by a carriage return) and messages of hundreds of kilobytes. Before it
// reaches stdout or stderr, such text is made visible and bounded; the reports keep
// it whole.
const (
	// reasonShown is where a reason printed on its own line is cut.
	reasonShown = 300
	// lineShown bounds any other line printed (a line of a failure's detail).
	lineShown = 1000
)

// visible returns s with every character that a terminal would act on, or that
// would not show, written as an escape: control characters as \x1b (newline, tab
// and carriage return as \n, \t, \r), other invisible characters (bidirectional
// overrides, zero-width and line separators, private use) as \u202e, and bytes
// that are not UTF-8 as \xff. With keepLines, newlines and tabs stay as they are:
// the output means them. Backslashes are not escaped: nothing is hidden, only
// ambiguous.
//
// strconv.Quote is close, but escapes quotes and backslashes too, which would make
// the JSON that failures quote unreadable.
func visible(s string, keepLines bool) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !shown(r, size, keepLines) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case shown(r, size, keepLines):
			b.WriteString(s[i : i+size])
		case size == 1 && r == utf8.RuneError:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < utf8.RuneSelf:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	return b.String()
}

// shown says whether the character r, of size bytes, is printed as it is: a graphic
// character (letters, marks, numbers, punctuation, symbols, spaces), and with
// keepLines newline and tab. A byte that is not UTF-8 is not.
func shown(r rune, size int, keepLines bool) bool {
	if r == utf8.RuneError && size == 1 {
		return false
	}
	return unicode.IsGraphic(r) || keepLines && (r == '\n' || r == '\t')
}

// capped cuts s after max characters, saying how many there were besides.
func capped(s string, max int) string {
	if len(s) <= max || utf8.RuneCountInString(s) <= max {
		return s
	}
	cut, n := 0, 0
	for i := range s {
		if n == max {
			cut = i
			break
		}
		n++
	}
	return fmt.Sprintf("%s… (%s)", s[:cut], count(utf8.RuneCountInString(s[cut:]), "more character"))
}

// oneLine is a fixture's or a server's text made to print on one line: every
// control character escaped, newlines included, cut after max characters.
func oneLine(s string, max int) string { return visible(capped(s, max), false) }

// terminal wraps stdout or stderr: each write's lines are made visible (newlines and
// tabs kept) and cut after lineShown characters. Every write must hold whole lines,
// as fmt.Fprint does. specrun's own live progress line writes its carriage returns
// to the unwrapped stderr.
func terminal(w io.Writer) io.Writer { return terminalWriter{w} }

type terminalWriter struct{ w io.Writer }

func (t terminalWriter) Write(p []byte) (int, error) {
	lines := strings.SplitAfter(string(p), "\n")
	for i, l := range lines {
		body, nl := strings.CutSuffix(l, "\n")
		lines[i] = visible(capped(body, lineShown), true)
		if nl {
			lines[i] += "\n"
		}
	}
	if _, err := io.WriteString(t.w, strings.Join(lines, "")); err != nil {
		return 0, err
	}
	return len(p), nil
}
