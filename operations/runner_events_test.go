package operations

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo/address"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

func ptr[T any](v T) *T { return &v }

// shortWaits makes the 10-second waits of the spec short for a test.
func shortWaits(t *testing.T) {
	t.Helper()
	old := waitTimeout
	waitTimeout = 150 * time.Millisecond
	t.Cleanup(func() { waitTimeout = old })
}

// eventEnv is an entity map with client0, a client without a driver client that has
// observed rec, and the runner given.
type eventEnv struct {
	m      *entities.Map
	runner Harness
}

func newEventEnv(t *testing.T, rec entities.Recording, runner Harness) *eventEnv {
	t.Helper()
	m := entities.NewMap()
	if err := m.Add("client0", entities.NewRecordedClient("client0", rec)); err != nil {
		t.Fatal(err)
	}
	if runner == nil {
		runner = &dcFakeRunner{}
	}
	return &eventEnv{m: m, runner: runner}
}

func (e *eventEnv) exec(t *testing.T, name string, args bson.D) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	op := &specifications.Operation{Name: name, Object: RunnerObject, Arguments: dcArgs(t, args)}
	res, err := Execute(ctx, &Call{Entities: e.m, Harness: e.runner, Op: op})
	if res.Err != nil || res.Value.Type != 0 {
		t.Errorf("%s: a testRunner operation has no result or error of its own: %+v", name, res)
	}
	return err
}

// checkErr: nil when want is "", else an error containing want of the type is says.
func checkErr(t *testing.T, err error, want string, assertion bool) {
	t.Helper()
	var af *result.Verdict
	switch {
	case want == "" && err != nil:
		t.Errorf("unexpected error: %v", err)
	case want != "" && err == nil:
		t.Errorf("holds, want an error with %q", want)
	case err != nil && !strings.Contains(err.Error(), want):
		t.Errorf("error %q, want one with %q", err, want)
	case err != nil && assertion != (errors.As(err, &af) && af.Status == result.Fail):
		t.Errorf("error %T %q: assertion failed is %t, want %t", err, err, !assertion, assertion)
	}
}

