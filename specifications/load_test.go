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

// loadText loads a fixture written to a temporary file of the given name.
func loadText(t *testing.T, name, text string) LoadResult {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return Load(Source{Path: p, ID: "x/" + strings.TrimSuffix(name, filepath.Ext(name))}, false)
}

func mustLoad(t *testing.T, name, text string) *File {
	t.Helper()
	r := loadText(t, name, text)
	require.Equal(t, Loaded, r.Kind, "error: %v", r.Err)
	return r.File
}

const minimalUnified = `
description: minimal
schemaVersion: "1.0"
createEntities:
  - client: {id: client0}
  - database: {id: database0, client: client0, databaseName: db}
  - collection: {id: collection0, database: database0, collectionName: coll}
tests:
  - description: t
    operations:
      - {name: find, object: collection0, arguments: {filter: {}}, expectResult: []}
`

// TestRejections covers each kind of refusal with the field path it must name.
func TestRejections(t *testing.T) {
	replace := func(old, new string) string {
		require.Contains(t, minimalUnified, old)
		return strings.Replace(minimalUnified, old, new, 1)
	}
	tests := []struct {
		name, text, path, message string
	}{
		{"unknown field", replace("description: t", "description: t\n    expectations: []"), "tests.0.expectations", "unknown field"},
		{"required field", replace("description: minimal\n", ""), "description", "required field is missing"},
		{"wrong type", replace("collectionName: coll", "collectionName: 1"), "createEntities.2.collection.collectionName", "must be a string, not int32 1"},
		{"a document for a string", replace("collectionName: coll", "collectionName: {x: 1, y: [2]}"), "createEntities.2.collection.collectionName", `must be a string, not {"x":1,"y":[2]}`},
		{"integer wanted", replace("{id: client0}", "{id: client0, awaitMinPoolSizeMS: 1.5}"), "createEntities.0.client.awaitMinPoolSizeMS", "must be an integer"},
		{"enum", replace("{id: client0}", "{id: client0, observeEvents: [commandStarted]}"), "createEntities.0.client.observeEvents.0", `"commandStarted" is not one of`},
		{"version pattern", replace(`schemaVersion: "1.0"`, `schemaVersion: "1"`), "schemaVersion", `"1" is not a version`},
		{"empty array", replace("tests:", "initialData: []\ntests:"), "initialData", "at least one element"},
		{"entity with two kinds", replace("- client: {id: client0}", "- client: {id: client0}\n    thread: {id: t0}"), "createEntities.0", "exactly one of"},
		{"expectError with expectResult", replace("expectResult: []", "expectResult: [], expectError: {isError: true}"), "tests.0.operations.0.expectResult", "cannot be used together with expectError"},
		{"ignoreResultAndError false still conflicts", replace("expectResult: []", "expectResult: [], ignoreResultAndError: false"), "tests.0.operations.0.expectResult", "cannot be used together with ignoreResultAndError"},
		{"isError false", replace("expectResult: []", "expectError: {isError: false}"), "tests.0.operations.0.expectError.isError", "must be true"},
		{"empty expectError", replace("expectResult: []", "expectError: {}"), "tests.0.operations.0.expectError", "at least one assertion"},
		{"cmap event in a command list", replace("expectResult: []}", "expectResult: []}\n    expectEvents: [{client: client0, events: [{poolCreatedEvent: {}}]}]"), "tests.0.expectEvents.0.events.0", `cmap event, but eventType is "command"`},
		{"reply on a started event", replace("expectResult: []}", "expectResult: []}\n    expectEvents: [{client: client0, events: [{commandStartedEvent: {reply: {}}}]}]"), "tests.0.expectEvents.0.events.0.commandStartedEvent.reply", "unknown field"},
		{"writeConcern in createOptions", replace("tests:", "initialData: [{collectionName: c, databaseName: d, createOptions: {writeConcern: {w: 1}}, documents: []}]\ntests:"), "initialData.0.createOptions.writeConcern", "not allowed"},
		{"empty runOnRequirement", replace("tests:", "runOnRequirements: [{}]\ntests:"), "runOnRequirements.0", "at least one requirement"},
		{"KMS provider name", replace("- client: {id: client0}", "- client: {id: client0}\n  - clientEncryption: {id: ce, clientEncryptionOpts: {keyVaultClient: client0, keyVaultNamespace: k.v, kmsProviders: {vault: {}}}}"), "createEntities.1.clientEncryption.clientEncryptionOpts.kmsProviders.vault", "unknown KMS provider"},
		{"KMS access token is not a string", replace("- client: {id: client0}", "- client: {id: client0}\n  - clientEncryption: {id: ce, clientEncryptionOpts: {keyVaultClient: client0, keyVaultNamespace: k.v, kmsProviders: {azure: {accessToken: 1}}}}"), "createEntities.1.clientEncryption.clientEncryptionOpts.kmsProviders.azure.accessToken", "must be a string or {$$placeholder"},
		{"csfle of the wrong type", replace("tests:", "runOnRequirements: [{csfle: 1}]\ntests:"), "runOnRequirements.0.csfle", "a boolean or a document"},
		{"unified file without schemaVersion", "description: d\ntests: [{description: t, operations: []}]", "schemaVersion", "required field is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "f.yml"
			if strings.HasPrefix(tt.text, "{") {
				name = "f.json"
			}
			r := loadText(t, name, tt.text)
			require.Equal(t, Rejected, r.Kind, "loaded although invalid")
			assert.Equal(t, tt.path, FieldPath(r.Err))
			assert.Contains(t, r.Err.Error(), tt.message)
			assert.True(t, strings.HasPrefix(r.Err.Error(), r.Source.Path+": "+tt.path+": "), "message must name the file and the path: %v", r.Err)
		})
	}
}

