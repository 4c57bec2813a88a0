package specifications

// The Go driver's Extended JSON reader, which turns fixtures into BSON, accepts some
// input silently (text after the document, invalid UTF-8, duplicate keys, integers past
// int64 as doubles), refuses other input without saying where ("position 0"), and
// recurses without limit into arrays. checkJSON goes over the bytes first, token by
// token, and refuses all of it with line, column and path, in memory bounded by the
// nesting depth. The tokens come from jsontext, the module that mirrors Go's
// encoding/json/jsontext (standard from Go 1.27): it refuses invalid UTF-8, unescaped
// control characters and half surrogate pairs itself, with exact offsets, and reads
// ten times faster than encoding/json's Decoder.Token. The rules it does not have
// (depth, duplicate keys as YAML needs them too, number ranges, Extended JSON
// wrappers, text after the document) are the checker's, shared with the YAML reader.

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// frame is one open JSON object or array.
type frame struct {
	array   bool
	start   int                 // offset of its { or [
	n       int                 // elements or keys so far
	key     string              // an object's current key
	first   string              // an object's first key
	keys    map[string]struct{} // an object's keys, once it has more than fewKeys
	from    int                 // where its keys start in checker.keys while it has fewer
	wantKey bool                // an object's next string is a key
}

// checker follows the nesting of a token stream and applies the rules that do not
// depend on the syntax: depth, keys, numbers and Extended JSON wrappers.
type checker struct {
	stack []frame
	// The keys of the open objects that have at most fewKeys, innermost last: most
	// objects are searched for a duplicate key without a map of their own.
	keys []string
}

const fewKeys = 16

// path is the field path of the value being read inside the first depth frames.
func (c *checker) path(depth int) string {
	var p string
	for _, f := range c.stack[:depth] {
		switch {
		case f.n == 0:
		case f.array:
			p = indexPath(p, f.n-1)
		default:
			p = joinPath(p, f.key)
		}
	}
	return p
}

func (c *checker) here() string { return c.path(len(c.stack)) }

// value notes that a value starts in the innermost container.
func (c *checker) value() {
	if n := len(c.stack); n > 0 {
		if f := &c.stack[n-1]; f.array {
			f.n++
		} else {
			f.wantKey = true // after this value
		}
	}
}

// wantsKey: the next string is a key of the innermost object.
func (c *checker) wantsKey() bool {
	n := len(c.stack)
	return n > 0 && !c.stack[n-1].array && c.stack[n-1].wantKey
}

// open notes an object or array that starts; value() has noted it as a value.
func (c *checker) open(array bool, start int) string {
	if len(c.stack) >= MaxDepth {
		return "nested deeper than " + strconv.Itoa(MaxDepth) + " levels"
	}
	c.stack = append(c.stack, frame{array: array, start: start, wantKey: !array, from: len(c.keys)})
	return ""
}

func (c *checker) close() {
	c.keys = c.keys[:c.stack[len(c.stack)-1].from]
	c.stack = c.stack[:len(c.stack)-1]
}

// key notes an object's key; a duplicate, or a NUL that BSON cannot hold, is refused.
func (c *checker) key(k string) string {
	f := &c.stack[len(c.stack)-1]
	f.n++
	f.key, f.wantKey = k, false
	if strings.IndexByte(k, 0) >= 0 {
		return "a key cannot contain a NUL character"
	}
	if f.n == 1 {
		f.first = k
	}
	if f.keys == nil && f.n > fewKeys { // from now on in a map
		f.keys = make(map[string]struct{}, 2*fewKeys)
		for _, seen := range c.keys[f.from:] {
			f.keys[seen] = struct{}{}
		}
		c.keys = c.keys[:f.from]
	}
	if f.keys == nil {
		for _, seen := range c.keys[f.from:] {
			if seen == k {
				return duplicateKey(k)
			}
		}
		c.keys = append(c.keys, k)
		return ""
	}
	if _, dup := f.keys[k]; dup {
		return duplicateKey(k)
	}
	f.keys[k] = struct{}{}
	return ""
}

