package interpreter_test

import (
	"testing"

	"github.com/specrun/specrun/interpreter"
	"github.com/specrun/specrun/result"
)

// TestWriteErrors runs testdata/interpreter/write-errors.json, whose verdicts follow from
// the Unified Test Format and the CRUD spec: the partial result of an ordered bulkWrite
// that failed after an upsert (the Go driver v2 counts the upsert as a match), and
// errorCodeName and errorResponse against the error of insertMany and bulkWrite (a
// BulkWriteException, whose write errors carry a code without a name, and which keeps
// no reply of the server).
func TestWriteErrors(t *testing.T) {
	r := newRunner(t, interpreter.Config{})
	results := runFile(t, r, loadFixture(t, "write-errors.json"))
	const (
		driverCount = "the Go driver v2 counts the upserts of an ordered bulk write that failed as matches " +
			"(mongo/bulk_write.go returns at the failure before it subtracts UpsertedCount from MatchedCount): the partial result cannot be judged"
		dup            = "write error 11000 at index 1: E11000 duplicate key error collection: interpreter_tests.write_errors"
		noSingleReply  = "errorResponse: the Go driver's BulkWriteException keeps none of the server's replies whole (it gathers their write errors), and the spec lets a runner skip a test that asserts on one"
		matchedIsMatch = "operation 0 (bulkWrite): expectError.expectResult: matchedCount: expected int32 0, got int64 1"
	)
	cases := map[string]want{
		// D1: the server answered n: 1, upserted: [...], which the spec counts as no match
		"ordered bulkWrite failing after an upsert: the partial result the spec gives": {result.Unsupported, "operation 0 (bulkWrite): expectError.expectResult: " + driverCount, nil},
		"ordered bulkWrite failing after an upsert and a match":                        {result.Unsupported, "operation 0 (bulkWrite): expectError.expectResult: " + driverCount, nil},
		// FerretDB 1.24.2 reports the upsert at index 0 of the command's upserts, where the
		// spec keys upsertedIds by the index of the write: the failure is the server's,
		// judged on the result with the driver's count undone
		"ordered bulkWrite failing after a match and an upsert": {result.Fail, "operation 0 (bulkWrite): expectError.expectResult: upsertedIds.1: expected int32 9, got missing", []string{
			`actual:   {"insertedCount":0,"matchedCount":1,`,
			"(actual: matchedCount without the upserts, which the Go driver v2 counts as matches when an ordered bulk write fails;",
			` the driver gave {"insertedCount":0,"matchedCount":2,`,
		}},
		"unordered bulkWrite failing after an upsert: the driver subtracts the upserts": {status: result.Pass},
		"ordered bulkWrite failing after an upsert, another count differs too": {result.Fail,
			"operation 0 (bulkWrite): expectError.expectResult: modifiedCount: expected int32 1, got int64 0", nil},
		"ordered bulkWrite failing without an upsert, matchedCount differs": {result.Fail, matchedIsMatch, nil},
		// errorCodeName: any write error of a BulkWriteException, by its code (UTF, bulkWrite)
		"insertMany duplicate: errorCodeName":                 {status: result.Pass},
		"insertMany duplicate: errorCodeName in another case": {status: result.Pass},
		"bulkWrite duplicate: errorCodeName":                  {status: result.Pass},
		"insertMany duplicate: errorCodeName of another code": {result.Fail,
			"operation 0 (insertMany): expected error code name WriteConflict (code 112; the write errors carry codes only), got: " + dup, nil},
		"insertMany duplicate: errorCodeName not in the table": {result.Error, `operation 0 (insertMany): errorCodeName: "DuplicateKeys" is not a code name of ` +
			"MongoDB's error_codes.yml, and the write errors carry codes without names: the comparison cannot be attempted", []string{"error: " + dup}},
		// insertOne raises a WriteException, for which the spec allows no translation:
		// the server's reply has no codeName
		"insertOne duplicate: errorCodeName, which its write error does not carry": {result.Fail,
			"operation 0 (insertOne): expected error code name DuplicateKey, got: write error 11000 at index 0: E11000 duplicate key error collection: interpreter_tests.write_errors", nil},
		// errorResponse: a BulkWriteException keeps no reply (UTF, expectedError.errorResponse)
		"insertMany duplicate: errorResponse": {result.Unsupported, "operation 0 (insertMany): " + noSingleReply, nil},
		"bulkWrite duplicate: errorResponse, and an errorCode that differs": {result.Fail,
			"operation 0 (bulkWrite): expected server error code 11001, got: write error 11000 at index 0: E11000 duplicate key error collection: interpreter_tests.write_errors", nil},
		"bulkWrite duplicate: errorResponse, and a partial result that differs": {result.Fail,
			"operation 0 (bulkWrite): expectError.expectResult: upsertedIds.0: expected int32 8, got int32 9", nil},
		"insertOne duplicate: errorResponse, the whole reply": {status: result.Pass},
	}
	checkAll(t, results, cases)
}
