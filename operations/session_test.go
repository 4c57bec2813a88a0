package operations

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
	driversession "go.mongodb.org/mongo-driver/v2/x/mongo/driver/session" //lint:ignore SA1019 tests set the state the assertions read

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// The session tests run on the sessions of a client that never connects: the driver's
// transaction state machine needs no server until a command is sent (a transaction
// that sent nothing commits and aborts locally). What only a server makes happen (a
// transaction in progress, a pinned mongos, a dirty server session) is set in the
// driver's session directly, to check that the assertions read it.

// addSession adds a session entity of env's client.
func (e *dcEnv) addSession(t *testing.T, id string, opts *options.SessionOptionsBuilder) *entities.Session {
	t.Helper()
	s, err := e.client.Client.StartSession(opts)
	if err != nil {
		t.Fatal(err)
	}
	se := &entities.Session{Client: e.client, Session: s, Lsid: s.ID()}
	if err := e.m.Add(id, se); err != nil {
		t.Fatal(err)
	}
	return se
}

func (e *dcEnv) session(t *testing.T, id string) *mongo.Session {
	t.Helper()
	s, err := entities.Lookup[*entities.Session](e.m, id)
	if err != nil {
		t.Fatal(err)
	}
	return s.Session
}

// driverSession is the driver's state of s, writable (the fields are exported; the
// pointer to them is not).
func driverSession(s *mongo.Session) reflect.Value {
	f := reflect.ValueOf(s).Elem().FieldByName("clientSession")
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Elem()
}

func setTransactionState(s *mongo.Session, state uint64) {
	driverSession(s).FieldByName("TransactionState").SetUint(state)
}

func pin(s *mongo.Session, addr string) {
	f := driverSession(s).FieldByName("PinnedServerAddr")
	p := reflect.New(f.Type().Elem())
	p.Elem().SetString(addr)
	f.Set(p)
}

func markDirty(s *mongo.Session) {
	driverSession(s).FieldByName("Server").Elem().FieldByName("Dirty").SetBool(true)
}

func sessionArgs(name string, extra ...bson.E) bson.D {
	return append(bson.D{{Key: "session", Value: name}}, extra...)
}

func TestSessionRegistered(t *testing.T) {
	for kind, names := range map[entities.Kind][]string{
		entities.KindSession: {"startTransaction", "commitTransaction", "abortTransaction", "withTransaction", "endSession", "getSnapshotTime"},
		kindRunner: {"targetedFailPoint", "assertSessionTransactionState", "assertSessionPinned", "assertSessionUnpinned",
			"assertSessionDirty", "assertSessionNotDirty", "assertSameLsidOnLastTwoCommands", "assertDifferentLsidOnLastTwoCommands"},
	} {
		for _, name := range names {
			if !Supported(kind, name) {
				t.Errorf("%s.%s not registered", kind, name)
			}
		}
	}
}

