package specifications

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TwinDifference is one place where a YAML file and its JSON twin decode to different
// BSON. The loader reports these as notes: the corpus, not the loader, differs.
type TwinDifference struct {
	Path string // field path, e.g. tests.0.expectations.1.command_succeeded_event.reply.ok
	YAML string // the YAML side, with its BSON type, or "missing"
	JSON string // the JSON side, likewise
}

func (d TwinDifference) String() string {
	return fmt.Sprintf("%s: YAML has %s, JSON has %s", d.Path, d.YAML, d.JSON)
}

// CompareTwins lists every place where two decoded documents differ in key order,
// type or value.
func CompareTwins(yamlDoc, jsonDoc bson.Raw) []TwinDifference {
	var diffs []TwinDifference
	compareValues("", bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: yamlDoc},
		bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: jsonDoc}, &diffs)
	return diffs
}

func compareValues(path string, y, j bson.RawValue, diffs *[]TwinDifference) {
	if y.Type != j.Type || !(y.Type == bson.TypeEmbeddedDocument || y.Type == bson.TypeArray) {
		if y.Type != j.Type || !bytes.Equal(y.Value, j.Value) {
			*diffs = append(*diffs, TwinDifference{pathOrRoot(path), describe(y), describe(j)})
		}
		return
	}
	ye, _ := bson.Raw(y.Value).Elements()
	je, _ := bson.Raw(j.Value).Elements()
	for i := 0; i < len(ye) || i < len(je); i++ {
		var yk, jk string
		var yv, jv bson.RawValue
		if i < len(ye) {
			yk, yv = ye[i].Key(), ye[i].Value()
		}
		if i < len(je) {
			jk, jv = je[i].Key(), je[i].Value()
		}
		if i >= len(ye) || i >= len(je) {
			key := yk + jk // the side that has an element
			*diffs = append(*diffs, TwinDifference{joinPath(path, key), describe(yv), describe(jv)})
			continue
		}
		if yk != jk {
			*diffs = append(*diffs, TwinDifference{pathOrRoot(path),
				fmt.Sprintf("key %q at position %d", yk, i), fmt.Sprintf("key %q", jk)})
			return
		}
		compareValues(joinPath(path, yk), yv, jv, diffs)
	}
}

func pathOrRoot(path string) string {
	if path == "" {
		return "(document)"
	}
	return path
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	if key == "" {
		return path
	}
	return path + "." + key
}

func indexPath(path string, i int) string { return joinPath(path, strconv.Itoa(i)) }

// describe renders a value with its BSON type for messages: `int32 1`, `double 1.0`.
func describe(v bson.RawValue) string {
	if v.Type == 0 {
		return "missing"
	}
	var s string
	switch v.Type {
	case bson.TypeDouble:
		s = strconv.FormatFloat(v.Double(), 'g', -1, 64)
		if !strings.ContainsAny(s, ".eIN") {
			s += ".0"
		}
	case bson.TypeInt32:
		s = strconv.Itoa(int(v.Int32()))
	case bson.TypeInt64:
		s = strconv.FormatInt(v.Int64(), 10)
	case bson.TypeString:
		s = strconv.Quote(v.StringValue())
	default:
		s = v.String()
	}
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return typeName(v.Type) + " " + s
}

// typeName gives the BSON type aliases of the unified test format ($$type).
func typeName(t bson.Type) string {
	switch t {
	case bson.TypeDouble:
		return "double"
	case bson.TypeString:
		return "string"
	case bson.TypeEmbeddedDocument:
		return "object"
	case bson.TypeArray:
		return "array"
	case bson.TypeBinary:
		return "binData"
	case bson.TypeObjectID:
		return "objectId"
	case bson.TypeBoolean:
		return "bool"
	case bson.TypeDateTime:
		return "date"
	case bson.TypeNull:
		return "null"
	case bson.TypeInt32:
		return "int32"
	case bson.TypeInt64:
		return "int64"
	case bson.TypeDecimal128:
		return "decimal"
	case bson.TypeTimestamp:
		return "timestamp"
	}
	return t.String()
}
