package specifications

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sameAsJSON is only a shortcut: where it says true, the documents are the same;
// where it says false, the comparison decides.
func TestSameAsJSON(t *testing.T) {
	for _, c := range []struct {
		name, yaml, json string
		same             bool
	}{
		{"the same, other whitespace", "a: 1\nb: [x, {c: true}]\n", "{\n  \"a\": 1,\n  \"b\": [\"x\", {\"c\": true}]\n}\n", true},
		{"<, > and & in a string", "s: 'a < b && c > d'\n", `{"s": "a < b && c > d"}`, true},
		{"a double against an int", "ok: 1.0\n", `{"ok": 1}`, false},
		{"another key order", "a: 1\nb: 2\n", `{"b": 2, "a": 1}`, false},
		{"another escape of the same string", "s: é\n", `{"s": "\u00e9"}`, false},
		{"YAML that does not read", "a: [\n", `{"a": []}`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.same, sameAsJSON([]byte(c.yaml), []byte(c.json)))
		})
	}
}

// A twin that differs still says where, past the shortcut; one that reads alike has no
// note.
func TestTwinNotes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		assert.NoError(t, os.WriteFile(p, []byte(text), 0o600))
		return p
	}
	json := []byte(`{"ok": 1, "s": "&"}`)
	doc, err := ReadDocument("x.json", json)
	assert.NoError(t, err)
	assert.Empty(t, twinNotes(write("same.yml", "ok: 1\ns: '&'\n"), json, doc))
	assert.Equal(t, []string{"YAML twin differs at ok: YAML has double 1.0, JSON has int32 1"},
		twinNotes(write("double.yml", "ok: 1.0\ns: '&'\n"), json, doc))
}

// sameCompactEscaped agrees with json.Compact then json.HTMLEscape on every JSON file
// of the shared corpus and on texts made to catch it out, and one byte changed or
// missing at the end is a difference.
func TestSameCompactEscaped(t *testing.T) {
	texts := []string{
		"{}", ` { "a" : [ 1 , 2 ] } `, `{"s": "a < b && c > d"}`, `{"s": "\"<\\\" >"}`,
		"{\"s\": \"line\u2028 and\u2029 paragraph\"}", `{"s": "\u003c is <"}`, "{\"a\":\n\t\"b c\"\r\n}",
	}
	sources, err := Discover([]string{filepath.Join(sharedCorpus(t), "source")})
	require.NoError(t, err)
	for _, s := range sources {
		if data, err := os.ReadFile(s.Path); err == nil && strings.HasSuffix(s.Path, ".json") && json.Valid(data) {
			texts = append(texts, string(data))
		}
	}
	for _, text := range texts {
		var compact, escaped bytes.Buffer
		require.NoError(t, json.Compact(&compact, []byte(text)))
		json.HTMLEscape(&escaped, compact.Bytes())
		want := escaped.Bytes()
		if !sameCompactEscaped(want, []byte(text)) {
			t.Fatalf("not the same as itself compacted and escaped: %.200s", text)
		}
		last := len(want) - 1
		changed := append(append([]byte{}, want[:last]...), want[last]^1)
		assert.False(t, sameCompactEscaped(changed, []byte(text)), "last byte changed: %.200s", text)
		assert.False(t, sameCompactEscaped(want[:last], []byte(text)), "last byte missing: %.200s", text)
		assert.False(t, sameCompactEscaped(append(want, ' '), []byte(text)), "a byte more: %.200s", text)
	}
}

// plainJSON is only a shortcut for json.Marshal of a string.
func TestWriterStrings(t *testing.T) {
	for _, s := range []string{"", "abc", "a b", `a"b`, `a\b`, "a<b", "a>b", "a&b", "tab\t", "\x7f", "é", "\u2028", "\x00", "\xff"} {
		want, _ := json.Marshal(s)
		var w yamlWriter
		w.str(s)
		assert.Equal(t, string(want), w.buf.String(), "%q", s)
	}
}