func TestSessionArguments(t *testing.T) {
	fp := bson.D{{Key: "configureFailPoint", Value: "failCommand"}}
	op := func(name string) bson.D {
		return bson.D{{Key: "name", Value: name}, {Key: "object", Value: "session0"}}
	}
	callback := bson.E{Key: "callback", Value: bson.A{op("commitTransaction")}}
	runDCCases(t, []dcCase{
		{"startTransaction unknown", "session0", "startTransaction", bson.D{{Key: "readConcernLevel", Value: "local"}}, wantUnknown, "readConcernLevel"},
		{"startTransaction readConcern type", "session0", "startTransaction", bson.D{{Key: "readConcern", Value: "local"}}, wantInvalid, "readConcern"},
		{"startTransaction readConcern field", "session0", "startTransaction", bson.D{{Key: "readConcern", Value: bson.D{{Key: "lvl", Value: "local"}}}}, wantInvalid, "readConcern"},
		{"startTransaction writeConcern type", "session0", "startTransaction", bson.D{{Key: "writeConcern", Value: 1}}, wantInvalid, "writeConcern"},
		{"startTransaction writeConcern wtimeoutMS", "session0", "startTransaction", bson.D{{Key: "writeConcern", Value: bson.D{{Key: "wtimeoutMS", Value: 100}}}}, wantUnsupported, ""},
		{"startTransaction readPreference without mode", "session0", "startTransaction", bson.D{{Key: "readPreference", Value: bson.D{}}}, wantInvalid, "readPreference"},
		{"startTransaction maxCommitTimeMS", "session0", "startTransaction", bson.D{{Key: "maxCommitTimeMS", Value: 100}}, wantUnsupported, ""},
		{"commitTransaction unknown", "session0", "commitTransaction", bson.D{{Key: "writeConcern", Value: bson.D{}}}, wantUnknown, "writeConcern"},
		{"abortTransaction unknown", "session0", "abortTransaction", bson.D{{Key: "session", Value: "session0"}}, wantUnknown, "session"},
		{"endSession unknown", "session0", "endSession", bson.D{{Key: "force", Value: true}}, wantUnknown, "force"},
		{"getSnapshotTime unknown", "session0", "getSnapshotTime", bson.D{{Key: "x", Value: 1}}, wantUnknown, "x"},
		{"withTransaction no callback", "session0", "withTransaction", bson.D{{Key: "readConcern", Value: bson.D{{Key: "level", Value: "local"}}}}, wantInvalid, "callback"},
		{"withTransaction callback type", "session0", "withTransaction", bson.D{{Key: "callback", Value: op("commitTransaction")}}, wantInvalid, "callback"},
		{"withTransaction callback operation without object", "session0", "withTransaction", bson.D{{Key: "callback", Value: bson.A{bson.D{{Key: "name", Value: "find"}}}}}, wantInvalid, "callback"},
		{"withTransaction unknown", "session0", "withTransaction", bson.D{callback, {Key: "options", Value: bson.D{}}}, wantUnknown, "options"},
		{"withTransaction maxCommitTimeMS", "session0", "withTransaction", bson.D{callback, {Key: "maxCommitTimeMS", Value: 100}}, wantUnsupported, ""},
		{"withTransaction writeConcern type", "session0", "withTransaction", bson.D{callback, {Key: "writeConcern", Value: "majority"}}, wantInvalid, "writeConcern"},

		{"targetedFailPoint no session", RunnerObject, "targetedFailPoint", bson.D{{Key: "failPoint", Value: fp}}, wantInvalid, "session"},
		{"targetedFailPoint no failPoint", RunnerObject, "targetedFailPoint", sessionArgs("session0"), wantInvalid, "failPoint"},
		{"targetedFailPoint session undefined", RunnerObject, "targetedFailPoint", sessionArgs("session9", bson.E{Key: "failPoint", Value: fp}), wantInvalid, "session"},
		{"targetedFailPoint session of another kind", RunnerObject, "targetedFailPoint", sessionArgs("client0", bson.E{Key: "failPoint", Value: fp}), wantInvalid, "session"},
		{"targetedFailPoint unknown", RunnerObject, "targetedFailPoint", sessionArgs("session0", bson.E{Key: "failPoint", Value: fp}, bson.E{Key: "client", Value: "client0"}), wantUnknown, "client"},
		{"assertSessionTransactionState no state", RunnerObject, "assertSessionTransactionState", sessionArgs("session0"), wantInvalid, "state"},
		{"assertSessionTransactionState unknown state", RunnerObject, "assertSessionTransactionState", sessionArgs("session0", bson.E{Key: "state", Value: "in progress"}), wantInvalid, "state"},
		{"assertSessionTransactionState state type", RunnerObject, "assertSessionTransactionState", sessionArgs("session0", bson.E{Key: "state", Value: 1}), wantInvalid, "state"},
		{"assertSessionTransactionState no session", RunnerObject, "assertSessionTransactionState", bson.D{{Key: "state", Value: "none"}}, wantInvalid, "session"},
		{"assertSessionPinned no session", RunnerObject, "assertSessionPinned", nil, wantInvalid, "session"},
		{"assertSessionUnpinned session undefined", RunnerObject, "assertSessionUnpinned", sessionArgs("session9"), wantInvalid, "session"},
		{"assertSessionDirty session of another kind", RunnerObject, "assertSessionDirty", sessionArgs("db0"), wantInvalid, "session"},
		{"assertSessionNotDirty unknown", RunnerObject, "assertSessionNotDirty", sessionArgs("session0", bson.E{Key: "client", Value: "client0"}), wantUnknown, "client"},
		{"assertSameLsidOnLastTwoCommands no client", RunnerObject, "assertSameLsidOnLastTwoCommands", nil, wantInvalid, "client"},
		{"assertDifferentLsidOnLastTwoCommands client of another kind", RunnerObject, "assertDifferentLsidOnLastTwoCommands", bson.D{{Key: "client", Value: "session0"}}, wantInvalid, "client"},
		{"assertSameLsidOnLastTwoCommands unknown", RunnerObject, "assertSameLsidOnLastTwoCommands", bson.D{{Key: "client", Value: "client0"}, {Key: "session", Value: "session0"}}, wantUnknown, "session"},
	})
}

