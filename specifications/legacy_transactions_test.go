package specifications

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/matchers"
)

// loadAs loads text as the file of a spec (its ID decides the CSE and Atlas Data Lake rules).
func loadAs(t *testing.T, id, text string) LoadResult {
	t.Helper()
	p := filepath.Join(t.TempDir(), filepath.Base(id)+".json")
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return Load(Source{Path: p, ID: id}, false)
}

func TestLegacyTransactionsTranslation(t *testing.T) {
	path := filepath.Join("testdata", "legacy-transactions", "transactions.json")
	r := Load(Source{Path: path, ID: "transactions/legacy/transactions"}, false)
	require.Equal(t, Loaded, r.Kind, "error: %v", r.Err)
	f := r.File
	assert.Equal(t, LegacyTransactions, f.Format)
	require.Len(t, f.RunOnRequirements, 2)
	assert.Equal(t, RunOnRequirement{MinServerVersion: "4.0", Topologies: []string{"replicaset"}}, f.RunOnRequirements[0])
	assert.Equal(t, "4.1.8", f.RunOnRequirements[1].MinServerVersion)
	assert.Equal(t, []string{"sharded", "load-balanced"}, f.RunOnRequirements[1].Topologies)
	require.Len(t, f.InitialData, 1)
	assert.Equal(t, "transaction-tests", f.InitialData[0].DatabaseName)
	assert.Equal(t, "test", f.InitialData[0].CollectionName)
	assert.Len(t, f.InitialData[0].Documents, 1)
	// a test has a failPoint: the file has an unobserved client to set it through
	assert.Equal(t, []Entity{{Client: &ClientEntity{ID: "globalClient"}}}, f.CreateEntities)

	require.Len(t, f.Tests, 2)
	test := f.Tests[0]
	assert.Equal(t, "transactions/legacy/transactions/commit", test.ID)
	// the fail point after the data, before the test's entities; then the five
	// operations, then both sessions end
	names := []string{"failPoint", "createEntities", "startTransaction", "insertOne", "find", "commitTransaction", "targetedFailPoint", "endSession", "endSession"}
	require.Len(t, test.Operations, len(names))
	for i, n := range names {
		assert.Equal(t, n, test.Operations[i].Name, "operation %d", i)
	}
	fp := test.Operations[0]
	assert.Equal(t, "testRunner", fp.Object)
	assert.Equal(t, `{"client": "globalClient","failPoint": {"configureFailPoint": "failCommand","mode": {"times": {"$numberInt":"1"}},"data": {"failCommands": ["commitTransaction"],"errorCode": {"$numberInt":"91"}}}}`, fp.Arguments.String())

	entities, err := DecodeEntities("entities", test.Operations[1].Arguments.Lookup("entities"))
	require.NoError(t, err)
	require.Len(t, entities, 6)
	client := entities[0].Client
	require.NotNil(t, client)
	assert.Equal(t, `{"retryWrites": false,"w": "majority"}`, client.URIOptions.String())
	assert.Equal(t, []string{"commandStartedEvent"}, client.ObserveEvents)
	assert.Equal(t, true, *client.UseMultipleMongoses)
	assert.Equal(t, "transaction-tests", entities[1].Database.DatabaseName)
	assert.Equal(t, "test", entities[2].Collection.CollectionName)
	assert.Equal(t, "session0", entities[3].Session.ID)
	assert.Equal(t, `{"defaultTransactionOptions": {"readConcern": {"level": "snapshot"}}}`, entities[3].Session.SessionOptions.String())
	assert.Nil(t, entities[4].Session.SessionOptions)
	// the find has collectionOptions: a collection of its own
	coll := entities[5].Collection
	require.NotNil(t, coll)
	assert.Equal(t, "collection1", coll.ID)
	assert.Equal(t, `{"level": "majority"}`, coll.CollectionOptions.ReadConcern.String())

	start := test.Operations[2]
	assert.Equal(t, "session0", start.Object)
	assert.Equal(t, `{"writeConcern": {"w": "majority"}}`, start.Arguments.String(), "options flattened")
	insert := test.Operations[3]
	assert.Equal(t, "collection0", insert.Object)
	assert.Equal(t, `{"insertedId": {"$numberInt":"1"}}`, insert.ExpectResult.String())
	find := test.Operations[4]
	assert.Equal(t, "collection1", find.Object)
	assert.Equal(t, `{"filter": {},"session": "session0"}`, find.Arguments.String(), "find's filter defaults to {}")
	commit := test.Operations[5]
	require.NotNil(t, commit.ExpectError)
	assert.Equal(t, "TransientTransactionError", commit.ExpectError.ErrorLabelsContain[0])
	assert.Equal(t, "UnknownTransactionCommitResult", commit.ExpectError.ErrorLabelsOmit[0])
	assert.Nil(t, commit.ExpectError.IsError)

	require.Len(t, test.ExpectEvents, 1)
	events := test.ExpectEvents[0].Events
	require.Len(t, events, 2)
	assert.Equal(t, "client0", test.ExpectEvents[0].Client)
	assert.Equal(t, `{"insert": "test","documents": [{"_id": {"$numberInt":"1"}}],"lsid": {"$$sessionLsid": "session0"},"txnNumber": {"$numberLong":"1"},"startTransaction": true,"autocommit": false,"writeConcern": {"$$exists": false},"readConcern": {"afterClusterTime": {"$$exists": true}}}`,
		events[0].CommandStartedEvent.Command.String())
	assert.Equal(t, "insert", *events[0].CommandStartedEvent.CommandName)
	assert.Equal(t, "transaction-tests", *events[0].CommandStartedEvent.DatabaseName)
	assert.Equal(t, `{"commitTransaction": {"$numberInt":"1"},"lsid": {"$$sessionLsid": "session1"},"recoveryToken": {"$$type": "object"},"getMore": {"$$exists": true},"filter": {"x": {"$numberInt":"42"},"y": {"$$exists": false}}}`,
		events[1].CommandStartedEvent.Command.String())
	assert.Nil(t, events[1].CommandStartedEvent.CommandName)

	require.Len(t, test.Outcome, 1)
	assert.Equal(t, "transaction-tests", test.Outcome[0].DatabaseName)
	assert.Equal(t, "test", test.Outcome[0].CollectionName)

	// the second test: withTransaction's callback and error: true
	with := f.Tests[1].Operations[1]
	assert.Equal(t, "withTransaction", with.Name)
	ops, err := DecodeOperations("callback", with.Arguments.Lookup("callback"))
	require.NoError(t, err)
	require.Len(t, ops, 2)
	assert.Equal(t, "collection0", ops[0].Object)
	assert.Equal(t, `{"insertedId": {"$numberInt":"2"}}`, ops[0].ExpectResult.String())
	require.NotNil(t, ops[1].ExpectError)
	assert.Equal(t, true, *ops[1].ExpectError.IsError)
	assert.Equal(t, `{"callback": [{"name": "insertOne","object": "collection0","arguments": {"document": {"_id": {"$numberInt":"2"}},"session": "session0"},"expectResult": {"insertedId": {"$numberInt":"2"}}},{"name": "runCommand","object": "database0","arguments": {"command": {"ping": {"$numberInt":"1"}},"session": "session0","commandName": "ping"},"expectError": {"isError": true}}],"readConcern": {"level": "local"}}`,
		with.Arguments.String())
}

