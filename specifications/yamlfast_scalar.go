package specifications

// fastYAML's scalars: how they are scanned and typed; see yamlfast.go.

import (
	"bytes"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// plainStart: a plain scalar may start with c (then next) as yaml.v3 scans, in the
// narrow style: not with an indicator, but for a dash before a non-blank (-1).
func plainStart(c, next byte, flow bool) bool {
	switch c {
	case '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ', '\n', 0:
		return false
	case '-':
		return next != ' ' && next != '\n' && next != 0 && !(flow && flowIndicator(next))
	}
	return true
}

// plainBlock scans a plain scalar on one line of block context. isKey: it ended at a
// colon before a blank, which p.i is now past.
func (p *fastYAML) plainBlock() (s string, isKey bool) {
	start, end := p.i, p.i
	for p.i < len(p.data) {
		switch c := p.data[p.i]; {
		case c == '\n':
			return string(p.data[start:end]), false
		case c == ' ':
			p.i++
			continue
		case c == '#' && p.data[p.i-1] == ' ':
			return string(p.data[start:end]), false
		case c == ':' && p.blankAt(p.i+1):
			s = string(p.data[start:end])
			p.i++
			return s, true
		}
		p.i++
		end = p.i
	}
	return string(p.data[start:end]), false
}

// quoted reads a quoted scalar on one line: single-quoted, or double-quoted with the
// escapes below. It returns the scalar's value.
func (p *fastYAML) quoted() (string, error) {
	q := p.data[p.i]
	p.i++
	start := p.i
	var buf []byte // the value so far, once it holds an escape
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '\n':
			return "", errNotFast
		case c == q && q == '\'' && p.at(p.i+1) == '\'':
			buf = append(append(buf, p.data[start:p.i]...), '\'')
			p.i += 2
			start = p.i
			continue
		case c == q:
			s := p.data[start:p.i]
			p.i++
			if buf != nil {
				return string(append(buf, s...)), nil
			}
			return string(s), nil
		case c == '\\' && q == '"':
			buf = append(buf, p.data[start:p.i]...)
			var ok bool
			if buf, ok = p.escape(buf); !ok {
				return "", errNotFast
			}
			start = p.i
			continue
		}
		p.i++
	}
	return "", errNotFast
}

// escapes are the one-character escapes of a double-quoted scalar that fastYAML reads,
// with what yaml.v3 makes of them.
var escapes = map[byte]byte{'0': 0, 'a': 7, 'b': 8, 't': 9, 'n': 10, 'v': 11, 'f': 12, 'r': 13, 'e': 27, ' ': ' ', '"': '"', '\'': '\'', '\\': '\\'}

// escape appends the character of the escape at p.i (\n, \u00e9, …) and passes it.
func (p *fastYAML) escape(buf []byte) ([]byte, bool) {
	e := p.at(p.i + 1)
	if c, ok := escapes[e]; ok {
		p.i += 2
		return append(buf, c), true
	}
	digits := map[byte]int{'x': 2, 'u': 4}[e]
	if digits == 0 || p.i+2+digits > len(p.data) {
		return buf, false
	}
	var r rune
	for _, h := range p.data[p.i+2 : p.i+2+digits] {
		var v byte
		switch {
		case h >= '0' && h <= '9':
			v = h - '0'
		case h >= 'a' && h <= 'f':
			v = h - 'a' + 10
		case h >= 'A' && h <= 'F':
			v = h - 'A' + 10
		default:
			return buf, false
		}
		r = r<<4 | rune(v)
	}
	if r >= 0xD800 && r <= 0xDFFF {
		return buf, false // yaml.v3 refuses half a surrogate pair
	}
	p.i += 2 + digits
	return utf8.AppendRune(buf, r), true
}

// str writes a quoted scalar: always a string.
func (p *fastYAML) str(s string) error {
	if err := p.w.begin(noNode); err != nil {
		return err
	}
	if p.w.check.str(s) != "" {
		return errNotFast
	}
	p.w.str(s)
	return nil
}

// plain writes a plain scalar, typed as yaml.v3 types it. The common cases are written
// here (a word, a small integer, a boolean); any other goes through the writer's
// scalar, that is through yaml.v3's own resolution.
func (p *fastYAML) plain(s string) error {
	switch {
	case s == "<<":
		return errNotFast // yaml.v3 gives it the merge tag
	case s == "true" || s == "false" || s == "null":
		if err := p.w.begin(noNode); err != nil {
			return err
		}
		p.w.buf.WriteString(s)
		return nil
	case plainWord(s):
		return p.str(s)
	case smallInteger(s):
		if err := p.w.begin(noNode); err != nil {
			return err
		}
		if p.w.check.number(s) != "" {
			return errNotFast
		}
		p.w.buf.WriteString(s)
		return nil
	}
	n := yaml.Node{Kind: yaml.ScalarNode, Value: s}
	n.Tag = n.ShortTag() // as yaml.v3's parser tags a plain scalar
	if p.w.value(&n) != nil {
		return errNotFast
	}
	return nil
}

// plainWord: yaml.v3 resolves s to a string without trying a number, a boolean or
// null (its resolve table: only those first characters, and only those words).
func plainWord(s string) bool {
	if s == "" || bytes.IndexByte([]byte("+-.0123456789~<"), s[0]) >= 0 {
		return false
	}
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL":
		return false
	}
	return true
}

// smallInteger: s is a decimal integer written as strconv.FormatInt writes it, with
// at most 18 digits, so within int64.
func smallInteger(s string) bool {
	digits := s
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 18 || digits[0] == '0' && (len(digits) > 1 || len(s) > 1) {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}
