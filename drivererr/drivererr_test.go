package drivererr

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

func raw(t *testing.T, d bson.D) bson.Raw {
	t.Helper()
	b, err := bson.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOf(t *testing.T) {
	dupReply := raw(t, bson.D{{Key: "ok", Value: 0}, {Key: "code", Value: 11000}, {Key: "codeName", Value: "DuplicateKey"}})
	duplicate := mongo.CommandError{Code: 11000, Name: "DuplicateKey", Message: "E11000 duplicate\n key", Labels: []string{"L1"}, Raw: dupReply}
	writeExc := mongo.WriteException{
		WriteErrors:       mongo.WriteErrors{{Index: 0, Code: 11000, Message: "E11000 duplicate key error", Raw: raw(t, bson.D{{Key: "codeName", Value: "DuplicateKey"}})}},
		WriteConcernError: &mongo.WriteConcernError{Name: "WriteConcernFailed", Code: 64, Message: "waiting for replication timed out"},
		Labels:            []string{"RetryableWriteError"},
		Raw:               raw(t, bson.D{{Key: "ok", Value: 1}}),
	}
	bulkExc := mongo.BulkWriteException{WriteErrors: []mongo.BulkWriteError{{WriteError: mongo.WriteError{Index: 1, Code: 121, Message: "Document failed validation"}}}}
	topReply := raw(t, bson.D{{Key: "ok", Value: 0}, {Key: "code", Value: 8}, {Key: "codeName", Value: "UnknownError"}, {Key: "errorLabels", Value: bson.A{"TransientTransactionError"}}})
	clientTop := mongo.ClientBulkWriteException{WriteError: &mongo.WriteError{Code: 8, Message: "failpoint", Raw: topReply}}
	clientWrites := mongo.ClientBulkWriteException{
		WriteErrors: map[int]mongo.WriteError{
			3: {Index: 3, Code: 11000, Message: "dup 3", Details: raw(t, bson.D{{Key: "x", Value: 1}})},
			1: {Index: 1, Code: 11000, Message: "dup 1"},
		},
		WriteConcernErrors: []mongo.WriteConcernError{{Name: "ShutdownInProgress", Code: 91, Message: "Replication is being shut down"}},
	}

	for _, tt := range []struct {
		name              string
		err               error
		server            bool
		codes             []int
		names             []string
		labels            []string
		reply             bson.Raw
		message, describe string
	}{
		{"client error", errors.New("cannot  request\nthis"), false, nil, nil, nil, nil, "cannot  request\nthis", "cannot request this"},
		{"command error", duplicate, true, []int{11000}, []string{"DuplicateKey"}, []string{"L1"}, dupReply, duplicate.Error(),
			"server error 11000 (DuplicateKey): E11000 duplicate key"},
		{"wrapped command error", fmt.Errorf("insert into db.coll: %w", duplicate), true, []int{11000}, []string{"DuplicateKey"}, []string{"L1"}, dupReply,
			"insert into db.coll: " + duplicate.Error(), "server error 11000 (DuplicateKey): E11000 duplicate key"},
		{"reply without a code", noCode(dupReply), true, []int{0}, []string{""}, nil, dupReply, noCode(dupReply).Error(), "m"},
		{"no reply, no code", noCode(nil), false, nil, []string{""}, nil, nil, noCode(nil).Error(), "m"},
		{"write exception", writeExc, true, []int{11000, 64}, []string{"WriteConcernFailed", "DuplicateKey"}, []string{"RetryableWriteError"}, writeExc.Raw, writeExc.Error(),
			"write error 11000 at index 0: E11000 duplicate key error; write concern error 64 (WriteConcernFailed): waiting for replication timed out"},
		{"bulk write exception", bulkExc, true, []int{121}, nil, nil, nil, bulkExc.Error(), "write error 121 at index 1: Document failed validation"},
		{"client bulk write, top-level error", clientTop, true, []int{8}, []string{"UnknownError"}, []string{"TransientTransactionError"}, topReply, "failpoint",
			"server error 8 (UnknownError): failpoint"},
		{"client bulk write, write errors in model order", clientWrites, true, nil, nil, nil, nil, "",
			"write error 11000 at index 1: dup 1; write error 11000 at index 3: dup 3; write concern error 91 (ShutdownInProgress): Replication is being shut down"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := Of(tt.err)
			assert.Equal(t, tt.server, d.Server, "server")
			assert.Equal(t, tt.codes, d.Codes, "codes")
			assert.Equal(t, tt.names, d.CodeNames, "code names")
			assert.Equal(t, tt.labels, d.Labels, "labels")
			assert.Equal(t, tt.reply, d.Reply, "reply")
			assert.Equal(t, tt.message, d.Message, "message")
			assert.Equal(t, tt.describe, d.String(), "description")
			for _, c := range tt.codes {
				assert.True(t, d.HasCode(c))
			}
			assert.False(t, d.HasCode(99999))
			for _, l := range tt.labels {
				assert.True(t, d.HasLabel(l), l)
			}
			assert.False(t, d.HasLabel("NoSuchLabel"))
		})
	}
}