func TestLegacyTransactionsOtherSpecs(t *testing.T) {
	t.Run("retryable writes: one operation, outcome", func(t *testing.T) {
		f := mustLoadAs(t, "retryable-writes/legacy/insertOne", `{"runOn": [{"minServerVersion": "3.6", "topology": ["replicaset"]}], "data": [],
			"tests": [
			  {"description": "ok", "clientOptions": {"retryWrites": true}, "operation": {"name": "insertOne", "arguments": {"document": {"_id": 1}}},
			   "outcome": {"result": {"insertedId": 1}, "collection": {"data": [{"_id": 1}]}}},
			  {"description": "labels", "operation": {"name": "insertOne", "arguments": {"document": {"_id": 1}}},
			   "outcome": {"error": true, "result": {"errorLabelsContain": ["RetryableWriteError"]}, "collection": {"name": "other", "data": []}}},
			  {"description": "partial", "operation": {"name": "insertMany", "arguments": {"documents": [{"_id": 1}], "options": {"ordered": true}}},
			   "outcome": {"error": true, "result": {"insertedIds": {"0": 1}}}}
			]}`)
		assert.Equal(t, "legacy-tests", f.InitialData[0].DatabaseName)
		assert.Equal(t, "test", f.InitialData[0].CollectionName)
		assert.Nil(t, f.CreateEntities, "no test has a failPoint: no client to set one through")
		ok := f.Tests[0]
		assert.Equal(t, `{"insertedId": {"$numberInt":"1"}}`, ok.Operations[1].ExpectResult.String())
		assert.Equal(t, "collection0", ok.Operations[1].Object)
		labels := f.Tests[1].Operations[1].ExpectError
		require.NotNil(t, labels)
		assert.Equal(t, true, *labels.IsError)
		assert.Equal(t, []string{"RetryableWriteError"}, labels.ErrorLabelsContain)
		assert.Equal(t, "other", f.Tests[1].Outcome[0].CollectionName)
		partial := f.Tests[2].Operations[1]
		assert.Equal(t, `{"insertedIds": {"0": {"$numberInt":"1"}}}`, partial.ExpectError.ExpectResult.String())
		assert.Equal(t, `{"documents": [{"_id": {"$numberInt":"1"}}],"ordered": true}`, partial.Arguments.String())
	})
	t.Run("SDAM integration: runner operations", func(t *testing.T) {
		f := mustLoadAs(t, "server-discovery-and-monitoring/integration/x", `{"runOn": [{"minServerVersion": "4.4", "authEnabled": true}],
			"database_name": "sdam-tests", "collection_name": "c", "data": [],
			"tests": [{"description": "d", "clientOptions": {"appname": "a", "heartbeatFrequencyMS": 500}, "operations": [
			  {"name": "configureFailPoint", "object": "testRunner", "arguments": {"failPoint": {"configureFailPoint": "failCommand", "mode": "alwaysOn"}}},
			  {"name": "startThread", "object": "testRunner", "arguments": {"name": "t1"}},
			  {"name": "runOnThread", "object": "testRunner", "arguments": {"name": "t1", "operation": {"name": "insertOne", "object": "collection", "arguments": {"document": {"_id": 2}}, "error": true}}},
			  {"name": "waitForThread", "object": "testRunner", "arguments": {"name": "t1"}},
			  {"name": "waitForEvent", "object": "testRunner", "arguments": {"event": "ServerMarkedUnknownEvent", "count": 1}},
			  {"name": "assertEventCount", "object": "testRunner", "arguments": {"event": "PoolClearedEvent", "count": 1}},
			  {"name": "recordPrimary", "object": "testRunner"},
			  {"name": "runAdminCommand", "object": "testRunner", "command_name": "replSetFreeze", "arguments": {"command": {"replSetFreeze": 0}, "readPreference": {"mode": "Secondary"}}},
			  {"name": "waitForPrimaryChange", "object": "testRunner", "arguments": {"timeoutMS": 15000}},
			  {"name": "wait", "object": "testRunner", "arguments": {"ms": 100}},
			  {"name": "assertDifferentLsidOnLastTwoCommands", "object": "testRunner"},
			  {"name": "assertCollectionExists", "object": "testRunner", "arguments": {"database": "sdam-tests", "collection": "c"}},
			  {"name": "assertIndexNotExists", "object": "testRunner", "arguments": {"database": "sdam-tests", "collection": "c", "index": "i"}},
			  {"name": "insertOne", "object": "collection", "arguments": {"document": {"_id": 3}}, "error": false}
			]}]}`)
		assert.Equal(t, true, *f.RunOnRequirements[0].Auth)
		ops := f.Tests[0].Operations
		want := []struct{ object, name, args string }{
			{"testRunner", "failPoint", `{"failPoint": {"configureFailPoint": "failCommand","mode": "alwaysOn"},"client": "client0"}`},
			{"testRunner", "createEntities", `{"entities": [{"thread": {"id": "t1"}}]}`},
			{"testRunner", "runOnThread", `{"thread": "t1","operation": {"name": "insertOne","object": "collection0","arguments": {"document": {"_id": {"$numberInt":"2"}}},"expectError": {"isError": true}}}`},
			{"testRunner", "waitForThread", `{"thread": "t1"}`},
			{"testRunner", "waitForEvent", `{"client": "client0","event": {"serverDescriptionChangedEvent": {"newDescription": {"type": "Unknown"}}},"count": {"$numberLong":"1"}}`},
			{"testRunner", "assertEventCount", `{"client": "client0","event": {"poolClearedEvent": {}},"count": {"$numberLong":"1"}}`},
			{"testRunner", "recordTopologyDescription", `{"client": "client0","id": "recordedPrimary"}`},
			{"adminDatabase", "runCommand", `{"command": {"replSetFreeze": {"$numberInt":"0"}},"readPreference": {"mode": "Secondary"},"commandName": "replSetFreeze"}`},
			{"testRunner", "waitForPrimaryChange", `{"timeoutMS": {"$numberInt":"15000"},"client": "client0","priorTopologyDescription": "recordedPrimary"}`},
			{"testRunner", "wait", `{"ms": {"$numberInt":"100"}}`},
			{"testRunner", "assertDifferentLsidOnLastTwoCommands", `{"client": "client0"}`},
			{"testRunner", "assertCollectionExists", `{"databaseName": "sdam-tests","collectionName": "c"}`},
			{"testRunner", "assertIndexNotExists", `{"databaseName": "sdam-tests","collectionName": "c","indexName": "i"}`},
			{"collection0", "insertOne", `{"document": {"_id": {"$numberInt":"3"}}}`},
		}
		require.Len(t, ops, len(want)+3)
		for i, w := range want {
			op := ops[i+1]
			assert.Equal(t, w.object, op.Object, "operation %d", i)
			assert.Equal(t, w.name, op.Name, "operation %d", i)
			assert.Equal(t, w.args, op.Arguments.String(), "operation %d", i)
		}
		assert.Nil(t, ops[len(want)].ExpectError, "error: false asserts nothing")
		entities, err := DecodeEntities("entities", ops[0].Arguments.Lookup("entities"))
		require.NoError(t, err)
		assert.Equal(t, []string{"commandStartedEvent", "serverDescriptionChangedEvent", "poolClearedEvent"}, entities[0].Client.ObserveEvents)
		assert.Equal(t, `{"appname": "a","heartbeatFrequencyMS": {"$numberInt":"500"}}`, entities[0].Client.URIOptions.String())
		assert.Equal(t, "adminClient", entities[5].Client.ID)
		assert.Nil(t, entities[5].Client.ObserveEvents)
		assert.Equal(t, "admin", entities[6].Database.DatabaseName)
	})
	t.Run("retryable reads: GridFS data and operations", func(t *testing.T) {
		f := mustLoadAs(t, "retryable-reads/gridfs-download", `{"database_name": "rr", "bucket_name": "fs",
			"data": {"fs.files": [{"_id": 1}], "fs.chunks": []},
			"tests": [{"description": "d", "operations": [
			  {"name": "download_by_name", "object": "gridfsbucket", "arguments": {"filename": "f"}},
			  {"name": "watch", "object": "client"},
			  {"name": "listDatabaseNames", "object": "client", "error": true}]}]}`)
		require.Len(t, f.InitialData, 2)
		assert.Equal(t, "fs.files", f.InitialData[0].CollectionName)
		assert.Equal(t, "fs.chunks", f.InitialData[1].CollectionName)
		ops := f.Tests[0].Operations
		assert.Equal(t, "downloadByName", ops[1].Name)
		assert.Equal(t, "bucket0", ops[1].Object)
		assert.Equal(t, "createChangeStream", ops[2].Name)
		assert.Equal(t, `{"pipeline": []}`, ops[2].Arguments.String())
		assert.Equal(t, "client0", ops[3].Object)
		entities, err := DecodeEntities("entities", ops[0].Arguments.Lookup("entities"))
		require.NoError(t, err)
		assert.Equal(t, `{"bucketName": "fs"}`, entities[5].Bucket.BucketOptions.String())
	})
	t.Run("Atlas Data Lake: the collection is left alone", func(t *testing.T) {
		f := mustLoadAs(t, "atlas-data-lake-testing/find", `{"database_name": "test", "collection_name": "driverdata",
			"tests": [{"description": "d", "operations": [{"name": "find", "object": "collection", "arguments": {"filter": {}}}]}]}`)
		assert.Empty(t, f.InitialData)
		other := mustLoadAs(t, "transactions/legacy/nodata", `{"database_name": "test", "collection_name": "c",
			"tests": [{"description": "d", "operations": [{"name": "find", "object": "collection", "arguments": {"filter": {}}}]}]}`)
		require.Len(t, other.InitialData, 1, "elsewhere the collection is dropped and created")
		assert.Empty(t, other.InitialData[0].Documents)
	})
	t.Run("client-side encryption", func(t *testing.T) {
		f := mustLoadAs(t, "client-side-encryption/legacy/basic", `{"runOn": [{"minServerVersion": "4.1.10"}], "database_name": "default", "collection_name": "default",
			"data": [], "json_schema": {"properties": {}}, "key_vault_data": [{"_id": 1}],
			"tests": [{"description": "d", "clientOptions": {"autoEncryptOpts": {"kmsProviders": {"awsTemporary": {}, "local": {"key": {"$binary": {"base64": "AA==", "subType": "00"}}}}}},
			  "operations": [{"name": "insertOne", "arguments": {"document": {"_id": 1}}}],
			  "expectations": [{"command_started_event": {"command": {"insert": "default", "documents": [{"x": {"$$type": "binData"}}]}, "command_name": "insert"}}],
			  "outcome": {"collection": {"data": [{"x": {"$$type": "binData"}}]}}}]}`)
		require.Len(t, f.InitialData, 2)
		assert.Equal(t, "keyvault", f.InitialData[0].DatabaseName)
		assert.Equal(t, "datakeys", f.InitialData[0].CollectionName)
		assert.Equal(t, `{"validator": {"$jsonSchema": {"properties": {}}}}`, f.InitialData[1].CreateOptions.String())
		entities, err := DecodeEntities("entities", f.Tests[0].Operations[0].Arguments.Lookup("entities"))
		require.NoError(t, err)
		auto := entities[0].Client.AutoEncryptOpts
		require.NotNil(t, auto, "the client needs client-side encryption")
		assert.Equal(t, "keyvault.datakeys", auto.KeyVaultNamespace)
		assert.Equal(t, `{"aws": {"accessKeyId": {"$$placeholder": {"$numberInt":"1"}},"secretAccessKey": {"$$placeholder": {"$numberInt":"1"}},"sessionToken": {"$$placeholder": {"$numberInt":"1"}}},"local": {"key": {"$$placeholder": {"$numberInt":"1"}}}}`,
			auto.KMSProviders.Doc.String())
		assert.Equal(t, "collection0", f.Tests[0].Operations[1].Object, "object defaults to collection")
		assert.Contains(t, f.Tests[0].ExpectEvents[0].Events[0].CommandStartedEvent.Command.String(), `"$$type": "binData"`)
	})
}

