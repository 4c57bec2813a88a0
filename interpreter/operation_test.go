package interpreter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
	"github.com/specrun/specrun/operations"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// Errors as the driver builds them.
var (
	dupKeyReply = marshal(bson.D{
		{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "E11000 duplicate key error collection: db.coll index: _id_"},
		{Key: "code", Value: int32(11000)}, {Key: "codeName", Value: "DuplicateKey"},
		{Key: "keyPattern", Value: bson.D{{Key: "_id", Value: int32(1)}}},
		{Key: "errorLabels", Value: bson.A{"RetryableWriteError", "TransientTransactionError"}},
	})
	commandErr = mongo.CommandError{
		Code: 11000, Name: "DuplicateKey", Message: "E11000 duplicate key error collection: db.coll index: _id_",
		Labels: []string{"RetryableWriteError", "TransientTransactionError"}, Raw: dupKeyReply,
	}
	errNetwork = mongo.CommandError{Labels: []string{"NetworkError"}, Message: "connection(127.0.0.1:1) refused", Wrapped: errors.New("dial tcp: connection refused")}
	maxTimeErr = mongo.CommandError{Code: 50, Name: "MaxTimeMSExpired", Message: "operation exceeded time limit", Raw: marshal(bson.D{{Key: "ok", Value: 0.0}, {Key: "code", Value: int32(50)}})}
	writeExc   = mongo.WriteException{
		WriteErrors: mongo.WriteErrors{{Index: 0, Code: 11000, Message: "E11000 duplicate key error",
			Raw: marshal(bson.D{{Key: "index", Value: int32(0)}, {Key: "code", Value: int32(11000)}, {Key: "codeName", Value: "DuplicateKey"}, {Key: "errmsg", Value: "E11000 duplicate key error"}})}},
		WriteConcernError: &mongo.WriteConcernError{Name: "WriteConcernFailed", Code: 64, Message: "waiting for replication timed out"},
		Labels:            []string{"NoWritesPerformed"},
		Raw:               marshal(bson.D{{Key: "ok", Value: 1.0}, {Key: "n", Value: int32(0)}}),
	}
	// A single write's write error, which carries no code name either.
	writeExcNoName = mongo.WriteException{
		WriteErrors: mongo.WriteErrors{{Index: 0, Code: 11000, Message: "E11000 duplicate key error",
			Raw: marshal(bson.D{{Key: "index", Value: int32(0)}, {Key: "code", Value: int32(11000)}, {Key: "errmsg", Value: "E11000 duplicate key error"}})}},
		Raw: marshal(bson.D{{Key: "ok", Value: 1.0}, {Key: "n", Value: int32(0)}}),
	}
	bulkExc = mongo.BulkWriteException{
		WriteErrors: []mongo.BulkWriteError{{WriteError: mongo.WriteError{Index: 1, Code: 121, Message: "Document failed validation",
			Raw: marshal(bson.D{{Key: "index", Value: int32(1)}, {Key: "code", Value: int32(121)}, {Key: "codeName", Value: "DocumentValidationFailure"}})}}},
		Labels: []string{"RetryableWriteError"},
	}
	clientBulkExc = mongo.ClientBulkWriteException{
		WriteErrors: map[int]mongo.WriteError{
			0: {Index: 0, Code: 11000, Message: "E11000 duplicate key error", Details: marshal(bson.D{{Key: "a", Value: int32(1)}})},
		},
		WriteConcernErrors: []mongo.WriteConcernError{{Name: "WriteConcernFailed", Code: 64, Message: "waiting for replication timed out", Details: marshal(bson.D{{Key: "wtimeout", Value: true}})}},
	}
	// A clientBulkWrite whose command failed: the driver puts the server's reply in WriteError.
	clientBulkTopLevel = mongo.ClientBulkWriteException{WriteError: &mongo.WriteError{Code: 8, Message: "failpoint",
		Raw: marshal(bson.D{{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: "failpoint"}, {Key: "code", Value: int32(8)}, {Key: "codeName", Value: "UnknownError"}})}}
	// A clientBulkWrite that met a network error: the driver puts it in WriteError too.
	clientBulkNetwork = mongo.ClientBulkWriteException{WriteError: &mongo.WriteError{Message: "connection closed"}}
	errClient         = errors.New("cannot request unacknowledged write concern and verbose results")
)

