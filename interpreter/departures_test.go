package interpreter

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
	"github.com/specrun/specrun/specifications"
)

func TestDriverDepartures(t *testing.T) {
	doc := func(s string) bson.Raw {
		var d bson.Raw
		if err := bson.UnmarshalExtJSON([]byte(s), false, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	const expected = `{"find": "fs.files", "filter": {"_id": {"$oid": "000000000000000000000001"}}}`
	const collStats = `{"aggregate": "coll", "pipeline": [{"$collStats": {"count": {}}}, {"$group": {"_id": 1, "n": {"$sum": "$count"}}}]}`
	tests := []struct {
		name, expected, observed string
		departure                bool
	}{
		{"GridFS files by $eq", expected,
			`{"find": "fs.files", "filter": {"_id": {"$eq": {"$oid": "000000000000000000000001"}}}, "limit": 1, "lsid": {}}`, true},
		{"another id", expected,
			`{"find": "fs.files", "filter": {"_id": {"$eq": {"$oid": "000000000000000000000002"}}}}`, false},
		{"the same id as a string", expected,
			`{"find": "fs.files", "filter": {"_id": {"$eq": "000000000000000000000001"}}}`, false},
		{"another difference besides", `{"find": "fs.files", "filter": {"_id": 1}, "limit": 2}`,
			`{"find": "fs.files", "filter": {"_id": {"$eq": 1}}, "limit": 1}`, false},
		{"not a files collection", `{"find": "coll", "filter": {"_id": 1}}`,
			`{"find": "coll", "filter": {"_id": {"$eq": 1}}}`, false},
		{"$eq with more", `{"find": "fs.files", "filter": {"_id": 1}}`,
			`{"find": "fs.files", "filter": {"_id": {"$eq": 1, "$ne": 2}}}`, false},
		{"GridFS chunks by $eq", `{"find": "fs.chunks", "filter": {"files_id": 1}, "sort": {"n": 1}}`,
			`{"find": "fs.chunks", "filter": {"files_id": {"$eq": 1}}, "sort": {"n": 1}, "lsid": {}}`, true},
		{"GridFS chunks, another id", `{"find": "fs.chunks", "filter": {"files_id": 1}}`,
			`{"find": "fs.chunks", "filter": {"files_id": {"$eq": 2}}}`, false},
		{"_id on chunks is no departure", `{"find": "fs.chunks", "filter": {"_id": 1}}`,
			`{"find": "fs.chunks", "filter": {"_id": {"$eq": 1}}}`, false},
		{"count for $collStats", collStats, `{"count": "coll", "lsid": {}, "$db": "db"}`, true},
		{"count of another collection", collStats, `{"count": "other"}`, false},
		{"count with a query", collStats, `{"count": "coll", "query": {"x": 1}}`, false},
		{"count besides another difference", `{"aggregate": "coll", "pipeline": [{"$collStats": {"count": {}}}], "maxTimeMS": 5}`,
			`{"count": "coll", "maxTimeMS": 6}`, false},
		{"an aggregate of another first stage", `{"aggregate": "coll", "pipeline": [{"$collStats": {"storageStats": {}}}]}`,
			`{"count": "coll"}`, false},
		// CRUD spec: "drivers MUST send a value of limit + 1 for batchSize"
		{"batchSize equal to limit", `{"find": "coll0", "filter": {"_id": {"$gt": 1}}, "limit": 4, "batchSize": 5}`,
			`{"find": "coll0", "batchSize": 4, "filter": {"_id": {"$gt": 1}}, "limit": 4, "sort": {"_id": 1}, "lsid": {}}`, true},
		{"batchSize below limit is the server's to judge", `{"find": "coll0", "limit": 4, "batchSize": 5}`,
			`{"find": "coll0", "batchSize": 3, "limit": 4}`, false},
		{"a test that expects batchSize as given", `{"find": "coll0", "limit": 4, "batchSize": 4}`,
			`{"find": "coll0", "batchSize": 4, "limit": 4, "filter": {"x": 1}}`, false},
		{"batchSize = limit besides another difference", `{"find": "coll0", "filter": {"x": 1}, "limit": 4, "batchSize": 5}`,
			`{"find": "coll0", "batchSize": 4, "filter": {"x": 2}, "limit": 4}`, false},
		// the wtimeout of an earlier commit, kept by the session (transactions/unified/transaction-options)
		{"abort with a kept wtimeout", `{"abortTransaction": 1, "autocommit": false, "writeConcern": {"w": 1}, "maxTimeMS": {"$$exists": false}}`,
			`{"abortTransaction": 1, "writeConcern": {"w": 1, "wtimeout": 10000}, "autocommit": false, "lsid": {}}`, true},
		{"commit with a kept wtimeout", `{"commitTransaction": 1, "writeConcern": {"w": "majority"}}`,
			`{"commitTransaction": 1, "writeConcern": {"w": "majority", "wtimeout": {"$numberLong": "10000"}}}`, true},
		{"another wtimeout is the test's", `{"abortTransaction": 1, "writeConcern": {"w": 1}}`,
			`{"abortTransaction": 1, "writeConcern": {"w": 1, "wtimeout": 5000}}`, false},
		{"a test that expects the wtimeout", `{"commitTransaction": 1, "writeConcern": {"w": "majority", "wtimeout": 1}}`,
			`{"commitTransaction": 1, "writeConcern": {"w": "majority", "wtimeout": 10000}}`, false},
		{"a kept wtimeout besides another w", `{"abortTransaction": 1, "writeConcern": {"w": 1}}`,
			`{"abortTransaction": 1, "writeConcern": {"w": "majority", "wtimeout": 10000}}`, false},
		// CSOT: the Go driver v2 omits maxTimeMS from cursor-creating commands
		{"find without maxTimeMS", `{"find": "coll", "filter": {}, "maxTimeMS": {"$$type": ["int", "long"]}}`,
			`{"find": "coll", "filter": {}, "lsid": {}}`, true},
		{"aggregate without maxTimeMS", `{"aggregate": 1, "pipeline": [], "maxTimeMS": {"$$exists": true}}`,
			`{"aggregate": 1, "pipeline": [], "cursor": {}}`, true},
		{"a maxTimeMS of a given value is the test's", `{"find": "coll", "maxTimeMS": {"$$lte": 1000}}`,
			`{"find": "coll"}`, false},
		{"a maxTimeMS expected missing", `{"find": "coll", "maxTimeMS": {"$$exists": false}}`,
			`{"find": "coll", "maxTimeMS": 5}`, false},
		{"maxTimeMS missing from another command", `{"insert": "coll", "maxTimeMS": {"$$type": ["int", "long"]}}`,
			`{"insert": "coll"}`, false},
		{"find without maxTimeMS besides another difference", `{"find": "coll", "filter": {"x": 1}, "maxTimeMS": {"$$type": ["int", "long"]}}`,
			`{"find": "coll", "filter": {"x": 2}}`, false},
		{"wtimeout on another command", `{"insert": "coll", "writeConcern": {"w": 1}}`,
			`{"insert": "coll", "writeConcern": {"w": 1, "wtimeout": 10000}}`, false},
		{"not a find", `{"aggregate": "coll0", "limit": 4, "batchSize": 5}`,
			`{"aggregate": "coll0", "batchSize": 4, "limit": 4}`, false},
	}
	tr := &testRun{entities: entities.NewMap()}
	found := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reason := departureOf(tr.matcher(), commandMismatch(doc(tt.expected), doc(tt.observed)))
			if (reason != "") != tt.departure {
				t.Errorf("departure %q, want %v", reason, tt.departure)
			}
			found[reason] = true
		})
	}
	everyDeparture(t, inCommand, found)
}

