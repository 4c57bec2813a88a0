package specifications

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// placed lists where each operation is: "path | label | result label".
func placed(ops []Operation) []string {
	var out []string
	for _, o := range ops {
		out = append(out, strings.TrimRight(o.Path+" | "+o.Label+" | "+o.ResultLabel, " |"))
	}
	return out
}

// TestPositions: the loader places every operation where it is in its file and names it
// as messages do; a legacy fixture's parts are named in its own terms.
func TestPositions(t *testing.T) {
	const retryableWrites = `{"runOn": [{"minServerVersion": "3.6"}], "data": [], "tests": [
	  {"description": "partial", "failPoint": {"configureFailPoint": "failCommand", "mode": "alwaysOn"},
	   "operation": {"name": "insertMany", "arguments": {"documents": [{"_id": 1}], "options": {"ordered": true}}},
	   "outcome": {"error": true, "result": {"insertedIds": {"0": 1}}, "collection": {"data": []}}}]}`
	transactions := func(t *testing.T) *File {
		r := Load(Source{Path: filepath.Join("testdata", "legacy-transactions", "transactions.json"), ID: "transactions/legacy/transactions"}, false)
		require.Equal(t, Loaded, r.Kind, "error: %v", r.Err)
		return r.File
	}
	tests := []struct {
		name string
		load func(t *testing.T) *File
		test int
		ops  []string
		// the labels of the expected events, outcome collections and first error
		events, outcome, firstError string
		// the result label of the expected error of an operation
		errorResult map[int]string
	}{
		{name: "unified", load: func(t *testing.T) *File { return mustLoad(t, "f.yml", minimalUnified) },
			ops: []string{"tests.0.operations.0 | operation 0 (find)"}},
		{name: "CRUD v1", load: func(t *testing.T) *File { return mustLoad(t, "f.json", crudV1) },
			ops:     []string{"tests.0.operation | operation (updateOne) | outcome.result"},
			outcome: "outcome.collection"},
		{name: "CRUD v1, error and result", load: func(t *testing.T) *File { return mustLoad(t, "f.json", crudV1) }, test: 2,
			ops:         []string{"tests.2.operation | operation (bulkWrite) | outcome.result"},
			errorResult: map[int]string{0: "outcome.result"}},
		{name: "command monitoring", load: func(t *testing.T) *File { return mustLoad(t, "f.json", commandMonitoring) },
			ops: []string{
				"tests.0.operation.collectionOptions | operation.collectionOptions (createEntities)",
				"tests.0.operation | operation (find)"},
			events: "expectations"},
		{name: "change streams", load: func(t *testing.T) *File { return mustLoad(t, "f.json", fixture(t, "change-streams.json")) },
			ops: []string{
				"tests.0.target | target (createChangeStream)",
				"tests.0.operations.0 | operations.0 (insertOne)",
				"tests.0.operations.1 | operations.1 (insertOne)",
				"tests.0.operations.2 | operations.2 (drop)",
				"tests.0.result.success.0 | result.success.0 (iterateUntilDocumentOrError) | change",
				"tests.0.result.success.1 | result.success.1 (iterateUntilDocumentOrError) | change",
				"tests.0.close | close (close)"},
			events: "expectations"},
		{name: "change streams, first error", load: func(t *testing.T) *File { return mustLoad(t, "f.json", fixture(t, "change-streams.json")) }, test: 1,
			ops: []string{
				"tests.1.failPoint | failPoint (failPoint)",
				"tests.1.target | target (createChangeStream)",
				"tests.1.iteration | iteration (iterateOnce)",
				"tests.1.close | close (close)"},
			firstError: "result.error"},
		{name: "GridFS", load: func(t *testing.T) *File { return mustLoad(t, "f.json", fixture(t, "gridfs.json")) },
			ops: []string{
				"tests.0.arrange.data.0 | arrange.data.0 (runCommand)",
				"tests.0.act | act (delete) | assert.result"},
			outcome: "assert.data"},
		{name: "transactions-style", load: transactions,
			ops: []string{
				"tests.0.failPoint | failPoint",
				"tests.0.clientOptions | clientOptions (createEntities)",
				"tests.0.operations.0 | operations.0 (startTransaction) | result",
				"tests.0.operations.1 | operations.1 (insertOne) | result",
				"tests.0.operations.2 | operations.2 (find) | result",
				"tests.0.operations.3 | operations.3 (commitTransaction) | result",
				"tests.0.operations.4 | operations.4 (targetedFailPoint) | result",
				"tests.0.session0 ended after the operations | session0 ended after the operations (endSession)",
				"tests.0.session1 ended after the operations | session1 ended after the operations (endSession)"},
			events: "expectations", outcome: "outcome.collection", errorResult: map[int]string{5: "result"}},
		{name: "transactions-style, one operation", load: func(t *testing.T) *File { return mustLoadAs(t, "retryable-writes/legacy/insertMany", retryableWrites) },
			ops: []string{
				"tests.0.failPoint | failPoint",
				"tests.0.clientOptions | clientOptions (createEntities)",
				"tests.0.operation | operation (insertMany) | outcome.result",
				"tests.0.session0 ended after the operations | session0 ended after the operations (endSession)",
				"tests.0.session1 ended after the operations | session1 ended after the operations (endSession)"},
			outcome: "outcome.collection", errorResult: map[int]string{2: "outcome.result"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			test := tt.load(t).Tests[tt.test]
			assert.Equal(t, tt.ops, placed(test.Operations))
			for i, op := range test.Operations {
				if op.ExpectError != nil {
					assert.Equal(t, tt.errorResult[i], op.ExpectError.ResultLabel, "operation %d", i)
				}
			}
			for _, e := range test.ExpectEvents {
				assert.Equal(t, tt.events, e.Label)
			}
			for _, o := range test.Outcome {
				assert.Equal(t, tt.outcome, o.Label)
			}
			if test.FirstError != nil || tt.firstError != "" {
				require.NotNil(t, test.FirstError)
				assert.Equal(t, tt.firstError, test.FirstError.Label)
			}
		})
	}
}

// TestNestedPositions: the operations decoded at run time are placed in the argument
// that holds them; the single one of runOnThread runs as operation 0 of its own list.
func TestNestedPositions(t *testing.T) {
	raw, err := bson.Marshal(bson.D{
		{Key: "callback", Value: bson.A{
			bson.D{{Key: "name", Value: "insertOne"}, {Key: "object", Value: "collection0"}},
			bson.D{{Key: "name", Value: "find"}, {Key: "object", Value: "collection0"}},
		}},
		{Key: "operation", Value: bson.D{{Key: "name", Value: "countDocuments"}, {Key: "object", Value: "collection0"}}},
	})
	require.NoError(t, err)
	doc := bson.Raw(raw)

	list, err := DecodeOperations("tests.0.operations.1.arguments.callback", doc.Lookup("callback"))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"tests.0.operations.1.arguments.callback.0 | operation 0 (insertOne)",
		"tests.0.operations.1.arguments.callback.1 | operation 1 (find)"}, placed(list))

	one, err := DecodeOperation("operation", doc.Lookup("operation"))
	require.NoError(t, err)
	assert.Equal(t, []string{"operation | operation 0 (countDocuments)"}, placed([]Operation{*one}))
}