func mustLoadAs(t *testing.T, id, text string) *File {
	t.Helper()
	r := loadAs(t, id, text)
	require.Equal(t, Loaded, r.Kind, "error: %v", r.Err)
	return r.File
}

// TestLegacyTransactionsInvalid: strict decoding names the place in the legacy file.
func TestLegacyTransactionsInvalid(t *testing.T) {
	const head = `{"runOn": [{"minServerVersion": "4.0"}], "database_name": "db", "collection_name": "c", "data": [], "tests": [`
	op := func(s string) string {
		return head + `{"description": "d", "operations": [` + s + `]}]}`
	}
	expect := func(s string) string {
		return head + `{"description": "d", "operations": [], "expectations": [{"command_started_event": {"command": ` + s + `}}]}]}`
	}
	tests := []struct{ name, text, path, message string }{
		{"unknown top-level key", `{"runOn": [], "data": [], "database_name": "d", "tests": [{"description": "d", "operations": []}], "extra": 1}`, "extra", "unknown field"},
		{"unknown runOn key", `{"runOn": [{"topologies": ["single"]}], "data": [], "tests": [{"description": "d", "operations": []}]}`, "runOn.0.topologies", "unknown field"},
		{"unknown topology", `{"runOn": [{"topology": ["standalone"]}], "data": [], "tests": [{"description": "d", "operations": []}]}`, "runOn.0.topology.0", "is not one of"},
		{"unknown test key", head + `{"description": "d", "operations": [], "outcomes": {}}]}`, "tests.0.outcomes", "unknown field"},
		{"unknown operation key", op(`{"name": "insertOne", "object": "collection", "results": {}}`), "tests.0.operations.0.results", "unknown field"},
		{"unknown object", op(`{"name": "insertOne", "object": "collection2"}`), "tests.0.operations.0.object", ""},
		{"unknown runner operation", op(`{"name": "assertNothing", "object": "testRunner"}`), "tests.0.operations.0.name", "unknown testRunner operation"},
		{"unknown runner argument", op(`{"name": "assertSessionPinned", "object": "testRunner", "arguments": {"session": "session0", "x": 1}}`), "tests.0.operations.0.arguments.x", "unknown argument"},
		{"unknown event", op(`{"name": "waitForEvent", "object": "testRunner", "arguments": {"event": "PoolCreatedEvent", "count": 1}}`), "tests.0.operations.0.arguments.event", ""},
		{"unknown error assertion", op(`{"name": "insertOne", "object": "collection", "result": {"errorContains": "x", "errorMessage": "y"}}`), "tests.0.operations.0.result.errorMessage", "unknown field"},
		{"error with a plain result", op(`{"name": "insertOne", "object": "collection", "error": true, "result": {"insertedId": 1}}`), "tests.0.operations.0.result", "error assertions"},
		{"callback operation", op(`{"name": "withTransaction", "object": "session0", "arguments": {"callback": {"operations": [{"name": "insertOne", "objects": "collection"}]}}}`),
			"tests.0.operations.0.arguments.callback.operations.0.objects", "unknown field"},
		{"collection options", op(`{"name": "find", "object": "collection", "collectionOptions": {"readConcern": {"level": "local"}, "maxTimeMS": 1}}`), "tests.0.operations.0.collectionOptions.maxTimeMS", "unknown field"},
		{"options on a session", op(`{"name": "startTransaction", "object": "session0", "collectionOptions": {}}`), "tests.0.operations.0.object", "not session0"},
		{"command_name elsewhere", op(`{"name": "insertOne", "object": "collection", "command_name": "insert"}`), "tests.0.operations.0.command_name", "only runCommand"},
		{"unknown session options", head + `{"description": "d", "operations": [], "sessionOptions": {"session2": {}}}]}`, "tests.0.sessionOptions.session2", "unknown session"},
		{"failPoint not a command", head + `{"description": "d", "operations": [], "failPoint": {"mode": "alwaysOn"}}]}`, "tests.0.failPoint", "configureFailPoint"},
		{"operation and operations", head + `{"description": "d", "operations": [], "operation": {"name": "insertOne"}}]}`, "tests.0.operation", "operations"},
		{"no operations", head + `{"description": "d", "operations": []}, {"description": "e"}]}`, "tests.1", "must have operations"},
		{"outcome result beside operations", head + `{"description": "d", "operations": [], "outcome": {"result": 1}}]}`, "tests.0.outcome", "each operation"},
		{"unknown event kind", head + `{"description": "d", "operations": [], "expectations": [{"command_succeeded_event": {}}]}]}`, "tests.0.expectations.0.command_succeeded_event", "unknown field"},
		{"lsid of another session", expect(`{"insert": "c", "lsid": "session2"}`), "tests.0.expectations.0.command_started_event.command.lsid", "session0 or session1"},
		{"$$ operator outside CSE", expect(`{"insert": "c", "documents": [{"x": {"$$type": "int"}}]}`), "tests.0.expectations.0.command_started_event.command.documents.0.x.$$type", "no $$ operators"},
		{"$$ operator in a result", op(`{"name": "find", "object": "collection", "arguments": {"filter": {}}, "result": [{"x": {"$$exists": true}}]}`), "tests.0.operations.0.result.0.x.$$exists", "no $$ operators"},
		{"GridFS data without a bucket", `{"database_name": "d", "data": {"fs.files": []}, "tests": [{"description": "d", "operations": []}]}`, "data", "bucket_name"},
		{"unknown KMS provider", head + `{"description": "d", "operations": [], "clientOptions": {"autoEncryptOpts": {"kmsProviders": {"vault": {}}}}}]}`,
			"tests.0.clientOptions.autoEncryptOpts.kmsProviders.vault", "unknown KMS provider"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := loadAs(t, "transactions/legacy/x", tt.text)
			require.Equal(t, Rejected, r.Kind, "file: %+v", r.File)
			var fe *FieldError
			require.True(t, errors.As(r.Err, &fe), "%v", r.Err)
			assert.Equal(t, tt.path, fe.Path, "%v", r.Err)
			assert.Contains(t, fe.Error(), tt.message)
		})
	}
}

