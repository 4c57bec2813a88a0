package specifications

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.yaml.in/yaml/v3"
)

// ReadDocument turns the bytes of a fixture file into one BSON document, keeping key
// order and exact types. JSON is read as Extended JSON (relaxed or canonical). YAML is
// first rewritten into canonical Extended JSON from its node tree and then read by the
// very same parser, so that a YAML file and its JSON twin can only differ where the
// fixtures themselves differ: an untagged YAML integer becomes int32 (int64 when it does
// not fit), a YAML float becomes a double, exactly like a JSON number of the same form.
func ReadDocument(name string, data []byte) (bson.Raw, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		return readExtJSON(data)
	case ".yml", ".yaml":
		js, err := yamlToExtJSON(data)
		if err != nil {
			return nil, err
		}
		return readExtJSON(js)
	}
	return nil, fmt.Errorf("not a JSON or YAML file")
}

func readExtJSON(data []byte) (bson.Raw, error) {
	var doc bson.Raw
	if err := bson.UnmarshalExtJSON(data, false, &doc); err != nil {
		return nil, fmt.Errorf("invalid Extended JSON: %w", err)
	}
	return doc, nil
}

func yamlToExtJSON(data []byte) ([]byte, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("invalid YAML: %w", err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) != 1 {
		return nil, fmt.Errorf("invalid YAML: expected one document")
	}
	var w yamlWriter
	if err := w.value(root.Content[0]); err != nil {
		return nil, err
	}
	return w.buf.Bytes(), nil
}

// yamlWriter writes a YAML node tree as canonical Extended JSON.
type yamlWriter struct {
	buf   bytes.Buffer
	depth int
	nodes int
}

// Alias expansion is bounded: no fixture nests this deep or expands to this many
// values, a self-referencing or exponential ("billion laughs") alias would.
const (
	maxYAMLDepth = 200
	maxYAMLNodes = 1_000_000
)

func (w *yamlWriter) value(n *yaml.Node) error {
	w.depth++
	w.nodes++
	defer func() { w.depth-- }()
	if w.depth > maxYAMLDepth {
		return fmt.Errorf("invalid YAML: line %d: nested deeper than %d levels (recursive alias?)", n.Line, maxYAMLDepth)
	}
	if w.nodes > maxYAMLNodes {
		return fmt.Errorf("invalid YAML: line %d: aliases expand to more than %d values", n.Line, maxYAMLNodes)
	}
	switch n.Kind {
	case yaml.AliasNode:
		return w.value(n.Alias)
	case yaml.MappingNode:
		return w.mapping(n)
	case yaml.SequenceNode:
		w.buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				w.buf.WriteByte(',')
			}
			if err := w.value(c); err != nil {
				return err
			}
		}
		w.buf.WriteByte(']')
		return nil
	case yaml.ScalarNode:
		return w.scalar(n)
	}
	return fmt.Errorf("line %d: unsupported YAML node", n.Line)
}

// mapping writes a YAML mapping, resolving merge keys (`<<: *anchor`) the way the
// corpus's YAML-to-JSON conversion does: merged keys take the place of the merge key,
// keys already present are not replaced by a merge, and an explicit key written after
// a merge replaces the merged value where it stands.
func (w *yamlWriter) mapping(n *yaml.Node) error {
	type entry struct {
		key    string
		value  *yaml.Node
		merged bool
	}
	var entries []entry
	index := map[string]int{}
	put := func(key string, value *yaml.Node, merged bool, line int) error {
		i, seen := index[key]
		switch {
		case !seen:
			index[key] = len(entries)
			entries = append(entries, entry{key, value, merged})
		case merged:
			// an earlier key wins over a merged one
		case entries[i].merged:
			entries[i] = entry{key, value, false}
		default:
			return fmt.Errorf("line %d: duplicate key %q", line, key)
		}
		return nil
	}
	var merge func(src *yaml.Node, line int) error
	merge = func(src *yaml.Node, line int) error {
		for src.Kind == yaml.AliasNode {
			src = src.Alias
		}
		switch src.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(src.Content); i += 2 {
				k, v := src.Content[i], src.Content[i+1]
				if k.Tag == "!!merge" {
					if err := merge(v, k.Line); err != nil {
						return err
					}
					continue
				}
				if err := put(k.Value, v, true, k.Line); err != nil {
					return err
				}
			}
		case yaml.SequenceNode:
			for _, c := range src.Content {
				if err := merge(c, line); err != nil {
					return err
				}
			}
		default:
			return fmt.Errorf("line %d: merge key needs a mapping", line)
		}
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: mapping keys must be scalars", k.Line)
		}
		if k.Tag == "!!merge" {
			if err := merge(v, k.Line); err != nil {
				return err
			}
			continue
		}
		if err := put(k.Value, v, false, k.Line); err != nil {
			return err
		}
	}
	w.buf.WriteByte('{')
	for i, e := range entries {
		if i > 0 {
			w.buf.WriteByte(',')
		}
		w.str(e.key)
		w.buf.WriteByte(':')
		if err := w.value(e.value); err != nil {
			return err
		}
	}
	w.buf.WriteByte('}')
	return nil
}

func (w *yamlWriter) scalar(n *yaml.Node) error {
	switch n.ShortTag() {
	case "!!null":
		w.buf.WriteString("null")
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		w.buf.WriteString(strconv.FormatBool(b))
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			return fmt.Errorf("line %d: integer %s does not fit in 64 bits", n.Line, n.Value)
		}
		// A plain JSON number: the relaxed reader makes it int32 when it fits and
		// int64 otherwise, as for the JSON twin, and wrappers such as $timestamp
		// accept it where they would refuse {"$numberInt": …}.
		w.buf.WriteString(strconv.FormatInt(i, 10))
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		w.double(f)
	case "!!str":
		w.str(n.Value)
	default:
		return fmt.Errorf("line %d: unsupported YAML tag %s", n.Line, n.Tag)
	}
	return nil
}

// double writes a JSON number that the relaxed reader takes as a double: with a
// fraction or an exponent, or as $numberDouble where JSON has no literal.
func (w *yamlWriter) double(f float64) {
	switch {
	case math.IsInf(f, 1):
		w.buf.WriteString(`{"$numberDouble":"Infinity"}`)
	case math.IsInf(f, -1):
		w.buf.WriteString(`{"$numberDouble":"-Infinity"}`)
	case math.IsNaN(f):
		w.buf.WriteString(`{"$numberDouble":"NaN"}`)
	default:
		s := strconv.FormatFloat(f, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		w.buf.WriteString(s)
	}
}

func (w *yamlWriter) str(s string) {
	b, _ := json.Marshal(s) // a Go string always marshals
	w.buf.Write(b)
}