func TestCheckError(t *testing.T) {
	type ee = specifications.ExpectedError
	partial := marshal(bson.D{{Key: "insertedCount", Value: int64(1)}, {Key: "deletedCount", Value: int64(0)}})
	tests := []struct {
		name string
		err  error
		want ee
		// reason is "" when the expectation holds, else a part of the failure's reason.
		reason string
	}{
		{"isError", errClient, ee{IsError: ptr(true)}, ""},

		{"client error, is", errClient, ee{IsClientError: ptr(true)}, ""},
		{"client error, is not", errClient, ee{IsClientError: ptr(false)}, "expected a server error, got a client error"},
		{"network error is a client error", errNetwork, ee{IsClientError: ptr(true)}, ""},
		{"timeout is a client error", context.DeadlineExceeded, ee{IsClientError: ptr(true)}, ""},
		{"server error, is", commandErr, ee{IsClientError: ptr(false)}, ""},
		{"server error, is not", commandErr, ee{IsClientError: ptr(true)}, "expected a client error, got a server error: server error 11000 (DuplicateKey)"},
		{"wrapped server error", fmt.Errorf("find: %w", commandErr), ee{IsClientError: ptr(false)}, ""},
		{"write exception is a server error", writeExc, ee{IsClientError: ptr(false)}, ""},
		{"bulk write exception is a server error", bulkExc, ee{IsClientError: ptr(false)}, ""},
		{"client bulk write exception is a server error", clientBulkExc, ee{IsClientError: ptr(false)}, ""},
		{"client bulk write, command failed", clientBulkTopLevel, ee{IsClientError: ptr(false)}, ""},
		{"client bulk write, network error", clientBulkNetwork, ee{IsClientError: ptr(true)}, ""},

		{"timeout, is", context.DeadlineExceeded, ee{IsTimeoutError: ptr(true)}, ""},
		{"timeout, is not", context.DeadlineExceeded, ee{IsTimeoutError: ptr(false)}, "expected an error that is not a timeout"},
		{"not a timeout, is", commandErr, ee{IsTimeoutError: ptr(true)}, "expected a timeout error, got: server error 11000"},
		{"not a timeout, is not", commandErr, ee{IsTimeoutError: ptr(false)}, ""},
		{"MaxTimeMSExpired is a timeout", maxTimeErr, ee{IsTimeoutError: ptr(true)}, ""},

		{"contains, other case", commandErr, ee{ErrorContains: ptr("DUPLICATE KEY error")}, ""},
		{"contains, client error", errClient, ee{ErrorContains: ptr("Cannot request unacknowledged write concern")}, ""},
		{"contains not", commandErr, ee{ErrorContains: ptr("validation")}, `expected an error containing "validation"`},
		{"contains, client bulk write command", clientBulkTopLevel, ee{ErrorContains: ptr("FailPoint")}, ""},
		{"contains, client bulk write error", clientBulkExc, ee{ErrorContains: ptr("duplicate key")}, `expected an error containing "duplicate key"`},
		{"contains, client bulk write concern error", clientBulkExc, ee{ErrorContains: ptr("replication")}, `expected an error containing "replication"`},

		{"code", commandErr, ee{ErrorCode: ptr(int64(11000))}, ""},
		{"code differs", commandErr, ee{ErrorCode: ptr(int64(11001))}, "expected server error code 11001, got: server error 11000 (DuplicateKey)"},
		{"code of a write error", writeExc, ee{ErrorCode: ptr(int64(11000))}, ""},
		{"code of a write concern error", writeExc, ee{ErrorCode: ptr(int64(64))}, ""},
		{"code of a bulk write error", bulkExc, ee{ErrorCode: ptr(int64(121))}, ""},
		{"code of a bulk write, differs", bulkExc, ee{ErrorCode: ptr(int64(11000))}, "expected server error code 11000"},
		// "Test runners MUST NOT inspect the contents of these fields [writeErrors and
		// writeConcernErrors] when making assertions based on any other fields"
		{"code of a client bulk write error", clientBulkExc, ee{ErrorCode: ptr(int64(11000))}, "expected server error code 11000"},
		{"code name of a client bulk write concern error", clientBulkExc, ee{ErrorCodeName: ptr("WriteConcernFailed")}, "expected error code name WriteConcernFailed"},
		{"code of a client bulk write command", clientBulkTopLevel, ee{ErrorCode: ptr(int64(8))}, ""},
		{"code of a client error", errClient, ee{ErrorCode: ptr(int64(0))}, "expected server error code 0"},
		{"code of a network error", errNetwork, ee{ErrorCode: ptr(int64(0))}, "expected server error code 0"},

		{"code name, other case", commandErr, ee{ErrorCodeName: ptr("duplicatekey")}, ""},
		{"code name differs", commandErr, ee{ErrorCodeName: ptr("DocumentValidationFailure")}, "expected error code name DocumentValidationFailure"},
		{"code name of a write error", writeExc, ee{ErrorCodeName: ptr("DuplicateKey")}, ""},
		{"code name of a write concern error", writeExc, ee{ErrorCodeName: ptr("writeconcernfailed")}, ""},
		{"code name of a bulk write error", bulkExc, ee{ErrorCodeName: ptr("DocumentValidationFailure")}, ""},
		{"code name of a client bulk write command", clientBulkTopLevel, ee{ErrorCodeName: ptr("UnknownError")}, ""},
		{"code name of a client error", errClient, ee{ErrorCodeName: ptr("DuplicateKey")}, "expected error code name DuplicateKey"},

		{"labels contain", commandErr, ee{ErrorLabelsContain: []string{"TransientTransactionError", "RetryableWriteError"}}, ""},
		{"labels contain not", commandErr, ee{ErrorLabelsContain: []string{"RetryableWriteError", "NoWritesPerformed"}}, "expected error label NoWritesPerformed"},
		{"labels omit", commandErr, ee{ErrorLabelsOmit: []string{"NoWritesPerformed"}}, ""},
		{"labels omit not", commandErr, ee{ErrorLabelsOmit: []string{"NoWritesPerformed", "TransientTransactionError"}}, "expected no error label TransientTransactionError"},
		{"labels of a write exception", writeExc, ee{ErrorLabelsContain: []string{"NoWritesPerformed"}, ErrorLabelsOmit: []string{"RetryableWriteError"}}, ""},
		{"labels of a bulk write exception", bulkExc, ee{ErrorLabelsContain: []string{"RetryableWriteError"}}, ""},
		{"labels of a network error", errNetwork, ee{ErrorLabelsContain: []string{"NetworkError"}}, ""},
		{"labels of a client error", errClient, ee{ErrorLabelsContain: []string{"NetworkError"}}, "expected error label NetworkError"},
		{"labels omitted by a client error", errClient, ee{ErrorLabelsOmit: []string{"NetworkError"}}, ""},

		{"response, root", commandErr, ee{ErrorResponse: marshal(bson.D{{Key: "code", Value: 11000}, {Key: "codeName", Value: "DuplicateKey"}})}, ""},
		{"response differs", commandErr, ee{ErrorResponse: marshal(bson.D{{Key: "codeName", Value: "Other"}})}, `errorResponse: codeName: expected string "Other"`},
		{"response, nested document whole", commandErr, ee{ErrorResponse: marshal(bson.D{{Key: "keyPattern", Value: bson.D{}}})}, "errorResponse: keyPattern._id: "},
		{"response of a write exception", writeExc, ee{ErrorResponse: marshal(bson.D{{Key: "n", Value: 0}})}, ""},
		{"response of a client bulk write command", clientBulkTopLevel, ee{ErrorResponse: marshal(bson.D{{Key: "code", Value: 8}})}, ""},
		{"response of a client error", errClient, ee{ErrorResponse: marshal(bson.D{{Key: "code", Value: 8}})}, "expected a server response in the error"},

		{"write errors", clientBulkExc, ee{WriteErrors: marshal(bson.D{{Key: "0", Value: bson.D{{Key: "code", Value: 11000}}}})}, ""},
		{"write errors with message and details", clientBulkExc, ee{WriteErrors: marshal(bson.D{{Key: "0", Value: bson.D{
			{Key: "code", Value: 11000}, {Key: "message", Value: "E11000 duplicate key error"}, {Key: "details", Value: bson.D{{Key: "a", Value: 1}}}}}})}, ""},
		{"write error differs", clientBulkExc, ee{WriteErrors: marshal(bson.D{{Key: "0", Value: bson.D{{Key: "code", Value: 11001}}}})}, "writeErrors.0: code: expected int32 11001, got int32 11000"},
		{"write error details differ", clientBulkExc, ee{WriteErrors: marshal(bson.D{{Key: "0", Value: bson.D{{Key: "details", Value: bson.D{}}}}})}, "writeErrors.0: details.a: "},
		{"write error at another index", clientBulkExc, ee{WriteErrors: marshal(bson.D{{Key: "1", Value: bson.D{{Key: "code", Value: 11000}}}})}, "expected a write error at index 1, got none"},
		{"extra write errors", clientBulkExc, ee{WriteErrors: marshal(bson.D{})}, "expected 0 write errors, got 1"},
		{"missing write errors", clientBulkExc, ee{WriteErrors: marshal(bson.D{{Key: "0", Value: bson.D{}}, {Key: "2", Value: bson.D{}}})}, "expected 2 write errors, got 1"},
		{"write errors of another error", commandErr, ee{WriteErrors: marshal(bson.D{})}, "expected a client bulk write error"},

		{"write concern errors", clientBulkExc, ee{WriteConcernErrors: []bson.Raw{marshal(bson.D{{Key: "code", Value: 64}, {Key: "message", Value: "waiting for replication timed out"}})}}, ""},
		{"write concern error differs", clientBulkExc, ee{WriteConcernErrors: []bson.Raw{marshal(bson.D{{Key: "code", Value: 91}})}}, "writeConcernErrors[0]: code: "},
		{"write concern error details", clientBulkExc, ee{WriteConcernErrors: []bson.Raw{marshal(bson.D{{Key: "details", Value: bson.D{{Key: "wtimeout", Value: false}}}})}}, "writeConcernErrors[0]: details.wtimeout: "},
		{"extra write concern errors", clientBulkExc, ee{WriteConcernErrors: []bson.Raw{}}, "expected 0 write concern errors, got 1"},
		{"missing write concern errors", clientBulkExc, ee{WriteConcernErrors: []bson.Raw{marshal(bson.D{}), marshal(bson.D{})}}, "expected 2 write concern errors, got 1"},

		{"partial result", clientBulkExc, ee{ExpectResult: matchers.Doc(marshal(bson.D{{Key: "insertedCount", Value: 1}}))}, ""},
		{"partial result differs", clientBulkExc, ee{ExpectResult: matchers.Doc(marshal(bson.D{{Key: "insertedCount", Value: 2}}))}, "expectError.expectResult: insertedCount: expected int32 2, got int64 1"},

		{"every assertion", commandErr, ee{IsError: ptr(true), IsClientError: ptr(false), IsTimeoutError: ptr(false), ErrorContains: ptr("duplicate"),
			ErrorCode: ptr(int64(11000)), ErrorCodeName: ptr("DuplicateKey"), ErrorLabelsContain: []string{"RetryableWriteError"}, ErrorLabelsOmit: []string{"x"},
			ErrorResponse: marshal(bson.D{{Key: "errmsg", Value: bson.D{{Key: "$$type", Value: "string"}}}})}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &testRun{entities: entities.NewMap(), t: &specifications.Test{}}
			res := &operations.Returned{Err: tt.err, Value: matchers.Doc(partial), At: matchers.Root}
			v := tr.checkError(&specifications.Operation{Name: "insertOne"}, &tt.want, res)
			checkVerdict(t, v, result.Fail, tt.reason)
		})
	}
}