func TestMatchEvent(t *testing.T) {
	sid := bson.NewObjectID()
	tests := []struct {
		name   string
		want   specifications.ExpectedEvent
		got    entities.Event
		reason string // "" when it matches
	}{
		{"empty expectation", specifications.ExpectedEvent{PoolCreatedEvent: &struct{}{}}, entities.Event{Name: "poolCreatedEvent"}, ""},
		{"other type", specifications.ExpectedEvent{PoolReadyEvent: &struct{}{}}, entities.Event{Name: "poolCreatedEvent"},
			"expected poolReadyEvent, observed poolCreatedEvent"},
		{"checked out is not checked in", specifications.ExpectedEvent{ConnectionCheckedInEvent: &struct{}{}}, entities.Event{Name: "connectionCheckedOutEvent"},
			"expected connectionCheckedInEvent, observed connectionCheckedOutEvent"},

		{"poolCleared, nothing asserted", specifications.ExpectedEvent{PoolClearedEvent: &specifications.PoolClearedEvent{}},
			entities.Event{Name: "poolClearedEvent", ServiceID: &sid, InterruptInUseConnections: true}, ""},
		{"poolCleared hasServiceId true", specifications.ExpectedEvent{PoolClearedEvent: &specifications.PoolClearedEvent{HasServiceID: ptr(true)}},
			entities.Event{Name: "poolClearedEvent", ServiceID: &sid}, ""},
		{"poolCleared hasServiceId true, unset", specifications.ExpectedEvent{PoolClearedEvent: &specifications.PoolClearedEvent{HasServiceID: ptr(true)}},
			entities.Event{Name: "poolClearedEvent"}, "hasServiceId: expected true"},
		{"poolCleared hasServiceId true, empty", specifications.ExpectedEvent{PoolClearedEvent: &specifications.PoolClearedEvent{HasServiceID: ptr(true)}},
			entities.Event{Name: "poolClearedEvent", ServiceID: &bson.ObjectID{}}, "hasServiceId: expected true"},
		{"poolCleared hasServiceId false, set", specifications.ExpectedEvent{PoolClearedEvent: &specifications.PoolClearedEvent{HasServiceID: ptr(false)}},
			entities.Event{Name: "poolClearedEvent", ServiceID: &sid}, "hasServiceId: expected false"},
		{"poolCleared interruptInUseConnections", specifications.ExpectedEvent{PoolClearedEvent: &specifications.PoolClearedEvent{InterruptInUseConnections: ptr(true)}},
			entities.Event{Name: "poolClearedEvent", InterruptInUseConnections: true}, ""},
		{"poolCleared interruptInUseConnections differs", specifications.ExpectedEvent{PoolClearedEvent: &specifications.PoolClearedEvent{InterruptInUseConnections: ptr(true)}},
			entities.Event{Name: "poolClearedEvent"}, "interruptInUseConnections: expected true, observed false"},
		{"poolCleared interruptInUseConnections false", specifications.ExpectedEvent{PoolClearedEvent: &specifications.PoolClearedEvent{InterruptInUseConnections: ptr(false)}},
			entities.Event{Name: "poolClearedEvent", InterruptInUseConnections: true}, "interruptInUseConnections: expected false, observed true"},

		{"connectionClosed reason", specifications.ExpectedEvent{ConnectionClosedEvent: &specifications.ConnectionReason{Reason: ptr("stale")}},
			entities.Event{Name: "connectionClosedEvent", Reason: "stale"}, ""},
		{"connectionClosed reason differs", specifications.ExpectedEvent{ConnectionClosedEvent: &specifications.ConnectionReason{Reason: ptr("stale")}},
			entities.Event{Name: "connectionClosedEvent", Reason: "poolClosed"}, "reason: expected stale, observed poolClosed"},
		{"connectionClosed no reason asserted", specifications.ExpectedEvent{ConnectionClosedEvent: &specifications.ConnectionReason{}},
			entities.Event{Name: "connectionClosedEvent", Reason: "idle"}, ""},
		{"checkOutFailed reason differs", specifications.ExpectedEvent{ConnectionCheckOutFailedEvent: &specifications.ConnectionReason{Reason: ptr("timeout")}},
			entities.Event{Name: "connectionCheckOutFailedEvent", Reason: "connectionError"}, "reason: expected timeout, observed connectionError"},

		{"server description types", specifications.ExpectedEvent{ServerDescriptionChangedEvent: &specifications.ServerDescriptionChange{
			PreviousDescription: &specifications.ServerDescription{Type: "Unknown"}, NewDescription: &specifications.ServerDescription{Type: "Standalone"}}},
			entities.Event{Name: "serverDescriptionChangedEvent", PreviousType: "Unknown", NewType: "Standalone"}, ""},
		{"server description new type differs", specifications.ExpectedEvent{ServerDescriptionChangedEvent: &specifications.ServerDescriptionChange{
			NewDescription: &specifications.ServerDescription{Type: "Unknown"}}},
			entities.Event{Name: "serverDescriptionChangedEvent", PreviousType: "Unknown", NewType: "Standalone"}, "newDescription.type: expected Unknown, observed Standalone"},
		{"server description previous type differs", specifications.ExpectedEvent{ServerDescriptionChangedEvent: &specifications.ServerDescriptionChange{
			PreviousDescription: &specifications.ServerDescription{Type: "RSPrimary"}}},
			entities.Event{Name: "serverDescriptionChangedEvent", PreviousType: "Unknown", NewType: "Standalone"}, "previousDescription.type: expected RSPrimary, observed Unknown"},
		{"server description given as {}", specifications.ExpectedEvent{ServerDescriptionChangedEvent: &specifications.ServerDescriptionChange{
			NewDescription: &specifications.ServerDescription{}}},
			entities.Event{Name: "serverDescriptionChangedEvent", NewType: "Mongos"}, ""},
		{"topology types", specifications.ExpectedEvent{TopologyDescriptionChangedEvent: &specifications.TopologyDescriptionChange{
			PreviousDescription: &specifications.TopologyDescription{Type: "Unknown"}, NewDescription: &specifications.TopologyDescription{Type: "Single"}}},
			entities.Event{Name: "topologyDescriptionChangedEvent", PreviousType: "Unknown", NewType: "Single"}, ""},
		{"topology new type differs", specifications.ExpectedEvent{TopologyDescriptionChangedEvent: &specifications.TopologyDescriptionChange{
			NewDescription: &specifications.TopologyDescription{Type: "Single"}}},
			entities.Event{Name: "topologyDescriptionChangedEvent", PreviousType: "Single", NewType: "Unknown"}, "newDescription.type: expected Single, observed Unknown"},
		{"topology changed is not server changed", specifications.ExpectedEvent{TopologyDescriptionChangedEvent: &specifications.TopologyDescriptionChange{}},
			entities.Event{Name: "serverDescriptionChangedEvent"}, "expected topologyDescriptionChangedEvent, observed serverDescriptionChangedEvent"},

		{"heartbeat awaited", specifications.ExpectedEvent{ServerHeartbeatSucceededEvent: &specifications.HeartbeatEvent{Awaited: ptr(true)}},
			entities.Event{Name: "serverHeartbeatSucceededEvent", Awaited: true}, ""},
		{"heartbeat awaited differs", specifications.ExpectedEvent{ServerHeartbeatStartedEvent: &specifications.HeartbeatEvent{Awaited: ptr(true)}},
			entities.Event{Name: "serverHeartbeatStartedEvent"}, "awaited: expected true, observed false"},
		{"heartbeat failed not awaited", specifications.ExpectedEvent{ServerHeartbeatFailedEvent: &specifications.HeartbeatEvent{Awaited: ptr(false)}},
			entities.Event{Name: "serverHeartbeatFailedEvent", Awaited: true}, "awaited: expected false, observed true"},
		{"heartbeat nothing asserted", specifications.ExpectedEvent{ServerHeartbeatFailedEvent: &specifications.HeartbeatEvent{}},
			entities.Event{Name: "serverHeartbeatFailedEvent", Awaited: true}, ""},
		{"topology opening", specifications.ExpectedEvent{TopologyOpeningEvent: &struct{}{}}, entities.Event{Name: "topologyOpeningEvent"}, ""},
		{"topology closed is not opening", specifications.ExpectedEvent{TopologyOpeningEvent: &struct{}{}}, entities.Event{Name: "topologyClosedEvent"},
			"expected topologyOpeningEvent, observed topologyClosedEvent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := MatchEvent(&tt.want, &tt.got)
			checkErr(t, err, tt.reason, false)
			var em *EventMismatch
			if err != nil && !errors.As(err, &em) {
				t.Errorf("%T, want *EventMismatch", err)
			}
		})
	}
}

