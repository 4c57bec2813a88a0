package matchers

import (
	"testing"
)

func TestExists(t *testing.T) {
	runCases(t, unified, []matchCase{
		{name: "true, present", expected: `{"x": {"$$exists": true}}`, actual: `{"x": 1}`, at: Root},
		{name: "true, present as null", expected: `{"x": {"$$exists": true}}`, actual: `{"x": null}`, at: Root},
		{name: "true, missing", expected: `{"x": {"$$exists": true}}`, actual: `{}`, at: Root, want: mismatch, path: "x",
			message: `x: expected {"$$exists":true}, got missing`},
		{name: "false, missing", expected: `{"x": {"$$exists": false}}`, actual: `{}`, at: Root},
		{name: "false, present as null", expected: `{"x": {"$$exists": false}}`, actual: `{"x": null}`, at: Root, want: mismatch, path: "x",
			message: `x: expected {"$$exists":false}, got null`},
		{name: "false, present", expected: `{"x": {"$$exists": false}}`, actual: `{"x": 1}`, at: Root, want: mismatch, path: "x"},
		{name: "false is not required in a nested document", expected: `{"a": {"x": 1, "y": {"$$exists": false}}}`, actual: `{"a": {"x": 1}}`, at: Root},
		{name: "false still fails when nested key present", expected: `{"a": {"x": 1, "y": {"$$exists": false}}}`, actual: `{"a": {"x": 1, "y": 2}}`, at: Root,
			want: mismatch, path: "a.y"},
		{name: "true counts as an expected key when nested", expected: `{"a": {"y": {"$$exists": true}}}`, actual: `{"a": {"y": 2}}`, at: Root},
		{name: "argument must be a boolean", expected: `{"x": {"$$exists": 1}}`, actual: `{"x": 1}`, at: Root, want: invalid, path: "x"},
		{name: "not an array element", expected: `[{"$$exists": true}]`, actual: `[1]`, want: invalid, path: "0"},
	})
}

func TestUnsetOrMatches(t *testing.T) {
	runCases(t, unified, []matchCase{
		{name: "key missing", expected: `{"insertedId": {"$$unsetOrMatches": 2}}`, actual: `{}`, at: Root},
		{name: "key matches", expected: `{"insertedId": {"$$unsetOrMatches": 2}}`, actual: `{"insertedId": 2.0}`, at: Root},
		{name: "key differs", expected: `{"insertedId": {"$$unsetOrMatches": 2}}`, actual: `{"insertedId": 3}`, at: Root,
			want: mismatch, path: "insertedId", message: "insertedId: expected int32 2, got int32 3"},
		{name: "present as null does not match", expected: `{"x": {"$$unsetOrMatches": 2}}`, actual: `{"x": null}`, at: Root, want: mismatch, path: "x"},
		{name: "not required in a nested document", expected: `{"a": {"x": 1, "y": {"$$unsetOrMatches": 1}}}`, actual: `{"a": {"x": 1}}`, at: Root},
		{name: "whole result missing", expected: `{"$$unsetOrMatches": {"deletedCount": 0, "upsertedIds": {}}}`, actual: missing, at: Root},
		{name: "whole result present stays root", expected: `{"$$unsetOrMatches": {"deletedCount": 0}}`, actual: `{"deletedCount": 0, "insertedCount": 2}`, at: Root},
		{name: "whole result present stays nested", expected: `{"$$unsetOrMatches": {"deletedCount": 0}}`, actual: `{"deletedCount": 0, "insertedCount": 2}`, at: Nested,
			want: mismatch, path: "insertedCount"},
		{name: "inner operators apply", expected: `{"x": {"$$unsetOrMatches": {"$$type": "int"}}}`, actual: `{"x": "s"}`, at: Root, want: mismatch, path: "x"},
		{name: "not an array element", expected: `[{"$$unsetOrMatches": 1}]`, actual: `[1]`, want: invalid, path: "0"},
		{name: "inside a document inside an array", expected: `[{"x": {"$$unsetOrMatches": 1}}]`, actual: `[{}]`},
	})
}

