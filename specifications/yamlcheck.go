package specifications

// yaml.v3 refuses invalid UTF-8 and the characters YAML does not allow without saying
// where, and gives the lines of its parser's errors counted from 0: the checks here
// say where, from the bytes and the node tree.

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// yamlAllowed: the characters a YAML stream may hold (YAML 1.2, 5.1), as yaml.v3's
// reader checks them.
func yamlAllowed(r rune) bool {
	switch {
	case r == 0x09, r == 0x0A, r == 0x0D, r >= 0x20 && r <= 0x7E, r == 0x85:
	case r >= 0xA0 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD, r >= 0x10000 && r <= 0x10FFFF:
	default:
		return false
	}
	return true
}

// checkYAMLText refuses invalid UTF-8 and characters YAML does not allow, at the
// first one, with the path of the value that holds it.
func checkYAMLText(data []byte) *InputError {
	var err *InputError
	var clean bytes.Buffer // data with U+FFFD for each refused character: the same lines and columns
	for i := 0; i < len(data); {
		if b := data[i]; b >= 0x20 && b < 0x7F || b == '\n' || b == '\t' || b == '\r' {
			if err != nil {
				clean.WriteByte(b)
			}
			i++ // the common case, without decoding
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if (r != utf8.RuneError || size != 1) && yamlAllowed(r) {
			if err != nil {
				clean.Write(data[i : i+size])
			}
			i += size
			continue
		}
		if err == nil {
			if r == utf8.RuneError && size == 1 {
				err = inputErrorAt(data, i, "", "invalid UTF-8")
			} else {
				err = inputErrorAt(data, i, "", "control character U+%04X: YAML allows it only escaped, in a double-quoted string", r)
			}
			clean.Write(data[:i])
		}
		clean.WriteRune(utf8.RuneError)
		i += size
	}
	if err != nil {
		err.Path = yamlPathAt(clean.Bytes(), err.Line, err.Column)
	}
	return err
}

// yamlPathAt is the path of the last node that starts at or before line:column, or ""
// when the text is not YAML.
func yamlPathAt(data []byte, line, column int) string {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 {
		return ""
	}
	before := func(n *yaml.Node) bool {
		return n.Line < line || n.Line == line && n.Column <= column
	}
	var found string
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		if !before(n) {
			return
		}
		found = path
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if k := n.Content[i]; before(k) {
					found = joinPath(path, k.Value)
					walk(n.Content[i+1], joinPath(path, k.Value))
				}
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, indexPath(path, i))
			}
		}
	}
	walk(root.Content[0], "")
	return found
}

var (
	yamlErrorLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	unknownAnchor = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)
)

// yamlParserProblems are the errors of yaml.v3's parser (as opposed to its scanner),
// whose lines it counts from 0.
var yamlParserProblems = map[string]bool{
	"did not find expected ',' or ']'": true, "did not find expected ',' or '}'": true,
	"did not find expected '-' indicator": true, "did not find expected <document start>": true,
	"did not find expected <stream-start>": true, "did not find expected key": true,
	"did not find expected node content": true, "found duplicate %TAG directive": true,
	"found duplicate %YAML directive": true, "found incompatible YAML document": true,
	"found undefined tag handle": true,
}

// yamlSyntaxError places an error of yaml.v3. It gives a line (of the problem or of
// the construct it is in), no column; none at all when both are on the first line.
func yamlSyntaxError(data []byte, err error) *InputError {
	msg := err.Error()
	if m := unknownAnchor.FindStringSubmatch(msg); m != nil {
		if i := aliasOffset(data, m[1]); i >= 0 {
			return inputErrorAt(data, i, "", "invalid YAML: unknown anchor %q", m[1])
		}
	}
	line := 1
	if m := yamlErrorLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if yamlParserProblems[msg] {
			line++
		}
	}
	lines := bytes.Count(data, []byte{'\n'}) + 1
	if bytes.HasSuffix(data, []byte{'\n'}) {
		lines--
	}
	return &InputError{Line: max(min(line, lines), 1), Message: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: "), offset: -1}
}

// aliasOffset finds the alias *name in data: the first '*' followed by the name and
// then a character that ends it.
func aliasOffset(data []byte, name string) int {
	token := []byte("*" + name)
	for from := 0; ; {
		i := bytes.Index(data[from:], token)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(token)
		if end == len(data) || strings.IndexByte(" \t\r\n,]}", data[end]) >= 0 {
			return i
		}
		from = i + 1
	}
}
