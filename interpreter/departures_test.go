package interpreter

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/entities"
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
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reason := tr.departureOf(doc(tt.expected), doc(tt.observed))
			if (reason != "") != tt.departure {
				t.Errorf("departure %q, want %v", reason, tt.departure)
			}
		})
	}
}
