package matchers

import (
	"testing"
)

func TestLegacy(t *testing.T) {
	runCases(t, Legacy, []matchCase{
		{name: "top-level extra keys allowed", expected: `{"distinct": "collection", "key": "key"}`,
			actual: `{"distinct": "collection", "key": "key", "lsid": {"id": 1}, "$clusterTime": {}}`, at: Root},
		// The README's example: a sub-document with an unexpected field fails.
		{name: "sub-document extra keys fail", expected: `{"distinct": "collection", "key": "key", "readConcern": {"level": "majority"}}`,
			actual: `{"distinct": "collection", "key": "key", "readConcern": {"afterClusterTime": {"$timestamp": {"t": 1522336030, "i": 1}}, "level": "majority"}}`, at: Root,
			want: mismatch, path: "readConcern.afterClusterTime"},
		{name: "ok 1 vs 1.0", expected: `{"ok": 1.0}`, actual: `{"ok": 1}`, at: Root},
		{name: "numbers compare by value", expected: `{"batchSize": {"$numberLong": "3"}}`, actual: `{"batchSize": 3}`, at: Root},
		{name: "1 vs 1.5", expected: `{"n": 1}`, actual: `{"n": 1.5}`, at: Root, want: mismatch, path: "n"},
		{name: "decimal128 vs int32", expected: `{"n": {"$numberDecimal": "1"}}`, actual: `{"n": 1}`, at: Root, want: mismatch, path: "n"},
		{name: "operators are literal", expected: `{"x": {"$$exists": false}}`, actual: `{}`, at: Root, want: mismatch, path: "x"},
		{name: "arrays keep their length", expected: `{"documents": [{"_id": 1}]}`, actual: `{"documents": [{"_id": 1}, {"_id": 2}]}`, at: Root,
			want: mismatch, path: "documents"},

		// Cursor id placeholders, one per match (see TestLegacyCursorIDAcrossEvents for several).
		{name: "cursor.id 42", expected: `{"ok": 1, "cursor": {"id": {"$numberLong": "42"}, "ns": "db.test", "firstBatch": []}}`,
			actual: `{"ok": 1.0, "cursor": {"id": {"$numberLong": "123456789"}, "ns": "db.test", "firstBatch": []}}`, at: Root},
		{name: "cursor.id 42 as a string", expected: `{"cursor": {"id": "42"}}`, actual: `{"cursor": {"id": {"$numberLong": "7"}}}`, at: Root},
		{name: "cursor.id 42 vs 0", expected: `{"cursor": {"id": 42}}`, actual: `{"cursor": {"id": {"$numberLong": "0"}}}`, at: Root,
			want: mismatch, path: "cursor.id", message: "greater than zero"},
		{name: "cursor.id 42 vs missing", expected: `{"cursor": {"id": 42}}`, actual: `{"cursor": {}}`, at: Root, want: mismatch, path: "cursor.id"},
		{name: "cursor.id 42 vs a string", expected: `{"cursor": {"id": 42}}`, actual: `{"cursor": {"id": "7"}}`, at: Root, want: mismatch, path: "cursor.id"},
		{name: "cursor.id 0 is literal", expected: `{"cursor": {"id": {"$numberLong": "0"}}}`, actual: `{"cursor": {"id": {"$numberLong": "5"}}}`, at: Root,
			want: mismatch, path: "cursor.id"},
		{name: "getMore 42", expected: `{"getMore": {"$numberLong": "42"}, "collection": "test"}`, actual: `{"getMore": {"$numberLong": "99"}, "collection": "test"}`, at: Root},
		{name: "killCursors cursors", expected: `{"killCursors": "test", "cursors": [{"$numberLong": "42"}]}`, actual: `{"killCursors": "test", "cursors": [{"$numberLong": "99"}]}`, at: Root},
		{name: "killCursors reply", expected: `{"ok": 1, "cursorsUnknown": [{"$numberLong": "42"}]}`, actual: `{"ok": 1.0, "cursorsUnknown": [{"$numberLong": "99"}], "cursorsKilled": []}`, at: Root},
		{name: "killCursors reply, cursorsKilled", expected: `{"cursorsKilled": [42]}`, actual: `{"cursorsKilled": [{"$numberLong": "99"}]}`, at: Root},
		{name: "two placeholders, two ids", expected: `{"cursors": [42, 42]}`, actual: `{"cursors": [{"$numberLong": "1"}, {"$numberLong": "2"}]}`, at: Root,
			want: mismatch, path: "cursors.1", message: "placeholder 42 stands for cursor id 1 in this test"},
		{name: "cursors array length still counts", expected: `{"cursors": [42]}`, actual: `{"cursors": []}`, at: Root, want: mismatch, path: "cursors"},
		{name: "42 elsewhere is literal", expected: `{"find": "test", "filter": {"x": 42}}`, actual: `{"find": "test", "filter": {"x": 7}}`, at: Root,
			want: mismatch, path: "filter.x"},
		{name: "limit 42 is literal", expected: `{"limit": 42}`, actual: `{"limit": 7}`, at: Root, want: mismatch, path: "limit"},
		{name: "42 in documents is literal", expected: `{"documents": [{"x": 42}]}`, actual: `{"documents": [{"x": 7}]}`, at: Root, want: mismatch, path: "documents.0.x"},
		{name: "getMore inside a sub-document is literal", expected: `{"filter": {"getMore": 42}}`, actual: `{"filter": {"getMore": 7}}`, at: Root, want: mismatch, path: "filter.getMore"},
		{name: "placeholders need a root-level document", expected: `{"getMore": 42}`, actual: `{"getMore": 7}`, at: Nested, want: mismatch, path: "getMore"},

		// Write errors.
		{name: "write error code 42", expected: `{"ok": 1, "n": 0, "writeErrors": [{"index": 0, "code": 42, "errmsg": ""}]}`,
			actual: `{"ok": 1, "n": 0, "writeErrors": [{"index": 0, "code": 2, "errmsg": "unknown operator: $nothing"}]}`, at: Root},
		{name: "write error code 42 vs 0", expected: `{"writeErrors": [{"index": 0, "code": 42}]}`, actual: `{"writeErrors": [{"index": 0, "code": 0}]}`, at: Root,
			want: mismatch, path: "writeErrors.0.code"},
		{name: "write error code 42 vs missing", expected: `{"writeErrors": [{"index": 0, "code": 42}]}`, actual: `{"writeErrors": [{"index": 0}]}`, at: Root,
			want: mismatch, path: "writeErrors.0.code"},
		{name: "write error code other than 42 is literal", expected: `{"writeErrors": [{"code": 11000}]}`, actual: `{"writeErrors": [{"code": 2}]}`, at: Root,
			want: mismatch, path: "writeErrors.0.code"},
		{name: "write error code \"42\" is literal", expected: `{"writeErrors": [{"code": "42"}]}`, actual: `{"writeErrors": [{"code": 2}]}`, at: Root,
			want: mismatch, path: "writeErrors.0.code"},
		{name: "errmsg empty vs empty", expected: `{"writeErrors": [{"errmsg": ""}]}`, actual: `{"writeErrors": [{"errmsg": ""}]}`, at: Root,
			want: mismatch, path: "writeErrors.0.errmsg"},
		{name: "errmsg of one character", expected: `{"writeErrors": [{"errmsg": ""}]}`, actual: `{"writeErrors": [{"errmsg": "x"}]}`, at: Root},
		{name: "errmsg empty vs missing", expected: `{"writeErrors": [{"errmsg": ""}]}`, actual: `{"writeErrors": [{}]}`, at: Root,
			want: mismatch, path: "writeErrors.0.errmsg"},
		{name: "write error elements allow no extra keys", expected: `{"writeErrors": [{"index": 0, "code": 42, "errmsg": ""}]}`,
			actual: `{"writeErrors": [{"index": 0, "code": 11000, "errmsg": "dup", "keyValue": {"_id": 1}}]}`, at: Root,
			want: mismatch, path: "writeErrors.0.keyValue"},
		{name: "errmsg outside writeErrors is literal", expected: `{"errmsg": ""}`, actual: `{"errmsg": "x"}`, at: Root, want: mismatch, path: "errmsg"},
		{name: "code 42 outside writeErrors is literal", expected: `{"code": 42}`, actual: `{"code": 2}`, at: Root, want: mismatch, path: "code"},

		// CRUD v1 results.
		{name: "insertedId not reported", expected: `{"insertedId": 2}`, actual: `{}`, at: Root},
		{name: "insertedId reported and different", expected: `{"insertedId": 2}`, actual: `{"insertedId": 3}`, at: Root, want: mismatch, path: "insertedId"},
		{name: "insertedIds not reported", expected: `{"insertedIds": {"0": 2, "1": 3}}`, actual: `{}`, at: Root},
		{name: "insertedIds reported and different", expected: `{"insertedIds": {"0": 2, "1": 3}}`, actual: `{"insertedIds": {"0": 2}}`, at: Root,
			want: mismatch, path: "insertedIds.1"},
		{name: "insertedIds reported though not expected", expected: `{"insertedCount": 2}`, actual: `{"insertedCount": 2, "insertedIds": {"0": 1}}`, at: Root},
		{name: "upsertedCount missing counts as 0", expected: `{"matchedCount": 1, "modifiedCount": 1, "upsertedCount": 0}`, actual: `{"matchedCount": 1, "modifiedCount": 1}`, at: Root},
		{name: "upsertedCount missing is not 1", expected: `{"upsertedCount": 1, "upsertedId": 4}`, actual: `{"upsertedId": 4}`, at: Root,
			want: mismatch, path: "upsertedCount", message: "upsertedCount: expected int32 1, got missing: a missing key counts as int32 0"},
		{name: "upsertedCount reported", expected: `{"upsertedCount": 0}`, actual: `{"upsertedCount": {"$numberLong": "0"}}`, at: Root},
		{name: "other result fields are required", expected: `{"deletedCount": 0}`, actual: `{}`, at: Root, want: mismatch, path: "deletedCount"},
		{name: "optional fields only at the root", expected: `{"a": {"insertedId": 2}}`, actual: `{"a": {}}`, at: Root, want: mismatch, path: "a.insertedId"},
	})
}