func TestMinimalUnifiedLoads(t *testing.T) {
	f := mustLoad(t, "find.yml", minimalUnified)
	assert.Equal(t, Unified, f.Format)
	assert.Equal(t, "x/find", f.ID)
	require.Len(t, f.Tests, 1)
	assert.Equal(t, "x/find/t", f.Tests[0].ID)
	require.Len(t, f.CreateEntities, 3)
	assert.Equal(t, "collection", f.CreateEntities[2].Kind())
	assert.Equal(t, "collection0", f.CreateEntities[2].ID())
	op := f.Tests[0].Operations[0]
	assert.Equal(t, bson.TypeArray, op.ExpectResult.Type)
	assert.Nil(t, op.ExpectError)
}

func TestExpectResultNullIsNotAbsent(t *testing.T) {
	f := mustLoad(t, "f.yml", strings.Replace(minimalUnified, "expectResult: []", "expectResult: null", 1))
	assert.Equal(t, bson.TypeNull, f.Tests[0].Operations[0].ExpectResult.Type)
	f = mustLoad(t, "f.yml", strings.Replace(minimalUnified, ", expectResult: []", "", 1))
	assert.Equal(t, bson.Type(0), f.Tests[0].Operations[0].ExpectResult.Type)
}

func TestSchemaVersions(t *testing.T) {
	tests := []struct {
		version     string
		unsupported bool
	}{
		{"1.0", false}, {"1.28", false}, {"1.27.3", false}, {"1.28.0", false},
		{"1.28.1", true}, {"1.29", true}, {"2.0", true}, {"0.1", true},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			f := mustLoad(t, "f.yml", strings.Replace(minimalUnified, `"1.0"`, `"`+tt.version+`"`, 1))
			if tt.unsupported {
				assert.Contains(t, f.Unsupported, "schema version "+tt.version+" is not supported")
				require.Len(t, f.Tests, 1, "the tests are kept, to be reported as errors")
				assert.Equal(t, "x/f/t", f.Tests[0].ID)
			} else {
				assert.Empty(t, f.Unsupported)
			}
		})
	}
}

func TestUnsupportedVersionWithMalformedTests(t *testing.T) {
	for _, text := range []string{
		`{"description": "d", "schemaVersion": "2.0", "tests": 0}`,
		`{"description": "d", "schemaVersion": "2.0", "tests": [0, {"description": 1}]}`,
	} {
		f := mustLoad(t, "f.json", text)
		assert.Contains(t, f.Unsupported, "schema version 2.0 is not supported")
	}
}