// typeSamples has one value of each BSON type, named by its $type alias.
var typeSamples = map[string]string{
	"double":              `1.5`,
	"string":              `"a"`,
	"object":              `{"a": 1}`,
	"array":               `[1]`,
	"binData":             `{"$binary": {"base64": "AQ==", "subType": "00"}}`,
	"undefined":           `{"$undefined": true}`,
	"objectId":            `{"$oid": "57e193d7a9cc81b4027498b5"}`,
	"bool":                `true`,
	"date":                `{"$date": {"$numberLong": "0"}}`,
	"null":                `null`,
	"regex":               `{"$regularExpression": {"pattern": "a", "options": ""}}`,
	"dbPointer":           `{"$dbPointer": {"$ref": "c", "$id": {"$oid": "57e193d7a9cc81b4027498b5"}}}`,
	"javascript":          `{"$code": "f"}`,
	"symbol":              `{"$symbol": "s"}`,
	"javascriptWithScope": `{"$code": "f", "$scope": {}}`,
	"int":                 `1`,
	"timestamp":           `{"$timestamp": {"t": 1, "i": 1}}`,
	"long":                `{"$numberLong": "1"}`,
	"decimal":             `{"$numberDecimal": "1"}`,
	"minKey":              `{"$minKey": 1}`,
	"maxKey":              `{"$maxKey": 1}`,
}

// TestTypeAliases matches every alias against a value of every type.
func TestTypeAliases(t *testing.T) {
	numbers := map[string]bool{"double": true, "int": true, "long": true, "decimal": true}
	aliases := []string{"number"}
	for alias := range typeSamples {
		aliases = append(aliases, alias)
	}
	for _, alias := range aliases {
		for sampleType, sample := range typeSamples {
			want, path := mismatch, "x"
			if alias == sampleType || (alias == "number" && numbers[sampleType]) {
				want, path = pass, ""
			}
			t.Run(alias+"/"+sampleType, func(t *testing.T) {
				matchCase{expected: `{"x": {"$$type": "` + alias + `"}}`, actual: `{"x": ` + sample + `}`, at: Root, want: want, path: path}.check(t, unified())
			})
		}
	}
}

func TestType(t *testing.T) {
	runCases(t, unified, []matchCase{
		{name: "array of aliases, first", expected: `{"$$type": ["int", "long"]}`, actual: `1`},
		{name: "array of aliases, second", expected: `{"$$type": ["int", "long"]}`, actual: `{"$numberLong": "1"}`},
		{name: "array of aliases, none", expected: `{"$$type": ["int", "long"]}`, actual: `1.0`, want: mismatch},
		{name: "missing value", expected: `{"x": {"$$type": "null"}}`, actual: `{}`, at: Root, want: mismatch, path: "x"},
		{name: "array elements are not examined", expected: `{"$$type": "int"}`, actual: `[1, 2]`, want: mismatch},
		{name: "as an array element", expected: `[{"$$type": "int"}, 2]`, actual: `[1, 2]`},
		{name: "unknown alias", expected: `{"$$type": "integer"}`, actual: `1`, want: invalid},
		{name: "unknown alias after a matching one", expected: `{"$$type": ["int", "integer"]}`, actual: `1`, want: invalid},
		{name: "numeric type code", expected: `{"$$type": 16}`, actual: `1`, want: invalid},
		{name: "empty array", expected: `{"$$type": []}`, actual: `1`, want: invalid},
		{name: "array of non-strings", expected: `{"$$type": [1]}`, actual: `1`, want: invalid},
	})
}

func TestUnknownOperators(t *testing.T) {
	runCases(t, unified, []matchCase{
		{name: "unknown operator", expected: `{"x": {"$$foo": 1}}`, actual: `{"x": 1}`, at: Root, want: invalid, path: "x"},
		{name: "unknown operator on a missing key", expected: `{"x": {"$$foo": 1}}`, actual: `{}`, at: Root, want: invalid, path: "x"},
		{name: "placeholder is not a matching operator", expected: `{"$$placeholder": 1}`, actual: `1`, want: invalid},
		{name: "a $$ key beside others is a plain key", expected: `{"$$type": "int", "y": 1}`, actual: `{"$$type": "int", "y": 1}`},
		{name: "a $$ key that is not first is a plain key", expected: `{"y": 1, "$$type": "int"}`, actual: `{"y": 1, "$$type": 1}`, want: mismatch, path: "$$type"},
		{name: "a single $ is not an operator", expected: `{"$gt": 1}`, actual: `{"$gt": 1}`},
	})
}

