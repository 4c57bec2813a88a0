package specifications

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.yaml.in/yaml/v3"
)

// ReadDocument turns the bytes of a fixture file into one BSON document, keeping key
// order and exact types. JSON is read as Extended JSON (relaxed or canonical). YAML is
// first rewritten into canonical Extended JSON from its node tree and then read by the
// very same parser, so that a YAML file and its JSON twin can only differ where the
// fixtures themselves differ: an untagged YAML integer becomes int32 (int64 when it does
// not fit), a YAML float becomes a double, exactly like a JSON number of the same form.
//
// Both refuse, the same way and with an *InputError that says where, what the fixture
// cannot mean: more than MaxFileSize bytes or MaxDepth levels, invalid UTF-8, text after
// the document, duplicate keys, numbers that would not keep their value (past int64 or
// the largest double, an Extended JSON wrapper past its type). A non-finite double is
// written explicitly: {"$numberDouble": "Infinity"} in Extended JSON, .inf in YAML.
func ReadDocument(name string, data []byte) (bson.Raw, error) {
	if len(data) > MaxFileSize {
		return nil, tooLarge(int64(len(data)))
	}
	var doc bson.Raw
	var err *InputError
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		doc, err = readExtJSON(data)
	case ".yml", ".yaml":
		doc, err = readYAML(data)
	default:
		return nil, fmt.Errorf("not a JSON or YAML file")
	}
	if err != nil {
		return nil, err
	}
	return doc, nil
}

func readYAML(data []byte) (bson.Raw, *InputError) {
	doc, err := yamlDocument(data)
	if err != nil && err.Line > 0 {
		// yaml.v3 places an empty value after the end of a file that ends without
		// a line break: place it at the end.
		lines := bytes.Split(data, []byte{'\n'})
		if last := lines[len(lines)-1]; err.Line > len(lines) {
			err.Line, err.Column = len(lines), utf8.RuneCount(last)+1
		}
	}
	return doc, err
}

// yamlTop reads the one document of a YAML file, its top node.
func yamlTop(data []byte) (*yaml.Node, *InputError) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root, next yaml.Node
	if err := dec.Decode(&root); err != nil {
		if err == io.EOF {
			return nil, &InputError{Line: 1, Column: 1, Message: "the file has no YAML document"}
		}
		return nil, yamlSyntaxError(data, err)
	}
	switch err := dec.Decode(&next); {
	case err == io.EOF:
	case err != nil:
		return nil, yamlSyntaxError(data, err)
	default:
		return nil, &InputError{Line: next.Line, Column: next.Column, Message: "a second YAML document after the first"}
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, &InputError{Line: top.Line, Column: top.Column, Message: "the document must be a mapping"}
	}
	return top, nil
}

func yamlDocument(data []byte) (bson.Raw, *InputError) {
	text, err := yamlExtJSON(data)
	if err != nil {
		return nil, err
	}
	// The node tree (about 200 bytes a byte of YAML) is not used, and so not kept,
	// while the driver reads: an error is rare, and then the YAML is read again to
	// place it.
	doc, err := parseExtJSON(text)
	if err == nil {
		return doc, nil
	}
	// The error is placed in the Extended JSON written from the YAML: place it at
	// the node written there. Should yaml.v3 refuse what fastYAML read (a departure
	// the tests look for), its refusal is the error.
	top, yerr := yamlTop(data)
	if yerr != nil {
		return nil, yerr
	}
	at := yamlWriter{target: err.offset}
	if err.offset >= 0 {
		_ = at.value(top)
	}
	if at.at == nil {
		at.at = top
	}
	err.Line, err.Column = at.at.Line, at.at.Column
	return nil, err
}

// yamlExtJSON checks a YAML file and writes its one document as Extended JSON, for
// the driver to read.
func yamlExtJSON(data []byte) ([]byte, *InputError) {
	if err := checkYAMLText(data); err != nil {
		return nil, err
	}
	if text, ok := fastYAMLExtJSON(data); ok {
		return text, nil
	}
	return slowYAMLExtJSON(data)
}