// fakeSessions gives the lsids of session0 and session1 for $$sessionLsid.
type fakeSessions struct{}

func (fakeSessions) SessionLsid(name string) (bson.Raw, error) {
	id := map[string]byte{"session0": 1, "session1": 2}[name]
	if id == 0 {
		return nil, errors.New("no session " + name)
	}
	raw, _ := bson.Marshal(bson.D{{Key: "id", Value: bson.Binary{Subtype: 4, Data: []byte{id}}}})
	return raw, nil
}

func (fakeSessions) EntityValue(string) (bson.RawValue, error) {
	return bson.RawValue{}, errors.New("no values")
}

// TestLegacyTransactionsExpectationRules: each rule of the README, through the
// translation and the format's matcher, both ways.
func TestLegacyTransactionsExpectationRules(t *testing.T) {
	lsid := func(id byte) string {
		return `{"id": {"$binary": {"base64": "` + map[byte]string{1: "AQ==", 2: "Ag=="}[id] + `", "subType": "04"}}}`
	}
	tests := []struct {
		name, expected, actual string
		path, message          string // empty path: a match
	}{
		{"lsid session0", `{"insert": "c", "lsid": "session0"}`, `{"insert": "c", "lsid": ` + lsid(1) + `}`, "", ""},
		{"lsid session0, session1's", `{"insert": "c", "lsid": "session0"}`, `{"insert": "c", "lsid": ` + lsid(2) + `}`, "lsid", ""},
		{"lsid session1", `{"insert": "c", "lsid": "session1"}`, `{"insert": "c", "lsid": ` + lsid(2) + `}`, "", ""},
		{"lsid missing", `{"insert": "c", "lsid": "session1"}`, `{"insert": "c"}`, "lsid", ""},
		{"null: absent", `{"insert": "c", "writeConcern": null}`, `{"insert": "c"}`, "", ""},
		{"null: present", `{"insert": "c", "writeConcern": null}`, `{"insert": "c", "writeConcern": {"w": 1}}`, "writeConcern", ""},
		{"null: present as null", `{"insert": "c", "txnNumber": null}`, `{"insert": "c", "txnNumber": null}`, "txnNumber", ""},
		{"null in a sub-document", `{"find": "c", "readConcern": {"level": null}}`, `{"find": "c", "readConcern": {"level": "local"}}`, "readConcern.level", ""},
		{"null in a sub-document, absent", `{"find": "c", "readConcern": {"level": null, "afterClusterTime": 42}}`,
			`{"find": "c", "readConcern": {"afterClusterTime": {"$timestamp": {"t": 1, "i": 1}}}}`, "", ""},
		{"getMore 42: any id", `{"getMore": {"$numberLong": "42"}, "collection": "c"}`, `{"getMore": {"$numberLong": "8"}, "collection": "c"}`, "", ""},
		{"getMore \"42\": any id", `{"getMore": "42", "collection": "c"}`, `{"getMore": {"$numberLong": "8"}, "collection": "c"}`, "", ""},
		{"getMore other than 42 is literal", `{"getMore": {"$numberLong": "7"}}`, `{"getMore": {"$numberLong": "8"}}`, "getMore", ""},
		{"afterClusterTime 42", `{"find": "c", "readConcern": {"afterClusterTime": 42}}`,
			`{"find": "c", "readConcern": {"afterClusterTime": {"$timestamp": {"t": 1, "i": 1}}}}`, "", ""},
		{"afterClusterTime 42 missing", `{"find": "c", "readConcern": {"afterClusterTime": 42}}`, `{"find": "c", "readConcern": {}}`, "readConcern.afterClusterTime", ""},
		{"afterClusterTime 42, readConcern missing", `{"find": "c", "readConcern": {"afterClusterTime": 42}}`, `{"find": "c"}`, "readConcern", ""},
		{"afterClusterTime 42 keeps readConcern exact", `{"find": "c", "readConcern": {"afterClusterTime": 42}}`,
			`{"find": "c", "readConcern": {"afterClusterTime": {"$timestamp": {"t": 1, "i": 1}}, "level": "majority"}}`, "readConcern.level", "unexpected key"},
		{"recoveryToken 42", `{"commitTransaction": 1, "recoveryToken": 42}`, `{"commitTransaction": 1, "recoveryToken": {"recoveryShardId": "sh1"}}`, "", ""},
		{"recoveryToken 42 missing", `{"commitTransaction": 1, "recoveryToken": 42}`, `{"commitTransaction": 1}`, "recoveryToken", ""},
		{"recoveryToken 42 not a document", `{"commitTransaction": 1, "recoveryToken": 42}`, `{"commitTransaction": 1, "recoveryToken": "t"}`, "recoveryToken", ""},
		{"42 elsewhere is literal", `{"find": "c", "filter": {"x": 42}}`, `{"find": "c", "filter": {"x": 7}}`, "filter.x", ""},
		{"afterClusterTime 42 only in readConcern", `{"find": "c", "filter": {"afterClusterTime": 42}}`, `{"find": "c", "filter": {"afterClusterTime": 7}}`, "filter.afterClusterTime", ""},
		{"root extra keys allowed", `{"insert": "c"}`, `{"insert": "c", "$db": "d", "lsid": {}}`, "", ""},
		{"nested extra keys fail", `{"insert": "c", "writeConcern": {"w": "majority"}}`, `{"insert": "c", "writeConcern": {"w": "majority", "j": true}}`, "writeConcern.j", "unexpected key"},
		{"numbers by value", `{"insert": "c", "txnNumber": {"$numberLong": "1"}}`, `{"insert": "c", "txnNumber": 1}`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustLoadAs(t, "transactions/legacy/x", `{"database_name": "db", "collection_name": "c", "data": [], "tests": [{"description": "d", "operations": [],
				"expectations": [{"command_started_event": {"command": `+tt.expected+`}}]}]}`)
			cmd := f.Tests[0].ExpectEvents[0].Events[0].CommandStartedEvent.Command
			var actual bson.Raw
			require.NoError(t, bson.UnmarshalExtJSON([]byte(tt.actual), false, &actual))
			err := matchers.LegacyTransactions(fakeSessions{}).Match(matchers.Doc(cmd), matchers.Doc(actual), matchers.Root)
			if tt.path == "" {
				assert.NoError(t, err, "translated: %s", cmd)
				return
			}
			var mm *matchers.Mismatch
			require.True(t, errors.As(err, &mm), "want a mismatch at %s, got %v (translated: %s)", tt.path, err, cmd)
			assert.Equal(t, tt.path, mm.Path, "%v", err)
			assert.Contains(t, mm.Error(), tt.message)
		})
	}
}

