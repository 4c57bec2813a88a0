package specifications

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// FuzzLoad feeds arbitrary bytes, as JSON and as YAML, through reading, format
// detection and decoding: a malformed fixture must be refused, never crash the run; the
// refusal names the file and, for a file that is not well-formed or breaks a reading
// rule, the line (and column) in it; a file that reads is the same document once
// written back as Extended JSON and read again.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		minimalUnified, crudV1, commandMonitoring,
		`{"description": "d", "schemaVersion": "2.0", "tests": [0]}`,
		`{"a": [[1, [2, {"b": [3]}]], []], "c": {"$numberLong": "9223372036854775807"}, "d": {"$numberInt": "-2147483648"}}`,
		`{"a": {"$numberDouble": "Infinity"}, "b": {"$numberDouble": "-0.0"}, "c": {"$numberDecimal": "1E+6144"}, "d": -0.0, "e": 1e308}`,
		`{"t": {"$timestamp": {"t": 4294967295, "i": 1}}, "d": {"$date": {"$numberLong": "-1"}}, "o": {"$oid": "000000000000000000000001"}}`,
		`{"b": {"$binary": {"base64": "AQ==", "subType": "04"}}, "r": {"$regularExpression": {"pattern": "a", "options": "i"}}, "u": {"$uuid": "00000000-0000-0000-0000-000000000000"}}`,
		`{"c": {"$code": "f", "$scope": {"x": {"$numberLong": "1"}}}, "k": {"$minKey": 1}, "s": {"$symbol": "x"}, "p": {"$dbPointer": {"$ref": "c", "$id": {"$oid": "000000000000000000000001"}}}}`,
		`{"a": 1, "a": 2}`, `{"a": 9223372036854775808}`, `{"a": 1e400}`, `{"a": "\ud800"}`, `{"a": 1} x`, "{\"a\": \"\t\"}", "{\n  \"a\": [1,\n  2",
		`{"a": ` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `}`,
		"a: [1, {b: [2]}]\nc: {$numberLong: '1'}\nd: .inf\ne: -.inf\nf: .nan\ng: 0x1F\nh: 1_000\n",
		"base: &b {x: 1, y: [2]}\nd: {<<: *b, z: *b}\ne: [*b, *b]\n",
		"a: 1e400\nb: 99999999999999999999\n", "a: 1\n---\nb: 2\n", "a: 1\na: 2\n", "a: !!float 1e400\n",
		"a: " + strings.Repeat("- ", MaxDepth) + "1\n",
		"a: &a [*a]\n", `{"": {"$timestamp"}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{filepath.Join("dir", "f.json"), filepath.Join("dir", "f.yml")} {
			checkLoad(t, name, data)
		}
	})
}

// placedAt is how a load error that says where begins: the file, the line, the column
// (YAML syntax errors have none) and a space.
func placedAt(name string) *regexp.Regexp {
	return regexp.MustCompile(`^` + regexp.QuoteMeta(name) + `:[1-9][0-9]*(:[1-9][0-9]*)?: `)
}

func checkLoad(t *testing.T, name string, data []byte) {
	r := loadData(Source{Path: name, ID: "x/f"}, data, false)
	if r.Kind == Rejected {
		msg := r.Err.Error()
		var ie *InputError
		switch {
		case errors.As(r.Err, &ie):
			if !placedAt(name).MatchString(msg) {
				t.Fatalf("the error does not say where: %s", msg)
			}
			if strings.HasPrefix(ie.Message, "invalid Extended JSON") {
				line, col := lineColumn(data, skipSpace(data, 0))
				if top, _ := yamlTop(data); strings.HasSuffix(name, ".yml") {
					line, col = top.Line, top.Column
				}
				if ie.Line == line && ie.Column == col {
					t.Fatalf("the driver's refusal is not placed in a wrapper: %s", msg)
				}
			}
			lines := bytes.Split(data, []byte{'\n'})
			if ie.Line > len(lines) || ie.Column > utf8.RuneCount(lines[ie.Line-1])+1 {
				t.Fatalf("%d:%d is not in the file (%d lines): %s", ie.Line, ie.Column, len(lines), msg)
			}
		case !strings.HasPrefix(msg, name+": "):
			t.Fatalf("the error does not name the file: %s", msg)
		}
	}
	doc, err := ReadDocument(name, data)
	if err != nil {
		return
	}
	if escapedDBPointer(bson.Raw(doc)) {
		return // the driver cannot write it back (see escapedDBPointer); the load is judged above
	}
	ext, err := bson.MarshalExtJSON(doc, true, false)
	if err != nil {
		t.Fatalf("%s reads but cannot be written back: %v", doc, err)
	}
	back, err := ReadDocument("back.json", ext)
	if err != nil {
		t.Fatalf("written back as %s, it does not read: %v", ext, err)
	}
	if !bytes.Equal(back, doc) {
		t.Fatalf("written back as %s, it reads as %s, not %s", ext, back, doc)
	}
}

// FuzzTwins builds one document from the fuzz bytes, writes it as JSON and as block
// YAML, and reads both: they must give the same BSON, or be refused with the same path
// and message. The documents hold what the reading rules are about: arrays and objects
// nested past MaxDepth, Extended JSON wrappers with values in and out of range,
// numbers past int64 and the largest double, duplicate keys, NUL in keys.
func FuzzTwins(f *testing.F) {
	f.Add([]byte{0, 4, 2, 3, 7, 1, 5, 8, 2, 9})
	f.Add([]byte{6, 0, 6, 1, 6, 2, 6, 3, 6, 4})
	f.Add([]byte{7, 12, 0, 7, 250, 1})
	f.Add([]byte{0, 3, 0, 3, 0, 3, 3, 4})
	f.Fuzz(func(t *testing.T, choices []byte) {
		g := &twinGen{choices: choices}
		doc := g.object(0)
		var js, ys strings.Builder
		doc.json(&js)
		doc.yamlBlock(&ys, 0)
		j, jerr := ReadDocument("f.json", []byte(js.String()))
		y, yerr := ReadDocument("f.yml", []byte(ys.String()))
		switch {
		case jerr == nil && yerr == nil:
			if !bytes.Equal(j, y) {
				t.Fatalf("JSON and YAML differ:\nJSON %s\n  -> %s\nYAML %s\n  -> %s", js.String(), j, ys.String(), y)
			}
		case jerr == nil || yerr == nil:
			t.Fatalf("only one is refused:\nJSON %s\n  -> %v\nYAML %s\n  -> %v", js.String(), jerr, ys.String(), yerr)
		default:
			je, ye := jerr.(*InputError), yerr.(*InputError)
			if je.Path != ye.Path || je.Message != ye.Message {
				t.Fatalf("refused differently:\nJSON %s\n  -> %v\nYAML %s\n  -> %v", js.String(), jerr, ys.String(), yerr)
			}
		}
	})
}

// twinGen makes a document of the fuzz bytes, one choice per byte.
type twinGen struct{ choices []byte }

type twinNode struct {
	kind byte // '{', '[', or 0 for a scalar written as text
	keys []string
	kids []*twinNode
	text string // a scalar as JSON writes it
}

func (g *twinGen) next() int {
	if len(g.choices) == 0 {
		return 0
	}
	b := g.choices[0]
	g.choices = g.choices[1:]
	return int(b)
}

var (
	twinKeys    = []string{"a", "b", "t", "i", "", "a\x00b", "$numberInt", "$numberLong", "$numberDouble", "$date", "$timestamp", "$oid", "$numberDecimal", "$code", "$scope", "$$exists", "$binary"}
	twinNumbers = []string{"0", "1", "-1", "2147483647", "2147483648", "-2147483649", "4294967295", "4294967296", "9223372036854775807", "-9223372036854775808",
		"9223372036854775808", "99999999999999999999", "1.5", "-0.0", "1E5", "1e308", "1e400", "-1e400", "1e-400"}
	twinStrings = []string{"", "x", "Infinity", "-Infinity", "NaN", "inf", "1", "-1", "1e400", "2147483648", "9223372036854775808", "0x1p3", "1.5", "é", "000000000000000000000001", "<&>"}
)

func (g *twinGen) pick(list []string) string { return list[g.next()%len(list)] }

func (g *twinGen) object(depth int) *twinNode {
	n := &twinNode{kind: '{'}
	for range g.next() % 4 {
		n.keys = append(n.keys, g.pick(twinKeys))
		n.kids = append(n.kids, g.value(depth+1))
	}
	return n
}

func (g *twinGen) value(depth int) *twinNode {
	const maxDepth = 5
	switch c := g.next() % 9; {
	case c == 0 && depth < maxDepth:
		return g.object(depth)
	case c == 1 && depth < maxDepth:
		n := &twinNode{kind: '['}
		for range g.next() % 4 {
			n.kids = append(n.kids, g.value(depth+1))
		}
		return n
	case c == 2:
		b, _ := json.Marshal(g.pick(twinStrings))
		return &twinNode{text: string(b)}
	case c == 3 || c == 4:
		return &twinNode{text: g.pick(twinNumbers)}
	case c == 5:
		return &twinNode{text: []string{"true", "false", "null"}[g.next()%3]}
	case c == 6: // a wrapper, its value a string or a number
		v := &twinNode{text: g.pick(twinNumbers)}
		if g.next()%2 == 0 {
			b, _ := json.Marshal(g.pick(twinStrings))
			v.text = string(b)
		}
		switch key := g.pick(twinKeys[6:]); key {
		case "$timestamp":
			return &twinNode{kind: '{', keys: []string{key}, kids: []*twinNode{{kind: '{', keys: []string{"t", "i"}, kids: []*twinNode{v, {text: g.pick(twinNumbers)}}}}}
		case "$date":
			return &twinNode{kind: '{', keys: []string{key}, kids: []*twinNode{{kind: '{', keys: []string{"$numberLong"}, kids: []*twinNode{v}}}}
		default:
			return &twinNode{kind: '{', keys: []string{key}, kids: []*twinNode{v}}
		}
	case c == 7: // a chain of arrays or objects around MaxDepth
		n := &twinNode{text: "1"}
		for range MaxDepth - 12 + g.next()%24 - depth {
			if g.next()%2 == 0 {
				n = &twinNode{kind: '[', kids: []*twinNode{n}}
			} else {
				n = &twinNode{kind: '{', keys: []string{"a"}, kids: []*twinNode{n}}
			}
		}
		return n
	}
	return &twinNode{text: "1"}
}

func quoted(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func (n *twinNode) json(b *strings.Builder) {
	switch n.kind {
	case '{':
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quoted(k) + ": ")
			n.kids[i].json(b)
		}
		b.WriteByte('}')
	case '[':
		b.WriteByte('[')
		for i, kid := range n.kids {
			if i > 0 {
				b.WriteString(", ")
			}
			kid.json(b)
		}
		b.WriteByte(']')
	default:
		b.WriteString(n.text)
	}
}

// yamlBlock writes n in block style at the given indentation; an empty container, or a
// scalar, goes on the line it continues.
func (n *twinNode) yamlBlock(b *strings.Builder, indent int) {
	pad := strings.Repeat(" ", indent)
	for i, kid := range n.kids {
		b.WriteString(pad)
		if n.kind == '{' {
			b.WriteString(quoted(n.keys[i]) + ":")
		} else {
			b.WriteString("-")
		}
		switch {
		case kid.kind == 0:
			b.WriteString(" " + kid.text + "\n")
		case len(kid.kids) == 0:
			b.WriteString(" " + string(kid.kind) + map[byte]string{'{': "}", '[': "]"}[kid.kind] + "\n")
		default:
			b.WriteString("\n")
			kid.yamlBlock(b, indent+2)
		}
	}
	if indent == 0 && len(n.kids) == 0 {
		b.WriteString("{}\n")
	}
}

// escapedDBPointer says whether doc holds a $dbPointer whose namespace JSON must
// escape (a quote, a backslash, a control character): the Go driver v2.9.3 writes
// that namespace into Extended JSON as it is (bson/extjson_writer.go), so the text
// does not read back. A defect of the driver's writer, not of the loader.
func escapedDBPointer(doc bson.Raw) bool {
	values, err := doc.Values()
	if err != nil {
		return false
	}
	for _, v := range values {
		switch v.Type {
		case bson.TypeDBPointer:
			ns, _ := v.DBPointer()
			if strings.ContainsAny(ns, "\"\\") || strings.ContainsFunc(ns, func(r rune) bool { return r < 0x20 }) {
				return true
			}
		case bson.TypeEmbeddedDocument, bson.TypeArray:
			if escapedDBPointer(v.Value) {
				return true
			}
		}
	}
	return false
}
