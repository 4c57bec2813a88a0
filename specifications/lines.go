package specifications

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Line is the line of a fixture file's text at which the part at place begins: place
// is a path as the model's Path fields give it (tests.3.operations.2; "" the whole
// document); of a mapping's member, the line of its key. JSON is read as the YAML it
// also is. 0 when the text does not parse or has no such part.
func Line(data []byte, place string) int {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return 0
	}
	n := doc.Content[0]
	line := n.Line
	if place == "" {
		return line
	}
	for _, part := range strings.Split(place, ".") {
		switch n.Kind {
		case yaml.MappingNode:
			i := memberIndex(n, part)
			if i < 0 {
				return 0
			}
			line, n = n.Content[i].Line, n.Content[i+1]
		case yaml.SequenceNode:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(n.Content) {
				return 0
			}
			n = n.Content[i]
			line = n.Line
		default:
			return 0
		}
	}
	return line
}

// memberIndex is the index in n.Content of the key named key, -1 if none.
func memberIndex(n *yaml.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return i
		}
	}
	return -1
}