// Events of a client after a find: the pool, one connection checked out and in.
var findCMAP = []entities.Event{
	{Name: "poolCreatedEvent"}, {Name: "poolReadyEvent"},
	{Name: "connectionCheckOutStartedEvent"}, {Name: "connectionCreatedEvent", ConnectionID: 1},
	{Name: "connectionReadyEvent", ConnectionID: 1}, {Name: "connectionCheckedOutEvent", ConnectionID: 1},
	{Name: "connectionCheckedInEvent", ConnectionID: 1},
	{Name: "connectionCheckOutStartedEvent"}, {Name: "connectionCheckedOutEvent", ConnectionID: 1},
	{Name: "connectionCheckedInEvent", ConnectionID: 1},
}

var clearedSDAM = []entities.Event{
	{Name: "topologyOpeningEvent"},
	{Name: "serverDescriptionChangedEvent", PreviousType: "Unknown", NewType: "Standalone"},
	{Name: "serverDescriptionChangedEvent", PreviousType: "Standalone", NewType: "Unknown"},
	{Name: "serverDescriptionChangedEvent", PreviousType: "Unknown", NewType: "Standalone"},
}

func TestAssertEventCount(t *testing.T) {
	find := bson.D{{Key: "find", Value: "coll"}, {Key: "$db", Value: "db"}}
	rec := entities.Recording{
		CMAP: findCMAP, SDAM: clearedSDAM,
		Commands: []entities.CommandEvent{
			{Type: entities.CommandStarted, CommandName: "find", Command: mustMarshal(t, find)},
			{Type: entities.CommandStarted, CommandName: "insert", Command: mustMarshal(t, bson.D{{Key: "insert", Value: "coll"}})},
		},
	}
	env := newEventEnv(t, rec, nil)
	tests := []struct {
		event  bson.D
		count  int
		reason string
	}{
		{bson.D{{Key: "connectionCheckedOutEvent", Value: bson.D{}}}, 2, ""},
		{bson.D{{Key: "connectionCheckedOutEvent", Value: bson.D{}}}, 1, "observed 2 matching connectionCheckedOutEvent, expected 1"},
		{bson.D{{Key: "poolClearedEvent", Value: bson.D{}}}, 0, ""},
		{bson.D{{Key: "poolClearedEvent", Value: bson.D{}}}, 1, "observed 0 matching poolClearedEvent, expected 1"},
		{bson.D{{Key: "serverDescriptionChangedEvent", Value: bson.D{{Key: "newDescription", Value: bson.D{{Key: "type", Value: "Unknown"}}}}}}, 1, ""},
		{bson.D{{Key: "serverDescriptionChangedEvent", Value: bson.D{}}}, 3, ""},
		{bson.D{{Key: "commandStartedEvent", Value: bson.D{{Key: "command", Value: bson.D{{Key: "find", Value: "coll"}}}}}}, 1, ""},
		{bson.D{{Key: "commandStartedEvent", Value: bson.D{}}}, 2, ""},
		{bson.D{{Key: "commandStartedEvent", Value: bson.D{{Key: "commandName", Value: "insert"}}}}, 2, "observed 1 matching commandStartedEvent, expected 2"},
	}
	for _, tt := range tests {
		err := env.exec(t, "assertEventCount", bson.D{{Key: "client", Value: "client0"}, {Key: "event", Value: tt.event}, {Key: "count", Value: tt.count}})
		checkErr(t, err, tt.reason, true)
	}

	// An event that cannot be evaluated is an error, not a count of 0.
	bad := bson.D{{Key: "commandStartedEvent", Value: bson.D{{Key: "command", Value: bson.D{{Key: "find", Value: bson.D{{Key: "$$unknownOperator", Value: 1}}}}}}}}
	err := env.exec(t, "assertEventCount", bson.D{{Key: "client", Value: "client0"}, {Key: "event", Value: bad}, {Key: "count", Value: 0}})
	checkErr(t, err, "$$unknownOperator", false)

	// Arguments are strict: the event is an expectedEvent, the client a client.
	for _, args := range []bson.D{
		{{Key: "client", Value: "client0"}, {Key: "event", Value: bson.D{{Key: "poolReadyEvent", Value: bson.D{{Key: "x", Value: 1}}}}}, {Key: "count", Value: 1}},
		{{Key: "client", Value: "client0"}, {Key: "event", Value: bson.D{{Key: "noSuchEvent", Value: bson.D{}}}}, {Key: "count", Value: 1}},
		{{Key: "client", Value: "client0"}, {Key: "event", Value: bson.D{{Key: "poolReadyEvent", Value: bson.D{}}}}},
		{{Key: "client", Value: "nobody"}, {Key: "event", Value: bson.D{{Key: "poolReadyEvent", Value: bson.D{}}}}, {Key: "count", Value: 1}},
		{{Key: "client", Value: "client0"}, {Key: "event", Value: bson.D{{Key: "poolReadyEvent", Value: bson.D{}}}}, {Key: "count", Value: 1}, {Key: "extra", Value: 1}},
	} {
		var invalid *InvalidArgument
		var unknown *UnknownArgument
		if err := env.exec(t, "assertEventCount", args); !errors.As(err, &invalid) && !errors.As(err, &unknown) {
			t.Errorf("%v: %v, want an argument error", args, err)
		}
	}
}

