package matchers

import (
	"strings"
	"testing"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestUnifiedDocumentsAndArrays(t *testing.T) {
	runCases(t, unified, []matchCase{
		{name: "root may have extra keys", expected: `{"x": 1}`, actual: `{"x": 1, "y": 1}`, at: Root},
		{name: "nested value may not have extra keys", expected: `{"x": 1}`, actual: `{"x": 1, "y": 1}`, at: Nested,
			want: mismatch, path: "y", message: "y: expected missing, got int32 1: unexpected key in a nested document"},
		{name: "document inside root may not have extra keys", expected: `{"x": {"y": 1}}`, actual: `{"x": {"y": 1, "z": 1}}`, at: Root,
			want: mismatch, path: "x.z"},
		{name: "expected key missing", expected: `{"x": 1, "y": 1}`, actual: `{"x": 1}`, at: Root,
			want: mismatch, path: "y", message: "y: expected int32 1, got missing"},
		{name: "key order may vary", expected: `{"x": 1, "y": {"a": 1, "b": 2}}`, actual: `{"y": {"b": 2, "a": 1}, "x": 1}`, at: Nested},
		{name: "document expected, array given", expected: `{"x": 1}`, actual: `[1]`, at: Root, want: mismatch},
		{name: "document expected, result missing", expected: `{"x": 1}`, actual: missing, at: Root,
			want: mismatch, message: "expected {\"x\":1}, got missing"},
		{name: "empty document matches any root document", expected: `{}`, actual: `{"a": 1}`, at: Root},
		{name: "empty document is strict when nested", expected: `{"a": {}}`, actual: `{"a": {"b": 1}}`, at: Root, want: mismatch, path: "a.b"},
		{name: "null expected, key missing", expected: `{"x": null}`, actual: `{}`, at: Root, want: mismatch, path: "x"},
		{name: "null expected and present", expected: `{"x": null}`, actual: `{"x": null}`, at: Root},

		{name: "empty arrays", expected: `[]`, actual: `[]`},
		{name: "empty array vs missing array", expected: `{"a": []}`, actual: `{}`, at: Root,
			want: mismatch, path: "a", message: "a: expected [], got missing"},
		{name: "empty array vs non-empty", expected: `{"a": []}`, actual: `{"a": [1]}`, at: Root, want: mismatch, path: "a"},
		{name: "array longer than expected", expected: `[1, 2, 3]`, actual: `[1, 2, 3, 4]`,
			want: mismatch, message: "expected 3 elements, got 4"},
		{name: "array shorter than expected", expected: `[1, 2, 3]`, actual: `[1, 2]`, want: mismatch},
		{name: "array element differs", expected: `{"documents": [{"x": 1}, {"x": 2}]}`, actual: `{"documents": [{"x": 1}, {"x": 3}]}`, at: Root,
			want: mismatch, path: "documents.1.x"},
		{name: "array order matters", expected: `[1, 2]`, actual: `[2, 1]`, want: mismatch, path: "0"},
		{name: "array expected, document given", expected: `[1]`, actual: `{"0": 1}`, want: mismatch},
		{name: "distinct-like array elements are not roots", expected: `[{"x": 1}, {"x": 2}]`, actual: `[{"x": 1, "y": 1}, {"x": 2, "y": 2}]`, at: Nested,
			want: mismatch, path: "0.y"},
		{name: "find-like array elements are roots", expected: `[{"x": 1}, {"x": 2}]`, actual: `[{"x": 1, "y": 1}, {"x": 2, "y": 2}]`, at: RootElements},
		{name: "root elements do not make their sub-documents roots", expected: `[{"x": {"a": 1}}]`, actual: `[{"x": {"a": 1, "b": 2}}]`, at: RootElements,
			want: mismatch, path: "0.x.b"},
		{name: "arrays inside a root are nested", expected: `{"a": [{"x": 1}]}`, actual: `{"a": [{"x": 1, "y": 2}]}`, at: RootElements,
			want: mismatch, path: "a.0.y"},
		{name: "root elements on a document means root", expected: `{"x": 1}`, actual: `{"x": 1, "y": 2}`, at: RootElements},
	})
}

func TestUnifiedNumbersAndScalars(t *testing.T) {
	runCases(t, unified, []matchCase{
		{name: "int32 1 vs double 1.0", expected: `1`, actual: `1.0`},
		{name: "double 1.0 vs int32 1", expected: `1.0`, actual: `1`},
		{name: "int32 1 vs double 1.5", expected: `1`, actual: `1.5`, want: mismatch, message: "expected int32 1, got double 1.5"},
		{name: "double 1.5 vs int32 1 (no truncation)", expected: `1.5`, actual: `1`, want: mismatch},
		{name: "int32 vs int64", expected: `2`, actual: `{"$numberLong": "2"}`},
		{name: "int64 vs double", expected: `{"$numberLong": "2"}`, actual: `2.0`},
		{name: "int64 above 2^53 vs nearest double", expected: `{"$numberLong": "9007199254740993"}`, actual: `9007199254740992.0`, want: mismatch},
		{name: "int64 2^53 vs double 2^53", expected: `{"$numberLong": "9007199254740992"}`, actual: `9007199254740992.0`},
		{name: "max int64 vs double 2^63", expected: `{"$numberLong": "9223372036854775807"}`, actual: `9223372036854775808.0`, want: mismatch},
		{name: "min int64 vs double -2^63", expected: `{"$numberLong": "-9223372036854775808"}`, actual: `-9223372036854775808.0`},
		{name: "int64 vs infinity", expected: `{"$numberLong": "1"}`, actual: `{"$numberDouble": "Infinity"}`, want: mismatch},
		{name: "NaN matches NaN", expected: `{"$numberDouble": "NaN"}`, actual: `{"$numberDouble": "NaN"}`},
		{name: "NaN vs number", expected: `{"$numberDouble": "NaN"}`, actual: `1.0`, want: mismatch},
		{name: "negative zero equals zero", expected: `{"$numberDouble": "-0.0"}`, actual: `0`},
		{name: "decimal128 vs int32", expected: `{"$numberDecimal": "1"}`, actual: `1`, want: mismatch, message: "expected decimal128 {\"$numberDecimal\":\"1\"}, got int32 1"},
		{name: "int32 vs decimal128", expected: `1`, actual: `{"$numberDecimal": "1"}`, want: mismatch},
		{name: "decimal128 equal", expected: `{"$numberDecimal": "1.5"}`, actual: `{"$numberDecimal": "1.5"}`},
		{name: "decimal128 compares exactly, not by value", expected: `{"$numberDecimal": "1.0"}`, actual: `{"$numberDecimal": "1.00"}`, want: mismatch},
		{name: "number vs string", expected: `1`, actual: `"1"`, want: mismatch},
		{name: "string", expected: `"a"`, actual: `"a"`},
		{name: "string differs", expected: `"a"`, actual: `"b"`, want: mismatch},
		{name: "bool vs int", expected: `true`, actual: `1`, want: mismatch},
		{name: "null vs missing", expected: `null`, actual: missing, want: mismatch, message: "expected null, got missing"},
		{name: "null vs undefined", expected: `null`, actual: `{"$undefined": true}`, want: mismatch},
		{name: "objectId", expected: `{"$oid": "57e193d7a9cc81b4027498b5"}`, actual: `{"$oid": "57e193d7a9cc81b4027498b5"}`},
		{name: "date differs", expected: `{"$date": {"$numberLong": "1"}}`, actual: `{"$date": {"$numberLong": "2"}}`, want: mismatch},
		{name: "date vs int64", expected: `{"$date": {"$numberLong": "1"}}`, actual: `{"$numberLong": "1"}`, want: mismatch},
		{name: "binary subtype differs", expected: `{"$binary": {"base64": "AQI=", "subType": "00"}}`, actual: `{"$binary": {"base64": "AQI=", "subType": "04"}}`, want: mismatch},
		{name: "regex options differ", expected: `{"$regularExpression": {"pattern": "a", "options": "i"}}`, actual: `{"$regularExpression": {"pattern": "a", "options": ""}}`, want: mismatch},
		{name: "timestamp", expected: `{"$timestamp": {"t": 1, "i": 2}}`, actual: `{"$timestamp": {"t": 1, "i": 2}}`},
		{name: "code with scope, scope key order varies", expected: `{"$code": "f", "$scope": {"a": 1, "b": 2}}`, actual: `{"$code": "f", "$scope": {"b": 2, "a": 1}}`},
		{name: "code with scope matches its scope exactly", expected: `{"$code": "f", "$scope": {"a": 1}}`, actual: `{"$code": "f", "$scope": {"a": 1.0}}`, want: mismatch},
		{name: "code with scope, extra scope key", expected: `{"$code": "f", "$scope": {"a": 1}}`, actual: `{"$code": "f", "$scope": {"a": 1, "b": 1}}`, want: mismatch},
		{name: "code with scope, code differs", expected: `{"$code": "f", "$scope": {}}`, actual: `{"$code": "g", "$scope": {}}`, want: mismatch},
		{name: "code with scope vs code", expected: `{"$code": "f", "$scope": {}}`, actual: `{"$code": "f"}`, want: mismatch},
	})
}

// TestOkUnderEachProfile: the server may reply ok as an int32 or a double.
func TestOkUnderEachProfile(t *testing.T) {
	for _, c := range []struct {
		profile string
		matcher *Matcher
		want    verdict
	}{
		{"unified", Unified(nil), pass},
		{"legacy", Legacy(), pass},
		{"exact", Exact(), mismatch},
	} {
		t.Run(c.profile, func(t *testing.T) {
			for _, pair := range [][2]string{{`{"ok": 1}`, `{"ok": 1.0}`}, {`{"ok": 1.0}`, `{"ok": 1}`}} {
				want, path := c.want, ""
				if want != pass {
					path = "ok"
				}
				matchCase{expected: pair[0], actual: pair[1], want: want, path: path}.check(t, c.matcher)
			}
			matchCase{expected: `{"ok": 1}`, actual: `{"ok": 1.5}`, want: mismatch, path: "ok"}.check(t, c.matcher)
		})
	}
}

func TestExact(t *testing.T) {
	runCases(t, Exact, []matchCase{
		{name: "equal", expected: `[{"_id": 1, "x": {"y": [1, "a"]}}]`, actual: `[{"_id": 1, "x": {"y": [1, "a"]}}]`},
		{name: "key order may vary", expected: `{"_id": 1, "x": 11}`, actual: `{"x": 11, "_id": 1}`},
		{name: "no extra keys even at root", expected: `{"_id": 1}`, actual: `{"_id": 1, "x": 11}`, at: Root, want: mismatch, path: "x",
			message: "x: expected missing, got int32 11: unexpected key"},
		{name: "no extra keys in root elements", expected: `[{"_id": 1}]`, actual: `[{"_id": 1, "x": 11}]`, at: RootElements, want: mismatch, path: "0.x"},
		{name: "missing key", expected: `{"_id": 1, "x": 11}`, actual: `{"_id": 1}`, want: mismatch, path: "x"},
		{name: "int32 vs double", expected: `{"x": 1}`, actual: `{"x": 1.0}`, want: mismatch, path: "x", message: "x: expected int32 1, got double 1.0"},
		{name: "int32 vs int64", expected: `{"x": 1}`, actual: `{"x": {"$numberLong": "1"}}`, want: mismatch, path: "x"},
		{name: "1 vs 1.5", expected: `{"x": 1}`, actual: `{"x": 1.5}`, want: mismatch, path: "x"},
		{name: "NaN matches NaN", expected: `{"$numberDouble": "NaN"}`, actual: `{"$numberDouble": "NaN"}`},
		{name: "-0.0 is not 0.0", expected: `{"$numberDouble": "-0.0"}`, actual: `0.0`, want: mismatch},
		{name: "decimal128 compares exactly", expected: `{"$numberDecimal": "1.0"}`, actual: `{"$numberDecimal": "1.0"}`},
		{name: "operators are literal keys", expected: `{"x": {"$$exists": true}}`, actual: `{"x": {"$$exists": true}}`},
		{name: "operators do not apply", expected: `{"x": {"$$exists": false}}`, actual: `{}`, want: mismatch, path: "x"},
		{name: "unknown operators are literal", expected: `{"$$foo": 1}`, actual: `{"$$foo": 1}`},
		{name: "empty collection", expected: `[]`, actual: `[]`},
		{name: "collection not empty", expected: `[]`, actual: `[{"_id": 1}]`, want: mismatch},
		{name: "fewer documents", expected: `[{"_id": 1}, {"_id": 2}]`, actual: `[{"_id": 1}]`, want: mismatch},
		{name: "42 is literal", expected: `{"cursor": {"id": 42}}`, actual: `{"cursor": {"id": 7}}`, at: Root, want: mismatch, path: "cursor.id"},
	})
}

func TestMessages(t *testing.T) {
	for _, c := range []struct {
		name             string
		matcher          *Matcher
		expected, actual string
		at               Position
		message          string
	}{
		{"type and value", Exact(), `{"command": {"cursor": {"batchSize": 2}}}`, `{"command": {"cursor": {"batchSize": {"$numberLong": "3"}}}}`, Root,
			"command.cursor.batchSize: expected int32 2, got int64 3"},
		{"missing", unified(), `{"documents": [{"x": 1}]}`, `{"documents": [{}]}`, Root,
			"documents.0.x: expected int32 1, got missing"},
		{"unexpected key", unified(), `{"a": {"b": 1}}`, `{"a": {"b": 1, "c": "z"}}`, Root,
			`a.c: expected missing, got string "z": unexpected key in a nested document`},
		{"operator", unified(), `{"getMore": {"$$type": ["int", "long"]}}`, `{"getMore": "x"}`, Root,
			`getMore: expected {"$$type":["int","long"]}, got string "x"`},
		{"unknown operator", unified(), `{"a": {"$$foo": 1}}`, `{"a": 1}`, Root,
			`a: invalid expectation {"$$foo":1}: unknown operator "$$foo"`},
		{"value itself", unified(), `1`, `2`, Nested, "expected int32 1, got int32 2"},
		{"extra key at an exact root", Exact(), `{"_id": 1}`, `{"_id": 1, "x": 11}`, Root, "x: expected missing, got int32 11: unexpected key"},
		{"upsertedCount counts as 0", Legacy(), `{"upsertedCount": 1}`, `{}`, Root, "upsertedCount: expected int32 1, got missing: a missing key counts as int32 0"},
		{"cursor id bound", Legacy(), `{"cursors": [42, 42]}`, `{"cursors": [{"$numberLong": "7"}, {"$numberLong": "8"}]}`, Root,
			"cursors.1: expected int32 42, got int64 8: placeholder 42 stands for cursor id 7 in this test"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.matcher.Match(value(c.expected), value(c.actual), c.at)
			if err == nil {
				t.Fatal("matched")
			}
			if got := err.Error(); got != c.message {
				t.Errorf("message\n got: %s\nwant: %s", got, c.message)
			}
		})
	}
}