func noCode(reply bson.Raw) mongo.CommandError { return mongo.CommandError{Raw: reply, Message: "m"} }

func TestOfHelpers(t *testing.T) {
	assert.Equal(t, Details{}, Of(nil))
	assert.True(t, Of(fmt.Errorf("find: %w", context.DeadlineExceeded)).Timeout)
	assert.False(t, Of(errors.New("x")).Timeout)
	assert.Nil(t, Of(errors.New("x")).ClientBulk)
}

// TestHasCodeName: the names an error carries, and for a bulk write's write errors,
// which carry codes only, the code MongoDB's table gives the name (UTF, bulkWrite).
func TestHasCodeName(t *testing.T) {
	dupRaw := raw(t, bson.D{{Key: "index", Value: 0}, {Key: "code", Value: 11000}, {Key: "errmsg", Value: "E11000"}})
	bulk := func(wes ...mongo.WriteError) mongo.BulkWriteException {
		var out mongo.BulkWriteException
		for _, we := range wes {
			out.WriteErrors = append(out.WriteErrors, mongo.BulkWriteError{WriteError: we})
		}
		return out
	}
	dup := mongo.WriteError{Index: 1, Code: 11000, Message: "E11000", Raw: dupRaw}
	validation := mongo.WriteError{Index: 2, Code: 121, Message: "Document failed validation"}
	named := mongo.WriteError{Index: 0, Code: 11000, Raw: raw(t, bson.D{{Key: "code", Value: 11000}, {Key: "codeName", Value: "NotTheTableName"}})}
	wce := &mongo.WriteConcernError{Name: "UnsatisfiableWriteConcern", Code: 100, Message: "Not enough data-bearing nodes"}
	const cannot = "the comparison cannot be attempted"
	for _, tt := range []struct {
		name, codeName string
		err            error
		has            bool
		fails          string // part of the error; "" for none
	}{
		{"a command error's name, in another case", "duplicatekey", mongo.CommandError{Code: 11000, Name: "DuplicateKey"}, true, ""},
		{"a command error's other name", "Duplicate", mongo.CommandError{Code: 11000, Name: "DuplicateKey"}, false, ""},
		// the name the server gave, not the table's code, decides a command error
		{"a command error without a name is not translated", "DuplicateKey", mongo.CommandError{Code: 11000}, false, ""},
		{"a bulk write's write error, translated", "DuplicateKey", bulk(dup), true, ""},
		{"translated, in another case", "DUPLICATEKEY", bulk(dup), true, ""},
		{"any write error of the bulk write", "DocumentValidationFailure", bulk(dup, validation), true, ""},
		{"the name of another code", "WriteConflict", bulk(dup, validation), false, ""},
		{"a name the table lacks", "DuplicateKeys", bulk(dup), false, cannot},
		{"the write concern error's name, beside write errors", "unsatisfiablewriteconcern", mongo.BulkWriteException{WriteErrors: bulk(dup).WriteErrors, WriteConcernError: wce}, true, ""},
		{"a name the table lacks, no write error to translate", "NoSuchName", mongo.BulkWriteException{WriteConcernError: wce}, false, ""},
		{"a write error that names itself is not translated", "DuplicateKey", bulk(named), false, ""},
		{"a write error that names itself", "NotTheTableName", bulk(named), true, ""},
		// the spec allows translating a BulkWriteException's codes, not a WriteException's
		{"a single write's write error is not translated", "DuplicateKey", mongo.WriteException{WriteErrors: mongo.WriteErrors{dup}, Raw: dupRaw}, false, ""},
		{"a client error", "DuplicateKey", errors.New("E11000"), false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			has, err := Of(tt.err).HasCodeName(tt.codeName)
			assert.Equal(t, tt.has, has)
			if tt.fails == "" {
				assert.NoError(t, err)
			} else if assert.Error(t, err) {
				assert.Contains(t, err.Error(), tt.fails)
			}
		})
	}
}

