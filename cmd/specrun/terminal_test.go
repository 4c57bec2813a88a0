package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVisible(t *testing.T) {
	tests := []struct{ name, in, oneLine, keepLines string }{
		{"plain", `find {"a": 1} é 日本 😀 \x`, `find {"a": 1} é 日本 😀 \x`, `find {"a": 1} é 日本 😀 \x`},
		{"colour", "\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`, `\x1b[31mred\x1b[0m`},
		{"window title", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`, `\x1b]0;pwned\x07`},
		{"carriage return hides", "ok\rFAIL", `ok\rFAIL`, `ok\rFAIL`},
		{"newline and tab", "a\n\tb", `a\n\tb`, "a\n\tb"},
		{"NUL, backspace, DEL", "a\x00b\x08c\x7f", `a\x00b\x08c\x7f`, `a\x00b\x08c\x7f`},
		{"C1 control (CSI)", "a\u009b2J", `a\u009b2J`, `a\u009b2J`},
		{"bidirectional override", "abc\u202edef", `abc\u202edef`, `abc\u202edef`},
		{"zero width, line separator", "a\u200bb\u2028c", `a\u200bb\u2028c`, `a\u200bb\u2028c`},
		{"not UTF-8", "a\xffb\xc3", `a\xffb\xc3`, `a\xffb\xc3`},
		{"a replacement character is shown", "a\uFFFDb", "a\uFFFDb", "a\uFFFDb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.oneLine, oneLine(tc.in, reasonShown))
			assert.Equal(t, tc.keepLines, visible(tc.in, true))
		})
	}
}

func TestCapped(t *testing.T) {
	assert.Equal(t, strings.Repeat("x", 300)+"… (100 more characters)", capped(strings.Repeat("x", 400), 300))
	assert.Equal(t, strings.Repeat("é", 300)+"… (1 more character)", capped(strings.Repeat("é", 301), 300), "characters, not bytes")
	assert.Equal(t, strings.Repeat("é", 300), capped(strings.Repeat("é", 300), 300))
	assert.Equal(t, `\x1b`+strings.Repeat("a", 2)+"… (3 more characters)", oneLine("\x1baaxyz", 3))
}

func TestTerminalWriter(t *testing.T) {
	var b strings.Builder
	w := terminal(&b)
	in := "FAIL x\x1b[2J\n    detail\ttab\r\n" + strings.Repeat("y", lineShown+5) + "\nno newline \x07"
	n, err := fmt.Fprint(w, in)
	require.NoError(t, err)
	assert.Equal(t, len(in), n)
	assert.Equal(t, "FAIL x\\x1b[2J\n    detail\ttab\\r\n"+strings.Repeat("y", lineShown)+"… (5 more characters)\nno newline \\x07", b.String())
}

// hostileFixture's texts reach the terminal: an ID with a window-title sequence, a
// value with a clear-screen sequence that a failure quotes, and a server's error that
// quotes a command name with a colour sequence.
func hostileFixture(value string) []byte {
	doc, _ := json.Marshal(map[string]any{"_id": 1, "s": value})
	return []byte(`{"description": "hostile", "schemaVersion": "1.0",
  "createEntities": [{"client": {"id": "client0"}},
    {"database": {"id": "database0", "client": "client0", "databaseName": "hostile"}},
    {"collection": {"id": "collection0", "database": "database0", "collectionName": "coll"}}],
  "initialData": [{"collectionName": "coll", "databaseName": "hostile", "documents": [` + string(doc) + `]}],
  "tests": [
    {"description": "title \u001b]0;pwned\u0007 here", "operations": []},
    {"description": "value", "operations": [{"object": "collection0", "name": "find", "arguments": {"filter": {}},
      "expectResult": [{"_id": 1, "s": "short"}]}]},
    {"description": "server text", "operations": [{"object": "database0", "name": "runCommand",
      "arguments": {"commandName": "\u001b[31mbogus", "command": {"\u001b[31mbogus": 1}}}]}]}`)
}

// rejectedFixture is a file refused for an unknown field whose 400 KB name holds a
// clear-screen sequence: the reason of its error result quotes it whole.
func rejectedFixture(key string) []byte {
	k, _ := json.Marshal(key)
	return []byte(`{"description": "d", "schemaVersion": "1.0", "tests": [{"description": "t", "operations": [], ` + string(k) + `: 1}]}`)
}

// terminalSafe fails when text holds what a terminal would act on or not show.
func terminalSafe(t *testing.T, text string) {
	t.Helper()
	require.True(t, utf8.ValidString(text))
	for _, c := range text {
		if c != '\n' && c != '\t' && !unicode.IsGraphic(c) {
			require.Failf(t, "reached the terminal", "%q in:\n%s", c, capped(text, 5000))
		}
	}
	for _, l := range strings.Split(text, "\n") {
		require.LessOrEqual(t, utf8.RuneCountInString(l), lineShown+30, "a line is bounded")
	}
}

func TestTerminalOutputIsVisibleAndBounded(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fixtures")
	require.NoError(t, os.Mkdir(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "hostile.json"), hostileFixture("\x1b[2J"+strings.Repeat("A", 5000)+"\r"), 0o644))
	key := "\x1b[2J" + strings.Repeat("K", 400<<10)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "rejected.json"), rejectedFixture(key), 0o644))
	reportPath := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := runArgs(t, "-v", "--json", reportPath, dir)
	assert.Equal(t, exitFail, code, capped(stderr, 5000))
	terminalSafe(t, stdout+stderr)

	assert.Contains(t, stdout, "pass fixtures/hostile/title \\x1b]0;pwned\\x07 here\n")
	assert.Contains(t, stdout, `got string "\x1b[2JAAA`)
	assert.Contains(t, stdout, `no such command: '\x1b[31mbogus'`)
	reason := dir + "/rejected.json: tests.0." + key
	assert.Contains(t, stdout, "ERROR fixtures/rejected\n    "+visible(reason[:reasonShown], false)+"… ("+
		count(utf8.RuneCountInString(reason)-reasonShown+len(": unknown field"), "more character")+")\n",
		"a reason is cut on the terminal")

	rep := readReport(t, reportPath)
	require.Len(t, rep.Tests, 4)
	assert.Equal(t, reason+": unknown field", rep.Tests[3].Reason, "the report keeps the whole text")
	assert.Contains(t, rep.Tests[2].Reason, "\x1b[31mbogus")

	code, stdout, _ = cli("check", dir)
	assert.Equal(t, exitFail, code)
	terminalSafe(t, stdout)
	assert.Contains(t, stdout, visible(reason[:lineShown], false)+"… (", "check's lines are cut too")
}
