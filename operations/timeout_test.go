package operations

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestOperationTimeout(t *testing.T) {
	tests := []struct {
		name    string
		kind    entities.Kind
		op      string
		args    string
		timeout time.Duration // -2: none applied
		rest    string        // the arguments left for the executor
		invalid bool
	}{
		{"taken out", entities.KindCollection, "find", `{"filter": {}, "timeoutMS": 100, "limit": 1}`, 100 * time.Millisecond, `{"filter": {},"limit": {"$numberInt":"1"}}`, false},
		{"long", entities.KindCollection, "insertOne", `{"timeoutMS": {"$numberLong": "5"}, "document": {}}`, 5 * time.Millisecond, `{"document": {}}`, false},
		{"zero: no timeout", entities.KindDatabase, "runCommand", `{"timeoutMS": 0}`, noDeadline, `{}`, false},
		{"none", entities.KindCollection, "find", `{"filter": {}}`, -2, `{"filter": {}}`, false},
		{"cursor outlives the operation", entities.KindCollection, "createFindCursor", `{"filter": {}, "timeoutMS": 5}`, -2, `{"filter": {},"timeoutMS": {"$numberInt":"5"}}`, false},
		{"change stream outlives the operation", entities.KindCollection, "createChangeStream", `{"pipeline": [], "timeoutMS": 5}`, -2, `{"pipeline": [],"timeoutMS": {"$numberInt":"5"}}`, false},
		{"testRunner", kindRunner, "wait", `{"timeoutMS": 5}`, -2, `{"timeoutMS": {"$numberInt":"5"}}`, false},
		{"maxAwaitTimeMS below timeoutMS", entities.KindCollection, "aggregate", `{"pipeline": [], "timeoutMS": 10, "maxAwaitTimeMS": 5}`, 10 * time.Millisecond, `{"pipeline": [],"maxAwaitTimeMS": {"$numberInt":"5"}}`, false},
		{"negative", entities.KindCollection, "find", `{"timeoutMS": -1}`, 0, "", true},
		{"not a number", entities.KindCollection, "find", `{"timeoutMS": "5"}`, 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := &specifications.Operation{Name: tt.op, Object: "x", Arguments: collExtJSON(t, tt.args)}
			got, timeout, err := operationTimeout(tt.kind, op)
			var inv *InvalidArgument
			if tt.invalid {
				if !errors.As(err, &inv) {
					t.Fatalf("got %v, want InvalidArgument", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.timeout == -2 && timeout != nil:
				t.Errorf("timeout %v, want none", *timeout)
			case tt.timeout != -2 && (timeout == nil || *timeout != tt.timeout):
				t.Errorf("timeout %v, want %v", timeout, tt.timeout)
			}
			if got.Arguments.String() != tt.rest {
				t.Errorf("arguments %s, want %s", got.Arguments, tt.rest)
			}
			if op.Arguments.Lookup("timeoutMS").Type == 0 && tt.args != `{"filter": {}}` {
				t.Error("the test's own operation was changed")
			}
		})
	}
}

// CSOT wants a client error before anything is sent when maxAwaitTimeMS is not below
// timeoutMS; the Go driver checks only when it iterates, so such tests are unsupported.
func TestOperationTimeoutMaxAwaitTime(t *testing.T) {
	for _, args := range []string{`{"filter": {}, "timeoutMS": 5, "maxAwaitTimeMS": 10}`, `{"filter": {}, "timeoutMS": 5, "maxAwaitTimeMS": 5}`} {
		op := &specifications.Operation{Name: "find", Object: "x", Arguments: collExtJSON(t, args)}
		var unsup *result.Verdict
		if _, _, err := operationTimeout(entities.KindCollection, op); !(errors.As(err, &unsup) && unsup.Status == result.Unsupported) {
			t.Errorf("%s: %v, want Unsupported", args, err)
		}
	}
}

// TestSocketBound: the operations that a client's ignored socketTimeoutMS makes
// unsupported when they have no timeoutMS: those of a client, database, collection or
// bucket, and a session's commit and abort.
func TestSocketBound(t *testing.T) {
	withSession := &specifications.Operation{Name: "find", Arguments: collExtJSON(t, `{"filter": {}, "session": "session0"}`)}
	alone := &specifications.Operation{Name: "find", Arguments: collExtJSON(t, `{"filter": {}}`)}
	for _, tc := range []struct {
		kind entities.Kind
		op   *specifications.Operation
		want bool
	}{
		{entities.KindCollection, alone, true},
		{entities.KindDatabase, alone, true},
		{entities.KindClient, alone, true},
		{entities.KindBucket, alone, true},
		{entities.KindCollection, withSession, true},
		{entities.KindSession, &specifications.Operation{Name: "commitTransaction"}, true},
		{entities.KindSession, &specifications.Operation{Name: "startTransaction"}, false},
		{entities.KindSession, alone, false},
		{entities.KindCursor, alone, false},
		{kindRunner, alone, false},
	} {
		if got := socketBound(tc.kind, tc.op); got != tc.want {
			t.Errorf("%s %s: %v, want %v", tc.kind, tc.op.Arguments, got, tc.want)
		}
	}
}

type blockingHarness struct {
	Harness
	blocked map[string]time.Duration // by command name
	fails   []string                 // commands a fail point fails
}

func (h blockingHarness) Blocked(_ *entities.Client, command string) time.Duration {
	return h.blocked[command]
}
func (h blockingHarness) FailsCommand(_ *entities.Client, name string) bool {
	return slices.Contains(h.fails, name) || h.blocked[name] > 0
}

func blocking(command string, d time.Duration) blockingHarness {
	return blockingHarness{blocked: map[string]time.Duration{command: d}}
}

// TestTimesOut: an ignored socketTimeoutMS matters only where a fail point of the test
// blocks the operation's command at least as long (CSOT retryability-legacy-timeouts:
// 100 ms against 125 ms); a test that blocks nothing, or blocks other commands (the
// insertOne before a blocked commitTransaction, transactions
// error-labels-blockConnection), still judges the client's commands.
func TestTimesOut(t *testing.T) {
	insert := []string{"insert"}
	for _, tc := range []struct {
		h        Harness
		d        time.Duration
		commands []string
		want     bool
	}{
		{blocking("insert", 125*time.Millisecond), 100 * time.Millisecond, insert, true},
		{blocking("insert", 100*time.Millisecond), 100 * time.Millisecond, insert, true},
		{blocking("insert", 50*time.Millisecond), 100 * time.Millisecond, insert, false},
		{blockingHarness{}, 100 * time.Millisecond, insert, false},
		{blocking("insert", time.Second), 0, insert, false},
		{nil, 100 * time.Millisecond, insert, false},
		{blocking("commitTransaction", 150*time.Millisecond), 100 * time.Millisecond, insert, false},
		{blocking("commitTransaction", 150*time.Millisecond), 100 * time.Millisecond, []string{"commitTransaction", "abortTransaction"}, true},
		{blocking("insert", time.Second), 100 * time.Millisecond, nil, false},
	} {
		if got := timesOut(tc.h, &entities.Client{ID: "client0", IgnoredSocketTimeout: tc.d}, tc.commands); got != tc.want {
			t.Errorf("%+v, %s: %v, want %v", tc.h, tc.d, got, tc.want)
		}
	}
}

// TestCommandsOf: the commands an operation sends, which a fail point's failCommands
// name: by operation, and for runCommand the command's first key.
func TestCommandsOf(t *testing.T) {
	runCommand, _ := bson.Marshal(bson.D{{Key: "command", Value: bson.D{{Key: "ping", Value: 1}}}, {Key: "commandName", Value: "ping"}})
	for _, tc := range []struct {
		kind entities.Kind
		op   *specifications.Operation
		want []string
	}{
		{entities.KindCollection, &specifications.Operation{Name: "insertOne"}, []string{"insert"}},
		{entities.KindCollection, &specifications.Operation{Name: "findOneAndUpdate"}, []string{"findAndModify"}},
		{entities.KindSession, &specifications.Operation{Name: "commitTransaction"}, []string{"commitTransaction"}},
		{entities.KindDatabase, &specifications.Operation{Name: "runCommand", Arguments: runCommand}, []string{"ping"}},
		{entities.KindDatabase, &specifications.Operation{Name: "runCursorCommand", Arguments: runCommand}, []string{"ping", "getMore"}},
		{entities.KindSession, &specifications.Operation{Name: "endSession"}, nil},
	} {
		if got := commandsOf(tc.kind, tc.op); !slices.Equal(got, tc.want) {
			t.Errorf("%s %s: %v, want %v", tc.kind, tc.op.Name, got, tc.want)
		}
	}
}

// TestSentCommandsNameOperationsRun: every operation sentCommands names is one the
// dispatch table runs: a misspelt one would send no command a fail point blocks.
func TestSentCommandsNameOperationsRun(t *testing.T) {
	for k := range sentCommands {
		if _, ok := table[k]; !ok {
			t.Errorf("sentCommands names %s %s, which the dispatch table does not run", k.kind, k.name)
		}
	}
}

// TestSocketTimeoutOfBlockedCommand: the ignored socketTimeoutMS makes an operation
// unsupported only where a fail point blocks its own command; transactions
// error-labels-blockConnection blocks commitTransaction for 150 ms with socketTimeoutMS
// 100, and its insertOne before the commit is judged (here: the server selection
// error of a client that reaches no server).
func TestSocketTimeoutOfBlockedCommand(t *testing.T) {
	m := collTestMap(t)
	cl, err := entities.Lookup[*entities.Client](m, "client0")
	if err != nil {
		t.Fatal(err)
	}
	cl.IgnoredSocketTimeout = 100 * time.Millisecond
	args := collExtJSON(t, `{"document": {"_id": 1}}`)
	run := func(h Harness) error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := Execute(ctx, &Call{Entities: m, Harness: h, Op: &specifications.Operation{Name: "insertOne", Object: "collection0", Arguments: args}})
		return err
	}
	if err := run(blocking("commitTransaction", 150*time.Millisecond)); result.Is(err, result.Unsupported) {
		t.Errorf("commitTransaction blocked, insertOne: %v, want judged", err)
	}
	if err := run(blocking("insert", 150*time.Millisecond)); !result.Is(err, result.Unsupported) {
		t.Errorf("insert blocked, insertOne: %v, want unsupported", err)
	}
}
