package matchers

import (
	"bytes"
	"encoding/binary"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// field is one element of a document or array.
type field struct {
	key   []byte
	value bson.RawValue
}

var errMalformed = errors.New("malformed BSON")

// appendFields appends the elements of a BSON document or array to dst. It
// does what bson.Raw.Elements does, without allocating a slice per document
// (matching reads every document it meets) and with the keys split out once;
// unlike Elements it also requires the elements to fill the declared length.
func appendFields(dst []field, doc []byte) ([]field, error) {
	if len(doc) < 5 {
		return dst, errMalformed
	}
	size := int(int32(binary.LittleEndian.Uint32(doc)))
	if size < 5 || size > len(doc) || doc[size-1] != 0 {
		return dst, errMalformed
	}
	for body := doc[4 : size-1]; len(body) > 0; {
		keyEnd := bytes.IndexByte(body[1:], 0)
		if keyEnd < 0 {
			return dst, errMalformed
		}
		t, key, rest := bson.Type(body[0]), body[1:1+keyEnd], body[2+keyEnd:]
		n, ok := valueSize(t, rest)
		if !ok || n > len(rest) {
			return dst, errMalformed
		}
		dst = append(dst, field{key: key, value: bson.RawValue{Type: t, Value: rest[:n]}})
		body = rest[n:]
	}
	return dst, nil
}

// valueSize is the encoded size of a value of type t that starts v.
func valueSize(t bson.Type, v []byte) (int, bool) {
	switch t {
	case bson.TypeUndefined, bson.TypeNull, bson.TypeMinKey, bson.TypeMaxKey:
		return 0, true
	case bson.TypeBoolean:
		return 1, true
	case bson.TypeInt32:
		return 4, true
	case bson.TypeDouble, bson.TypeDateTime, bson.TypeInt64, bson.TypeTimestamp:
		return 8, true
	case bson.TypeObjectID:
		return 12, true
	case bson.TypeDecimal128:
		return 16, true
	case bson.TypeEmbeddedDocument, bson.TypeArray, bson.TypeCodeWithScope:
		return lengthPrefixed(v, 0) // the length counts itself
	case bson.TypeString, bson.TypeJavaScript, bson.TypeSymbol:
		return lengthPrefixed(v, 4)
	case bson.TypeBinary:
		return lengthPrefixed(v, 4+1) // and a subtype byte
	case bson.TypeDBPointer:
		return lengthPrefixed(v, 4+12) // a string, then an ObjectId
	case bson.TypeRegex: // two C strings
		pattern := bytes.IndexByte(v, 0)
		if pattern < 0 {
			return 0, false
		}
		options := bytes.IndexByte(v[pattern+1:], 0)
		return pattern + 1 + options + 1, options >= 0
	}
	return 0, false
}

// lengthPrefixed is the size of a value that starts with an int32 length, to
// which the type adds overhead bytes.
func lengthPrefixed(v []byte, overhead int) (int, bool) {
	if len(v) < 4 {
		return 0, false
	}
	n := int(int32(binary.LittleEndian.Uint32(v)))
	return n + overhead, n >= 0
}

// fieldIndex looks fields up by key; many fields get a map so that matching
// large documents does not become quadratic. Of duplicate keys, the first wins.
type fieldIndex struct {
	fields []field
	byKey  map[string]int
}

const fieldIndexMapThreshold = 16

func newFieldIndex(fields []field) fieldIndex {
	ix := fieldIndex{fields: fields}
	if len(fields) > fieldIndexMapThreshold {
		ix.byKey = make(map[string]int, len(fields))
		for i := len(fields) - 1; i >= 0; i-- {
			ix.byKey[string(fields[i].key)] = i
		}
	}
	return ix
}

func (ix fieldIndex) lookup(key []byte) (bson.RawValue, bool) {
	if ix.byKey != nil {
		i, ok := ix.byKey[string(key)]
		if !ok {
			return bson.RawValue{}, false
		}
		return ix.fields[i].value, true
	}
	for _, f := range ix.fields {
		if bytes.Equal(f.key, key) {
			return f.value, true
		}
	}
	return bson.RawValue{}, false
}