func duplicateKey(k string) string { return "duplicate key " + strconv.Quote(k) + " in a document" }

// wrapper is the Extended JSON wrapper key whose value is being read ($numberLong in
// {"$numberLong": …}), or "". The document itself is never a wrapper.
func (c *checker) wrapper(depth int) string {
	if depth < 2 {
		return ""
	}
	f := c.stack[depth-1]
	if f.array || f.n != 1 || !strings.HasPrefix(f.key, "$") {
		return ""
	}
	return f.key
}

// str applies the range rules of the numeric wrappers to a string value.
func (c *checker) str(s string) string {
	switch w := c.wrapper(len(c.stack)); w {
	case "$numberInt", "$numberLong":
		bits := map[string]int{"$numberInt": 32, "$numberLong": 64}[w]
		if _, err := strconv.ParseInt(s, 10, bits); err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return w + " " + strconv.Quote(s) + " is out of range of int" + strconv.Itoa(bits)
			}
			return w + " " + strconv.Quote(s) + " is not an integer"
		}
	case "$numberDouble":
		if s == "Infinity" || s == "-Infinity" || s == "NaN" {
			return ""
		}
		f, err := strconv.ParseFloat(s, 64)
		switch {
		case errors.Is(err, strconv.ErrRange) && math.IsInf(f, 0):
			return w + " " + strconv.Quote(s) + " is out of range of a double (Extended JSON writes an infinite double as \"Infinity\" or \"-Infinity\")"
		case err != nil && !errors.Is(err, strconv.ErrRange):
			return w + " " + strconv.Quote(s) + " is not a number"
		case math.IsInf(f, 0) || math.IsNaN(f):
			return w + " " + strconv.Quote(s) + ": Extended JSON writes a non-finite double as \"Infinity\", \"-Infinity\" or \"NaN\""
		}
	}
	return ""
}

// number refuses a JSON number that would not keep its value: an integer past int64
// (the driver would make it a double), a number past the largest double (infinite),
// a $timestamp part past uint32.
func (c *checker) number(text string) string {
	if strings.ContainsAny(text, ".eE") {
		if f, err := strconv.ParseFloat(text, 64); err != nil && math.IsInf(f, 0) {
			return "number " + text + " is out of range of a double"
		}
		return ""
	}
	if _, err := strconv.ParseInt(text, 10, 64); err != nil {
		return "integer " + text + " is out of range of int64"
	}
	if d := len(c.stack); d >= 1 && c.wrapper(d-1) == "$timestamp" {
		if k := c.stack[d-1].key; k == "t" || k == "i" {
			if _, err := strconv.ParseUint(text, 10, 32); err != nil && !strings.HasPrefix(text, "-") {
				return "$timestamp " + k + " " + text + " is out of range of uint32"
			}
		}
	}
	return ""
}

// checkJSON refuses, with where, a JSON fixture that breaks a rule; nil when it keeps
// them all.
func checkJSON(data []byte) *InputError {
	return walkJSON(data, nil)
}

