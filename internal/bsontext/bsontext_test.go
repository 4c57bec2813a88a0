package bsontext

import (
	"strings"
	"testing"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func value(t *testing.T, v any) bson.RawValue {
	t.Helper()
	typ, data, err := bson.MarshalValue(v)
	if err != nil {
		t.Fatal(err)
	}
	return bson.RawValue{Type: typ, Value: data}
}

func TestDescribe(t *testing.T) {
	dec, err := bson.ParseDecimal128("1.5")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		v    bson.RawValue
		want string
	}{
		{"absent", bson.RawValue{}, "missing"},
		{"int32", value(t, int32(12)), "int32 12"},
		{"int64", value(t, int64(-3)), "int64 -3"},
		{"double with no fraction", value(t, 1.0), "double 1.0"},
		{"double", value(t, 2.5), "double 2.5"},
		{"string, Go-quoted", value(t, `a "b" é`), `string "a \"b\" é"`},
		{"bool", value(t, true), "bool true"},
		{"decimal128", value(t, dec), `decimal128 {"$numberDecimal":"1.5"}`},
		{"objectId", value(t, bson.ObjectID{1}), `objectId {"$oid":"010000000000000000000000"}`},
		{"document: the JSON shows the type", value(t, bson.D{{Key: "x", Value: int32(1)}, {Key: "y", Value: int64(2)}}), `{"x":1,"y":2}`},
		{"array", value(t, bson.A{int32(1), "a"}), `[1,"a"]`},
		{"null", bson.RawValue{Type: bson.TypeNull}, "null"},
		{"minKey", bson.RawValue{Type: bson.TypeMinKey}, `{"$minKey":1}`},
		{"malformed int32", bson.RawValue{Type: bson.TypeInt32, Value: []byte{1}}, "int32 (malformed 01)"},
		{"long, cut at a character", value(t, strings.Repeat("é", 300)), `string "` + strings.Repeat("é", 96) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Describe(tt.v); got != tt.want {
				t.Errorf("Describe\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

func TestCut(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "abc…"},
		{"", 0, ""},
		{"aé", 2, "a…"}, // é is two bytes: not cut in two
		{"éé", 2, "é…"},
		{"éé", 1, "…"},
	}
	for _, tt := range tests {
		got := Cut(tt.s, tt.n)
		if got != tt.want || !utf8.ValidString(got) {
			t.Errorf("Cut(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

func TestTypeName(t *testing.T) {
	for typ, want := range map[bson.Type]string{
		bson.TypeEmbeddedDocument: "document",
		bson.TypeDecimal128:       "decimal128",
		bson.TypeCodeWithScope:    "javascriptWithScope",
		bson.TypeMaxKey:           "maxKey",
		bson.Type(0x42):           "type 0x42",
	} {
		if got := TypeName(typ); got != want {
			t.Errorf("TypeName(%v) = %q, want %q", typ, got, want)
		}
	}
}