// TestLongValuesAreCut: a value is described in at most 200 bytes, cut at a character.
func TestLongValuesAreCut(t *testing.T) {
	for _, tc := range []struct{ name, long, want string }{
		// `string "` is 8 bytes: the 97th é would end at byte 202
		{"at a character's start", strings.Repeat("é", 300), `expected string "` + strings.Repeat("é", 96) + "…, got int32 1"},
		{"inside a character", "x" + strings.Repeat("é", 300), `expected string "x` + strings.Repeat("é", 95) + "…, got int32 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := Unified(nil).Match(value(`"`+tc.long+`"`), value(`1`), Nested).Error()
			if msg != tc.want || !utf8.ValidString(msg) {
				t.Errorf("message not cut to size:\n got: %s\nwant: %s", msg, tc.want)
			}
		})
	}
}

func TestMismatchFields(t *testing.T) {
	err := Unified(nil).Match(value(`{"a": [1, {"b": 2}]}`), value(`{"a": [1, {"b": {"$numberLong": "3"}}]}`), Root)
	m, ok := err.(*Mismatch)
	if !ok {
		t.Fatalf("got %T %v", err, err)
	}
	if m.Path != "a.1.b" || m.Expected.Type != bson.TypeInt32 || m.Actual.Type != bson.TypeInt64 || m.Reason != "" {
		t.Errorf("got %+v", m)
	}
}