// TestAggregated: which errors gather the server's replies without keeping one
// (errorResponse cannot be judged against them).
func TestAggregated(t *testing.T) {
	reply := raw(t, bson.D{{Key: "ok", Value: 1}})
	we := mongo.WriteErrors{{Code: 11000}}
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"bulk write exception", mongo.BulkWriteException{WriteErrors: []mongo.BulkWriteError{{WriteError: we[0]}}}, "BulkWriteException"},
		{"wrapped bulk write exception", fmt.Errorf("insertMany: %w", mongo.BulkWriteException{}), "BulkWriteException"},
		{"write exception with its reply", mongo.WriteException{WriteErrors: we, Raw: reply}, ""},
		{"write exception without its reply", mongo.WriteException{WriteErrors: we}, "WriteException"},
		{"command error", mongo.CommandError{Code: 8, Raw: reply}, ""},
		{"client bulk write exception", mongo.ClientBulkWriteException{WriteErrors: map[int]mongo.WriteError{0: we[0]}}, ""},
		{"client error", errors.New("x"), ""},
	} {
		assert.Equal(t, tt.want, Of(tt.err).Aggregate, tt.name)
	}
}

// TestErrorCodeTable: the checked-in table parses, and holds the codes the corpus names.
func TestErrorCodeTable(t *testing.T) {
	table, err := parseErrorCodes(errorCodesText)
	if !assert.NoError(t, err) {
		return
	}
	assert.Greater(t, len(table), 400)
	for name, code := range map[string]int{
		"OK": 0, "DuplicateKey": 11000, "DocumentValidationFailure": 121, "WriteConflict": 112, "NoSuchTransaction": 251,
		"UnsatisfiableWriteConcern": 100, "UnknownReplWriteConcern": 79, "MaxTimeMSExpired": 50, "Interrupted": 11601,
		"APIStrictError": 323, "APIDeprecationError": 324, "OperationNotSupportedInTransaction": 263, "ChangeStreamFatalError": 280,
		"NotWritablePrimary": 10107, "ReadThroughCacheTimeMonotonicityViolation": 10171600,
	} {
		got, ok := CodeOf(name)
		assert.True(t, ok && got == code, "%s: %d %v, want %d", name, got, ok, code)
	}
	codes := map[int]bool{}
	for _, c := range table {
		assert.False(t, codes[c], "code %d twice", c)
		codes[c] = true
	}
	for _, bad := range []string{"1 A B\n", "x Name\n", "1 A\n2 a\n"} {
		_, err := parseErrorCodes(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func TestClientBulkDocuments(t *testing.T) {
	d := Of(mongo.ClientBulkWriteException{
		WriteErrors:        map[int]mongo.WriteError{1: {Index: 1, Code: 11000, Message: "E11000 duplicate key", Details: raw(t, bson.D{{Key: "x", Value: 1}})}},
		WriteConcernErrors: []mongo.WriteConcernError{{Name: "ShutdownInProgress", Code: 91, Message: "Replication is being shut down"}, {Code: 64, Message: "m"}},
	})
	if !assert.NotNil(t, d.ClientBulk) {
		return
	}
	assert.Equal(t, raw(t, bson.D{{Key: "code", Value: int32(11000)}, {Key: "message", Value: "E11000 duplicate key"}, {Key: "details", Value: bson.D{{Key: "x", Value: 1}}}}), d.ClientBulk.WriteErrors[1])
	assert.Len(t, d.ClientBulk.WriteErrors, 1)
	assert.Equal(t, []bson.Raw{
		raw(t, bson.D{{Key: "code", Value: int32(91)}, {Key: "codeName", Value: "ShutdownInProgress"}, {Key: "message", Value: "Replication is being shut down"}}),
		raw(t, bson.D{{Key: "code", Value: int32(64)}, {Key: "message", Value: "m"}}),
	}, d.ClientBulk.WriteConcernErrors)
}

func TestIsCommand(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{mongo.CommandError{Code: 26}, true},
		{mongo.CommandError{Name: "NamespaceNotFound"}, true},
		{fmt.Errorf("listIndexes: %w", mongo.CommandError{Code: 26, Name: "NamespaceNotFound"}), true},
		{mongo.CommandError{Code: 13, Name: "Unauthorized"}, false},
		{mongo.WriteException{WriteErrors: mongo.WriteErrors{{Code: 26}}}, false},
		{errors.New("NamespaceNotFound"), false},
		{nil, false},
	} {
		assert.Equal(t, tt.want, IsCommand(tt.err, 26, "NamespaceNotFound"), "%v", tt.err)
	}
}