func TestOtherFormatsAreRecognised(t *testing.T) {
	tests := []struct{ name, text, format string }{
		{"SDAM", `{"description": "d", "uri": "mongodb://a", "phases": []}`, "SDAM"},
		{"server selection", `{"topology_description": {}, "operation": "read", "read_preference": {}, "suitable_servers": [], "in_latency_window": []}`, "server selection"},
		{"CMAP", `{"version": 1, "style": "unit", "description": "d", "operations": [], "events": []}`, "CMAP"},
		{"CMAP integration with runOn and failPoint", `{"version": 1, "style": "integration", "description": "d", "runOn": [], "failPoint": {}, "operations": [], "events": []}`, "CMAP"},
		{"URI options", `{"tests": [{"description": "d", "uri": "mongodb://a", "valid": true}]}`, "other"},
		{"BSON corpus", `{"description": "d", "bson_type": "0x01", "test_key": "a", "valid": []}`, "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := loadText(t, "f.json", tt.text)
			require.Equal(t, OtherFormat, r.Kind, "err: %v", r.Err)
			assert.Equal(t, tt.format, r.Format)
		})
	}
}

const crudV1 = `{
  "data": [{"_id": 1, "x": 11}],
  "minServerVersion": "3.4",
  "maxServerVersion": "4.2",
  "tests": [
    {"description": "update", "operation": {"name": "updateOne", "arguments": {"filter": {"_id": 1}, "update": {"$inc": {"x": 1}}}},
     "outcome": {"result": {"matchedCount": 1, "modifiedCount": 1, "upsertedCount": 0},
                 "collection": {"data": [{"_id": 1, "x": 12}]}}},
    {"description": "no document", "operation": {"name": "findOneAndDelete", "arguments": {"filter": {"_id": 2}}},
     "outcome": {"result": null, "collection": {"name": "other", "data": []}}},
    {"description": "bulk", "operation": {"name": "bulkWrite", "arguments": {
        "requests": [{"name": "insertOne", "arguments": {"document": {"_id": 1}}}], "options": {"ordered": false}}},
     "outcome": {"error": true, "result": {"insertedCount": 0}}},
    {"description": "no assertion on the result", "operation": {"name": "aggregate", "object": "database", "arguments": {"pipeline": []}},
     "outcome": {}}
  ]
}`

func TestLegacyCRUDTranslation(t *testing.T) {
	f := mustLoad(t, "updateOne.json", crudV1)
	assert.Equal(t, LegacyCRUD, f.Format)
	require.Len(t, f.RunOnRequirements, 1)
	assert.Equal(t, RunOnRequirement{MinServerVersion: "3.4", MaxServerVersion: "4.2", MaxServerVersionExclusive: true}, f.RunOnRequirements[0])
	require.Len(t, f.InitialData, 2)
	assert.Equal(t, LegacyCRUDDatabaseName, f.InitialData[0].DatabaseName)
	assert.Equal(t, LegacyCRUDCollection, f.InitialData[0].CollectionName)
	assert.Equal(t, `{"_id": {"$numberInt":"1"},"x": {"$numberInt":"11"}}`, f.InitialData[0].Documents[0].String())
	// Every collection an outcome checks is emptied before each test, as the README asks.
	assert.Equal(t, CollectionData{CollectionName: "other", DatabaseName: LegacyCRUDDatabaseName, Documents: []bson.Raw{}}, f.InitialData[1])

	update := f.Tests[0].Operations[0]
	assert.Equal(t, LegacyCollection, update.Object)
	assert.Equal(t, bson.TypeEmbeddedDocument, update.ExpectResult.Type)
	require.Len(t, f.Tests[0].Outcome, 1)
	assert.Equal(t, LegacyCRUDCollection, f.Tests[0].Outcome[0].CollectionName, "outcome collection defaults to the one under test")

	noDoc := f.Tests[1].Operations[0]
	assert.Equal(t, bson.TypeNull, noDoc.ExpectResult.Type, "result: null expects no document")
	assert.Equal(t, "other", f.Tests[1].Outcome[0].CollectionName)

	bulk := f.Tests[2].Operations[0]
	require.NotNil(t, bulk.ExpectError)
	assert.True(t, *bulk.ExpectError.IsError)
	assert.Equal(t, bson.TypeEmbeddedDocument, bulk.ExpectError.ExpectResult.Type, "result beside error is the partial result")
	assert.Equal(t, bson.Type(0), bulk.ExpectResult.Type)
	assert.Equal(t, `{"requests": [{"insertOne": {"document": {"_id": {"$numberInt":"1"}}}}],"ordered": false}`, bulk.Arguments.String())

	agg := f.Tests[3].Operations[0]
	assert.Equal(t, LegacyDatabase, agg.Object)
	assert.Equal(t, bson.Type(0), agg.ExpectResult.Type, "no result: no assertion")
	assert.Nil(t, f.Tests[3].Outcome)
}

