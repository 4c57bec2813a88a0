package specifications

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func fixture(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "legacy", name))
	require.NoError(t, err)
	return string(data)
}

func opNames(ops []Operation) []string {
	var out []string
	for _, o := range ops {
		out = append(out, o.Name+"@"+o.Object)
	}
	return out
}

func TestLegacyChangeStreamsTranslation(t *testing.T) {
	f := mustLoad(t, "change-streams.json", fixture(t, "change-streams.json"))
	assert.Equal(t, LegacyChangeStreams, f.Format)
	assert.Equal(t, []string{"cs-db", "cs-db-2"}, f.DropDatabases, "both databases are dropped before each test")
	assert.Equal(t, []CollectionData{
		{CollectionName: "test", DatabaseName: "cs-db", Documents: []bson.Raw{}},
		{CollectionName: "test2", DatabaseName: "cs-db-2", Documents: []bson.Raw{}},
	}, f.InitialData)
	client0 := f.CreateEntities[0].Client
	assert.Equal(t, []string{"commandStartedEvent"}, client0.ObserveEvents)
	assert.Equal(t, []string{"killCursors"}, client0.IgnoreCommandMonitoringEvents)
	assert.Nil(t, f.CreateEntities[3].Client.ObserveEvents, "globalClient is not observed")

	success := f.Tests[0]
	assert.Equal(t, []string{"createChangeStream@database0", "insertOne@globalCollection0", "insertOne@globalCollection1", "drop@globalCollection0",
		"iterateUntilDocumentOrError@changeStream0", "iterateUntilDocumentOrError@changeStream0", "close@changeStream0"}, opNames(success.Operations))
	assert.Equal(t, `{"pipeline": [{"$match": {"x": {"$numberInt":"1"}}}],"batchSize": {"$numberInt":"2"}}`, success.Operations[0].Arguments.String())
	assert.Equal(t, "changeStream0", *success.Operations[0].SaveResultAsEntity)
	assert.Equal(t, `{"_id": "42"}`, success.Operations[5].ExpectResult.String())
	assert.Nil(t, success.FirstError)
	require.Len(t, success.ExpectEvents, 1)
	assert.True(t, *success.ExpectEvents[0].IgnoreExtraEvents, "the expectations are a prefix")
	assert.Equal(t, "cs-db", *success.ExpectEvents[0].Events[0].CommandStartedEvent.DatabaseName)
	assert.Equal(t, []RunOnRequirement{{MinServerVersion: "3.8.0", MaxServerVersion: "4.2.99",
		Topologies: []string{"replicaset", "sharded", "sharded-replicaset"}}}, success.RunOnRequirements)

	failing := f.Tests[1]
	assert.Equal(t, []string{"failPoint@testRunner", "createChangeStream@client0", "iterateOnce@changeStream0", "close@changeStream0"}, opNames(failing.Operations))
	assert.Contains(t, failing.Operations[0].Arguments.String(), `"client": "globalClient"`)
	require.NotNil(t, failing.FirstError)
	assert.Equal(t, `{"code": {"$numberInt":"6"}}`, failing.FirstError.ErrorResponse.String())
	assert.Nil(t, failing.ExpectEvents, "expectations: null asserts no events")
	assert.Nil(t, failing.RunOnRequirements)
}

func TestLegacyGridFSTranslation(t *testing.T) {
	f := mustLoad(t, "gridfs.json", fixture(t, "gridfs.json"))
	assert.Equal(t, LegacyGridFS, f.Format)
	require.Len(t, f.InitialData, 2)
	assert.Equal(t, "fs.chunks", f.InitialData[1].CollectionName)
	assert.Equal(t, LegacyGridFSDatabase, f.InitialData[1].DatabaseName)
	assert.Contains(t, f.InitialData[1].Documents[0].String(), `"data": {"$binary":{"base64":"ESI=","subType":"00"}}`, "$hex is binary")
	assert.Equal(t, "bucket0", f.CreateEntities[2].Bucket.ID)

	del := f.Tests[0]
	assert.Equal(t, []string{"runCommand@database0", "delete@bucket0"}, opNames(del.Operations))
	assert.Contains(t, del.Operations[0].Arguments.String(), `"commandName": "update"`)
	assert.Contains(t, del.Operations[0].Arguments.String(), `{"$binary":{"base64":"Mw==","subType":"00"}}`)
	assert.Equal(t, bson.Type(0), del.Operations[1].ExpectResult.Type, "void asserts no result")
	require.Len(t, del.Outcome, 2)
	assert.True(t, del.Outcome[0].Unordered)
	assert.Len(t, del.Outcome[0].Documents, 1, "file 1 deleted from the expected files, file 2 kept")
	assert.Empty(t, del.Outcome[1].Documents, "its chunks deleted, limit 0")
	assert.NotNil(t, del.Outcome[1].Documents, "an empty collection is expected, not no assertion")

	up := f.Tests[1]
	assert.Equal(t, `{"filename": "c","source": {"$$hexBytes": "abcd"},"chunkSizeBytes": {"$numberInt":"4"}}`, up.Operations[0].Arguments.String())
	assert.Equal(t, LegacyGridFSResult, *up.Operations[0].SaveResultAsEntity)
	assert.Len(t, up.Outcome[0].Documents, 3, "inserted after the initial files")
	assert.Contains(t, up.Outcome[1].Documents[1].String(), `"files_id": "*result"`)

	byName := f.Tests[2]
	assert.Equal(t, "downloadByName", byName.Operations[0].Name)
	assert.Equal(t, `{"filename": "a","revision": {"$numberInt":"-1"}}`, byName.Operations[0].Arguments.String())
	assert.Equal(t, bson.TypeBinary, byName.Operations[0].ExpectResult.Type)
	assert.Nil(t, byName.Outcome, "no assert.data: no collection assertion")

	missing := f.Tests[3]
	assert.Equal(t, "FileNotFound", missing.Operations[0].ExpectError.GridFSError)
}

