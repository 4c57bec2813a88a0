package interpreter

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
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