func TestLegacyCRUDRejections(t *testing.T) {
	r := loadText(t, "f.json", strings.Replace(crudV1, `"outcome": {}`, `"outcome": {"results": 1}`, 1))
	require.Equal(t, Rejected, r.Kind)
	assert.Equal(t, "tests.3.outcome.results", FieldPath(r.Err))
	r = loadText(t, "f.json", strings.Replace(crudV1, `"name": "insertOne", "arguments"`, `"name": "insertOne", "argument"`, 1))
	require.Equal(t, Rejected, r.Kind)
	assert.Equal(t, "tests.2.operation.arguments.requests.0.argument", FieldPath(r.Err))
	assert.Contains(t, r.Err.Error(), "unknown field; tests.2.operation.arguments.requests.0.arguments: required field is missing",
		"every problem of the document is named")
}

const commandMonitoring = `{
  "data": [{"_id": 1, "x": 11}],
  "collection_name": "test",
  "database_name": "command-monitoring-tests",
  "tests": [
    {"description": "find with options",
     "ignore_if_server_version_less_than": "3.1",
     "ignore_if_server_version_greater_than": "4.4",
     "ignore_if_topology_type": ["sharded"],
     "operation": {"name": "find", "read_preference": {"mode": "primaryPreferred"},
                   "arguments": {"filter": {}, "modifiers": {"$comment": "c", "$showDiskLoc": false}}},
     "expectations": [
       {"command_started_event": {"command": {"find": "test", "comment": "c"}, "command_name": "find", "database_name": "command-monitoring-tests"}},
       {"command_succeeded_event": {"reply": {"ok": 1.0, "cursor": {"id": 42}}, "command_name": "find"}},
       {"command_failed_event": {"command_name": "getMore"}}
     ]},
    {"description": "insert", "operation": {"name": "insertMany", "arguments": {"documents": [{"_id": 2}], "options": {"ordered": false}}},
     "expectations": [{"command_started_event": {"command": {"insert": "test"}, "command_name": "insert", "database_name": "command-monitoring-tests"}}]}
  ]
}`

