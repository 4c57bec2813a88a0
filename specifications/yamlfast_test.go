package specifications

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// sameAsYAMLv3 fails t when fastYAML reads data and its Extended JSON is not what
// yaml.v3 and the writer make of it, and says whether fastYAML read it.
func sameAsYAMLv3(t *testing.T, name string, data []byte) bool {
	t.Helper()
	if checkYAMLText(data) != nil {
		return false // fastYAML's contract: the text is checked first
	}
	fast, ok := fastYAMLExtJSON(data)
	if !ok {
		return false
	}
	slow, err := slowYAMLExtJSON(data)
	if err != nil {
		t.Fatalf("%s: fastYAML read what yaml.v3 refuses (%v):\n%s\n-> %s", name, err, data, fast)
	}
	if !bytes.Equal(fast, slow) {
		t.Fatalf("%s: fastYAML and yaml.v3 differ:\n%s\nfast %s\nv3   %s", name, data, fast, slow)
	}
	return true
}

// On every YAML file of the three corpora, fastYAML writes what yaml.v3 does, and it
// reads most of them (else it would not be worth its code).
func TestFastYAMLOnTheCorpora(t *testing.T) {
	eachCorpus(t, func(t *testing.T, each func(func(path string, data []byte))) {
		var files, read int
		each(func(path string, data []byte) {
			if isYAML(path) {
				files++
				if sameAsYAMLv3(t, path, data) {
					read++
				}
			}
		})
		t.Logf("fastYAML read %d of %d YAML files", read, files)
		assert.Greater(t, files, 100)
		assert.Greater(t, read, files*3/4, "fastYAML reads few of the corpus's files")
	})
}

