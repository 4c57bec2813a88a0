package interpreter

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/specifications"
)

// TestLeftovers: the collections a file names that its initialData does not reset,
// which are dropped before its first test.
func TestLeftovers(t *testing.T) {
	db := func(id, name string) specifications.Entity {
		return specifications.Entity{Database: &specifications.DatabaseEntity{ID: id, Client: "client0", DatabaseName: name}}
	}
	coll := func(id, database, name string) specifications.Entity {
		return specifications.Entity{Collection: &specifications.CollectionEntity{ID: id, Database: database, CollectionName: name}}
	}
	bucket := func(database string, options bson.Raw) specifications.Entity {
		return specifications.Entity{Bucket: &specifications.BucketEntity{ID: "bucket0", Database: database, BucketOptions: options}}
	}
	data := func(database, collection string) specifications.CollectionData {
		return specifications.CollectionData{DatabaseName: database, CollectionName: collection}
	}
	named := marshal(bson.D{{Key: "bucketName", Value: "images"}})
	nested := marshal(bson.D{{Key: "entities", Value: bson.A{bson.D{{Key: "collection", Value: bson.D{
		{Key: "id", Value: "c9"}, {Key: "database", Value: "d0"}, {Key: "collectionName", Value: "nested"}}}}}}})
	tests := []struct {
		name string
		file specifications.File
		want []namespaces
	}{
		{"entities without initialData", specifications.File{CreateEntities: []specifications.Entity{db("d0", "db"), coll("c0", "d0", "coll0"), coll("c1", "d0", "coll1")}},
			[]namespaces{{"db", []string{"coll0", "coll1"}}}},
		{"initialData resets its own", specifications.File{CreateEntities: []specifications.Entity{db("d0", "db"), coll("c0", "d0", "coll0"), coll("c1", "d0", "coll1")},
			InitialData: []specifications.CollectionData{data("db", "coll0")}},
			[]namespaces{{"db", []string{"coll1"}}}},
		{"the same name in another database is another collection", specifications.File{
			CreateEntities: []specifications.Entity{db("d0", "db"), db("d1", "db1"), coll("c0", "d0", "coll0"), coll("c1", "d1", "coll0")},
			InitialData:    []specifications.CollectionData{data("db", "coll0")}},
			[]namespaces{{"db1", []string{"coll0"}}}},
		{"every collection once", specifications.File{CreateEntities: []specifications.Entity{db("d0", "db"), db("d1", "db"), coll("c0", "d0", "coll0"), coll("c1", "d1", "coll0")}},
			[]namespaces{{"db", []string{"coll0"}}}},
		{"buckets: fs by default, or their name", specifications.File{CreateEntities: []specifications.Entity{db("d0", "db"), bucket("d0", nil), bucket("d0", named)},
			InitialData: []specifications.CollectionData{data("db", "fs.chunks")}},
			[]namespaces{{"db", []string{"fs.files", "images.files", "images.chunks"}}}},
		{"outcomes", specifications.File{Tests: []specifications.Test{
			{Outcome: []specifications.CollectionData{data("db", "out"), data("db2", "x")}},
			{Outcome: []specifications.CollectionData{data("db", "out"), data("db", "in")}}},
			InitialData: []specifications.CollectionData{data("db", "in")}},
			[]namespaces{{"db", []string{"out"}}, {"db2", []string{"x"}}}},
		{"not in a database dropped whole", specifications.File{CreateEntities: []specifications.Entity{db("d0", "db"), db("d1", "db1"), coll("c0", "d0", "coll0"), coll("c1", "d1", "coll1")},
			DropDatabases: []string{"db"}},
			[]namespaces{{"db1", []string{"coll1"}}}},
		// the legacy transactions-style files create their entities so, Atlas Data
		// Lake's too, whose collection must never be dropped
		{"not a test's own entities", specifications.File{CreateEntities: []specifications.Entity{db("d0", "db")},
			Tests: []specifications.Test{{Operations: []specifications.Operation{{Name: "createEntities", Object: "testRunner", Arguments: nested}}}}},
			nil},
		{"a collection of an unknown database", specifications.File{CreateEntities: []specifications.Entity{coll("c0", "d9", "coll0")}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, leftovers(&tt.file))
		})
	}
}