// slowYAMLExtJSON is yamlExtJSON through yaml.v3's node tree, for any YAML.
func slowYAMLExtJSON(data []byte) ([]byte, *InputError) {
	top, err := yamlTop(data)
	if err != nil {
		return nil, err
	}
	w := yamlWriter{target: -1}
	w.buf.Grow(len(data)) // about the size of the Extended JSON written, most often
	if err := w.value(top); err != nil {
		return nil, err.(*InputError)
	}
	return w.buf.Bytes(), nil
}

// yamlWriter writes a YAML node tree as canonical Extended JSON, applying as it goes
// the rules checkJSON applies to JSON, in the same order.
type yamlWriter struct {
	buf     bytes.Buffer
	check   checker
	aliases int // aliases followed to reach the node being written
	values  int
	// With target ≥ 0, the writer finds the node written at that offset of buf.
	target int
	at     *yaml.Node
}

// Aliases could make a small file a huge document ("billion laughs"): once expanded, a
// YAML document may have no more values than a JSON fixture of MaxFileSize bytes can
// (one per two bytes), and its Extended JSON no more than eight times that size (what
// escaping and $numberDouble wrappers can add to a file without aliases).
const (
	maxYAMLValues = MaxFileSize / 2
	maxYAMLBytes  = 8 * MaxFileSize
)

// errFound stops a writer that found its target.
var errFound = errors.New("found")

func (w *yamlWriter) errorf(n *yaml.Node, format string, args ...any) error {
	return &InputError{Line: n.Line, Column: n.Column, Path: w.check.here(), Message: fmt.Sprintf(format, args...), offset: -1}
}

// mark notes, when looking for the node at the target offset, that n starts here.
func (w *yamlWriter) mark(n *yaml.Node) error {
	if w.target >= 0 {
		if w.buf.Len() > w.target {
			return errFound
		}
		w.at = n
	}
	return nil
}

// open starts a mapping or a sequence (or the wrapper of a non-finite double).
func (w *yamlWriter) open(n *yaml.Node, array bool) error {
	if msg := w.check.open(array, 0); msg != "" {
		if w.aliases > 0 {
			msg += " (through aliases: a recursive alias?)"
		}
		return w.errorf(n, "%s", msg)
	}
	if array {
		w.buf.WriteByte('[')
	} else {
		w.buf.WriteByte('{')
	}
	return nil
}

func (w *yamlWriter) close(array bool) {
	w.check.close()
	if array {
		w.buf.WriteByte(']')
	} else {
		w.buf.WriteByte('}')
	}
}

func (w *yamlWriter) value(n *yaml.Node) error {
	if n.Kind == yaml.AliasNode {
		w.aliases++
		defer func() { w.aliases-- }()
		return w.value(n.Alias)
	}
	if err := w.begin(n); err != nil {
		return err
	}
	switch n.Kind {
	case yaml.MappingNode:
		return w.mapping(n)
	case yaml.SequenceNode:
		if err := w.open(n, true); err != nil {
			return err
		}
		for i, c := range n.Content {
			if i > 0 {
				w.buf.WriteByte(',')
			}
			if err := w.value(c); err != nil {
				return err
			}
		}
		w.close(true)
		return nil
	case yaml.ScalarNode:
		return w.scalar(n)
	}
	return w.errorf(n, "unsupported YAML node")
}

// begin notes a value that starts, alias expanded, before it is written.
func (w *yamlWriter) begin(n *yaml.Node) error {
	if err := w.mark(n); err != nil {
		return err
	}
	if w.values++; w.values > maxYAMLValues {
		return w.errorf(n, "more than %d values once aliases are expanded", maxYAMLValues)
	}
	if w.buf.Len() > maxYAMLBytes {
		return w.errorf(n, "more than %d MiB of Extended JSON once aliases are expanded", maxYAMLBytes>>20)
	}
	w.check.value()
	return nil
}