// exec runs an operation that must run: Execute's error fails the test.
func (e *dcEnv) mustExec(t *testing.T, object, name string, args bson.D) Returned {
	t.Helper()
	res, err := e.exec(t, object, name, args)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

func (e *dcEnv) assertState(t *testing.T, session, want string) {
	t.Helper()
	if _, err := e.exec(t, RunnerObject, "assertSessionTransactionState", sessionArgs(session, bson.E{Key: "state", Value: want})); err != nil {
		t.Errorf("state %s: %v", want, err)
	}
}

func TestTransactionLifecycle(t *testing.T) {
	env := newDCEnv(t)
	s := env.session(t, "session0")
	env.assertState(t, "session0", "none")

	res := env.mustExec(t, "session0", "startTransaction", bson.D{
		{Key: "readConcern", Value: bson.D{{Key: "level", Value: "majority"}}},
		{Key: "writeConcern", Value: bson.D{{Key: "w", Value: 1}}},
		{Key: "readPreference", Value: bson.D{{Key: "mode", Value: "primaryPreferred"}}},
	})
	if res.Err != nil || res.Value.Type != 0 {
		t.Fatalf("startTransaction: %+v", res)
	}
	env.assertState(t, "session0", "starting")
	// The options reach the driver's transaction.
	ds := driverSession(s)
	if rc := ds.FieldByName("CurrentRc").Interface().(*readconcern.ReadConcern); rc == nil || rc.Level != "majority" {
		t.Errorf("read concern %+v", rc)
	}
	if wc := ds.FieldByName("CurrentWc").Interface().(*writeconcern.WriteConcern); wc == nil || wc.W != 1 {
		t.Errorf("write concern %+v", wc)
	}
	if rp := ds.FieldByName("CurrentRp").Interface().(*readpref.ReadPref); rp == nil || rp.Mode() != readpref.PrimaryPreferredMode {
		t.Errorf("read preference %+v", rp)
	}

	// The driver's refusals are the operations' own errors.
	if res := env.mustExec(t, "session0", "startTransaction", nil); res.Err == nil || !strings.Contains(res.Err.Error(), "transaction already in progress") {
		t.Errorf("second startTransaction: %v", res.Err)
	}
	if res := env.mustExec(t, "session0", "commitTransaction", nil); res.Err != nil {
		t.Errorf("commitTransaction: %v", res.Err)
	}
	env.assertState(t, "session0", "committed")
	if res := env.mustExec(t, "session0", "abortTransaction", nil); res.Err == nil {
		t.Error("abortTransaction after commitTransaction: no error")
	}
	env.mustExec(t, "session0", "startTransaction", nil)
	if res := env.mustExec(t, "session0", "abortTransaction", nil); res.Err != nil {
		t.Errorf("abortTransaction: %v", res.Err)
	}
	env.assertState(t, "session0", "aborted")

	if res := env.mustExec(t, "session0", "endSession", nil); res.Err != nil || res.Value.Type != 0 {
		t.Errorf("endSession: %+v", res)
	}
	if !driverSession(s).FieldByName("Terminated").Bool() {
		t.Error("the session did not end")
	}
}

func TestAssertSessionState(t *testing.T) {
	env := newDCEnv(t)
	s := env.session(t, "session0")
	fails := func(op string, args bson.D, want string) {
		t.Helper()
		_, err := env.exec(t, RunnerObject, op, args)
		var af *result.Verdict
		if !(errors.As(err, &af) && af.Status == result.Fail) || af.Reason != want {
			t.Errorf("%s: %v, want the assertion to fail with %q", op, err, want)
		}
	}
	holds := func(op string, args bson.D) {
		t.Helper()
		if _, err := env.exec(t, RunnerObject, op, args); err != nil {
			t.Errorf("%s: %v", op, err)
		}
	}
	state := func(s string) bson.D { return sessionArgs("session0", bson.E{Key: "state", Value: s}) }

	fails("assertSessionTransactionState", state("starting"), `session "session0": transaction state is none, expected starting`)
	setTransactionState(s, uint64(driversession.InProgress))
	holds("assertSessionTransactionState", state("in_progress"))
	fails("assertSessionTransactionState", state("committed"), `session "session0": transaction state is in_progress, expected committed`)
	setTransactionState(s, 99)
	_, err := env.exec(t, RunnerObject, "assertSessionTransactionState", state("none"))
	var af *result.Verdict
	if err == nil || (errors.As(err, &af) && af.Status == result.Fail) || !strings.Contains(err.Error(), "unknown transaction state 99") {
		t.Errorf("a state the driver does not have: %v, want an error that is no assertion failure", err)
	}
	setTransactionState(s, uint64(driversession.None))

	holds("assertSessionUnpinned", sessionArgs("session0"))
	fails("assertSessionPinned", sessionArgs("session0"), `session "session0" is not pinned`)
	pin(s, "mongos1:27017")
	holds("assertSessionPinned", sessionArgs("session0"))
	fails("assertSessionUnpinned", sessionArgs("session0"), `session "session0" is pinned to mongos1:27017`)

	holds("assertSessionNotDirty", sessionArgs("session0"))
	fails("assertSessionDirty", sessionArgs("session0"), `session "session0" is not dirty`)
	markDirty(s)
	holds("assertSessionDirty", sessionArgs("session0"))
	fails("assertSessionNotDirty", sessionArgs("session0"), `session "session0" is dirty`)
}

func TestTargetedFailPoint(t *testing.T) {
	env := newDCEnv(t)
	fp := bson.D{{Key: "configureFailPoint", Value: "failCommand"}, {Key: "mode", Value: "alwaysOn"}}
	args := sessionArgs("session0", bson.E{Key: "failPoint", Value: fp})

	// The spec has the runner raise an error for a session that is not pinned: the test
	// is at fault, it is no assertion and nothing the server lacks.
	_, err := env.exec(t, RunnerObject, "targetedFailPoint", args)
	var (
		af    *result.Verdict
		unsup *result.Verdict
		inv   *InvalidArgument
	)
	if err == nil || err.Error() != `session "session0" is not pinned to a mongos` || (errors.As(err, &af) && af.Status == result.Fail) || (errors.As(err, &unsup) && unsup.Status == result.Unsupported) || errors.As(err, &inv) {
		t.Errorf("unpinned session: %T %v", err, err)
	}
	if env.runner.targetedHost != "" {
		t.Error("fail point set for an unpinned session")
	}

	pin(env.session(t, "session0"), "mongos2:27018")
	if _, err := env.exec(t, RunnerObject, "targetedFailPoint", args); err != nil {
		t.Fatal(err)
	}
	if env.runner.targetedHost != "mongos2:27018" || env.runner.targetedCmd.Lookup("configureFailPoint").StringValue() != "failCommand" {
		t.Errorf("fail point set on %q: %s", env.runner.targetedHost, env.runner.targetedCmd)
	}
	env.runner.targetedErr = result.Unsupportedf("no fail points")
	if _, err := env.exec(t, RunnerObject, "targetedFailPoint", args); !(errors.As(err, &unsup) && unsup.Status == result.Unsupported) {
		t.Errorf("TargetedFailPoint's error not returned: %v", err)
	}
}

func TestLsidAssertions(t *testing.T) {
	lsid := func(b byte) bson.D {
		return bson.D{{Key: "id", Value: bson.Binary{Subtype: 4, Data: []byte{b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}}}}
	}
	started := func(t *testing.T, name string, id bson.D) entities.CommandEvent {
		cmd := bson.D{{Key: name, Value: 1}}
		if id != nil {
			cmd = append(cmd, bson.E{Key: "lsid", Value: id})
		}
		return entities.CommandEvent{Type: entities.CommandStarted, CommandName: name, Command: dcArgs(t, cmd)}
	}
	succeeded := func(name string) entities.CommandEvent {
		return entities.CommandEvent{Type: entities.CommandSucceeded, CommandName: name, Reply: bson.Raw{5, 0, 0, 0, 0}}
	}
	a, b := lsid('a'), lsid('b')
	const (
		holds     = ""
		different = `client "observed": the last two commands (insert, find) have different lsids`
		sameLsid  = `client "observed": the last two commands (insert, find) have the same lsid`
	)
	for _, tc := range []struct {
		name       string
		events     func(t *testing.T) []entities.CommandEvent
		same, diff string // the failure of each assertion, holds when it holds
	}{
		{"same lsid", func(t *testing.T) []entities.CommandEvent {
			return []entities.CommandEvent{started(t, "insert", a), succeeded("insert"), started(t, "find", a), succeeded("find")}
		}, holds, sameLsid},
		{"different lsids", func(t *testing.T) []entities.CommandEvent {
			return []entities.CommandEvent{started(t, "insert", a), started(t, "find", b)}
		}, different, holds},
		{"only the last two count", func(t *testing.T) []entities.CommandEvent {
			return []entities.CommandEvent{started(t, "ping", b), started(t, "insert", a), started(t, "find", a)}
		}, holds, sameLsid},
		{"no event", func(*testing.T) []entities.CommandEvent { return nil },
			`client "observed" observed no CommandStartedEvent, the assertion needs two`,
			`client "observed" observed no CommandStartedEvent, the assertion needs two`},
		{"one started event", func(t *testing.T) []entities.CommandEvent {
			return []entities.CommandEvent{started(t, "insert", a), succeeded("insert")}
		}, `client "observed" observed one CommandStartedEvent, the assertion needs two`,
			`client "observed" observed one CommandStartedEvent, the assertion needs two`},
		{"a command without lsid", func(t *testing.T) []entities.CommandEvent {
			return []entities.CommandEvent{started(t, "insert", a), started(t, "find", nil)}
		}, `client "observed": the find command (second of the last two) has no lsid`,
			`client "observed": the find command (second of the last two) has no lsid`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// An observed client has no driver client: it is not closed, and the map not either.
			m := entities.NewMap()
			if err := m.Add("observed", entities.NewObservedClient("observed", tc.events(t)...)); err != nil {
				t.Fatal(err)
			}
			for op, want := range map[string]string{"assertSameLsidOnLastTwoCommands": tc.same, "assertDifferentLsidOnLastTwoCommands": tc.diff} {
				call := &Call{Entities: m, Harness: &dcFakeRunner{}, Op: &specifications.Operation{
					Name: op, Object: RunnerObject, Arguments: dcArgs(t, bson.D{{Key: "client", Value: "observed"}})}}
				_, err := Execute(context.Background(), call)
				var af *result.Verdict
				switch {
				case want == holds && err != nil:
					t.Errorf("%s: %v", op, err)
				case want != holds && (!(errors.As(err, &af) && af.Status == result.Fail) || af.Reason != want):
					t.Errorf("%s: %v, want the assertion to fail with %q", op, err, want)
				}
			}
		})
	}
}