func TestMatchesEntity(t *testing.T) {
	runCases(t, unified, []matchCase{
		{name: "matches", expected: `[{"_id": {"$$matchesEntity": "objectid0"}}]`, actual: `[{"_id": {"$oid": "57e193d7a9cc81b4027498b5"}}]`, at: RootElements},
		{name: "differs", expected: `{"_id": {"$$matchesEntity": "objectid0"}}`, actual: `{"_id": {"$oid": "57e193d7a9cc81b4027498b6"}}`, at: Root,
			want: mismatch, path: "_id"},
		{name: "missing", expected: `{"_id": {"$$matchesEntity": "objectid0"}}`, actual: `{}`, at: Root, want: mismatch, path: "_id"},
		{name: "keeps root", expected: `{"$$matchesEntity": "doc0"}`, actual: `{"x": 1, "y": 2}`, at: Root},
		{name: "keeps nested", expected: `{"$$matchesEntity": "doc0"}`, actual: `{"x": 1, "y": 2}`, at: Nested, want: mismatch, path: "y"},
		{name: "undefined entity", expected: `{"$$matchesEntity": "nope"}`, actual: `1`, want: invalid},
		{name: "name must be a string", expected: `{"$$matchesEntity": 1}`, actual: `1`, want: invalid},
	})
	matchCase{expected: `{"$$matchesEntity": "doc0"}`, actual: `{"x": 1}`, want: invalid}.check(t, Unified(nil))
}

func TestSessionLsid(t *testing.T) {
	lsid := `{"id": {"$binary": {"base64": "RaigP3oASqu+galPvRAfcg==", "subType": "04"}}}`
	runCases(t, unified, []matchCase{
		{name: "equal", expected: `{"lsid": {"$$sessionLsid": "session0"}}`, actual: `{"lsid": ` + lsid + `}`, at: Root},
		{name: "other session", expected: `{"lsid": {"$$sessionLsid": "session0"}}`, actual: `{"lsid": {"id": {"$binary": {"base64": "AAAAAAAAAAAAAAAAAAAAAA==", "subType": "04"}}}}`, at: Root,
			want: mismatch, path: "lsid", message: `the lsid of session "session0" is {"id":`},
		{name: "equal means no extra keys", expected: `{"lsid": {"$$sessionLsid": "session0"}}`, actual: `{"lsid": {"id": {"$binary": {"base64": "RaigP3oASqu+galPvRAfcg==", "subType": "04"}}, "x": 1}}`, at: Root,
			want: mismatch, path: "lsid"},
		{name: "missing", expected: `{"lsid": {"$$sessionLsid": "session0"}}`, actual: `{}`, at: Root, want: mismatch, path: "lsid"},
		{name: "undefined session", expected: `{"lsid": {"$$sessionLsid": "session9"}}`, actual: `{"lsid": ` + lsid + `}`, at: Root, want: invalid, path: "lsid"},
	})
	matchCase{expected: `{"$$sessionLsid": "session0"}`, actual: lsid, want: invalid}.check(t, Unified(nil))
}

func TestMatchesHexBytes(t *testing.T) {
	runCases(t, unified, []matchCase{
		{name: "string", expected: `{"$$matchesHexBytes": "6869"}`, actual: `"hi"`},
		{name: "upper case hex", expected: `{"$$matchesHexBytes": "4A"}`, actual: `"J"`},
		{name: "empty", expected: `{"$$matchesHexBytes": ""}`, actual: `""`},
		{name: "generic binary", expected: `{"$$matchesHexBytes": "12ab"}`, actual: `{"$binary": {"base64": "Eqs=", "subType": "00"}}`},
		{name: "other bytes", expected: `{"$$matchesHexBytes": "6869"}`, actual: `"ho"`, want: mismatch},
		{name: "uuid binary", expected: `{"$$matchesHexBytes": "12ab"}`, actual: `{"$binary": {"base64": "Eqs=", "subType": "04"}}`, want: mismatch},
		{name: "not a string", expected: `{"$$matchesHexBytes": "01"}`, actual: `1`, want: mismatch},
		{name: "missing", expected: `{"$$matchesHexBytes": "01"}`, actual: missing, want: mismatch},
		{name: "odd length", expected: `{"$$matchesHexBytes": "123"}`, actual: `"a"`, want: invalid},
		{name: "not hex", expected: `{"$$matchesHexBytes": "zz"}`, actual: `"a"`, want: invalid},
		{name: "argument not a string", expected: `{"$$matchesHexBytes": 1}`, actual: `"a"`, want: invalid},
	})
}