func TestLegacyFormatRejections(t *testing.T) {
	cases := []struct {
		name, file, old, new, path string
	}{
		{"change streams: unknown test key", "change-streams.json", `"target": "client"`, `"target": "client", "targets": 1`, "tests.1.targets"},
		{"change streams: bad target", "change-streams.json", `"target": "client"`, `"target": "server"`, "tests.1.target"},
		{"change streams: bad topology", "change-streams.json", `"topology": ["replicaset", "sharded"]`, `"topology": ["mongos"]`, "tests.0.topology.0"},
		{"change streams: two results", "change-streams.json", `"result": {"error": {"code": 6}}`, `"result": {"error": {"code": 6}, "success": []}`, "tests.1.result"},
		{"change streams: other event", "change-streams.json", `{"command_started_event": {`, `{"command_succeeded_event": {`, "tests.0.expectations.0.command_succeeded_event"},
		{"change streams: unknown operation key", "change-streams.json", `"name": "drop"`, `"name": "drop", "object": "x"`, "tests.0.operations.2.object"},
		{"change streams: lone database2_name", "change-streams.json", `"collection2_name": "test2",`, ``, "database2_name"},
		{"gridfs: unknown assert key", "gridfs.json", `"assert": {"error": "FileNotFound"}`, `"assert": {"error": "FileNotFound", "errors": 1}`, "tests.3.assert.errors"},
		{"gridfs: unknown error kind", "gridfs.json", `"FileNotFound"`, `"NoSuchFile"`, "tests.3.assert.error"},
		{"gridfs: result and error", "gridfs.json", `"assert": {"error": "FileNotFound"}`, `"assert": {"error": "FileNotFound", "result": "void"}`, "tests.3.assert"},
		{"gridfs: unknown operation", "gridfs.json", `"operation": "download",`, `"operation": "rename",`, "tests.3.act.operation"},
		{"gridfs: bad hex", "gridfs.json", `"source": {"$hex": "abcd"}`, `"source": {"$hex": "abc"}`, "tests.1.act.arguments.source.$hex"},
		{"gridfs: update in assert.data", "gridfs.json", `{"delete": "expected.files", "deletes"`, `{"update": "expected.files", "deletes"`, "tests.0.assert.data.0.update"},
		{"gridfs: other collection in assert.data", "gridfs.json", `"insert": "expected.files"`, `"insert": "fs.files"`, "tests.1.assert.data.0.insert"},
		{"gridfs: operator filter", "gridfs.json", `"deletes": [{"q": {"files_id": {"$oid": "000000000000000000000001"}}`, `"deletes": [{"q": {"files_id": {"$in": []}}`, "tests.0.assert.data.1.deletes.0.q.files_id"},
		{"gridfs: unknown data key", "gridfs.json", `"data": {`, `"data": {"extra": [],`, "data.extra"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := fixture(t, c.file)
			require.Contains(t, text, c.old)
			r := loadText(t, c.file, strings.Replace(text, c.old, c.new, 1))
			require.Equal(t, Rejected, r.Kind, "loaded as %v", r.Kind)
			assert.Equal(t, c.path, FieldPath(r.Err), "%v", r.Err)
		})
	}
}

func TestLegacyFormatsDetected(t *testing.T) {
	for name, want := range map[string]Format{"change-streams.json": LegacyChangeStreams, "gridfs.json": LegacyGridFS} {
		assert.Equal(t, want, mustLoad(t, name, fixture(t, name)).Format, name)
	}
	// the transactions-style files, which have runOn and operations, are their own format
	r := loadText(t, "f.json", `{"runOn": [], "database_name": "d", "collection_name": "c", "data": [], "tests": [{"description": "t", "operations": []}]}`)
	require.Equal(t, Loaded, r.Kind, "%v", r.Err)
	assert.Equal(t, LegacyTransactions, r.File.Format)
}