func TestGetSnapshotTime(t *testing.T) {
	env := newDCEnv(t)
	env.addSession(t, "snapshot", options.Session().SetSnapshot(true))
	env.addSession(t, "snapshotAt", options.Session().SetSnapshot(true).SetSnapshotTime(bson.Timestamp{T: 1700000000, I: 7}))

	for session, want := range map[string]string{
		"session0": "getSnapshotTime: not a snapshot session, it has no snapshot time",
		"snapshot": "getSnapshotTime: the snapshot session has no snapshot time yet: no snapshot read has returned atClusterTime",
	} {
		if res := env.mustExec(t, session, "getSnapshotTime", nil); res.Err == nil || res.Err.Error() != want || res.Value.Type != 0 {
			t.Errorf("%s: %+v, want the error %q", session, res, want)
		}
	}
	res := env.mustExec(t, "snapshotAt", "getSnapshotTime", nil)
	if ts, i, ok := res.Value.TimestampOK(); res.Err != nil || !ok || ts != 1700000000 || i != 7 {
		t.Errorf("snapshot time: %+v", res)
	}
}

// execRunner runs nested operations as the interpreter does, reduced to what
// withTransaction relies on: an operation's unexpected error ends them with a verdict,
// and with stopAtError an operation that raised an error ends them.
type execRunner struct {
	dcFakeRunner
	m      *entities.Map
	ran    []string
	bound  []bool // whether the context had a session bound, per operation
	during func() // called before each nested operation
}