func TestLegacyPlaceholderBindingSurvivesOnlySuccess(t *testing.T) {
	m := Legacy()
	// The first event fails elsewhere: its cursor id must not be bound.
	if err := m.Match(value(`{"cursor": {"id": 42, "ns": "a"}}`), value(`{"cursor": {"id": 5, "ns": "b"}}`), Root); err == nil {
		t.Fatal("matched")
	}
	if err := m.Match(value(`{"getMore": 42}`), value(`{"getMore": {"$numberLong": "6"}}`), Root); err != nil {
		t.Fatal(err)
	}
}

func TestInvalidInputs(t *testing.T) {
	if _, ok := Unified(nil).Match(bson.RawValue{}, value(`1`), Root).(*InvalidExpectation); !ok {
		t.Error("absent expected value must be an invalid expectation")
	}
	garbage := bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: []byte{9, 0, 0, 0, 0x10, 'a', 0, 1, 0}}
	if _, ok := Unified(nil).Match(value(`{"a": 1}`), garbage, Root).(*Mismatch); !ok {
		t.Error("malformed actual document must be a mismatch")
	}
	if _, ok := Unified(nil).Match(garbage, value(`{"a": 1}`), Root).(*InvalidExpectation); !ok {
		t.Error("malformed expected document must be an invalid expectation")
	}
	if err := Unified(nil).Match(Doc(value(`{"a": 1}`).Document()), Doc(nil), Root); err == nil {
		t.Error("Doc(nil) must be absent")
	}
}
