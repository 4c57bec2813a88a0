package matchers

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Mismatch reports that the actual value does not satisfy the expected one.
// Its message is one line, e.g.
//
//	command.cursor.batchSize: expected int32 2, got int64 3
type Mismatch struct {
	// Path leads from the matched value to the offending one: keys and array
	// indexes joined by dots (documents.0.x); empty for the matched value.
	Path string
	// Expected is the expected value or operator; zero for a key that was not
	// expected at all.
	Expected bson.RawValue
	// Actual is the actual value; zero when it is missing.
	Actual bson.RawValue
	// Reason explains what the values alone do not, or is empty.
	Reason string
}

func (m *Mismatch) Error() string {
	msg := "expected " + describe(m.Expected) + ", got " + describe(m.Actual)
	if m.Reason != "" {
		msg += ": " + m.Reason
	}
	return withPath(m.Path, msg)
}

// InvalidExpectation reports an expected value the matcher cannot evaluate:
// an unknown or malformed operator, an undefined entity, malformed BSON. It
// is a fault of the test, not of the driver.
type InvalidExpectation struct {
	Path     string        // as in Mismatch
	Expected bson.RawValue // the value that cannot be evaluated
	Err      error
}

func (e *InvalidExpectation) Error() string {
	return withPath(e.Path, "invalid expectation "+describe(e.Expected)+": "+e.Err.Error())
}

func (e *InvalidExpectation) Unwrap() error { return e.Err }

func withPath(path, msg string) string {
	if path == "" {
		return msg
	}
	return path + ": " + msg
}

// maxDescription keeps messages readable when values are large documents.
const maxDescription = 200

// describe renders a value for a message: its type and relaxed Extended JSON,
// the JSON alone where it shows the type, "missing" for the absent value.
func describe(v bson.RawValue) string {
	if absent(v) {
		return "missing"
	}
	s := relaxedJSON(v)
	switch v.Type {
	case bson.TypeEmbeddedDocument, bson.TypeArray, bson.TypeNull, bson.TypeMinKey, bson.TypeMaxKey, bson.TypeUndefined:
	default:
		s = typeName(v.Type) + " " + s
	}
	if len(s) > maxDescription {
		cut := maxDescription
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func relaxedJSON(v bson.RawValue) string {
	switch v.Type {
	case bson.TypeInt32, bson.TypeInt64:
		if n, ok := numberOf(v); ok {
			return strconv.FormatInt(n.i, 10)
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

func typeName(t bson.Type) string {
	if name, ok := typeNames[t]; ok {
		return name
	}
	return fmt.Sprintf("type 0x%02x", byte(t))
}