// What fastYAML reads, and what it leaves to yaml.v3 because yaml.v3 reads it
// otherwise than the style suggests, or refuses it.
func TestFastYAML(t *testing.T) {
	reads := []string{
		"a: 1\n",
		"a: 1",
		"---\na: 1\n",
		"--- # the document\na: [1, 2]\n",
		"# comment\n\na: x # y\nb: 'it''s'\nc: \"q\\\"\\n\\u00e9\\x41\"\n",
		"a:\n  b:\n    - 1\n    - {c: d, e: [f, g]}\n  h: -2\n",
		"a:\n- 1\n- 2\nb: 3\n",
		"a:\n  - b: 1\n    c: 2\n  -   d: 3\n      e: 4\n  - 'x': 5\n",
		"a: &x {b: 1}\nc: *x\nd: [*x, *x]\n",
		"a: &x\n  b: [1]\nc: *x\n",
		"a: &x\n  - 1\nc: {d: *x}\n",
		"a: [&y 1, *y]\nb: *y\n",
		"a: { b: 1,\n     c: 2 }\n",
		"a: [\n    1, # one\n    2\n  ]\n",
		"a:\nb: ~\nc: null\nd: true\ne: false\nf: True\ng: 1.5\nh: 0x1F\ni: 1_000\nj: .inf\nk: -0\nl: 007\n",
		"a: x:y\nb: http://host/x#y\nc: a, b [c] {d}\n",
		"$$exists: true\n\"quoted key\": 1\n'single': 2\n",
		"a: -x\nb: <x>\nc: 9223372036854775807\nd: -9223372036854775808\n",
		"a: é\nb: \"\\u2028\"\n",
		"a: {b: 'c', \"d\": \"e\"}\n",
		"a: [-1, -x]\n",
		"a: [[], {}, [[]]]\n",
		"a: [1, 2, ]\nb: {c: 1, }\n",                                 // a comma at the end
		"a: {b: }\nc: {d:\n  }\ne: [f: ]\n",                          // values left out
		"a: [b: 1, 'c' : 2, d, $set: {x: 1}]\n",                      // one-pair mappings
		"a: [\n  1\n]\nb: {\nc: [d,\n e]\n}\n",                       // flow lines at any indentation
		"a:\n  - - x\n    - y\n  -\n    - z\n",                       // sequences in sequences
		"a:\n  {b: 1}\nc:\n  'd'\ne: &x 1\nf:\n  *x\n",               // values on the next line
		"a: &x\n  - 1\nb: &x 2\nc: *x\nd: &y [*x]\ne: &x 3\nf: *y\n", // an anchor named again
		"a:\n  &x {b: 1}\nc: *x\nd:\n  - &y\n    e: [1]\n  - *y\n",   // anchors that open a line
	}
	for _, text := range reads {
		if !sameAsYAMLv3(t, "reads", []byte(text)) {
			t.Errorf("left to yaml.v3: %q", text)
		}
	}
	leaves := []string{
		"",
		"- a\n",                     // not a mapping
		"- a: 1\n",                  // nor this
		"a: 2001-12-14\n",           // a timestamp
		"  a: 1\n",                  // indented
		"a: 1\n---\nb: 2\n",         // a second document
		"a: 1\n...\n",               // a document end
		"a: x\n  y\n",               // a plain scalar on two lines
		"a: [x\n  y]\n",             // also in a flow collection
		"a: 'x\n  y'\n",             // a quoted scalar on two lines
		"a: |\n  x\n",               // a literal block scalar
		"a: !!str 1\n",              // a tag
		"a:\tb\n",                   // a tab
		"a: 1\r\n",                  // a carriage return
		"<<: {b: 1}\n",              // a merge key
		"a: {<<: {b: 1}}\n",         // also in a flow mapping
		"a: <<\n",                   // the merge tag on a value
		"a: &x [*x]\n",              // a recursive alias
		"a: *x\n",                   // an unknown anchor
		"a: &x\nb: 1\n",             // an anchored empty node
		"? a\n: 1\n",                // an explicit key
		"a: 1\na: 2\n",              // a duplicate key: the error is yaml.v3's to place
		"a: \"\\/\"\n",              // an escape yaml.v3 does not know
		"a: \"\\ud800\"\n",          // half a surrogate pair
		"a: [1, 2, , 3]\n",          // an empty entry
		"a: {b}\n",                  // a key without a value
		"a: {\"b\":1}\n",            // a colon without a blank
		"a: b: c\n",                 // a mapping where a value is
		"a: - b\n",                  // a sequence where a value is
		"a: 99999999999999999999\n", // past int64
		"a: [what?]\n",              // yaml.v3 ends a plain scalar at ? in a flow
		"a: \"x\" y\n",              // text after a quoted scalar
		"a: [1]#c\n",                // a comment without a blank before it
		"a: 1\n  b: 2\n",            // a misplaced node
		"a:\n  b: 1\n c: 2\n",       // a bad indentation
		"a: " + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + "\n",
		// yaml.v3 refuses an anchor on an alias
		"a: &x 1\nb: &y *x\n", "a: &x 1\nb: [&y *x]\n", "a: &x 1\nb: {c: &y *x}\n",
		"a: &x 1\nb:\n- &y *x\n", "a: &x 1\nb:\n  &y *x\n", "a: &x 1\nb: &y\n  *x\nc: *y\n",
		// and two anchors on one node
		"a: [&x &y 1]\n", "a: {b: &x &y 1}\n", "a: {b: &x\n  &y 1}\n", "a: &x &y 1\n", "a:\n- &x &y 1\n",
		// and a key whose colon is more than 1024 characters from its start
		"a: {" + strings.Repeat("k", 1025) + ": 1}\n", "a: [" + strings.Repeat("k", 1025) + ": 1]\n",
		"a: {'" + strings.Repeat("k", 1023) + "': 1}\n", "a: [b" + strings.Repeat(" ", 1030) + ": 1]\n",
		"a: [\n---\n]\n", // a document marker inside a flow collection
	}
	for _, text := range leaves {
		if sameAsYAMLv3(t, "leaves", []byte(text)) {
			t.Errorf("read, not left to yaml.v3: %q", text)
		}
	}
}

// Wherever fastYAML reads an input, yaml.v3 reads it alike.
func FuzzFastYAML(f *testing.F) {
	for _, seed := range []string{
		"a: 1\nb: [x, {c: 'd'}]\n", "a:\n- &x {b: 1}\n- *x\n", "- a: 1\n  b:\n  - 2\n",
		"a: \"\\u00e9\\x41\\\"\"\nb: 'it''s' # c\n", "---\na: [\n  1, # one\n  2 ]\n",
		"a: x:y\nb: -1\nc: 1.5\nd: ~\ne: 0x1F\n",
		"a:\n  &x {b: [c: 1, 'd' : e, ], f: }\ng:\n- - *x\n  -\n    h: \"i\"\n",
		"a: [\n    {b: 1}, # c\n    *y\n  ]\nb: &y\n  - k: v\n",
		"a: &x 1\nb: &y *x\nc: [&z *x]\n", "a: {" + strings.Repeat("k", 1020) + ": 1}\n",
		"a: [&x 1, &y {b: &z 2}, *z]\nc: &w\n  d: &v [*x]\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsYAMLv3(t, "fuzz", data)
	})
}