func TestLte(t *testing.T) {
	runCases(t, unified, []matchCase{
		{name: "equal", expected: `{"$$lte": 2}`, actual: `2`},
		{name: "less", expected: `{"$$lte": 2}`, actual: `1`},
		{name: "greater", expected: `{"$$lte": 2}`, actual: `3`, want: mismatch},
		{name: "1 matches 1.0", expected: `{"$$lte": 1}`, actual: `1.0`},
		{name: "1 matches 0.0", expected: `{"$$lte": 1}`, actual: `0.0`},
		{name: "1 does not match 1.1", expected: `{"$$lte": 1}`, actual: `1.1`, want: mismatch},
		{name: "2.1 matches 2", expected: `{"$$lte": 2.1}`, actual: `2`},
		{name: "int64 limit", expected: `{"$$lte": {"$numberLong": "3"}}`, actual: `3`},
		{name: "negative fraction", expected: `{"$$lte": -1}`, actual: `-1.5`},
		{name: "int64 above 2^53 vs double limit", expected: `{"$$lte": 9007199254740992.0}`, actual: `{"$numberLong": "9007199254740993"}`, want: mismatch},
		{name: "NaN", expected: `{"$$lte": 1}`, actual: `{"$numberDouble": "NaN"}`, want: mismatch},
		{name: "decimal actual", expected: `{"$$lte": 1}`, actual: `{"$numberDecimal": "0"}`, want: mismatch},
		{name: "string actual", expected: `{"$$lte": 1}`, actual: `"0"`, want: mismatch},
		{name: "missing", expected: `{"x": {"$$lte": 1}}`, actual: `{}`, at: Root, want: mismatch, path: "x"},
		{name: "limit not a number", expected: `{"$$lte": "1"}`, actual: `0`, want: invalid},
	})
}

func TestMatchAsDocument(t *testing.T) {
	runCases(t, unified, []matchCase{
		{name: "flexible numbers", expected: `{"$$matchAsDocument": {"x": 1.0, "y": 2}}`, actual: `"{ \"x\": 1, \"y\": 2.0 }"`},
		{name: "Extended JSON", expected: `{"$$matchAsDocument": {"x": {"$$type": "objectId"}}}`, actual: `"{ \"x\": { \"$oid\": \"57e193d7a9cc81b4027498b5\" } }"`},
		{name: "not root", expected: `{"$$matchAsDocument": {"x": 1}}`, actual: `"{ \"x\": 1, \"y\": 2 }"`, want: mismatch, path: "y"},
		{name: "with matchAsRoot", expected: `{"$$matchAsDocument": {"$$matchAsRoot": {"x": 1}}}`, actual: `"{ \"x\": 1, \"y\": 2 }"`},
		{name: "at a key", expected: `{"json": {"$$matchAsDocument": {"x": 1, "y": "two"}}}`, actual: `{"json": "{ \"x\": 1, \"y\": 2 }"}`, at: Root,
			want: mismatch, path: "json.y"},
		{name: "not JSON", expected: `{"$$matchAsDocument": {}}`, actual: `"{ \"x\" }"`, want: mismatch, message: "not an Extended JSON document"},
		{name: "plain text", expected: `{"$$matchAsDocument": {}}`, actual: `"hello"`, want: mismatch},
		{name: "JSON scalar", expected: `{"$$matchAsDocument": {}}`, actual: `"1"`, want: mismatch},
		{name: "JSON array", expected: `{"$$matchAsDocument": {}}`, actual: `"[ \"foo\" ]"`, want: mismatch},
		{name: "not a string", expected: `{"$$matchAsDocument": {}}`, actual: `{}`, want: mismatch},
		{name: "missing", expected: `{"x": {"$$matchAsDocument": {}}}`, actual: `{}`, at: Root, want: mismatch, path: "x"},
	})
}

func TestMatchAsRoot(t *testing.T) {
	runCases(t, unified, []matchCase{
		{name: "extra keys allowed", expected: `{"x": {"$$matchAsRoot": {"y": 2}}}`, actual: `{"x": {"y": 2, "z": 3}}`, at: Nested},
		{name: "flexible numbers", expected: `{"x": {"$$matchAsRoot": {"y": 2.0}}}`, actual: `{"x": {"y": 2, "z": 3}}`, at: Nested},
		{name: "value differs", expected: `{"x": {"$$matchAsRoot": {"y": 3}}}`, actual: `{"x": {"y": 2, "z": 3}}`, at: Nested, want: mismatch, path: "x.y"},
		{name: "deeper documents stay nested", expected: `{"$$matchAsRoot": {"y": {"a": 1}}}`, actual: `{"y": {"a": 1, "b": 2}}`, want: mismatch, path: "y.b"},
		{name: "actual not a document", expected: `{"$$matchAsRoot": {}}`, actual: `[1]`, want: mismatch},
		{name: "actual missing", expected: `{"x": {"$$matchAsRoot": {}}}`, actual: `{}`, at: Root, want: mismatch, path: "x"},
		{name: "argument not a document", expected: `{"$$matchAsRoot": 1}`, actual: `{}`, want: invalid},
		{name: "operator argument still needs a document", expected: `{"$$matchAsRoot": {"$$exists": true}}`, actual: `1`, want: mismatch},
	})
}
