package specifications

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// namespacesFixture names collections in every way Namespaces knows.
const namespacesFixture = `{
  "description": "namespaces", "schemaVersion": "1.9",
  "createEntities": [
    {"client": {"id": "client0"}},
    {"database": {"id": "db0", "client": "client0", "databaseName": "d0"}},
    {"database": {"id": "db1", "client": "client0", "databaseName": "d1"}},
    {"collection": {"id": "coll0", "database": "db0", "collectionName": "entity"}},
    {"bucket": {"id": "bucket0", "database": "db0"}},
    {"bucket": {"id": "bucket1", "database": "db1", "bucketOptions": {"bucketName": "img"}}}
  ],
  "initialData": [{"collectionName": "seeded", "databaseName": "d0", "documents": []}],
  "tests": [
    {"description": "operations", "operations": [
      {"object": "db0", "name": "createCollection", "arguments": {"collection": "created"}},
      {"object": "db0", "name": "dropCollection", "arguments": {"collection": "dropped"}},
      {"object": "db1", "name": "modifyCollection", "arguments": {"collection": "modified"}},
      {"object": "coll0", "name": "rename", "arguments": {"to": "renamed"}},
      {"object": "coll0", "name": "rename", "arguments": {"to": "replaced", "dropTarget": true}},
      {"object": "coll0", "name": "drop"},
      {"object": "bucket1", "name": "drop"},
      {"object": "client0", "name": "dropDatabase", "arguments": {"databaseName": "gone"}},
      {"object": "testRunner", "name": "assertCollectionExists", "arguments": {"databaseName": "d2", "collectionName": "asserted"}},
      {"object": "client0", "name": "clientBulkWrite", "arguments": {"models": [
        {"insertOne": {"namespace": "d3.bulk", "document": {}}}, {"deleteOne": {"namespace": "d0.bulk2", "filter": {}}}]}},
      {"object": "coll0", "name": "aggregate", "arguments": {"pipeline": [{"$match": {}}, {"$out": "out"}]}},
      {"object": "db1", "name": "aggregate", "arguments": {"pipeline": [{"$out": {"db": "d4", "coll": "outdoc"}}]}},
      {"object": "coll0", "name": "aggregate", "arguments": {"pipeline": [{"$merge": {"into": "merged"}}]}},
      {"object": "coll0", "name": "aggregate", "arguments": {"pipeline": [{"$merge": {"into": {"db": "d5", "coll": "mergeddoc"}}}]}},
      {"object": "coll0", "name": "aggregate", "arguments": {"pipeline": [{"$merge": "mergedstr"}]}},
      {"object": "coll0", "name": "mapReduce", "arguments": {"map": "m", "reduce": "r", "out": "mapped"}},
      {"object": "db0", "name": "runCommand", "arguments": {"commandName": "insert", "command": {"insert": "bycommand", "documents": []}}},
      {"object": "db0", "name": "runCommand", "arguments": {"commandName": "drop", "command": {"drop": "droppedbycommand"}}},
      {"object": "db0", "name": "runCommand", "arguments": {"commandName": "ping", "command": {"ping": 1}}},
      {"object": "testRunner", "name": "createEntities", "arguments": {"entities": [
        {"database": {"id": "db9", "client": "client0", "databaseName": "d9"}},
        {"collection": {"id": "coll9", "database": "db9", "collectionName": "late"}}]}},
      {"object": "coll9", "name": "drop"},
      {"object": "session0", "name": "withTransaction", "arguments": {"callback": [
        {"object": "db0", "name": "createCollection", "arguments": {"collection": "intransaction"}}]}},
      {"object": "testRunner", "name": "runOnThread", "arguments": {"thread": "t", "operation":
        {"object": "db1", "name": "dropCollection", "arguments": {"collection": "onthread"}}}}
    ], "outcome": [{"collectionName": "checked", "databaseName": "d1", "documents": []}]}
  ]
}`

func TestNamespaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ns.json")
	require.NoError(t, os.WriteFile(path, []byte(namespacesFixture), 0o644))
	lr := Load(Source{Path: path, ID: "x/ns"}, false)
	require.Equal(t, Loaded, lr.Kind, "%v", lr.Err)
	n := lr.File.Namespaces()

	var got []string
	for _, ns := range n.Collections {
		got = append(got, ns.String())
	}
	assert.Equal(t, []string{
		"d0.seeded", "d0.enxcol_.seeded.esc", "d0.enxcol_.seeded.ecoc", // initialData, with queryable encryption's state
		"d1.checked",                                                                // outcome
		"d0.entity", "d0.fs.files", "d0.fs.chunks", "d1.img.files", "d1.img.chunks", // entities
		"d0.created", "d0.dropped", "d1.modified", "d0.renamed", "d0.replaced",
		"d2.asserted", "d3.bulk", "d0.bulk2", "d0.out", "d4.outdoc", "d0.merged", "d5.mergeddoc", "d0.mergedstr",
		"d0.mapped", "d0.bycommand", "d0.droppedbycommand",
		"d9.late", "d0.intransaction", "d1.onthread",
	}, got)

	var dropped []string
	for _, ns := range n.Dropped {
		dropped = append(dropped, ns.String())
	}
	assert.Equal(t, []string{"d0.seeded", "d0.enxcol_.seeded.esc", "d0.enxcol_.seeded.ecoc",
		"d0.dropped", "d0.replaced", "d0.entity", "d1.img.files", "d1.img.chunks", "d0.droppedbycommand", "d9.late", "d1.onthread"}, dropped)
	assert.Equal(t, []string{"gone"}, n.DroppedDatabases)
	assert.Equal(t, []string{"d0", "d1", "gone", "d2", "d3", "d4", "d5", "d9"}, n.Databases)
}

// TestNamespacesOfTranslatedFiles: the legacy formats name what their runner touches,
// the change-streams runner's databases dropped whole.
func TestNamespacesOfTranslatedFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cs.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"collection_name": "test", "database_name": "cs-db",
  "collection2_name": "test2", "database2_name": "cs-db-2", "tests": [{"description": "t",
  "target": "collection", "topology": ["replicaset"], "changeStreamPipeline": [], "changeStreamOptions": {},
  "operations": [], "expectations": null, "result": {"success": []}}]}`), 0o644))
	lr := Load(Source{Path: path, ID: "change-streams/legacy/cs"}, false)
	require.Equal(t, Loaded, lr.Kind, "%v", lr.Err)
	n := lr.File.Namespaces()
	assert.Equal(t, []string{"cs-db", "cs-db-2"}, n.DroppedDatabases)
	assert.Contains(t, n.Collections, Namespace{"cs-db", "test"})
	assert.Contains(t, n.Collections, Namespace{"cs-db-2", "test2"})

	crud := filepath.Join(dir, "v1.json")
	require.NoError(t, os.WriteFile(crud, []byte(`{"data": [], "tests": [{"description": "t",
  "operation": {"name": "find", "arguments": {"filter": {}}}, "outcome": {"result": []}}]}`), 0o644))
	lr = Load(Source{Path: crud, ID: "crud/v1/x"}, false)
	require.Equal(t, Loaded, lr.Kind, "%v", lr.Err)
	assert.Contains(t, lr.File.Namespaces().Collections, Namespace{LegacyCRUDDatabaseName, "test"})
	assert.Empty(t, lr.File.Namespaces().DroppedDatabases)
}