func TestLegacyCommandMonitoringTranslation(t *testing.T) {
	f := mustLoad(t, "find.json", commandMonitoring)
	assert.Equal(t, LegacyCommandMonitoring, f.Format)
	assert.Equal(t, []string{"commandStartedEvent", "commandSucceededEvent", "commandFailedEvent"}, f.CreateEntities[0].Client.ObserveEvents)
	assert.Equal(t, "command-monitoring-tests", f.CreateEntities[1].Database.DatabaseName)
	assert.Equal(t, "test", f.CreateEntities[2].Collection.CollectionName)

	find := f.Tests[0]
	require.Len(t, find.RunOnRequirements, 1)
	assert.Equal(t, RunOnRequirement{MinServerVersion: "3.1", MaxServerVersion: "4.4", MajorMinorOnly: true,
		Topologies: []string{"single", "replicaset", "load-balanced"}}, find.RunOnRequirements[0])
	require.Len(t, find.Operations, 2, "read_preference needs a collection entity of the test's own")
	assert.Equal(t, "createEntities", find.Operations[0].Name)
	assert.Equal(t, "testRunner", find.Operations[0].Object)
	assert.Contains(t, find.Operations[0].Arguments.String(), `"collectionOptions": {"readPreference": {"mode": "primaryPreferred"}}`)
	op := find.Operations[1]
	assert.Equal(t, "collection1", op.Object)
	assert.True(t, *op.IgnoreResultAndError)
	assert.Equal(t, `{"filter": {},"comment": "c","showRecordId": false}`, op.Arguments.String())

	require.Len(t, find.ExpectEvents, 1)
	events := find.ExpectEvents[0].Events
	require.Len(t, events, 3)
	assert.Equal(t, "commandStartedEvent", events[0].Name())
	assert.Equal(t, "find", *events[0].CommandStartedEvent.CommandName)
	assert.Equal(t, "command-monitoring-tests", *events[0].CommandStartedEvent.DatabaseName)
	assert.Equal(t, bson.TypeDouble, events[1].CommandSucceededEvent.Reply.Lookup("ok").Type, "ok keeps the fixture's type")
	assert.Equal(t, "getMore", *events[2].CommandFailedEvent.CommandName)
	assert.Nil(t, find.ExpectEvents[0].IgnoreExtraEvents)

	insert := f.Tests[1]
	assert.Nil(t, insert.RunOnRequirements)
	require.Len(t, insert.Operations, 1)
	assert.Equal(t, LegacyCollection, insert.Operations[0].Object)
	assert.Equal(t, `{"documents": [{"_id": {"$numberInt":"2"}}],"ordered": false}`, insert.Operations[0].Arguments.String())
}

func TestLegacyCommandMonitoringRejections(t *testing.T) {
	tests := []struct{ name, old, new, path string }{
		{"unknown expectation", `{"command_failed_event"`, `{"command_error_event"`, "tests.0.expectations.2.command_error_event"},
		{"unknown topology", `["sharded"]`, `["mongos"]`, "tests.0.ignore_if_topology_type.0"},
		{"unknown modifier", `"$comment": "c"`, `"$snapshot": true`, "tests.0.operation.arguments.modifiers.$snapshot"},
		{"started event without command", `"command": {"insert": "test"}, `, ``, "tests.1.expectations.0.command_started_event.command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Contains(t, commandMonitoring, tt.old)
			r := loadText(t, "f.json", strings.Replace(commandMonitoring, tt.old, tt.new, 1))
			require.Equal(t, Rejected, r.Kind)
			assert.Equal(t, tt.path, FieldPath(r.Err))
		})
	}
}

// TestInvalidFilesAreRejected: every file of unified-test-format/tests/invalid (JSON
// and YAML) is refused, naming the file and a field path that names what the file
// tests (its name is <definition>-<field>-<rule>, or <definition>-<rule>).
func TestInvalidFilesAreRejected(t *testing.T) {
	dir := filepath.Join(sharedCorpus(t), "source", "unified-test-format", "tests", "invalid")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Greater(t, len(entries), 500)
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		stem := strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))
		if unreadableYAML["unified-test-format/tests/invalid/"+e.Name()] {
			continue // not YAML at all: refused by the YAML parser
		}
		r := Load(Source{Path: p, ID: "invalid/" + stem}, false)
		if !assert.Equal(t, Rejected, r.Kind, "%s was not rejected", e.Name()) {
			continue
		}
		assert.True(t, strings.HasPrefix(r.Err.Error(), p+": "), "%s: message must start with the file: %v", e.Name(), r.Err)
		path := FieldPath(r.Err)
		assert.NotEmpty(t, path, "%s: no field path: %v", e.Name(), r.Err)
		if subject := invalidSubject(stem); subject != "" {
			message := strings.TrimPrefix(r.Err.Error(), p+": ")
			assert.Contains(t, strings.ToLower(message), strings.ToLower(subject), "%s: rejected for another reason: %v", e.Name(), r.Err)
		}
	}
}