// mapping writes a YAML mapping, resolving merge keys (`<<: *anchor`) the way the
// corpus's YAML-to-JSON conversion does: merged keys take the place of the merge key,
// keys already present are not replaced by a merge, and an explicit key written after
// a merge replaces the merged value where it stands. A key written twice is written
// twice, for the check to refuse where it stands, as in JSON.
func (w *yamlWriter) mapping(n *yaml.Node) error {
	if err := w.open(n, false); err != nil {
		return err
	}
	pairs, err := w.resolveMerges(n)
	if err != nil {
		return err
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		key, value := pairs[i], pairs[i+1]
		if i > 0 {
			w.buf.WriteByte(',')
		}
		if err := w.mark(key); err != nil {
			return err
		}
		if msg := w.check.key(key.Value); msg != "" {
			return w.errorf(key, "%s", msg)
		}
		w.str(key.Value)
		w.buf.WriteByte(':')
		if err := w.value(value); err != nil {
			return err
		}
	}
	w.close(false)
	return nil
}

// resolveMerges lists the keys and values of a mapping as mapping writes them, key
// then value: those of the node itself, unless it has merge keys.
func (w *yamlWriter) resolveMerges(n *yaml.Node) ([]*yaml.Node, error) {
	for i := 0; ; i += 2 {
		if i+1 >= len(n.Content) {
			return n.Content, nil // no merge key: most mappings
		}
		if k := n.Content[i]; k.Kind != yaml.ScalarNode {
			return nil, w.errorf(k, "a mapping key must be a scalar")
		} else if k.Tag == "!!merge" {
			break
		}
	}
	type entry struct {
		key, value *yaml.Node
		merged     bool
	}
	var entries []entry
	index := map[string]int{}
	put := func(key, value *yaml.Node, merged bool) {
		i, seen := index[key.Value]
		switch {
		case !seen:
			index[key.Value] = len(entries)
			entries = append(entries, entry{key, value, merged})
		case merged:
			// an earlier key wins over a merged one
		case entries[i].merged:
			entries[i] = entry{key, value, false}
		default:
			entries = append(entries, entry{key, value, false})
		}
	}
	var merge func(src, mergeKey *yaml.Node) error
	merge = func(src, mergeKey *yaml.Node) error {
		for src.Kind == yaml.AliasNode {
			src = src.Alias
		}
		switch src.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(src.Content); i += 2 {
				k, v := src.Content[i], src.Content[i+1]
				if k.Tag == "!!merge" {
					if err := merge(v, k); err != nil {
						return err
					}
					continue
				}
				put(k, v, true)
			}
		case yaml.SequenceNode:
			for _, c := range src.Content {
				if err := merge(c, mergeKey); err != nil {
					return err
				}
			}
		default:
			return w.errorf(mergeKey, "a merge key (<<) needs a mapping or a list of mappings")
		}
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, w.errorf(k, "a mapping key must be a scalar")
		}
		if k.Tag == "!!merge" {
			if err := merge(v, k); err != nil {
				return nil, err
			}
			continue
		}
		put(k, v, false)
	}
	pairs := make([]*yaml.Node, 0, 2*len(entries))
	for _, e := range entries {
		pairs = append(pairs, e.key, e.value)
	}
	return pairs, nil
}

// The YAML 1.2 core schema's numbers as yaml.v3 reads them (after removing any '_').
var (
	yamlInteger = regexp.MustCompile(`^[-+]?(0b[01]+|0o[0-7]+|0x[0-9a-fA-F]+|[0-9]+)$`)
	yamlFloat   = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)
)