func mustMarshal(t *testing.T, d bson.D) bson.Raw {
	t.Helper()
	raw, err := bson.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestWaitForEventRecorded(t *testing.T) {
	shortWaits(t)
	env := newEventEnv(t, entities.Recording{CMAP: findCMAP, SDAM: clearedSDAM}, nil)
	args := func(event bson.D, count int) bson.D {
		return bson.D{{Key: "client", Value: "client0"}, {Key: "event", Value: event}, {Key: "count", Value: count}}
	}
	// Events before the operation count; at least count are enough.
	checkErr(t, env.exec(t, "waitForEvent", args(bson.D{{Key: "connectionCheckedInEvent", Value: bson.D{}}}, 1)), "", true)
	checkErr(t, env.exec(t, "waitForEvent", args(bson.D{{Key: "connectionCheckedInEvent", Value: bson.D{}}}, 2)), "", true)
	// Not observed within the time: the test fails.
	start := time.Now()
	err := env.exec(t, "waitForEvent", args(bson.D{{Key: "connectionCheckedInEvent", Value: bson.D{}}}, 3))
	checkErr(t, err, "waitForEvent: client0 observed 2 matching connectionCheckedInEvent within 150ms, expected 3", true)
	if d := time.Since(start); d < waitTimeout {
		t.Errorf("gave up after %s, before %s", d, waitTimeout)
	}
	err = env.exec(t, "waitForEvent", args(bson.D{{Key: "serverDescriptionChangedEvent", Value: bson.D{{Key: "newDescription", Value: bson.D{{Key: "type", Value: "RSPrimary"}}}}}}, 1))
	checkErr(t, err, "observed 0 matching serverDescriptionChangedEvent", true)
}

// A client connected to a port where no server listens publishes SDAM events on its
// own: waitForEvent sees those that come after it started waiting.
func TestWaitForEventLive(t *testing.T) {
	client, err := entities.NewClient(context.Background(), &specifications.ClientEntity{
		ID:            "client0",
		ObserveEvents: []string{"serverHeartbeatFailedEvent", "topologyOpeningEvent"},
		URIOptions:    mustMarshal(t, bson.D{{Key: "heartbeatFrequencyMS", Value: 500}}),
	}, entities.ClientConfig{URI: "mongodb://127.0.0.1:1/"})
	if err != nil {
		t.Fatal(err)
	}
	m := entities.NewMap()
	if err := m.Add("client0", client); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(context.Background()) })
	env := &eventEnv{m: m, runner: &dcFakeRunner{}}
	err = env.exec(t, "waitForEvent", bson.D{{Key: "client", Value: "client0"},
		{Key: "event", Value: bson.D{{Key: "serverHeartbeatFailedEvent", Value: bson.D{}}}}, {Key: "count", Value: 2}})
	checkErr(t, err, "", true)
	err = env.exec(t, "assertEventCount", bson.D{{Key: "client", Value: "client0"},
		{Key: "event", Value: bson.D{{Key: "topologyOpeningEvent", Value: bson.D{}}}}, {Key: "count", Value: 1}})
	checkErr(t, err, "", true)
}

