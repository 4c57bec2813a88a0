// Package bsontext renders BSON values for one-line messages: a value's type as the
// Unified Test Format's $$type names it, and its relaxed Extended JSON. It imports
// nothing of specrun's, so that the model (specifications) and the matchers, which must
// not import each other, describe values alike, and the interpreter's details with them.
package bsontext

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// maxDescription keeps messages readable when values are large documents: Describe cuts
// its text to this many bytes.
const maxDescription = 200

// Describe renders a value for a message: its type and relaxed Extended JSON
// (`int32 1`, `string "a"`), the JSON alone where it shows the type (documents, arrays,
// null, minKey, maxKey, undefined), "missing" for the absent value (type 0); cut to
// maxDescription bytes.
func Describe(v bson.RawValue) string {
	if v.Type == 0 {
		return "missing"
	}
	s := JSON(v)
	switch v.Type {
	case bson.TypeEmbeddedDocument, bson.TypeArray, bson.TypeNull, bson.TypeMinKey, bson.TypeMaxKey, bson.TypeUndefined:
	default:
		s = TypeName(v.Type) + " " + s
	}
	return Cut(s, maxDescription)
}

// JSON renders a value as relaxed Extended JSON, by itself (not in a document):
// integers as plain numbers, strings quoted as Go quotes them, documents and arrays as
// the driver marshals them; "(malformed <hex>)" for bytes that are not a value of the
// type.
func JSON(v bson.RawValue) string {
	switch v.Type {
	case bson.TypeInt32:
		if i, ok := v.Int32OK(); ok {
			return strconv.FormatInt(int64(i), 10)
		}
	case bson.TypeInt64:
		if i, ok := v.Int64OK(); ok {
			return strconv.FormatInt(i, 10)
		}
	case bson.TypeString:
		if s, ok := v.StringValueOK(); ok {
			return strconv.Quote(s)
		}
	}
	// Extended JSON of the document {"v": v}, without the wrapping.
	const key = `{"v":`
	doc := binary.LittleEndian.AppendUint32(nil, uint32(4+1+2+len(v.Value)+1))
	doc = append(doc, byte(v.Type), 'v', 0)
	doc = append(append(doc, v.Value...), 0)
	out, err := bson.MarshalExtJSON(bson.Raw(doc), false, false)
	if s := string(out); err == nil && strings.HasPrefix(s, key) && strings.HasSuffix(s, "}") {
		return s[len(key) : len(s)-1]
	}
	return fmt.Sprintf("(malformed %x)", v.Value)
}

// Cut shortens s to at most n bytes, at a character boundary, and marks the cut with
// "…"; s as it is when it is no longer.
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

var typeNames = map[bson.Type]string{
	bson.TypeDouble:           "double",
	bson.TypeString:           "string",
	bson.TypeEmbeddedDocument: "document",
	bson.TypeArray:            "array",
	bson.TypeBinary:           "binData",
	bson.TypeUndefined:        "undefined",
	bson.TypeObjectID:         "objectId",
	bson.TypeBoolean:          "bool",
	bson.TypeDateTime:         "date",
	bson.TypeNull:             "null",
	bson.TypeRegex:            "regex",
	bson.TypeDBPointer:        "dbPointer",
	bson.TypeJavaScript:       "javascript",
	bson.TypeSymbol:           "symbol",
	bson.TypeCodeWithScope:    "javascriptWithScope",
	bson.TypeInt32:            "int32",
	bson.TypeTimestamp:        "timestamp",
	bson.TypeInt64:            "int64",
	bson.TypeDecimal128:       "decimal128",
	bson.TypeMinKey:           "minKey",
	bson.TypeMaxKey:           "maxKey",
}

// TypeName names a BSON type for messages, as $$type's aliases do, but "document" for
// an embedded document and "decimal128" (the names a reader of a mismatch knows);
// "type 0x.." for a byte that is no type.
func TypeName(t bson.Type) string {
	if name, ok := typeNames[t]; ok {
		return name
	}
	return fmt.Sprintf("type 0x%02x", byte(t))
}
