package interpreter_test

import (
	"context"
	"testing"

	"github.com/specrun/specrun/interpreter"
	"github.com/specrun/specrun/result"
)

// Sessions and transactions against the embedded server, which has sessions but no
// transactions: the driver's transaction state machine runs, the server refuses the
// transaction fields, and the verdicts say so.
func TestSessions(t *testing.T) {
	r := newRunner(t, interpreter.Config{})
	results := runFile(t, r, loadFixture(t, "sessions.json"))
	refused := `server error 9 (FailedToParse): insert: unknown field "startTransaction"`
	cases := map[string]want{
		"insertOne in a transaction: the server refuses startTransaction": {result.Fail,
			"operation 3 (insertOne): unexpected error: " + refused, []string{
				`"txnNumber":1,"startTransaction":true,"autocommit":false`,
			}},
		"transaction states through a failed insert and an abort":                   {status: result.Pass},
		"startTransaction twice and commit without a transaction are client errors": {status: result.Pass},
		"a transaction state that does not hold": {result.Fail,
			`operation 1 (assertSessionTransactionState): session "session0": transaction state is starting, expected in_progress`, nil},
		"maxCommitTimeMS": {result.Unsupported,
			"operation 0 (startTransaction): maxCommitTimeMS: the Go driver v2 has no per-transaction commit time limit", nil},
		"withTransaction: a callback's error propagates, expected at both levels": {status: result.Pass},
		"withTransaction: an ignored error propagates":                            {status: result.Pass},
		"withTransaction: an unexpected error in the callback": {result.Fail,
			"operation 0 (withTransaction): operation 0 (insertOne): unexpected error: " + refused, []string{
				"operation withTransaction on session0", "operation insertOne on collection0",
			}},
		"withTransaction: operations without a session run outside the transaction": {status: result.Pass},
		"withTransaction: timeoutMS bounds the whole call":                          {status: result.Pass},
		"sessions are not dirty without network errors": {result.Fail,
			`operation 3 (assertSessionDirty): session "session0" is not dirty`, nil},
		"same and different lsids": {result.Fail,
			`operation 5 (assertSameLsidOnLastTwoCommands): client "client0": the last two commands (find, find) have different lsids`, nil},
		"lsids of fewer than two commands": {result.Fail,
			`operation 1 (assertDifferentLsidOnLastTwoCommands): client "client0" observed one CommandStartedEvent, the assertion needs two`, nil},
		"getSnapshotTime on a session that is not a snapshot session": {result.Fail,
			"operation 1 (getSnapshotTime): unexpected error: getSnapshotTime: not a snapshot session, it has no snapshot time", nil},
		"getSnapshotTime after a snapshot read: the server returns no atClusterTime": {result.Fail,
			"operation 1 (getSnapshotTime): unexpected error: getSnapshotTime: the snapshot session has no snapshot time yet: no snapshot read has returned atClusterTime", []string{
				`"readConcern":{"level":"snapshot"}`,
			}},
		"an ended session cannot be used": {status: result.Pass},
		"assertSessionPinned on a session that is not pinned": {result.Fail,
			`operation 1 (assertSessionPinned): session "session0" is not pinned`, nil},
		"targetedFailPoint with a session that is not pinned": {result.Error,
			`operation 0 (targetedFailPoint): session "session0" is not pinned to a mongos`, nil},
	}
	checkAll(t, results, cases)
}

// After a test that started a transaction, and after a failed one, the runner sends
// killAllSessions ("Terminating Open Transactions"); its failure makes a passing test
// an error, as open transactions could block the tests that follow. The embedded server
// has no killAllSessions: the runner is made to send it anyway, and the server's
// refusal shows when it does.
func TestKillAllSessionsAfterTransactions(t *testing.T) {
	r := newRunner(t, interpreter.Config{})
	interpreter.PretendKillAllSessions(r)
	f := loadFixture(t, "sessions.json")
	refused := "cleanup: killAllSessions: (CommandNotFound) no such command: 'killAllSessions'"
	cases := map[string]want{
		// started a transaction and passed: killAllSessions ran, and failed
		"startTransaction twice and commit without a transaction are client errors": {result.Error, refused, nil},
		"withTransaction: an ignored error propagates":                              {result.Error, refused, nil},
		// no transaction, passed: no killAllSessions
		"an ended session cannot be used": {status: result.Pass},
		// failed: killAllSessions ran, and the verdict stays the test's own
		"lsids of fewer than two commands": {result.Fail,
			`operation 1 (assertDifferentLsidOnLastTwoCommands): client "client0" observed one CommandStartedEvent, the assertion needs two`, nil},
	}
	ran := 0
	for i, test := range f.Tests {
		w, ok := cases[test.Description]
		if !ok {
			continue
		}
		ran++
		check(t, r.RunTest(context.Background(), f, i), w)
	}
	if ran != len(cases) {
		t.Errorf("%d of %d tests found in the fixture", ran, len(cases))
	}
}