func TestAssertNumberConnectionsCheckedOut(t *testing.T) {
	env := newEventEnv(t, entities.Recording{CheckedOut: 1}, nil)
	checkErr(t, env.exec(t, "assertNumberConnectionsCheckedOut", bson.D{{Key: "client", Value: "client0"}, {Key: "connections", Value: 1}}), "", true)
	checkErr(t, env.exec(t, "assertNumberConnectionsCheckedOut", bson.D{{Key: "client", Value: "client0"}, {Key: "connections", Value: 0}}),
		"client0 has 1 connections checked out, expected 0", true)
	var invalid *InvalidArgument
	if err := env.exec(t, "assertNumberConnectionsCheckedOut", bson.D{{Key: "client", Value: "client0"}}); !errors.As(err, &invalid) {
		t.Errorf("without connections: %v", err)
	}
}

func TestTopologyOperations(t *testing.T) {
	shortWaits(t)
	rs := &event.TopologyDescription{Kind: "ReplicaSetWithPrimary", Servers: []event.ServerDescription{
		{Addr: address.Address("a:27017"), Kind: "RSSecondary"}, {Addr: address.Address("b:27017"), Kind: "RSPrimary"},
	}}
	env := newEventEnv(t, entities.Recording{Topology: rs}, nil)
	checkErr(t, env.exec(t, "recordTopologyDescription", bson.D{{Key: "client", Value: "client0"}, {Key: "id", Value: "topo0"}}), "", true)
	checkErr(t, env.exec(t, "assertTopologyType", bson.D{{Key: "topologyDescription", Value: "topo0"}, {Key: "topologyType", Value: "ReplicaSetWithPrimary"}}), "", true)
	checkErr(t, env.exec(t, "assertTopologyType", bson.D{{Key: "topologyDescription", Value: "topo0"}, {Key: "topologyType", Value: "Single"}}),
		"the topology is ReplicaSetWithPrimary, expected Single", true)
	// The id must be new; the entity must be a topology description.
	if err := env.exec(t, "recordTopologyDescription", bson.D{{Key: "client", Value: "client0"}, {Key: "id", Value: "topo0"}}); err == nil {
		t.Error("recorded twice under one name")
	}
	if err := env.exec(t, "assertTopologyType", bson.D{{Key: "topologyDescription", Value: "client0"}, {Key: "topologyType", Value: "Single"}}); err == nil {
		t.Error("a client taken for a topology description")
	}

	// The primary is still b: no change within timeoutMS.
	start := time.Now()
	err := env.exec(t, "waitForPrimaryChange", bson.D{{Key: "client", Value: "client0"}, {Key: "priorTopologyDescription", Value: "topo0"}, {Key: "timeoutMS", Value: 50}})
	checkErr(t, err, "discovered no primary other than b:27017 within 50ms", true)
	if d := time.Since(start); d < 50*time.Millisecond || d > 2*time.Second {
		t.Errorf("waited %s, want 50ms", d)
	}
	// Without timeoutMS, the default (shortened here).
	err = env.exec(t, "waitForPrimaryChange", bson.D{{Key: "client", Value: "client0"}, {Key: "priorTopologyDescription", Value: "topo0"}})
	checkErr(t, err, "within 150ms", true)

	// A description without a primary: any primary is a change.
	env2 := newEventEnv(t, entities.Recording{}, nil) // no topology change seen yet: Unknown
	checkErr(t, env2.exec(t, "recordTopologyDescription", bson.D{{Key: "client", Value: "client0"}, {Key: "id", Value: "before"}}), "", true)
	checkErr(t, env2.exec(t, "assertTopologyType", bson.D{{Key: "topologyDescription", Value: "before"}, {Key: "topologyType", Value: "Unknown"}}), "", true)
	if err := env.m.Add("before", entities.Entity(mustGet(t, env2.m, "before"))); err != nil {
		t.Fatal(err)
	}
	checkErr(t, env.exec(t, "waitForPrimaryChange", bson.D{{Key: "client", Value: "client0"}, {Key: "priorTopologyDescription", Value: "before"}}), "", true)
}