// TestLegacyCursorIDAcrossEvents replays the events of the legacy find test
// "A successful find event with a getmore and killcursors" on one matcher.
func TestLegacyCursorIDAcrossEvents(t *testing.T) {
	events := []struct{ expected, actual string }{
		{`{"find": "test", "batchSize": {"$numberLong": "3"}}`, `{"find": "test", "batchSize": 3, "lsid": {}}`},
		{`{"ok": 1, "cursor": {"id": {"$numberLong": "42"}, "ns": "db.test", "firstBatch": [{"_id": 1, "x": 11}]}}`,
			`{"ok": 1.0, "cursor": {"id": {"$numberLong": "5907411331442567049"}, "ns": "db.test", "firstBatch": [{"_id": 1, "x": 11}]}}`},
		{`{"getMore": {"$numberLong": "42"}, "collection": "test"}`, `{"getMore": {"$numberLong": "5907411331442567049"}, "collection": "test"}`},
		{`{"ok": 1, "cursor": {"id": {"$numberLong": "42"}, "ns": "db.test", "nextBatch": [{"_id": 4, "x": 44}]}}`,
			`{"ok": 1.0, "cursor": {"id": {"$numberLong": "5907411331442567049"}, "ns": "db.test", "nextBatch": [{"_id": 4, "x": 44}]}}`},
		{`{"killCursors": "test", "cursors": [{"$numberLong": "42"}]}`, `{"killCursors": "test", "cursors": [{"$numberLong": "5907411331442567049"}]}`},
		{`{"ok": 1, "cursorsUnknown": [{"$numberLong": "42"}]}`, `{"ok": 1.0, "cursorsUnknown": [{"$numberLong": "5907411331442567049"}]}`},
	}
	m := Legacy()
	for i, e := range events {
		if err := m.Match(value(e.expected), value(e.actual), Root); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
	// The same placeholder bound to a different id must fail, wherever it is.
	for _, other := range []matchCase{
		{expected: `{"getMore": 42}`, actual: `{"getMore": {"$numberLong": "5907411331442567050"}}`, at: Root, want: mismatch, path: "getMore"},
		{expected: `{"cursors": [42]}`, actual: `{"cursors": [{"$numberLong": "1"}]}`, at: Root, want: mismatch, path: "cursors.0"},
		{expected: `{"cursorsUnknown": ["42"]}`, actual: `{"cursorsUnknown": [{"$numberLong": "1"}]}`, at: Root, want: mismatch, path: "cursorsUnknown.0"},
	} {
		other.check(t, m)
	}
	// A new test starts with a new matcher.
	matchCase{expected: `{"getMore": 42}`, actual: `{"getMore": {"$numberLong": "1"}}`, at: Root}.check(t, Legacy())
}

// TestLegacyTransactions: the profile of the legacy transactions-style format is the
// unified one (the translation writes its placeholders as operators) with the CRUD v1
// result rules, and none of command monitoring's placeholders.
func TestLegacyTransactions(t *testing.T) {
	runCases(t, func() *Matcher { return LegacyTransactions(testEntities) }, []matchCase{
		{name: "insertedId not reported", expected: `{"insertedId": 2}`, actual: `{}`, at: Root},
		{name: "insertedId reported and different", expected: `{"insertedId": 2}`, actual: `{"insertedId": 3}`, at: Root, want: mismatch, path: "insertedId"},
		{name: "insertedIds not reported", expected: `{"insertedIds": {"0": 1}}`, actual: `{"insertedCount": 1}`, at: Root},
		{name: "upsertedCount missing counts as 0", expected: `{"matchedCount": 1, "upsertedCount": 0}`, actual: `{"matchedCount": 1}`, at: Root},
		{name: "upsertedCount missing is not 1", expected: `{"upsertedCount": 1}`, actual: `{}`, at: Root, want: mismatch, path: "upsertedCount"},
		{name: "other result fields are required", expected: `{"deletedCount": 1}`, actual: `{}`, at: Root, want: mismatch, path: "deletedCount"},
		{name: "runCommand reply: only the expected fields", expected: `{"ok": 1}`, actual: `{"ok": 1.0, "operationTime": {"$timestamp": {"t": 1, "i": 1}}}`, at: Root},
		{name: "documents of a find are root-level", expected: `[{"_id": 1}]`, actual: `[{"_id": 1, "x": 1}]`, at: RootElements},
		{name: "a scalar result", expected: `15`, actual: `{"$numberLong": "15"}`, at: Nested},
		{name: "a null result", expected: `null`, actual: `null`, at: Nested},
		{name: "$$sessionLsid", expected: `{"lsid": {"$$sessionLsid": "session0"}}`,
			actual: `{"lsid": {"id": {"$binary": {"base64": "RaigP3oASqu+galPvRAfcg==", "subType": "04"}}}}`, at: Root},
		{name: "$$exists false", expected: `{"writeConcern": {"$$exists": false}}`, actual: `{"writeConcern": {}}`, at: Root, want: mismatch, path: "writeConcern"},
		{name: "$$type in outcome documents", expected: `[{"x": {"$$type": "binData"}}]`, actual: `[{"x": 1}]`, at: Nested, want: mismatch, path: "0.x"},
		{name: "no cursor id placeholder", expected: `{"cursor": {"id": 42}}`, actual: `{"cursor": {"id": {"$numberLong": "7"}}}`, at: Root, want: mismatch, path: "cursor.id"},
		{name: "no write error placeholders", expected: `{"writeErrors": [{"code": 42}]}`, actual: `{"writeErrors": [{"code": 2}]}`, at: Root, want: mismatch, path: "writeErrors.0.code"},
		{name: "outcome documents are exact", expected: `[{"_id": 1}]`, actual: `[{"_id": 1, "x": 1}]`, at: Nested, want: mismatch, path: "0.x"},
	})
}
