package interpreter

import (
	"strings"
	"testing"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestRelaxed: documents and arrays as relaxed Extended JSON, other values as the
// driver's String gives them, all cut to 2000 bytes at a character.
func TestRelaxed(t *testing.T) {
	value := func(v any) bson.RawValue {
		typ, data, err := bson.MarshalValue(v)
		if err != nil {
			t.Fatal(err)
		}
		return bson.RawValue{Type: typ, Value: data}
	}
	long := strings.Repeat("é", 1500)
	tests := []struct {
		name string
		v    bson.RawValue
		want string
	}{
		{"absent", bson.RawValue{}, "(none)"},
		{"document", value(bson.D{{Key: "a", Value: int32(1)}, {Key: "n", Value: int64(5)}, {Key: "s", Value: `say "hi"`}}), `{"a":1,"n":5,"s":"say \"hi\""}`},
		{"array", value(bson.A{2.5, 1.0, nil}), `[2.5,1.0,null]`},
		{"string, JSON-quoted", value(`(BadValue) "mechanism" <missing>`), `"(BadValue) \"mechanism\" \u003cmissing\u003e"`},
		{"int32", value(int32(7)), `{"$numberInt":"7"}`},
		{"long document, cut", value(bson.D{{Key: "x", Value: long}}), `{"x":"` + strings.Repeat("é", 997) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := relaxed(tt.v)
			if got != tt.want || !utf8.ValidString(got) {
				t.Errorf("relaxed\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}