func mustGet(t *testing.T, m *entities.Map, id string) entities.Entity {
	t.Helper()
	e, err := m.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestWait(t *testing.T) {
	env := newEventEnv(t, entities.Recording{}, nil)
	start := time.Now()
	checkErr(t, env.exec(t, "wait", bson.D{{Key: "ms", Value: 60}}), "", true)
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("waited %s, want 60ms", d)
	}
	var invalid *InvalidArgument
	if err := env.exec(t, "wait", bson.D{{Key: "ms", Value: "1"}}); !errors.As(err, &invalid) {
		t.Errorf("ms as a string: %v", err)
	}
}

// threadRunner runs nested operations as a test would: each named operation takes
// its time, one may fail with a given verdict, and one may raise a given error (which
// its expectations would have met).
type threadRunner struct {
	dcFakeRunner
	mu          sync.Mutex
	ran         []string
	stopAtError []bool
	delay       time.Duration
	failing     map[string]error
	raising     map[string]error
}

func (r *threadRunner) Nested(ctx context.Context, ops []specifications.Operation, stopAtError bool) (raised, verdict error) {
	r.mu.Lock()
	r.stopAtError = append(r.stopAtError, stopAtError)
	r.mu.Unlock()
	for _, op := range ops {
		select {
		case <-time.After(r.delay):
		case <-ctx.Done():
			return raised, ctx.Err()
		}
		r.mu.Lock()
		r.ran = append(r.ran, op.Name)
		r.mu.Unlock()
		if err := r.failing[op.Name]; err != nil {
			return raised, err
		}
		if raised == nil {
			raised = r.raising[op.Name]
		}
		if stopAtError && raised != nil {
			break
		}
	}
	return raised, nil
}