// Without a result, expectResult in expectError cannot hold.
func TestCheckErrorWithoutResult(t *testing.T) {
	tr := &testRun{entities: entities.NewMap(), t: &specifications.Test{}}
	want := &specifications.ExpectedError{ExpectResult: matchers.Doc(marshal(bson.D{{Key: "insertedCount", Value: 1}}))}
	insertOne := &specifications.Operation{Name: "insertOne"}
	v := tr.checkError(insertOne, want, &operations.Returned{Err: commandErr})
	checkVerdict(t, v, result.Fail, "expectError.expectResult")
	want = &specifications.ExpectedError{ExpectResult: matchers.Doc(marshal(bson.D{{Key: "$$unsetOrMatches", Value: bson.D{}}}))}
	v = tr.checkError(insertOne, want, &operations.Returned{Err: commandErr})
	checkVerdict(t, v, result.Fail, "")
}

// TestCheckBulkWriteError: a bulk write's error (insertMany, bulkWrite) carries write
// errors with a code and no name, and no reply of the server (Unified Test Format,
// bulkWrite and expectedError.errorResponse).
func TestCheckBulkWriteError(t *testing.T) {
	type ee = specifications.ExpectedError
	dup := mongo.BulkWriteException{WriteErrors: []mongo.BulkWriteError{{WriteError: mongo.WriteError{Index: 1, Code: 11000, Message: "E11000 duplicate key error",
		Raw: marshal(bson.D{{Key: "index", Value: int32(1)}, {Key: "code", Value: int32(11000)}, {Key: "errmsg", Value: "E11000 duplicate key error"}})}}}}
	withoutReply := mongo.WriteException{WriteErrors: mongo.WriteErrors{dup.WriteErrors[0].WriteError}}
	partial := marshal(bson.D{{Key: "insertedCount", Value: int64(1)}})
	response := marshal(bson.D{{Key: "n", Value: 1}})
	const unjudged = "errorResponse: the Go driver's BulkWriteException keeps none of the server's replies whole"
	tests := []struct {
		name   string
		err    error
		want   ee
		status result.Status
		reason string // "" when the expectation holds, else a part of the reason
	}{
		{"code name of a write error", dup, ee{ErrorCodeName: ptr("DuplicateKey")}, "", ""},
		{"code name of a write error, another case", dup, ee{ErrorCodeName: ptr("duplicatekey")}, "", ""},
		{"code name of another code", dup, ee{ErrorCodeName: ptr("WriteConflict")}, result.Fail,
			"expected error code name WriteConflict (code 112; the write errors carry codes only), got: write error 11000 at index 1"},
		{"code name the table lacks", dup, ee{ErrorCodeName: ptr("DuplicateKeys")}, result.Error,
			`errorCodeName: "DuplicateKeys" is not a code name of MongoDB's error_codes.yml, and the write errors carry codes without names: the comparison cannot be attempted`},
		{"code name of a single write's write error", writeExcNoName, ee{ErrorCodeName: ptr("DuplicateKey")}, result.Fail, "expected error code name DuplicateKey, got"},

		{"response", dup, ee{ErrorResponse: response}, result.Unsupported, unjudged},
		{"response of a write exception without its reply", withoutReply, ee{ErrorResponse: response}, result.Unsupported,
			"errorResponse: the Go driver's WriteException keeps none"},
		{"response, and a code that differs", dup, ee{ErrorCode: ptr(int64(11001)), ErrorResponse: response}, result.Fail, "expected server error code 11001"},
		{"response, and a partial result that differs", dup, ee{ErrorResponse: response, ExpectResult: matchers.Doc(marshal(bson.D{{Key: "insertedCount", Value: 2}}))},
			result.Fail, "expectError.expectResult: insertedCount: expected int32 2, got int64 1"},
		{"response, and a partial result that holds", dup, ee{ErrorResponse: response, ExpectResult: matchers.Doc(marshal(bson.D{{Key: "insertedCount", Value: 1}}))},
			result.Unsupported, unjudged},
		{"response of a client error", errClient, ee{ErrorResponse: response}, result.Fail, "expected a server response in the error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &testRun{entities: entities.NewMap(), t: &specifications.Test{}}
			res := &operations.Returned{Err: tt.err, Value: matchers.Doc(partial), At: matchers.Root}
			v := tr.checkError(&specifications.Operation{Name: "insertMany"}, &tt.want, res)
			checkVerdict(t, v, tt.status, tt.reason)
		})
	}
}