// outOfRange says why a YAML number cannot be read as JSON would read it, or "".
// yaml.v3 makes an integer past int64 and uint64 a double, and a number past the
// largest double a string; JSON refuses both, and so does the loader.
func outOfRange(text string) string {
	if text == "" || !strings.ContainsRune("0123456789+-.", rune(text[0])) {
		return "" // yaml.v3 tries no number
	}
	plain := strings.ReplaceAll(text, "_", "")
	if yamlInteger.MatchString(plain) {
		if _, err := strconv.ParseInt(plain, 0, 64); errors.Is(err, strconv.ErrRange) {
			return "integer " + text + " is out of range of int64"
		}
		return ""
	}
	if yamlFloat.MatchString(plain) {
		if f, err := strconv.ParseFloat(plain, 64); err != nil && math.IsInf(f, 0) {
			return "number " + text + " is out of range of a double"
		}
	}
	return ""
}

func (w *yamlWriter) scalar(n *yaml.Node) error {
	tagged := n.Style&yaml.TaggedStyle != 0
	var number string
	switch n.ShortTag() {
	case "!!null":
		w.buf.WriteString("null")
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return w.errorf(n, "%v", err)
		}
		w.buf.WriteString(strconv.FormatBool(b))
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			return w.errorf(n, "integer %s is out of range of int64", n.Value)
		}
		// A plain JSON number: the relaxed reader makes it int32 when it fits and
		// int64 otherwise, as for the JSON twin, and wrappers such as $timestamp
		// accept it where they would refuse {"$numberInt": …}.
		number = strconv.FormatInt(i, 10)
	case "!!float":
		if msg := outOfRange(n.Value); msg != "" && !tagged {
			return w.errorf(n, "%s", msg)
		}
		var f float64
		if err := n.Decode(&f); err != nil {
			if msg := outOfRange(n.Value); msg != "" {
				return w.errorf(n, "%s", msg)
			}
			return w.errorf(n, "!!float %s is not a number", n.Value)
		}
		if !math.IsInf(f, 0) && !math.IsNaN(f) {
			// with a fraction or an exponent, for the relaxed reader to take it as a double
			if number = strconv.FormatFloat(f, 'g', -1, 64); !strings.ContainsAny(number, ".e") {
				number += ".0"
			}
			break
		}
		// yaml.v3 reads only .inf, -.inf and .nan (any case) as non-finite doubles.
		// JSON has no literal: the wrapper, which counts as a level as it does in JSON
		if err := w.open(n, false); err != nil {
			return err
		}
		w.check.key("$numberDouble")
		w.check.value()
		w.buf.WriteString(`"$numberDouble":` + map[bool]string{true: `"NaN"`, false: `"Infinity"`}[math.IsNaN(f)])
		if math.IsInf(f, -1) {
			w.buf.Truncate(w.buf.Len() - len(`"Infinity"`))
			w.buf.WriteString(`"-Infinity"`)
		}
		w.close(false)
	case "!!str":
		if n.Style == 0 {
			if msg := outOfRange(n.Value); msg != "" {
				return w.errorf(n, "%s", msg)
			}
		}
		if msg := w.check.str(n.Value); msg != "" {
			return w.errorf(n, "%s", msg)
		}
		w.str(n.Value)
	default:
		return w.errorf(n, "unsupported YAML tag %s", n.Tag)
	}
	if number != "" {
		if msg := w.check.number(number); msg != "" {
			return w.errorf(n, "%s", msg)
		}
		w.buf.WriteString(number)
	}
	return nil
}

func (w *yamlWriter) str(s string) {
	if plainJSON(s) { // most keys and values: what json.Marshal writes, without its cost
		w.buf.WriteByte('"')
		w.buf.WriteString(s)
		w.buf.WriteByte('"')
		return
	}
	b, _ := json.Marshal(s) // a Go string always marshals
	w.buf.Write(b)
}

// plainJSON says whether json.Marshal writes s as itself between quotes: printable
// ASCII with nothing that it escapes (", \, and <, > and & as HTML would read them).
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7F, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}