func (r *execRunner) Nested(ctx context.Context, ops []specifications.Operation, stopAtError bool) (raised, verdict error) {
	for i := range ops {
		op := &ops[i]
		if r.during != nil {
			r.during()
		}
		r.ran = append(r.ran, op.Name)
		r.bound = append(r.bound, mongo.SessionFromContext(ctx) != nil)
		res, err := Execute(ctx, &Call{Entities: r.m, Harness: r, Op: op})
		if err != nil {
			return raised, err
		}
		if res.Err != nil && op.ExpectError == nil && op.IgnoreResultAndError == nil {
			return raised, result.Failedf("%s", "unexpected error: "+res.Err.Error())
		}
		if raised == nil {
			raised = res.Err
		}
		if stopAtError && raised != nil {
			break
		}
	}
	return raised, nil
}

// retryRunner stands for a callback whose first call raises a transient transaction
// error, which the driver retries, and whose second call raises none.
type retryRunner struct {
	dcFakeRunner
	stopAtError []bool
}

func (r *retryRunner) Nested(_ context.Context, _ []specifications.Operation, stopAtError bool) (raised, verdict error) {
	r.stopAtError = append(r.stopAtError, stopAtError)
	if len(r.stopAtError) == 1 {
		return mongo.CommandError{Code: 112, Name: "WriteConflict", Message: "write conflict", Labels: []string{"TransientTransactionError"}}, nil
	}
	return nil, nil
}

