package report

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/specrun/specrun/result"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadExpectations(t *testing.T) {
	path := writeFile(t, "expect.yaml", `# what this server is known to do today
tests:
  - id: "crud/unified/aggregate-out/aggregate with $out"   # one test, exact
    status: fail
    reason: "$out not implemented (server code 238)"
  - prefix: "change-streams/"
    status: unsupported
    reason: "no change streams"
  - reason: carve-out
    status: pass
    id: change-streams/unified/x/works
`)
	exp, err := LoadExpectations(path)
	if err != nil {
		t.Fatal(err)
	}
	want := &Expectations{Path: path, Entries: []Entry{
		{ID: "crud/unified/aggregate-out/aggregate with $out", Status: result.Fail,
			Reason: "$out not implemented (server code 238)", Line: 3},
		{Prefix: "change-streams/", Status: result.Unsupported, Reason: "no change streams", Line: 6},
		{ID: "change-streams/unified/x/works", Status: result.Pass, Reason: "carve-out", Line: 9},
	}}
	if !reflect.DeepEqual(exp, want) {
		t.Errorf("got  %+v\nwant %+v", exp, want)
	}
}

func TestLoadExpectationsEmptyList(t *testing.T) {
	for _, content := range []string{"tests: []\n", "tests:\n", "# all entries gone\ntests:\n# - id: x\n"} {
		exp, err := ParseExpectations("e.yaml", []byte(content))
		if err != nil {
			t.Errorf("%q: %v", content, err)
			continue
		}
		if len(exp.Entries) != 0 {
			t.Errorf("%q: entries %v", content, exp.Entries)
		}
	}
}

func TestLoadExpectationsMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := LoadExpectations(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("err = %v, want one naming %s", err, path)
	}
}