// TestDocumentsDepartures: the md5 a GridFS files document is expected to have, which the
// Go driver v2 never writes. The outcome's matcher judges them (exact, or legacy GridFS).
func TestDocumentsDepartures(t *testing.T) {
	docs := func(list ...string) []bson.Raw {
		var out []bson.Raw
		for _, s := range list {
			var d bson.Raw
			if err := bson.UnmarshalExtJSON([]byte(s), false, &d); err != nil {
				t.Fatal(err)
			}
			out = append(out, d)
		}
		return out
	}
	const (
		withMD5 = `{"_id": 1, "length": 1, "md5": "47ed733b8d10be225eceba344d533586", "filename": "f"}`
		written = `{"_id": 1, "length": 1, "filename": "f"}`
	)
	tests := []struct {
		name, collection   string
		expected, observed []bson.Raw
		departure          bool
	}{
		{"md5 expected, none written", "fs.files", docs(withMD5), docs(written), true},
		{"in any order, among others", "fs.files", docs(`{"_id": 2, "length": 0}`, withMD5), docs(written, `{"_id": 2, "length": 0}`), true},
		{"md5 of any value", "fs.files", docs(`{"_id": 1, "length": 1, "md5": 1, "filename": "f"}`), docs(written), true},
		{"another difference besides", "fs.files", docs(withMD5), docs(`{"_id": 1, "length": 2, "filename": "f"}`), false},
		{"an md5 written after all", "fs.files", docs(withMD5), docs(`{"_id": 1, "length": 1, "md5": "0", "filename": "f"}`), false},
		{"no md5 expected", "fs.files", docs(written), docs(`{"_id": 1, "length": 2, "filename": "f"}`), false},
		{"no md5 expected, and no mismatch", "fs.files", docs(written), docs(written), false},
		{"a document missing", "fs.files", docs(withMD5, `{"_id": 2}`), docs(written), false},
		{"not a files collection", "fs.chunks", docs(withMD5), docs(written), false},
		{"a collection named like none", "files", docs(withMD5), docs(written), false},
	}
	found := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reason := departureOf(matchers.Exact(), documentsMismatch(tt.collection, tt.expected, tt.observed))
			if (reason != "") != tt.departure {
				t.Errorf("departure %q, want %v", reason, tt.departure)
			}
			found[reason] = true
		})
	}
	everyDeparture(t, inDocuments, found)

	// A departure applies only where it shows: documents that look like a command
	// departure (the GridFS find by $eq) are not one.
	find := docs(`{"find": "fs.files", "filter": {"_id": 1}}`, `{"find": "fs.files", "filter": {"_id": {"$eq": 1}}}`)
	if reason := departureOf(matchers.Exact(), documentsMismatch("fs.files", find[:1], find[1:])); reason != "" {
		t.Errorf("a command departure judged documents: %q", reason)
	}
}