// TestLegacyTransactionsDetection: the format's files, and not the legacy change-stream
// files that share its top-level keys.
func TestLegacyTransactionsDetection(t *testing.T) {
	tests := []struct {
		name, text string
		want       bool
	}{
		{"operations beside runOn", `{"runOn": [], "tests": [{"description": "t", "operations": []}]}`, true},
		{"operations beside data", `{"data": [], "tests": [{"description": "t", "operations": []}]}`, true},
		{"tests alone (Atlas Data Lake)", `{"tests": [{"description": "t", "operations": [], "expectations": []}]}`, true},
		{"one operation and outcome beside runOn (retryable writes)", `{"runOn": [], "data": [], "tests": [{"description": "t", "operation": {}, "outcome": {}}]}`, true},
		{"one operation and outcome alone (CRUD v1)", `{"data": [], "tests": [{"description": "t", "operation": {}, "outcome": {}}]}`, false},
		{"change streams", `{"collection_name": "c", "database_name": "d", "collection2_name": "c2",
			"tests": [{"description": "t", "target": "collection", "changeStreamPipeline": [], "operations": []}]}`, false},
		{"change streams without the second collection", `{"collection_name": "c", "database_name": "d",
			"tests": [{"description": "t", "target": "collection", "changeStreamPipeline": [], "operations": []}]}`, false},
		{"a unified file without schemaVersion", `{"description": "d", "tests": [{"description": "t", "operations": []}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc bson.Raw
			require.NoError(t, bson.UnmarshalExtJSON([]byte(tt.text), false, &doc))
			assert.Equal(t, tt.want, detectFormat(doc) == LegacyTransactions)
		})
	}
}
