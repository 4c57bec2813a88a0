package specifications

// The driver's Extended JSON reader was a third of `specrun check`'s time: it builds a
// token, a value and an object for every element before the BSON. Most of a fixture
// is plain JSON (documents, arrays, strings, numbers), which fastExtJSON writes as BSON
// itself, with the types the driver's relaxed reader gives; every object that may be
// an Extended JSON wrapper ({"$numberLong": …}, {"$binary": …}, …) is still read by
// the driver, alone. It is a shortcut, not a second reader: on anything unexpected it
// leaves the whole text to the driver (ok false), and tests hold that its documents
// are the driver's, byte for byte, on every JSON file and every YAML file (read as
// Extended JSON) of the corpora, and by fuzzing on any input.

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// fastExtJSON reads a JSON text that checkJSON (or the YAML writer) let through, as
// bson.UnmarshalExtJSON(data, false, …) would.
func fastExtJSON(data []byte) (bson.Raw, bool) {
	r := extJSONReader{data: data, out: make([]byte, 0, len(data))}
	r.space()
	if r.at() != '{' || !r.document() {
		return nil, false
	}
	if r.space(); r.i != len(data) {
		return nil, false
	}
	return r.out, true
}

type extJSONReader struct {
	data []byte
	i    int
	out  []byte // the BSON written so far
}

func (r *extJSONReader) at() byte {
	if r.i < len(r.data) {
		return r.data[r.i]
	}
	return 0
}