func TestLoadExpectationsErrors(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string // substrings of the error, in addition to the file name
	}{
		{"empty file", "", []string{"empty expectations file"}},
		{"only a comment", "# nothing\n", []string{"empty expectations file"}},
		{"syntax error", "tests: [\n", []string{"yaml:"}},
		{"not a mapping", "- id: x\n", []string{":1: want a mapping"}},
		{"no tests key", "entries: []\n", []string{`:1: unknown key "entries"`}},
		{"unknown top-level key", "tests: []\nversion: 1\n", []string{`:2: unknown key "version"`}},
		{"tests not a list", "tests: {id: x}\n", []string{`:1: "tests" must be a list`}},
		{"two documents", "tests: []\n---\ntests: []\n", []string{"more than one YAML document"}},
		{"entry not a mapping", "tests:\n  - crud/x\n", []string{":2: tests[0]: want a mapping"}},
		{"unknown key", "tests:\n  - id: a\n    status: fail\n    reason: r\n    comment: c\n",
			[]string{`:5: tests[0]: unknown key "comment"`}},
		{"missing reason", "tests:\n  - id: a\n    status: fail\n", []string{":2: tests[0]: missing reason"}},
		{"blank reason", "tests:\n  - id: a\n    status: fail\n    reason: '  '\n", []string{":2: tests[0]: empty reason"}},
		{"missing status", "tests:\n  - id: a\n    reason: r\n", []string{":2: tests[0]: missing status"}},
		{"bad status", "tests:\n  - id: a\n    status: failed\n    reason: r\n", []string{`:2: tests[0]: unknown status "failed"`}},
		{"both id and prefix", "tests:\n  - id: a\n    prefix: a\n    status: fail\n    reason: r\n",
			[]string{":2: tests[0]: both id and prefix"}},
		{"neither id nor prefix", "tests:\n  - status: fail\n    reason: r\n", []string{":2: tests[0]: neither id nor prefix"}},
		{"empty prefix", "tests:\n  - prefix: ''\n    status: fail\n    reason: r\n", []string{":2: tests[0]: empty prefix"}},
		{"empty id", "tests:\n  - id: ''\n    status: fail\n    reason: r\n", []string{":2: tests[0]: empty id"}},
		{"non-string value", "tests:\n  - id: a\n    status: fail\n    reason: [r]\n", []string{":4: tests[0]: reason must be a string"}},
		{"number for a string", "tests:\n  - id: a\n    status: fail\n    reason: 42\n", []string{":4: tests[0]: reason must be a string, not int (quote it)"}},
		{"null for a string", "tests:\n  - id: a\n    status: ~\n    reason: r\n", []string{":3: tests[0]: status must be a string, not null"}},
		{"key given twice", "tests:\n  - id: a\n    id: b\n    status: fail\n    reason: r\n", []string{`:3: tests[0]: "id" given twice`}},
		{"duplicate id", "tests:\n  - id: a\n    status: fail\n    reason: r\n  - id: b\n    status: fail\n    reason: r\n  - id: a\n    status: error\n    reason: r\n",
			[]string{`:8: tests[2]: duplicate id "a" (first at line 2)`}},
		{"duplicate prefix", "tests:\n  - prefix: a/\n    status: fail\n    reason: r\n  - prefix: a/\n    status: skip\n    reason: r\n",
			[]string{`:5: tests[1]: duplicate prefix "a/" (first at line 2)`}},
		{"every problem reported", "tests:\n  - id: a\n    status: nope\n  - prefix: b\n",
			[]string{`:2: tests[0]: unknown status "nope"`, ":2: tests[0]: missing reason",
				":4: tests[1]: missing status", ":4: tests[1]: missing reason"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "expect.yaml", tt.content)
			exp, err := LoadExpectations(path)
			if err == nil {
				t.Fatalf("no error; got %+v", exp)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, path) {
				t.Errorf("error %q does not start with the file name", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestLookup(t *testing.T) {
	exp := &Expectations{Path: "e.yaml", Entries: []Entry{
		{Prefix: "crud/", Status: result.Fail, Reason: "r"},
		{Prefix: "crud/unified/", Status: result.Unsupported, Reason: "r"},
		{ID: "crud/unified/find/one", Status: result.Pass, Reason: "r"},
		{Prefix: "crud/unified/find/one", Status: result.Error, Reason: "r"}, // longer than any other prefix
		{Prefix: "gridfs", Status: result.Skip, Reason: "r"},
	}}
	tests := []struct {
		id   string
		want int // index of the entry, -1 for none
	}{
		{"crud/unified/find/one", 2},     // exact id beats a longer prefix
		{"crud/unified/find/one two", 3}, // longest prefix
		{"crud/unified/find/two", 1},
		{"crud/legacy/find/one", 0},
		{"crud", -1},                    // shorter than the prefix
		{"gridfs-x/y", 4},               // plain string prefix, not a path segment
		{"x/crud/unified/find/one", -1}, // no substring match
		{"CRUD/unified/find/one", -1},   // case matters
		{"", -1},
	}
	for _, tt := range tests {
		got, ok := exp.Lookup(tt.id)
		if tt.want < 0 {
			if ok || got != nil {
				t.Errorf("Lookup(%q) = %+v, %v; want none", tt.id, got, ok)
			}
			continue
		}
		if !ok || got != &exp.Entries[tt.want] {
			t.Errorf("Lookup(%q) = %+v, %v; want entry %d %+v", tt.id, got, ok, tt.want, exp.Entries[tt.want])
		}
	}

	var none *Expectations
	if got, ok := none.Lookup("crud/x"); ok || got != nil {
		t.Errorf("nil Expectations: Lookup = %+v, %v", got, ok)
	}
}

func TestLookupEqualPrefixesFirstWins(t *testing.T) {
	// LoadExpectations refuses duplicate prefixes; a hand-built list still resolves
	// deterministically.
	exp := &Expectations{Entries: []Entry{
		{Prefix: "a/", Status: result.Fail, Reason: "first"},
		{Prefix: "a/", Status: result.Skip, Reason: "second"},
	}}
	if got, _ := exp.Lookup("a/b"); got != &exp.Entries[0] {
		t.Errorf("got %+v, want the first entry", got)
	}
}