// walkJSON checks data token by token; probe, if not nil, is called for every object
// as it closes, after its content (innermost first), and may stop the walk with an
// error placed at the object.
func walkJSON(data []byte, probe func(start, end int) string) *InputError {
	dec := jsontext.NewDecoder(bytes.NewBuffer(data), jsontext.AllowDuplicateNames(true))
	var c checker
	for {
		prev := int(dec.InputOffset())
		tok, err := dec.ReadToken()
		if err != nil {
			return jsonSyntaxError(data, err, c.here(), len(c.stack) == 0)
		}
		end := int(dec.InputOffset())
		start := func() int { return skipSeparators(data, prev) } // where the token starts
		var msg string
		switch k := tok.Kind(); {
		case len(c.stack) == 0 && k != '{':
			msg = "the document must be a JSON object"
		case k == '{' || k == '[':
			c.value()
			msg = c.open(k == '[', end-1)
		case k == '}' || k == ']':
			f := c.stack[len(c.stack)-1]
			if probe != nil && !f.array && len(c.stack) > 1 && strings.HasPrefix(f.first, "$") {
				if msg = probe(f.start, end); msg != "" {
					return inputErrorAt(data, f.start, c.path(len(c.stack)-1), "%s", msg)
				}
			}
			c.close()
		case k == '"' && c.wantsKey():
			msg = c.key(tok.String())
		case k == '"':
			c.value()
			if c.wrapper(len(c.stack)) != "" {
				msg = c.str(tok.String())
			}
		case k == '0':
			c.value()
			// an integer of up to 18 digits fits in int64, and only an exponent
			// takes a double past its range
			if raw := data[start():end]; len(raw) > 18 || bytes.ContainsAny(raw, "eE") || c.wrapper(len(c.stack)-1) != "" {
				msg = c.number(string(raw))
			}
		default: // true, false, null
			c.value()
		}
		if msg != "" {
			return inputErrorAt(data, start(), c.here(), "%s", msg)
		}
		if len(c.stack) == 0 {
			if rest := skipSpace(data, end); rest < len(data) {
				return inputErrorAt(data, rest, "", "data after the end of the document")
			}
			return nil
		}
	}
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// skipSeparators: where the next token starts, after a previous one ended at i.
func skipSeparators(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r', ',', ':':
			i++
		default:
			return i
		}
	}
	return i
}

// jsonSyntaxError places an error of jsontext, in the loader's words where it is one
// of the loader's rules.
func jsonSyntaxError(data []byte, err error, path string, top bool) *InputError {
	if top && err == io.EOF {
		return inputErrorAt(data, len(data), "", "the file has no JSON document")
	}
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) {
		return inputErrorAt(data, len(data), path, "invalid JSON: %v", err)
	}
	offset := int(se.ByteOffset)
	path = pointerPath(se.JSONPointer)
	switch r, size := utf8.DecodeRune(data[min(offset, len(data)):]); {
	case errors.Is(se.Err, io.ErrUnexpectedEOF):
		return inputErrorAt(data, offset, path, "invalid JSON: unexpected end of the file")
	case r == utf8.RuneError && size == 1:
		return inputErrorAt(data, offset, path, "invalid UTF-8")
	case r < 0x20 && strings.Contains(se.Err.Error(), "in string"):
		return inputErrorAt(data, offset, path, "control character U+%04X in a string: JSON requires it escaped", r)
	}
	return inputErrorAt(data, offset, path, "invalid JSON: %v", se.Err)
}

// pointerPath turns a JSON pointer (/tests/0/description) into a field path.
func pointerPath(p jsontext.Pointer) string {
	var path string
	for tok := range p.Tokens() {
		path = joinPath(path, tok)
	}
	return path
}

// readExtJSON checks data, then reads it with the driver.
func readExtJSON(data []byte) (bson.Raw, *InputError) {
	if err := checkJSON(data); err != nil {
		return nil, err
	}
	return parseExtJSON(data)
}

// parseExtJSON reads checked JSON with the driver. Where the driver refuses what the
// checks let through (a malformed wrapper: {"$oid": 1}), each Extended JSON wrapper is
// read alone, innermost first, to say which one.
func parseExtJSON(data []byte) (bson.Raw, *InputError) {
	if doc, ok := fastExtJSON(data); ok {
		return doc, nil
	}
	var doc bson.Raw
	err := bson.UnmarshalExtJSON(data, false, &doc)
	if err == nil {
		return doc, nil
	}
	budget := 4 * len(data) // bytes read again, at most: deep wrappers are read once each
	located := walkJSON(data, func(start, end int) string {
		if budget -= end - start; budget < 0 {
			return ""
		}
		var one bson.Raw
		fragment := append(append([]byte(`{"v":`), data[start:end]...), '}')
		if err := bson.UnmarshalExtJSON(fragment, false, &one); err != nil {
			return "invalid Extended JSON: " + err.Error()
		}
		return ""
	})
	if located != nil {
		return nil, located
	}
	// not in a wrapper: the document as a whole
	return nil, inputErrorAt(data, skipSpace(data, 0), "", "invalid Extended JSON: %v", err)
}
