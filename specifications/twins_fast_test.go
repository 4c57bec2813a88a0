package specifications

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
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