// everyDeparture fails unless the cases found every departure of the registry that
// shows in in: each is held by a case where it applies.
func everyDeparture(t *testing.T, in shownIn, found map[string]bool) {
	t.Helper()
	for _, d := range driverDepartures {
		if d.in == in && !found[d.reason] {
			t.Errorf("no case finds the departure %q", d.reason)
		}
	}
}

// TestErrorResultDepartures: the partial result of an ordered bulkWrite that failed after
// an upsert, whose matchedCount the Go driver v2 leaves the upserts in. The unified
// matcher judges it.
func TestErrorResultDepartures(t *testing.T) {
	doc := func(s string) bson.Raw {
		var d bson.Raw
		if err := bson.UnmarshalExtJSON([]byte(s), false, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	// what the driver gives: one upsert counted as a match
	const driver = `{"insertedCount": {"$numberLong": "0"}, "matchedCount": {"$numberLong": "1"}, "modifiedCount": {"$numberLong": "0"},
		"deletedCount": {"$numberLong": "0"}, "upsertedCount": {"$numberLong": "1"}, "upsertedIds": {"0": 9}}`
	const spec = `{"insertedCount": 0, "matchedCount": 0, "modifiedCount": 0, "deletedCount": 0, "upsertedCount": 1, "upsertedIds": {"0": 9}}`
	tests := []struct {
		name, operation, arguments string
		expected, observed         string
		departure, corrected       bool
	}{
		{"ordered by default", "bulkWrite", `{"requests": []}`, spec, driver, true, false},
		{"ordered: true", "bulkWrite", `{"requests": [], "ordered": true}`, spec, driver, true, false},
		{"with $$unsetOrMatches", "bulkWrite", `{}`, `{"$$unsetOrMatches": ` + spec + `}`, driver, true, false},
		{"a real match beside the upsert", "bulkWrite", `{}`, `{"matchedCount": 1, "modifiedCount": 1, "upsertedCount": 1}`,
			`{"matchedCount": {"$numberLong": "2"}, "modifiedCount": {"$numberLong": "1"}, "upsertedCount": {"$numberLong": "1"}}`, true, false},
		// the driver subtracts the upserts of an unordered bulk write
		{"unordered", "bulkWrite", `{"ordered": false}`, spec, driver, false, false},
		{"ordered of another type", "bulkWrite", `{"ordered": 1}`, spec, driver, false, false},
		{"no upsert", "bulkWrite", `{}`, `{"matchedCount": 0, "upsertedCount": 0}`, `{"matchedCount": {"$numberLong": "1"}, "upsertedCount": {"$numberLong": "0"}}`, false, false},
		// the departure is there, and something else differs: judged on the result undone
		{"another difference besides", "bulkWrite", `{}`, `{"matchedCount": 0, "modifiedCount": 1, "upsertedCount": 1}`, driver, false, true},
		{"matchedCount off by another number", "bulkWrite", `{}`, `{"matchedCount": 0, "upsertedCount": 1}`,
			`{"matchedCount": {"$numberLong": "2"}, "upsertedCount": {"$numberLong": "1"}}`, false, true},
		{"the driver's own count expected", "bulkWrite", `{}`, `{"matchedCount": 2, "upsertedCount": 1}`,
			`{"matchedCount": {"$numberLong": "1"}, "upsertedCount": {"$numberLong": "1"}}`, false, true},
		{"fewer matches than upserts", "bulkWrite", `{}`, `{"matchedCount": -1, "upsertedCount": 1}`,
			`{"matchedCount": {"$numberLong": "0"}, "upsertedCount": {"$numberLong": "1"}}`, false, false},
		{"a client bulk write", "clientBulkWrite", `{}`, spec, driver, false, false},
		{"insertMany", "insertMany", `{}`, spec, driver, false, false},
	}
	tr := &testRun{entities: entities.NewMap()}
	found := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := &specifications.Operation{Name: tt.operation, Arguments: doc(tt.arguments)}
			expected, observed := matchers.Doc(doc(tt.expected)), matchers.Doc(doc(tt.observed))
			err := tr.matcher().Match(expected, observed, matchers.Root)
			if err == nil {
				t.Fatal("the case must be a mismatch")
			}
			reason, corrected, undone := departedErrorResult(tr.matcher(), op, expected, observed, err)
			if (reason != "") != tt.departure {
				t.Errorf("departure %q, want %v", reason, tt.departure)
			}
			if (corrected != nil) != tt.corrected || (undone != "") != tt.corrected {
				t.Errorf("corrected %v (%q), want %v", corrected, undone, tt.corrected)
			}
			if corrected != nil {
				matched := observed.Document().Lookup("matchedCount").Int64() - observed.Document().Lookup("upsertedCount").Int64()
				if got := corrected.Lookup("matchedCount").Int64(); got != matched {
					t.Errorf("corrected matchedCount %d, want %d", got, matched)
				}
			}
			found[reason] = true
		})
	}
	everyDeparture(t, inErrorResult, found)

	// An invalid expectation is the file's fault, whatever the result.
	expected := matchers.Doc(doc(`{"matchedCount": {"$$nope": 0}, "upsertedCount": 1}`))
	observed := matchers.Doc(doc(driver))
	op := &specifications.Operation{Name: "bulkWrite", Arguments: doc(`{}`)}
	if err := tr.matcher().Match(expected, observed, matchers.Root); !isInvalid(err) {
		t.Fatalf("want an invalid expectation, got %v", err)
	} else if reason, corrected, _ := departedErrorResult(tr.matcher(), op, expected, observed, err); reason != "" || corrected != nil {
		t.Errorf("an invalid expectation is a departure: %q", reason)
	}
}