// invalidSubject is the field an invalid/ file is about, read from its name, where
// the name gives one that must appear in the path.
func invalidSubject(stem string) string {
	parts := strings.Split(stem, "-")
	if len(parts) < 3 || strings.HasPrefix(stem, "expectedTracingSpans") {
		// <definition>-<rule>: the definition, e.g. createEntities-items; the tracing
		// files all fail first on expectTracingMessages not being an array
		if strings.HasPrefix(stem, "expectedTracingSpans") {
			return "expectTracingMessages"
		}
		return ""
	}
	field := parts[len(parts)-2]
	switch field {
	case "events_conflicts_with_cmap_eventType", "events_conflicts_with_command_eventType", "events_conflicts_with_default_eventType":
		return "events"
	case "property", "aws", "azure", "gcp", "kmip", "local", "serverDescription":
		return ""
	}
	if strings.HasPrefix(stem, "entity-stream-") {
		return "stream" // the stream entity itself is unknown in schema 1.28
	}
	if strings.Contains(field, "_") {
		return ""
	}
	return field
}

// TestSharedCorpusLoads: every folder of the shared corpus loads with nothing rejected
// except the invalid/ folder.
func TestSharedCorpusLoads(t *testing.T) {
	source := filepath.Join(sharedCorpus(t), "source")
	sources, err := Discover([]string{source})
	require.NoError(t, err)
	counts := map[LoadKind]int{}
	formats := map[Format]int{}
	for _, r := range LoadAll(sources, false) {
		invalid := strings.Contains(filepath.ToSlash(r.Source.Path), "unified-test-format/tests/invalid/")
		if invalid {
			assert.Equal(t, Rejected, r.Kind, r.Source.Path)
			continue
		}
		counts[r.Kind]++
		if !assert.NotEqual(t, Rejected, r.Kind, "%v", r.Err) {
			continue
		}
		if r.File != nil {
			formats[r.File.Format]++
		}
	}
	t.Logf("outcomes %v, formats %v", counts, formats)
	assert.Greater(t, formats[Unified], 600)
	assert.Equal(t, 35, formats[LegacyCRUD], "crud/tests/v1 has 35 JSON files")
	assert.Equal(t, 10, formats[LegacyCommandMonitoring], "command-monitoring/tests/legacy has 10 JSON files")
}

// TestDebianCorpusLoads: the Go driver 1.x corpus loads; its one rejected file is an
// upstream fixture bug (expectEvents: [], fixed upstream as DRIVERS-1878), the same
// construct as invalid/test-expectEvents-minItems.
func TestDebianCorpusLoads(t *testing.T) {
	if !isDir(DebianCorpus) {
		t.Fatalf("%s is missing: apt-get install golang-mongodb-mongo-driver-dev", DebianCorpus)
	}
	sources, err := Discover([]string{DebianCorpus})
	require.NoError(t, err)
	var rejected []string
	formats := map[Format]int{}
	for _, r := range LoadAll(sources, false) {
		if r.Kind == Rejected {
			rejected = append(rejected, FieldPath(r.Err)+" in "+r.Source.ID)
		}
		if r.File != nil {
			formats[r.File.Format]++
		}
	}
	assert.Equal(t, []string{"tests.0.expectEvents in sessions/unified/snapshot-sessions-not-supported-client-error"}, rejected)
	assert.Equal(t, 10, formats[LegacyCommandMonitoring])
	assert.Equal(t, 35, formats[LegacyCRUD])
	assert.Equal(t, 4, formats[LegacyChangeStreams], "change-streams/legacy has 4 JSON files")
	assert.Equal(t, 4, formats[LegacyGridFS], "gridfs has 4 JSON files")
}

func BenchmarkLoadSharedCorpus(b *testing.B) {
	sources, err := Discover([]string{filepath.Join(sharedCorpus(b), "source")})
	require.NoError(b, err)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		LoadAll(sources, false)
	}
}

// The heartbeat events are observable: the spec text lists them, schema 1.28 does not.
func TestObserveHeartbeatEvents(t *testing.T) {
	f := mustLoad(t, "heartbeat.yml", strings.Replace(minimalUnified, "{id: client0}",
		"{id: client0, observeEvents: [serverHeartbeatStartedEvent, serverHeartbeatSucceededEvent, serverHeartbeatFailedEvent]}", 1))
	assert.Equal(t, []string{"serverHeartbeatStartedEvent", "serverHeartbeatSucceededEvent", "serverHeartbeatFailedEvent"},
		f.CreateEntities[0].Client.ObserveEvents)
}