func (r *threadRunner) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ran...)
}

func threadEnv(t *testing.T, runner *threadRunner, threads ...string) *eventEnv {
	t.Helper()
	env := newEventEnv(t, entities.Recording{}, runner)
	for _, id := range threads {
		if err := env.m.Create(context.Background(), &specifications.Entity{Thread: &specifications.ThreadEntity{ID: id}}, entities.ClientConfig{}); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { env.m.Close(context.Background()) })
	return env
}

func onThread(thread, name string) bson.D {
	return bson.D{{Key: "thread", Value: thread}, {Key: "operation", Value: bson.D{{Key: "name", Value: name}, {Key: "object", Value: "collection0"}}}}
}

func TestThreads(t *testing.T) {
	t.Run("in order, without waiting", func(t *testing.T) {
		runner := &threadRunner{delay: 20 * time.Millisecond}
		env := threadEnv(t, runner, "thread0")
		start := time.Now()
		for _, name := range []string{"insertOne", "find", "deleteOne"} {
			checkErr(t, env.exec(t, "runOnThread", onThread("thread0", name)), "", true)
		}
		if d := time.Since(start); d > 40*time.Millisecond {
			t.Errorf("runOnThread waited for the operations (%s)", d)
		}
		checkErr(t, env.exec(t, "waitForThread", bson.D{{Key: "thread", Value: "thread0"}}), "", true)
		if got := runner.names(); strings.Join(got, ",") != "insertOne,find,deleteOne" {
			t.Errorf("ran %v", got)
		}
		// A thread waited for takes more operations.
		checkErr(t, env.exec(t, "runOnThread", onThread("thread0", "count")), "", true)
		checkErr(t, env.exec(t, "waitForThread", bson.D{{Key: "thread", Value: "thread0"}}), "", true)
		if got := runner.names(); len(got) != 4 || got[3] != "count" {
			t.Errorf("ran %v", got)
		}
	})
	t.Run("two threads run at once", func(t *testing.T) {
		runner := &threadRunner{delay: 100 * time.Millisecond}
		env := threadEnv(t, runner, "thread0", "thread1")
		start := time.Now()
		checkErr(t, env.exec(t, "runOnThread", onThread("thread0", "find")), "", true)
		checkErr(t, env.exec(t, "runOnThread", onThread("thread1", "find")), "", true)
		checkErr(t, env.exec(t, "waitForThread", bson.D{{Key: "thread", Value: "thread0"}}), "", true)
		checkErr(t, env.exec(t, "waitForThread", bson.D{{Key: "thread", Value: "thread1"}}), "", true)
		if d := time.Since(start); d > 190*time.Millisecond {
			t.Errorf("the threads took %s: not concurrent", d)
		}
	})
	t.Run("a failure comes back as it is, and stops the thread", func(t *testing.T) {
		verdict := errors.New("operation 0 (find): expected an error, got none")
		runner := &threadRunner{failing: map[string]error{"find": verdict}}
		env := threadEnv(t, runner, "thread0")
		for _, name := range []string{"insertOne", "find", "deleteOne"} {
			checkErr(t, env.exec(t, "runOnThread", onThread("thread0", name)), "", true)
		}
		err := env.exec(t, "waitForThread", bson.D{{Key: "thread", Value: "thread0"}})
		if err != verdict {
			t.Errorf("waitForThread returned %v, want the operation's verdict itself", err)
		}
		if got := runner.names(); strings.Join(got, ",") != "insertOne,find" {
			t.Errorf("ran %v: the operations after a failure must not run", got)
		}
	})
	t.Run("an error an operation raised does not stop the thread", func(t *testing.T) {
		runner := &threadRunner{raising: map[string]error{"find": errors.New("server error 2 (BadValue)")}}
		env := threadEnv(t, runner, "thread0")
		for _, name := range []string{"insertOne", "find", "deleteOne"} {
			checkErr(t, env.exec(t, "runOnThread", onThread("thread0", name)), "", true)
		}
		checkErr(t, env.exec(t, "waitForThread", bson.D{{Key: "thread", Value: "thread0"}}), "", true)
		if got := runner.names(); strings.Join(got, ",") != "insertOne,find,deleteOne" {
			t.Errorf("ran %v", got)
		}
		runner.mu.Lock()
		defer runner.mu.Unlock()
		if slices.Contains(runner.stopAtError, true) {
			t.Errorf("stopAtError %v: a thread's operation does not stop at a raised error", runner.stopAtError)
		}
	})
	t.Run("not finished in time", func(t *testing.T) {
		shortWaits(t)
		runner := &threadRunner{delay: time.Second}
		env := threadEnv(t, runner, "thread0")
		checkErr(t, env.exec(t, "runOnThread", onThread("thread0", "find")), "", true)
		err := env.exec(t, "waitForThread", bson.D{{Key: "thread", Value: "thread0"}})
		checkErr(t, err, "waitForThread: thread0 did not finish its operations within 150ms", true)
	})
	t.Run("arguments", func(t *testing.T) {
		env := threadEnv(t, &threadRunner{}, "thread0")
		for _, args := range []bson.D{
			{{Key: "thread", Value: "thread0"}},
			{{Key: "thread", Value: "client0"}, {Key: "operation", Value: bson.D{{Key: "name", Value: "find"}, {Key: "object", Value: "c"}}}},
			{{Key: "thread", Value: "thread0"}, {Key: "operation", Value: bson.D{{Key: "name", Value: "find"}}}},
			{{Key: "thread", Value: "thread0"}, {Key: "operation", Value: bson.D{{Key: "name", Value: "find"}, {Key: "object", Value: "c"}, {Key: "bogus", Value: 1}}}},
		} {
			if err := env.exec(t, "runOnThread", args); err == nil {
				t.Errorf("%v: accepted", args)
			}
		}
		if err := env.exec(t, "waitForThread", bson.D{{Key: "thread", Value: "nothread"}}); err == nil {
			t.Error("waitForThread on an undefined thread")
		}
	})
}
