package interpreter_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/internal/testcorpus"
	"github.com/specrun/specrun/interpreter"
	"github.com/specrun/specrun/result"
)

// A legacy transactions-style test of the Debian corpus that passes on the embedded
// server must fail once one expected value is changed, with a reason that names the
// place in the legacy fixture: the translated rules are no looser than the READMEs.
func TestLegacyTransactionsMutations(t *testing.T) {
	const (
		sessions = "sessions/legacy/server-support.json"
		explicit = "Server supports explicit sessions"
		rwc      = "read-write-concern/operation/default-write-concern-2.6.json"
		deleteOp = "DeleteOne omits default write concern"
		inserts  = "InsertOne and InsertMany omit default write concern"
	)
	cases := []mutation{
		{"lsid of the other session", sessions, explicit, "expectations.0.command_started_event.command.lsid", "session1",
			"expectations: event 0: command: lsid: …"},
		{"null: the command omits the field", sessions, explicit, "expectations.0.command_started_event.command.ordered", nil,
			"expectations: event 0: command: ordered: …"},
		{"database name", sessions, explicit, "expectations.0.command_started_event.database_name", "other",
			"expectations: event 0: databaseName: expected other, observed session-tests"},
		{"command name", sessions, explicit, "expectations.1.command_started_event.command_name", "aggregate",
			"expectations: event 1: commandName: expected aggregate, observed find"},
		{"insertedId when reported", sessions, explicit, "operations.1.result.insertedId", int32(3),
			"operations.1 (insertOne): result: insertedId: expected int32 3, got int32 2"},
		{"a field the command lacks", rwc, deleteOp, "expectations.0.command_started_event.command.writeConcern", map[string]any{"w": 1},
			"expectations: event 0: command: writeConcern: expected …"},
		{"nested documents are exact", rwc, deleteOp, "expectations.0.command_started_event.command.deletes.0.limit", remove{},
			`expectations: event 0: command: deletes.0.limit: expected missing, got int32 1: unexpected key in a nested document`},
		{"deletedCount off by one", rwc, deleteOp, "operations.0.result.deletedCount", int32(2),
			"operations.0 (deleteOne): result: deletedCount: expected int32 2, got int64 1"},
		{"collection afterwards", rwc, inserts, "outcome.collection.data.0.x", int32(99),
			"outcome.collection default_write_concern_db.default_write_concern_coll: 0.x: expected int32 99, got …"},
		{"count off by one", "retryable-reads/count.json", "Count succeeds on first attempt", "operations.0.result", int32(3),
			"operations.0 (count): result: expected int32 3, got int32 2"},
	}
	root := testcorpus.Debian(t)
	checkMutations(t, root, cases)
}

// The operation a legacy test runs on a thread is named by its index, as any nested
// operation, and its expected result as the fixture names it: result.
func TestLegacyTransactionsNestedNames(t *testing.T) {
	root := t.TempDir()
	const fixture = `{"database_name": "nested-names", "collection_name": "c", "data": [], "tests": [{"description": "a thread's operation", "operations": [
	  {"name": "startThread", "object": "testRunner", "arguments": {"name": "t1"}},
	  {"name": "runOnThread", "object": "testRunner", "arguments": {"name": "t1", "operation":
	    {"name": "insertOne", "object": "collection", "arguments": {"document": {"_id": 1}}, "result": {"insertedId": 1}}}},
	  {"name": "waitForThread", "object": "testRunner", "arguments": {"name": "t1"}}]}]}`
	if err := os.WriteFile(filepath.Join(root, "threads.json"), []byte(fixture), 0o644); err != nil {
		t.Fatal(err)
	}
	checkMutations(t, root, []mutation{{"insertedId", "threads.json", "a thread's operation",
		"operations.1.arguments.operation.result.insertedId", int32(2),
		"operations.2 (waitForThread): operation 0 (insertOne): result: insertedId: expected int32 2, got int32 1"}})
}

// What the embedded server cannot do ends a legacy transactions-style test as the spec
// says: a test-level failPoint is unsupported, a client with client-side encryption is
// unsupported before any data is written, a runOn topology mismatch skips.
func TestLegacyTransactionsGaps(t *testing.T) {
	cases := []struct {
		file, test string
		status     result.Status
		reason     string
	}{
		{"retryable-reads/count.json", "Count succeeds on second attempt", result.Unsupported,
			"failPoint: the server has no configureFailPoint command"},
		{"client-side-encryption/aggregate.json", "Database aggregate should fail", result.Unsupported,
			"clientOptions (createEntities): client client0: " + entities.NoClientSideEncryption},
		{"transactions/legacy/commit.json", "commit", result.Skip, "…"},
	}
	root := testcorpus.Debian(t)
	r := newRunner(t, interpreter.Config{})
	for _, c := range cases {
		t.Run(c.test, func(t *testing.T) {
			res := runLegacy(t, r, filepath.Join(root, c.file), c.test, nil)
			prefix, open := strings.CutSuffix(c.reason, "…")
			if res.Status != c.status || (!open && res.Reason != c.reason) || !strings.HasPrefix(res.Reason, prefix) {
				t.Errorf("%s %q, want %s %q\n%s", res.Status, res.Reason, c.status, c.reason, res.Detail)
			}
		})
	}
}