func (r *extJSONReader) space() {
	for r.i < len(r.data) {
		switch r.data[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// mayBeWrapper: an object whose first key is this may be read by the driver as an
// Extended JSON value rather than a document. These are the driver's wrapper keys
// and the other keys its reader names; an object that starts with any other key is a
// document, whatever its other keys.
var mayBeWrapper = map[string]bool{
	"$numberInt": true, "$numberLong": true, "$oid": true, "$symbol": true, "$numberDouble": true,
	"$numberDecimal": true, "$binary": true, "$code": true, "$scope": true, "$timestamp": true,
	"$regularExpression": true, "$dbPointer": true, "$date": true, "$minKey": true, "$maxKey": true,
	"$undefined": true, "$uuid": true, "$type": true, "$regex": true, "$options": true,
	"$ref": true, "$id": true, "$db": true,
}

// document writes the object at r.i as a BSON document.
func (r *extJSONReader) document() bool {
	start := len(r.out)
	r.out = append(r.out, 0, 0, 0, 0)
	r.i++ // {
	r.space()
	if r.at() == '}' {
		r.i++
	} else {
		for {
			key, ok := r.str()
			if !ok {
				return false
			}
			r.space()
			if r.at() != ':' {
				return false
			}
			r.i++
			if !r.element(key) {
				return false
			}
			r.space()
			if c := r.at(); c == '}' {
				r.i++
				break
			} else if c != ',' {
				return false
			}
			r.i++
			r.space()
		}
	}
	r.out = append(r.out, 0)
	binary.LittleEndian.PutUint32(r.out[start:], uint32(len(r.out)-start))
	return true
}

func (r *extJSONReader) array() bool {
	start := len(r.out)
	r.out = append(r.out, 0, 0, 0, 0)
	r.i++ // [
	r.space()
	if r.at() == ']' {
		r.i++
	} else {
		for n := 0; ; n++ {
			if !r.element(strconv.Itoa(n)) {
				return false
			}
			r.space()
			if c := r.at(); c == ']' {
				r.i++
				break
			} else if c != ',' {
				return false
			}
			r.i++
		}
	}
	r.out = append(r.out, 0)
	binary.LittleEndian.PutUint32(r.out[start:], uint32(len(r.out)-start))
	return true
}

// element writes the value at r.i (after spaces) as the element key.
func (r *extJSONReader) element(key string) bool {
	if strings.IndexByte(key, 0) >= 0 {
		return false // BSON cannot hold it
	}
	r.space()
	typeAt := len(r.out)
	r.out = append(r.out, 0)
	r.out = append(r.out, key...)
	r.out = append(r.out, 0)
	var t bson.Type
	switch c := r.at(); {
	case c == '{':
		if r.wrapperAhead() {
			return r.byDriver(typeAt)
		}
		t = bson.TypeEmbeddedDocument
		if !r.document() {
			return false
		}
	case c == '[':
		t = bson.TypeArray
		if !r.array() {
			return false
		}
	case c == '"':
		s, ok := r.str()
		if !ok {
			return false
		}
		t = bson.TypeString
		r.out = binary.LittleEndian.AppendUint32(r.out, uint32(len(s)+1))
		r.out = append(append(r.out, s...), 0)
	case c == '-' || c >= '0' && c <= '9':
		var ok bool
		if t, ok = r.number(); !ok {
			return false
		}
	default:
		var ok bool
		if t, ok = r.literal(); !ok {
			return false
		}
	}
	r.out[typeAt] = byte(t)
	return true
}

// wrapperAhead: the object at r.i starts with a key of mayBeWrapper. A key that starts
// with an escape may be one ("\u0024numberLong" is "$numberLong").
func (r *extJSONReader) wrapperAhead() bool {
	save := r.i
	defer func() { r.i = save }()
	r.i++
	r.space()
	if c := r.at2(); r.at() != '"' || c != '$' && c != '\\' {
		return false
	}
	key, ok := r.str()
	return !ok || mayBeWrapper[key]
}

func (r *extJSONReader) at2() byte {
	if r.i+1 < len(r.data) {
		return r.data[r.i+1]
	}
	return 0
}

// byDriver has the driver read the object at r.i, alone, and writes its value in
// the element whose type byte is at typeAt.
func (r *extJSONReader) byDriver(typeAt int) bool {
	end, ok := r.skipValue()
	if !ok {
		return false
	}
	fragment := make([]byte, 0, end-r.i+6)
	fragment = append(append(append(fragment, `{"v":`...), r.data[r.i:end]...), '}')
	var one bson.Raw
	if bson.UnmarshalExtJSON(fragment, false, &one) != nil {
		return false
	}
	// one: length, type, "v\x00", the value, the document's last 0
	if len(one) < 8 {
		return false
	}
	r.out[typeAt] = one[4]
	r.out = append(r.out, one[7:len(one)-1]...)
	r.i = end
	return true
}

// skipValue finds the end of the object or array at r.i, without reading it.
func (r *extJSONReader) skipValue() (int, bool) {
	depth := 0
	for i := r.i; i < len(r.data); i++ {
		switch r.data[i] {
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return i + 1, true
			}
		case '"':
			for i++; i < len(r.data) && r.data[i] != '"'; i++ {
				if r.data[i] == '\\' {
					i++
				}
			}
		}
	}
	return 0, false
}

// number writes a JSON number as the driver's relaxed reader types it: an integer
// (no fraction, no exponent) is an int32 where it fits, else an int64; any other is
// a double.
func (r *extJSONReader) number() (bson.Type, bool) {
	start := r.i
	digits := func() int {
		from := r.i
		for r.i < len(r.data) && r.data[r.i] >= '0' && r.data[r.i] <= '9' {
			r.i++
		}
		return r.i - from
	}
	if r.at() == '-' {
		r.i++
	}
	if n := digits(); n == 0 || n > 1 && r.data[r.i-n] == '0' {
		return 0, false // JSON's grammar, as checkJSON holds it: not the driver's to refuse here
	}
	integer := true
	if r.at() == '.' {
		r.i++
		if integer = false; digits() == 0 {
			return 0, false
		}
	}
	if c := r.at(); c == 'e' || c == 'E' {
		r.i++
		if c := r.at(); c == '+' || c == '-' {
			r.i++
		}
		if integer = false; digits() == 0 {
			return 0, false
		}
	}
	text := string(r.data[start:r.i])
	if integer {
		v, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return 0, false
		}
		if v >= math.MinInt32 && v <= math.MaxInt32 {
			r.out = binary.LittleEndian.AppendUint32(r.out, uint32(int32(v)))
			return bson.TypeInt32, true
		}
		r.out = binary.LittleEndian.AppendUint64(r.out, uint64(v))
		return bson.TypeInt64, true
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return 0, false
	}
	r.out = binary.LittleEndian.AppendUint64(r.out, math.Float64bits(f))
	return bson.TypeDouble, true
}

// literal writes true, false or null.
func (r *extJSONReader) literal() (bson.Type, bool) {
	rest := r.data[r.i:]
	switch {
	case bytes.HasPrefix(rest, []byte("true")):
		r.i += 4
		r.out = append(r.out, 1)
		return bson.TypeBoolean, true
	case bytes.HasPrefix(rest, []byte("false")):
		r.i += 5
		r.out = append(r.out, 0)
		return bson.TypeBoolean, true
	case bytes.HasPrefix(rest, []byte("null")):
		r.i += 4
		return bson.TypeNull, true
	}
	return 0, false
}

// str reads the JSON string at r.i. Its bytes are valid UTF-8, as checkJSON holds (or
// the YAML writer wrote them): only escapes are decoded and checked.
func (r *extJSONReader) str() (string, bool) {
	if r.at() != '"' {
		return "", false
	}
	r.i++
	start := r.i
	for r.i < len(r.data) {
		switch c := r.data[r.i]; {
		case c == '"':
			s := string(r.data[start:r.i])
			r.i++
			return s, true
		case c == '\\':
			return r.escaped(start)
		case c < 0x20:
			return "", false
		}
		r.i++
	}
	return "", false
}

// escaped reads the rest of a string that holds an escape, from its start.
func (r *extJSONReader) escaped(start int) (string, bool) {
	buf := append([]byte{}, r.data[start:r.i]...)
	for r.i < len(r.data) {
		c := r.data[r.i]
		switch {
		case c == '"':
			r.i++
			if !utf8.Valid(buf) {
				return "", false
			}
			return string(buf), true
		case c < 0x20:
			return "", false
		case c != '\\':
			buf = append(buf, c)
			r.i++
			continue
		}
		if r.i+1 >= len(r.data) {
			return "", false
		}
		e := r.data[r.i+1]
		r.i += 2
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			rn, ok := r.hex4()
			if !ok {
				return "", false
			}
			if utf16.IsSurrogate(rn) {
				if r.at() != '\\' || r.at2() != 'u' {
					return "", false
				}
				r.i += 2
				low, ok := r.hex4()
				if rn = utf16.DecodeRune(rn, low); !ok || rn == utf8.RuneError {
					return "", false
				}
			}
			buf = utf8.AppendRune(buf, rn)
		default:
			return "", false
		}
	}
	return "", false
}

func (r *extJSONReader) hex4() (rune, bool) {
	if r.i+4 > len(r.data) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(r.data[r.i:r.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	r.i += 4
	return rune(v), true
}