func TestJudge(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status result.Status
		reason string
	}{
		{"unsupported", result.Unsupportedf("the server has no configureFailPoint command"), result.Unsupported, "op: the server has no configureFailPoint command"},
		{"wrapped unsupported", fmt.Errorf("client client0: %w", result.Unsupportedf("no CSFLE")), result.Unsupported, "op: no CSFLE"},
		{"not implemented", result.NotImplemented("client storeEventsAsEntities"), result.Error, "op: client storeEventsAsEntities is not implemented by specrun yet"},
		{"unknown operation", result.CannotRun("frobnicate", "collection"), result.Error, "op: specrun cannot run operation frobnicate on a collection"},
		{"unknown argument", &operations.UnknownArgument{Name: "bogus"}, result.Error, `op: unsupported argument "bogus"`},
		{"invalid argument", &operations.InvalidArgument{Name: "filter", Err: errors.New("must be a document")}, result.Error, "op: argument filter: must be a document"},
		{"invalid expectation", &matchers.InvalidExpectation{Path: "x", Err: errors.New("unknown operator $$nope")}, result.Error, "op: x: invalid expectation"},
		{"undefined entity", errors.New(`entity "coll9" is not defined`), result.Error, `op: entity "coll9" is not defined`},
		{"client error", errClient, result.Error, "op: cannot request"},
		{"network error", errNetwork, result.Error, "op: connection(127.0.0.1:1) refused"},
		{"server error", commandErr, result.Fail, "op: server error 11000 (DuplicateKey): E11000 duplicate key error collection: db.coll index: _id_"},
		{"wrapped server error", fmt.Errorf("insert into db.coll: %w", commandErr), result.Fail, "op: server error 11000 (DuplicateKey)"},
		{"write exception", writeExc, result.Fail, "op: write error 11000 at index 0: E11000 duplicate key error; write concern error 64 (WriteConcernFailed): waiting for replication timed out"},
		{"bulk write exception", bulkExc, result.Fail, "op: write error 121 at index 1: Document failed validation"},
		{"client bulk write exception: its top-level error", clientBulkTopLevel, result.Fail, "op: server error 8 (UnknownError): failpoint"},
		{"assertion failed", result.Failedf(`collection "db.coll" does not exist`), result.Fail, `op: collection "db.coll" does not exist`},
		{"condition not met, wrapped", fmt.Errorf("client client0: %w", result.Failedf("awaitMinPoolSizeMS: the connection pools did not reach minPoolSize 1 within 1s")), result.Fail,
			"op: awaitMinPoolSizeMS: the connection pools did not reach minPoolSize 1"},
		{"mismatch", &matchers.Mismatch{Path: "a.b", Reason: "differs"}, result.Fail, "op: a.b: expected"},
		{"verdict of nested operations", &result.Verdict{Status: result.Fail, Reason: "operation 0 (insertOne): unexpected error"}, result.Fail, "op: operation 0 (insertOne): unexpected error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := judge("op", tt.err)
			if v.Status != tt.status || !strings.HasPrefix(v.Reason, tt.reason) {
				t.Errorf("judge: %s %q, want %s %q…", v.Status, v.Reason, tt.status, tt.reason)
			}
			if strings.Contains(v.Reason, "\n") {
				t.Errorf("reason is not one line: %q", v.Reason)
			}
		})
	}
}