func TestWithTransaction(t *testing.T) {
	state := func(session, s string) bson.D {
		return bson.D{{Key: "name", Value: "assertSessionTransactionState"}, {Key: "object", Value: RunnerObject},
			{Key: "arguments", Value: sessionArgs(session, bson.E{Key: "state", Value: s})}}
	}
	// abortTransaction on a session with no transaction: an error the driver raises
	// without a server, and no transient one (which WithTransaction would retry).
	abortNone := func(extra ...bson.E) bson.D {
		return append(bson.D{{Key: "name", Value: "abortTransaction"}, {Key: "object", Value: "session1"}}, extra...)
	}
	run := func(t *testing.T, callback bson.A, extra ...bson.E) (*dcEnv, *execRunner, Returned, error) {
		t.Helper()
		env := newDCEnv(t)
		env.addSession(t, "session1", nil)
		env.addSession(t, "session2", nil)
		r := &execRunner{m: env.m}
		ctx := context.Background()
		args := append(bson.D{{Key: "callback", Value: callback}}, extra...)
		op := &specifications.Operation{Name: "withTransaction", Object: "session0", Arguments: dcArgs(t, args)}
		res, err := Execute(ctx, &Call{Entities: env.m, Harness: r, Op: op})
		return env, r, res, err
	}

	// CSOT: a timeoutMS inside the callback is an error drivers raise; the Go driver v2,
	// which takes timeouts from contexts, cannot tell it (convenient-transactions
	// 'withTransaction raises a client-side error if timeoutMS is overridden inside the
	// callback' failed on SecantusDB: 'expected an error, got none')
	t.Run("timeoutMS in the callback", func(t *testing.T) {
		insert := bson.D{{Key: "name", Value: "insertOne"}, {Key: "object", Value: "collection0"},
			{Key: "arguments", Value: bson.D{{Key: "session", Value: "session0"}, {Key: "document", Value: bson.D{{Key: "_id", Value: 1}}}, {Key: "timeoutMS", Value: 100}}}}
		_, r, _, err := run(t, bson.A{insert}, bson.E{Key: "timeoutMS", Value: 500})
		if !result.Is(err, result.Unsupported) || !strings.Contains(err.Error(), "timeoutMS on insertOne in the callback") || len(r.ran) != 0 {
			t.Errorf("%v, ran %v: want unsupported before the callback runs", err, r.ran)
		}
		// with no timeout on the session, an operation's timeoutMS is its own: it runs
		_, r, _, err = run(t, bson.A{insert})
		if result.Is(err, result.Unsupported) || len(r.ran) != 1 {
			t.Errorf("%v, ran %v: want the callback run", err, r.ran)
		}
	})
	t.Run("commits", func(t *testing.T) {
		env, r, res, err := run(t, bson.A{state("session0", "starting")})
		if err != nil || res.Err != nil {
			t.Fatalf("%v %v", err, res.Err)
		}
		env.assertState(t, "session0", "committed")
		if len(r.ran) != 1 || r.bound[0] {
			t.Errorf("ran %v, session bound %v: the callback's operations run without the session bound", r.ran, r.bound)
		}
	})
	t.Run("options", func(t *testing.T) {
		var env *dcEnv
		var rc *readconcern.ReadConcern
		var wc *writeconcern.WriteConcern
		env = newDCEnv(t)
		r := &execRunner{m: env.m}
		r.during = func() {
			ds := driverSession(env.session(t, "session0"))
			rc = ds.FieldByName("CurrentRc").Interface().(*readconcern.ReadConcern)
			wc = ds.FieldByName("CurrentWc").Interface().(*writeconcern.WriteConcern)
		}
		args := bson.D{{Key: "callback", Value: bson.A{state("session0", "starting")}},
			{Key: "readConcern", Value: bson.D{{Key: "level", Value: "snapshot"}}},
			{Key: "writeConcern", Value: bson.D{{Key: "w", Value: "majority"}}},
			{Key: "readPreference", Value: bson.D{{Key: "mode", Value: "primary"}}}}
		op := &specifications.Operation{Name: "withTransaction", Object: "session0", Arguments: dcArgs(t, args)}
		if res, err := Execute(context.Background(), &Call{Entities: env.m, Harness: r, Op: op}); err != nil || res.Err != nil {
			t.Fatalf("%v %v", err, res.Err)
		}
		if rc == nil || rc.Level != "snapshot" || wc == nil || wc.W != "majority" {
			t.Errorf("transaction options in the callback: %+v %+v", rc, wc)
		}
	})
	for _, tc := range []struct {
		name  string
		first bson.D
	}{
		{"an expected error propagates", abortNone(bson.E{Key: "expectError", Value: bson.D{{Key: "isClientError", Value: true}}})},
		{"an ignored error propagates", abortNone(bson.E{Key: "ignoreResultAndError", Value: true})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The second operation would fail the test if it ran: session0 is starting.
			env, r, res, err := run(t, bson.A{tc.first, state("session0", "none")})
			if err != nil {
				t.Fatal(err)
			}
			if res.Err == nil || !strings.Contains(res.Err.Error(), "no transaction started") {
				t.Errorf("withTransaction's error: %v, want the callback's", res.Err)
			}
			if len(r.ran) != 1 {
				t.Errorf("ran %v: the error ends the callback", r.ran)
			}
			env.assertState(t, "session0", "aborted")
		})
	}
	t.Run("each call of the callback raises its own error", func(t *testing.T) {
		env := newDCEnv(t)
		r := &retryRunner{}
		op := &specifications.Operation{Name: "withTransaction", Object: "session0", Arguments: dcArgs(t, bson.D{{Key: "callback", Value: bson.A{state("session0", "starting")}}})}
		res, err := Execute(context.Background(), &Call{Entities: env.m, Harness: r, Op: op})
		if err != nil || res.Err != nil {
			t.Fatalf("%v %v: the second call raised no error", err, res.Err)
		}
		if !slices.Equal(r.stopAtError, []bool{true, true}) {
			t.Errorf("callback calls with stopAtError %v, want two that stop at a raised error", r.stopAtError)
		}
		env.assertState(t, "session0", "committed")
	})
	t.Run("a verdict in the callback ends the test", func(t *testing.T) {
		env, _, res, err := run(t, bson.A{abortNone(), state("session0", "none")})
		var af *result.Verdict
		if !(errors.As(err, &af) && af.Status == result.Fail) || !strings.HasPrefix(af.Reason, "unexpected error: ") {
			t.Fatalf("got %v %+v, want the callback's verdict", err, res)
		}
		env.assertState(t, "session0", "aborted")
	})
	t.Run("an error of a nested withTransaction propagates to the outer one", func(t *testing.T) {
		inner := bson.D{{Key: "name", Value: "withTransaction"}, {Key: "object", Value: "session2"},
			{Key: "arguments", Value: bson.D{{Key: "callback", Value: bson.A{abortNone(bson.E{Key: "ignoreResultAndError", Value: true})}}}},
			{Key: "ignoreResultAndError", Value: true}}
		env, r, res, err := run(t, bson.A{inner, state("session0", "none")})
		if err != nil {
			t.Fatal(err)
		}
		if res.Err == nil || !strings.Contains(res.Err.Error(), "no transaction started") {
			t.Errorf("withTransaction's error: %v, want the inner callback's", res.Err)
		}
		if strings.Join(r.ran, ",") != "withTransaction,abortTransaction" {
			t.Errorf("ran %v", r.ran)
		}
		env.assertState(t, "session0", "aborted")
		env.assertState(t, "session2", "aborted")
	})
}
