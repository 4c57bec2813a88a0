package main

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/specrun/specrun/result"
)

func TestFitLine(t *testing.T) {
	line := "[3/380] 2 pass, 1 fail · crud/unified/bulkWrite-arrayFilters"
	n := utf8.RuneCountInString(line)
	for _, tc := range []struct {
		width int
		want  string
	}{
		{200, line},
		{n + 1, line},
		{n, strings.TrimSuffix(line, "rs") + "…"},
		{20, "[3/380] 2 pass, 1 …"},
		{0, line}, // unknown: 80 columns
		{2, "…"},
		{1, ""},
	} {
		got := fitLine(line, tc.width)
		assert.Equal(t, tc.want, got, "width %d", tc.width)
		if tc.width > 0 {
			assert.Less(t, utf8.RuneCountInString(got), tc.width, "never the last column")
		}
	}
	assert.Equal(t, "日本語…", fitLine("日本語のテスト", 5), "characters, not bytes")
}

// TestProgressLine: on a terminal, the live line shows the counts and the file being
// run, fits the width the terminal says at each update (a pane resized narrower
// included), and is erased to the end of the line before anything else is printed,
// so that no line of it stays on screen.
func TestProgressLine(t *testing.T) {
	var out, tty bytes.Buffer
	width := 40
	p := newProgress(&out, &tty, &tty, false, 3)
	p.width = func() int { return width }
	p.Judged(result.Test{ID: "crud/unified/find/a", FileID: "crud/unified/find", Status: result.Pass})
	width = 20
	p.Judged(result.Test{ID: "crud/unified/find/b", FileID: "crud/unified/find", Status: result.Fail, Reason: "why"})
	p.Judged(result.Test{ID: "sessions/driver-sessions/c", FileID: "sessions/driver-sessions", Status: result.Pass})
	p.done()
	assert.Equal(t, "[1/3] 1 pass · crud/unified/find"+
		"\r\x1b[K"+ // erased; the failure is printed (on stdout), then the line again
		"[2/3] 1 pass, 1 fa…"+ // 20 columns: no room for the file
		"\r\x1b[K"+"[3/3] 2 pass, 1 fa…"+
		"\r\x1b[K", tty.String())
	assert.Equal(t, "FAIL crud/unified/find/b\n    why\n", out.String())
	for _, l := range strings.Split(strings.ReplaceAll(tty.String(), "\x1b[K", "\n"), "\n") {
		assert.Less(t, utf8.RuneCountInString(strings.Trim(l, "\r")), 40)
	}
}

// TestProgressLineKeepsTheFile: where the file does not fit, the end of its ID stays.
func TestProgressLineKeepsTheFile(t *testing.T) {
	p := newProgress(nil, nil, nil, false, 380)
	p.count, p.counts = 46, map[result.Status]int{result.Pass: 11, result.Fail: 12}
	const file = "crud/unified/bulkWrite-updateMany-dots_and_dollars"
	for _, tc := range []struct {
		width int
		want  string
	}{
		{120, "[46/380] 11 pass, 12 fail · " + file},
		{60, "[46/380] 11 pass, 12 fail · …te-updateMany-dots_and_dollars"},
		{41, "[46/380] 11 pass, 12 fail · …and_dollars"}, // the file's 12 columns at least
		{40, "[46/380] 11 pass, 12 fail · crud/unifi…"},
	} {
		got := p.liveLine(file, tc.width)
		assert.Equal(t, tc.want, got, "width %d", tc.width)
		assert.Less(t, utf8.RuneCountInString(got), tc.width)
	}
}
