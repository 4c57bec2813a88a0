package matchers

import (
	"errors"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The change-streams README's MATCH: expected is a subset of actual at every depth,
// 42 or "42" is any value that exists, otherwise same JSON type and value.
func TestLegacyChangeStreams(t *testing.T) {
	for _, at := range []Position{Root, Nested} {
		runCases(t, LegacyChangeStreams, []matchCase{
			{name: "extra keys at the top", expected: `{"operationType": "insert"}`, actual: `{"operationType": "insert", "clusterTime": {"$timestamp": {"t": 1, "i": 1}}}`, at: at},
			{name: "extra keys below the top", expected: `{"ns": {"db": "d"}}`, actual: `{"ns": {"db": "d", "coll": "c"}}`, at: at},
			{name: "$changeStream {} takes any options", expected: `{"pipeline": [{"$changeStream": {}}]}`, actual: `{"pipeline": [{"$changeStream": {"fullDocument": "default"}}]}`, at: at},
			{name: "missing key", expected: `{"ns": {"coll": "c"}}`, actual: `{"ns": {"db": "d"}}`, at: at, want: mismatch, path: "ns.coll"},
			{name: "array with more elements", expected: `{"pipeline": [{"$changeStream": {}}]}`, actual: `{"pipeline": [{"$changeStream": {}}, {"$match": {}}]}`, at: at},
			{name: "array with fewer elements", expected: `{"pipeline": [{"$changeStream": {}}, {"$match": {}}]}`, actual: `{"pipeline": [{"$changeStream": {}}]}`, at: at,
				want: mismatch, path: "pipeline"},
			{name: "array elements in order", expected: `{"a": [1, 2]}`, actual: `{"a": [2, 1]}`, at: at, want: mismatch, path: "a.0"},
			{name: "42 is any value", expected: `{"getMore": 42}`, actual: `{"getMore": {"$numberLong": "7"}}`, at: at},
			{name: "\"42\" is any value", expected: `{"_id": "42"}`, actual: `{"_id": {"_data": "8263"}}`, at: at},
			{name: "42 anywhere", expected: `{"a": {"b": [42]}}`, actual: `{"a": {"b": ["x"]}}`, at: at},
			{name: "42 as a long", expected: `{"a": {"$numberLong": "42"}}`, actual: `{"a": true}`, at: at},
			{name: "42 needs a value", expected: `{"documentKey": "42"}`, actual: `{}`, at: at, want: mismatch, path: "documentKey", message: "exists and is not null"},
			{name: "42 is not null", expected: `{"documentKey": 42}`, actual: `{"documentKey": null}`, at: at, want: mismatch, path: "documentKey"},
			{name: "43 is literal", expected: `{"a": 43}`, actual: `{"a": 7}`, at: at, want: mismatch, path: "a"},
			{name: "numbers by value", expected: `{"x": {"$numberInt": "1"}}`, actual: `{"x": {"$numberLong": "1"}}`, at: at},
			{name: "number vs string", expected: `{"x": 1}`, actual: `{"x": "1"}`, at: at, want: mismatch, path: "x"},
			{name: "document vs array", expected: `{"x": {}}`, actual: `{"x": []}`, at: at, want: mismatch, path: "x"},
			{name: "string value", expected: `{"operationType": "insert"}`, actual: `{"operationType": "update"}`, at: at, want: mismatch, path: "operationType"},
			{name: "null is null", expected: `{"x": null}`, actual: `{"x": null}`, at: at},
			{name: "operators are literal", expected: `{"x": {"$$exists": true}}`, actual: `{"x": 1}`, at: at, want: mismatch, path: "x"},
			{name: "cursor placeholders of command monitoring do not apply", expected: `{"cursor": {"id": 0}}`, actual: `{"cursor": {"id": 5}}`, at: at, want: mismatch, path: "cursor.id"},
		})
	}
}

// The GridFS README: the same documents, "*actual" any value there is, "*result" the
// operation's result.
func TestLegacyGridFS(t *testing.T) {
	result := func() (bson.RawValue, error) { return value(`{"$oid": "000000000000000000000007"}`), nil }
	gridfs := func() *Matcher { return LegacyGridFS(result) }
	runCases(t, gridfs, []matchCase{
		{name: "same document", expected: `{"_id": 1, "n": 0, "data": {"$binary": {"base64": "ESI=", "subType": "00"}}}`,
			actual: `{"n": 0, "_id": 1, "data": {"$binary": {"base64": "ESI=", "subType": "00"}}}`},
		{name: "extra key", expected: `{"_id": 1}`, actual: `{"_id": 1, "metadata": null}`, want: mismatch, path: "metadata"},
		{name: "extra key at Root too", expected: `{"_id": 1}`, actual: `{"_id": 1, "md5": "x"}`, at: Root, want: mismatch, path: "md5"},
		{name: "missing key", expected: `{"_id": 1, "md5": "x"}`, actual: `{"_id": 1}`, want: mismatch, path: "md5"},
		{name: "length int32 vs int64", expected: `{"length": 1}`, actual: `{"length": {"$numberLong": "1"}}`},
		{name: "other bytes", expected: `{"data": {"$binary": {"base64": "ESI=", "subType": "00"}}}`, actual: `{"data": {"$binary": {"base64": "ESM=", "subType": "00"}}}`,
			want: mismatch, path: "data"},
		{name: "*actual takes any value", expected: `{"uploadDate": "*actual"}`, actual: `{"uploadDate": {"$date": "2024-01-01T00:00:00Z"}}`},
		{name: "*actual needs a value", expected: `{"uploadDate": "*actual"}`, actual: `{}`, want: mismatch, path: "uploadDate", message: "has none"},
		{name: "*result is the result", expected: `{"_id": "*result"}`, actual: `{"_id": {"$oid": "000000000000000000000007"}}`},
		{name: "*result is no other value", expected: `{"files_id": "*result"}`, actual: `{"files_id": {"$oid": "000000000000000000000008"}}`,
			want: mismatch, path: "files_id", message: `placeholder "*result" stands for the operation's result`},
		{name: "*result is not its string", expected: `{"_id": "*result"}`, actual: `{"_id": "*result"}`, want: mismatch, path: "_id"},
		{name: "other strings are literal", expected: `{"filename": "*other"}`, actual: `{"filename": "x"}`, want: mismatch, path: "filename"},
		{name: "42 is literal", expected: `{"n": 42}`, actual: `{"n": 1}`, want: mismatch, path: "n"},
		{name: "array length", expected: `{"aliases": []}`, actual: `{"aliases": ["a"]}`, want: mismatch, path: "aliases"},
	})
	noResult := LegacyGridFS(func() (bson.RawValue, error) { return bson.RawValue{}, errors.New("no entity result") })
	matchCase{expected: `{"_id": "*result"}`, actual: `{"_id": 1}`, want: invalid, path: "_id"}.check(t, noResult)
}

func TestMatchUnordered(t *testing.T) {
	docs := func(list ...string) []bson.Raw {
		out := []bson.Raw{}
		for _, d := range list {
			out = append(out, value(d).Document())
		}
		return out
	}
	result := func() (bson.RawValue, error) { return value(`7`), nil }
	cases := []struct {
		name             string
		expected, actual []bson.Raw
		want             verdict
		path             string
	}{
		{"same order", docs(`{"_id": 1}`, `{"_id": 2}`), docs(`{"_id": 1}`, `{"_id": 2}`), pass, ""},
		{"other order", docs(`{"_id": 2}`, `{"_id": 1}`), docs(`{"_id": 1}`, `{"_id": 2}`), pass, ""},
		{"both empty", docs(), docs(), pass, ""},
		{"one more", docs(`{"_id": 1}`), docs(`{"_id": 1}`, `{"_id": 2}`), mismatch, ""},
		{"one fewer", docs(`{"_id": 1}`, `{"_id": 2}`), docs(`{"_id": 1}`), mismatch, ""},
		{"no match for the second", docs(`{"_id": 1}`, `{"_id": 3}`), docs(`{"_id": 1}`, `{"_id": 2}`), mismatch, "1"},
		{"one actual for two expected", docs(`{"_id": 1}`, `{"_id": 1}`), docs(`{"_id": 1}`, `{"_id": 2}`), mismatch, "1"},
		// the placeholder document must not take the one the literal needs
		{"placeholder yields to a literal", docs(`{"_id": "*actual", "n": 0}`, `{"_id": 5, "n": 0}`),
			docs(`{"_id": 5, "n": 0}`, `{"_id": 6, "n": 0}`), pass, ""},
		{"placeholders by n", docs(`{"_id": "*actual", "files_id": "*result", "n": 1}`, `{"_id": "*actual", "files_id": "*result", "n": 0}`),
			docs(`{"_id": 5, "files_id": 7, "n": 0}`, `{"_id": 6, "files_id": 7, "n": 1}`), pass, ""},
		{"placeholders by n, one wrong", docs(`{"_id": "*actual", "files_id": "*result", "n": 1}`, `{"_id": "*actual", "files_id": "*result", "n": 0}`),
			docs(`{"_id": 5, "files_id": 7, "n": 0}`, `{"_id": 6, "files_id": 8, "n": 1}`), mismatch, "0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := LegacyGridFS(result).MatchUnordered(c.expected, c.actual)
			got, path := verdictOf(err)
			if got != c.want || path != c.path {
				t.Errorf("got %v at %q (%v), want %v at %q", got, path, err, c.want, c.path)
			}
		})
	}
	// an expectation that cannot be evaluated is reported as such, not as a mismatch
	bad := LegacyGridFS(func() (bson.RawValue, error) { return bson.RawValue{}, errors.New("none") })
	if got, _ := verdictOf(bad.MatchUnordered(docs(`{"_id": "*result"}`), docs(`{"_id": 1}`))); got != invalid {
		t.Errorf("got %v, want invalid", got)
	}
}
