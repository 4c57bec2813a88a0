package interpreter

import (
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/operations"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// eventRun is a test run whose entity map holds client0 with the given observed events,
// and value0, a value.
func eventRun(t *testing.T, observed ...entities.CommandEvent) *testRun {
	t.Helper()
	tr := recordedRun(t, entities.Recording{Commands: observed})
	if err := tr.entities.Add("value0", &entities.Value{}); err != nil {
		t.Fatal(err)
	}
	return tr
}

func ptr[T any](v T) *T { return &v }

func wantStarted(name string, cmd bson.D) specifications.ExpectedEvent {
	e := &specifications.CommandStartedEvent{CommandName: ptr(name)}
	if cmd != nil {
		raw, err := bson.Marshal(cmd)
		if err != nil {
			panic(err)
		}
		e.Command = raw
	}
	return specifications.ExpectedEvent{CommandStartedEvent: e}
}

func wantSucceeded(name string, reply bson.D) specifications.ExpectedEvent {
	e := &specifications.CommandSucceededEvent{CommandName: ptr(name)}
	if reply != nil {
		raw, err := bson.Marshal(reply)
		if err != nil {
			panic(err)
		}
		e.Reply = raw
	}
	return specifications.ExpectedEvent{CommandSucceededEvent: e}
}

func wantFailed(name string) specifications.ExpectedEvent {
	return specifications.ExpectedEvent{CommandFailedEvent: &specifications.CommandFailedEvent{CommandName: ptr(name)}}
}

func marshal(d bson.D) bson.Raw {
	raw, err := bson.Marshal(d)
	if err != nil {
		panic(err)
	}
	return raw
}

func observedStarted(id int64, name string, cmd bson.D) entities.CommandEvent {
	return entities.CommandEvent{Type: entities.CommandStarted, CommandName: name, DatabaseName: "db", RequestID: id, Command: marshal(cmd)}
}

func observedSucceeded(id int64, name string, reply bson.D) entities.CommandEvent {
	return entities.CommandEvent{Type: entities.CommandSucceeded, CommandName: name, DatabaseName: "db", RequestID: id, Reply: marshal(reply)}
}

func observedFailed(id int64, name string) entities.CommandEvent {
	return entities.CommandEvent{Type: entities.CommandFailed, CommandName: name, DatabaseName: "db", RequestID: id}
}

// A find that returns a cursor, then a getMore.
var observedFind = []entities.CommandEvent{
	observedStarted(1, "find", bson.D{{Key: "find", Value: "coll"}, {Key: "filter", Value: bson.D{{Key: "x", Value: int32(1)}}}, {Key: "batchSize", Value: int32(2)}, {Key: "$db", Value: "db"}}),
	observedSucceeded(1, "find", bson.D{{Key: "cursor", Value: bson.D{{Key: "id", Value: int64(42)}, {Key: "ns", Value: "db.coll"}, {Key: "firstBatch", Value: bson.A{}}}}, {Key: "ok", Value: 1.0}}),
	observedStarted(2, "getMore", bson.D{{Key: "getMore", Value: int64(42)}, {Key: "collection", Value: "coll"}, {Key: "$db", Value: "db"}}),
	observedSucceeded(2, "getMore", bson.D{{Key: "cursor", Value: bson.D{{Key: "id", Value: int64(0)}, {Key: "ns", Value: "db.coll"}, {Key: "nextBatch", Value: bson.A{}}}}, {Key: "ok", Value: 1.0}}),
}

func TestExpectEvents(t *testing.T) {
	findEvents := []specifications.ExpectedEvent{
		wantStarted("find", nil), wantSucceeded("find", nil), wantStarted("getMore", nil), wantSucceeded("getMore", nil),
	}
	tests := []struct {
		name     string
		observed []entities.CommandEvent
		want     []specifications.ExpectedEvent
		extra    *bool
		// reason is "" when the expectation holds, else a part of the failure's reason.
		reason string
	}{
		{"all", observedFind, findEvents, nil, ""},
		{"all, ignoreExtraEvents", observedFind, findEvents, ptr(true), ""},
		{"too few expected", observedFind, findEvents[:2], nil, "expectEvents[0] (client0): expected 2 events, observed 4"},
		{"too few expected, ignoreExtraEvents false", observedFind, findEvents[:2], ptr(false), "expected 2 events, observed 4"},
		{"prefix, ignoreExtraEvents", observedFind, findEvents[:2], ptr(true), ""},
		{"too many expected", observedFind[:3], findEvents, nil, "expected 4 events, observed 3"},
		{"too many expected, ignoreExtraEvents", observedFind[:3], findEvents, ptr(true), "expected 4 events, observed 3"},
		{"none expected, none observed", nil, []specifications.ExpectedEvent{}, nil, ""},
		{"none expected, some observed", observedFind, []specifications.ExpectedEvent{}, nil, "expected 0 events, observed 4"},
		{"none expected, ignoreExtraEvents", observedFind, []specifications.ExpectedEvent{}, ptr(true), ""},
		{"wrong type", observedFind[:2], []specifications.ExpectedEvent{wantStarted("find", nil), wantFailed("find")},
			nil, "event 1: expected commandFailedEvent, observed commandSucceededEvent for find"},
		{"wrong order", observedFind[:2], []specifications.ExpectedEvent{wantSucceeded("find", nil), wantStarted("find", nil)},
			nil, "event 0: expected commandSucceededEvent, observed commandStartedEvent"},
		{"wrong name", observedFind[:2], []specifications.ExpectedEvent{wantStarted("find", nil), wantSucceeded("aggregate", nil)},
			nil, "event 1: commandName: expected aggregate, observed find"},
		{"failed event", []entities.CommandEvent{observedFailed(3, "insert")}, []specifications.ExpectedEvent{wantFailed("insert")}, nil, ""},
		{"failed event, wrong name", []entities.CommandEvent{observedFailed(3, "insert")}, []specifications.ExpectedEvent{wantFailed("update")},
			nil, "event 0: commandName: expected update, observed insert"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := eventRun(t, tt.observed...)
			v := tr.expectEvents(0, &specifications.ExpectedEventsForClient{Client: "client0", Events: tt.want, IgnoreExtraEvents: tt.extra})
			checkVerdict(t, v, result.Fail, tt.reason)
			if v != nil && !strings.Contains(v.Detail, "observed: [") {
				t.Errorf("detail does not list the observed events:\n%s", v.Detail)
			}
		})
	}
}

// checkVerdict: nil when reason is "", else status and a reason containing reason.
func checkVerdict(t *testing.T, v *result.Verdict, status result.Status, reason string) {
	t.Helper()
	switch {
	case reason == "" && v != nil:
		t.Errorf("%s: %s\n%s", v.Status, v.Reason, v.Detail)
	case reason != "" && v == nil:
		t.Errorf("holds, want %s with %q", status, reason)
	case v != nil && (v.Status != status || !strings.Contains(v.Reason, reason)):
		t.Errorf("%s %q, want %s with %q", v.Status, v.Reason, status, reason)
	}
}

func TestExpectEventsOtherClients(t *testing.T) {
	tr := eventRun(t)
	v := tr.expectEvents(1, &specifications.ExpectedEventsForClient{Client: "nobody", Events: []specifications.ExpectedEvent{}})
	checkVerdict(t, v, result.Error, `expectEvents[1] (nobody): entity "nobody" is not defined`)
	v = tr.expectEvents(0, &specifications.ExpectedEventsForClient{Client: "value0", Events: []specifications.ExpectedEvent{}})
	checkVerdict(t, v, result.Error, "is a value, not a client")
	v = tr.expectEvents(0, &specifications.ExpectedEventsForClient{Client: "client0", EventType: "cmap", Events: []specifications.ExpectedEvent{}})
	checkVerdict(t, v, result.Pass, "") // command events are not CMAP events
}

func TestMatchEvent(t *testing.T) {
	find := observedFind[0]
	reply := observedFind[1]
	sid := bson.NewObjectID()
	withIDs := func(e entities.CommandEvent, service *bson.ObjectID, conn *int64) *entities.CommandEvent {
		e.ServiceID, e.ServerConnectionID = service, conn
		return &e
	}
	started := func(edit func(*specifications.CommandStartedEvent)) *specifications.ExpectedEvent {
		e := &specifications.CommandStartedEvent{}
		edit(e)
		return &specifications.ExpectedEvent{CommandStartedEvent: e}
	}
	succeeded := func(edit func(*specifications.CommandSucceededEvent)) *specifications.ExpectedEvent {
		e := &specifications.CommandSucceededEvent{}
		edit(e)
		return &specifications.ExpectedEvent{CommandSucceededEvent: e}
	}
	tests := []struct {
		name   string
		want   *specifications.ExpectedEvent
		got    *entities.CommandEvent
		reason string
	}{
		{"database name", started(func(e *specifications.CommandStartedEvent) { e.DatabaseName = ptr("db") }), &find, ""},
		{"database name differs", started(func(e *specifications.CommandStartedEvent) { e.DatabaseName = ptr("other") }), &find,
			"databaseName: expected other, observed db"},
		{"reply database name differs", succeeded(func(e *specifications.CommandSucceededEvent) { e.DatabaseName = ptr("admin") }), &reply,
			"databaseName: expected admin, observed db"},

		// The command is a root document: extra keys at its root are allowed, not deeper.
		{"command, extra root keys", started(func(e *specifications.CommandStartedEvent) {
			e.Command = marshal(bson.D{{Key: "find", Value: "coll"}, {Key: "filter", Value: bson.D{{Key: "x", Value: 1.0}}}})
		}), &find, ""},
		{"command, value differs", started(func(e *specifications.CommandStartedEvent) {
			e.Command = marshal(bson.D{{Key: "find", Value: "coll"}, {Key: "batchSize", Value: int32(3)}})
		}), &find, "command: batchSize: expected"},
		{"command, extra nested key", started(func(e *specifications.CommandStartedEvent) {
			e.Command = marshal(bson.D{{Key: "find", Value: "coll"}, {Key: "filter", Value: bson.D{}}})
		}), &find, "command: filter.x: "},
		{"command, missing key", started(func(e *specifications.CommandStartedEvent) {
			e.Command = marshal(bson.D{{Key: "find", Value: "coll"}, {Key: "sort", Value: bson.D{{Key: "x", Value: 1}}}})
		}), &find, "command: sort: "},
		{"command, $$exists", started(func(e *specifications.CommandStartedEvent) {
			e.Command = marshal(bson.D{{Key: "find", Value: "coll"}, {Key: "lsid", Value: bson.D{{Key: "$$exists", Value: false}}}})
		}), &find, ""},

		{"reply, extra root keys", succeeded(func(e *specifications.CommandSucceededEvent) {
			e.Reply = marshal(bson.D{{Key: "ok", Value: int32(1)}})
		}), &reply, ""},
		{"reply, nested document must be whole", succeeded(func(e *specifications.CommandSucceededEvent) {
			e.Reply = marshal(bson.D{{Key: "cursor", Value: bson.D{{Key: "id", Value: int64(42)}}}})
		}), &reply, "reply: cursor.ns: "},
		{"reply, value differs", succeeded(func(e *specifications.CommandSucceededEvent) {
			e.Reply = marshal(bson.D{{Key: "ok", Value: 0}})
		}), &reply, "reply: ok: "},

		{"hasServiceId false, unset", started(func(e *specifications.CommandStartedEvent) { e.HasServiceID = ptr(false) }), &find, ""},
		{"hasServiceId true, unset", started(func(e *specifications.CommandStartedEvent) { e.HasServiceID = ptr(true) }), &find, "hasServiceId: expected true"},
		{"hasServiceId true, set", started(func(e *specifications.CommandStartedEvent) { e.HasServiceID = ptr(true) }), withIDs(find, &sid, nil), ""},
		{"hasServiceId false, set", started(func(e *specifications.CommandStartedEvent) { e.HasServiceID = ptr(false) }), withIDs(find, &sid, nil), "hasServiceId: expected false"},
		{"hasServiceId true, empty ObjectId", started(func(e *specifications.CommandStartedEvent) { e.HasServiceID = ptr(true) }), withIDs(find, &bson.ObjectID{}, nil), "hasServiceId: expected true"},
		{"hasServiceId false, empty ObjectId", started(func(e *specifications.CommandStartedEvent) { e.HasServiceID = ptr(false) }), withIDs(find, &bson.ObjectID{}, nil), ""},
		{"hasServerConnectionId true, set", succeeded(func(e *specifications.CommandSucceededEvent) { e.HasServerConnectionID = ptr(true) }), withIDs(reply, nil, ptr(int64(7))), ""},
		{"hasServerConnectionId true, unset", succeeded(func(e *specifications.CommandSucceededEvent) { e.HasServerConnectionID = ptr(true) }), &reply, "hasServerConnectionId: expected true"},
		{"hasServerConnectionId false, set", started(func(e *specifications.CommandStartedEvent) { e.HasServerConnectionID = ptr(false) }), withIDs(find, nil, ptr(int64(7))), "hasServerConnectionId: expected false"},
		{"hasServerConnectionId false, unset", started(func(e *specifications.CommandStartedEvent) { e.HasServerConnectionID = ptr(false) }), &find, ""},
		{"hasServerConnectionId true, zero", started(func(e *specifications.CommandStartedEvent) { e.HasServerConnectionID = ptr(true) }), withIDs(find, nil, ptr(int64(0))), "hasServerConnectionId: expected true"},
		{"failed event ids", &specifications.ExpectedEvent{CommandFailedEvent: &specifications.CommandFailedEvent{HasServiceID: ptr(true), HasServerConnectionID: ptr(true)}},
			withIDs(observedFailed(3, "insert"), &sid, ptr(int64(1))), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v *result.Verdict
			if err := operations.MatchCommandEvent(eventRun(t).matcher(), tt.want, tt.got); err != nil {
				v = eventVerdict(err)
			}
			checkVerdict(t, v, result.Fail, tt.reason)
		})
	}
}

// A mismatch in an event's command names the event and the key path, and the detail
// shows both documents.
func TestExpectEventsMismatchDetail(t *testing.T) {
	tr := eventRun(t, observedFind...)
	want := []specifications.ExpectedEvent{
		wantStarted("find", nil), wantSucceeded("find", nil),
		wantStarted("getMore", bson.D{{Key: "getMore", Value: int64(42)}, {Key: "collection", Value: "other"}}),
	}
	v := tr.expectEvents(2, &specifications.ExpectedEventsForClient{Client: "client0", Events: want, IgnoreExtraEvents: ptr(true)})
	checkVerdict(t, v, result.Fail, `expectEvents[2] (client0): event 2: command: collection: expected string "other", got string "coll"`)
	if v == nil {
		return
	}
	for _, s := range []string{`"collection":"other"`, `"collection":"coll"`, "expected: [commandStarted(find), commandSucceeded(find), commandStarted(getMore)]",
		"observed: [commandStarted(find), commandSucceeded(find), commandStarted(getMore), commandSucceeded(getMore)]"} {
		if !strings.Contains(v.Detail, s) {
			t.Errorf("detail lacks %s:\n%s", s, v.Detail)
		}
	}
}

// TestDepartureBeforeEventCounts: when the lists part ways after a command that differs
// only by a driver departure (batchSize = limit, which leaves a cursor open that the
// driver then kills), the test cannot be judged; any other difference before still
// fails on the count.
func TestDepartureBeforeEventCounts(t *testing.T) {
	find := func(batch int32, filter int32) entities.CommandEvent {
		return observedStarted(1, "find", bson.D{{Key: "find", Value: "coll"}, {Key: "batchSize", Value: batch},
			{Key: "filter", Value: bson.D{{Key: "x", Value: filter}}}, {Key: "limit", Value: int32(4)}})
	}
	kill := observedStarted(2, "killCursors", bson.D{{Key: "killCursors", Value: "coll"}, {Key: "cursors", Value: bson.A{int64(42)}}})
	run := func(observed ...entities.CommandEvent) *testRun {
		return recordedRun(t, entities.Recording{Commands: observed, FindCursors: map[int64]int64{1: 42}})
	}
	want := &specifications.ExpectedEventsForClient{Client: "client0", Events: []specifications.ExpectedEvent{
		wantStarted("find", bson.D{{Key: "find", Value: "coll"}, {Key: "filter", Value: bson.D{{Key: "x", Value: int32(1)}}},
			{Key: "limit", Value: int32(4)}, {Key: "batchSize", Value: int32(5)}}),
	}}
	v := run(find(4, 1), kill).expectEvents(0, want)
	if v == nil || v.Status != result.Unsupported || !strings.Contains(v.Reason, "limit + 1") ||
		!strings.Contains(v.Reason, "the 2 events observed, where 1 were expected, follow from it") {
		t.Errorf("batchSize = limit, then a killCursors: %+v", v)
	}
	v = run(find(4, 2), kill).expectEvents(0, want)
	if v == nil || v.Status != result.Fail || v.Reason != "expectEvents[0] (client0): expected 1 events, observed 2" {
		t.Errorf("another difference besides: %+v", v)
	}
	v = run(find(5, 1), kill).expectEvents(0, want)
	if v == nil || v.Status != result.Fail || v.Reason != "expectEvents[0] (client0): expected 1 events, observed 2" {
		t.Errorf("the expected find, then an extra event: %+v", v)
	}
}

// TestDepartureNarrow: a departed find explains only the getMore or killCursors on the
// cursor it leaves open, and does not end the comparison: any other surplus event, or a
// later event that differs, still fails, and the test is unsupported only when all the
// rest matches.
func TestDepartureNarrow(t *testing.T) {
	find := observedStarted(1, "find", bson.D{{Key: "find", Value: "coll"}, {Key: "batchSize", Value: int32(4)}, {Key: "limit", Value: int32(4)}})
	wantFind := wantStarted("find", bson.D{{Key: "find", Value: "coll"}, {Key: "limit", Value: int32(4)}, {Key: "batchSize", Value: int32(5)}})
	insert := func(x int32) entities.CommandEvent {
		return observedStarted(3, "insert", bson.D{{Key: "insert", Value: "coll"}, {Key: "x", Value: x}})
	}
	wantInsert := wantStarted("insert", bson.D{{Key: "insert", Value: "coll"}, {Key: "x", Value: int32(1)}})
	kill := func(coll string, ids ...any) entities.CommandEvent {
		return observedStarted(2, "killCursors", bson.D{{Key: "killCursors", Value: coll}, {Key: "cursors", Value: bson.A(ids)}})
	}
	getMore := func(id int64) entities.CommandEvent {
		return observedStarted(2, "getMore", bson.D{{Key: "getMore", Value: id}, {Key: "collection", Value: "coll"}})
	}
	getMoreDone := observedSucceeded(2, "getMore", bson.D{{Key: "ok", Value: 1}})
	tests := []struct {
		name     string
		observed []entities.CommandEvent
		want     []specifications.ExpectedEvent
		status   result.Status
		reason   string
		// cursor is the id of the cursor the find left open (0: none)
		cursor int64
	}{
		{"surplus killCursors, rest matches", []entities.CommandEvent{find, kill("coll", int64(42)), insert(1)}, []specifications.ExpectedEvent{wantFind, wantInsert},
			result.Unsupported, "expectEvents[0] (client0): event 0: command: the Go driver v2 sends batchSize equal to limit", 42},
		{"surplus killCursors of the find's cursor and another, rest matches", []entities.CommandEvent{find, kill("coll", int64(7), int64(42)), insert(1)},
			[]specifications.ExpectedEvent{wantFind, wantInsert},
			result.Unsupported, "expectEvents[0] (client0): event 0: command: the Go driver v2 sends batchSize equal to limit", 42},
		{"surplus killCursors, a later event differs", []entities.CommandEvent{find, kill("coll", int64(42)), insert(2)}, []specifications.ExpectedEvent{wantFind, wantInsert},
			result.Fail, "expectEvents[0] (client0): event 1: command: x: expected int32 1, got int32 2", 42},
		{"surplus getMore on the find's cursor (FerretDB), rest matches", []entities.CommandEvent{find, getMore(42), getMoreDone, insert(1)},
			[]specifications.ExpectedEvent{wantFind, wantInsert},
			result.Unsupported, "expectEvents[0] (client0): event 0: command: the Go driver v2 sends batchSize equal to limit", 42},
		{"surplus getMore on another cursor of the same collection", []entities.CommandEvent{find, getMore(43), getMoreDone, insert(1)},
			[]specifications.ExpectedEvent{wantFind, wantInsert},
			result.Fail, "expectEvents[0] (client0): expected 2 events, observed 4", 42},
		{"surplus killCursors of another cursor of the same collection", []entities.CommandEvent{find, kill("coll", int64(43)), insert(1)},
			[]specifications.ExpectedEvent{wantFind, wantInsert},
			result.Fail, "expectEvents[0] (client0): expected 2 events, observed 3", 42},
		{"surplus killCursors where the find left no cursor open", []entities.CommandEvent{find, kill("coll", int64(42)), insert(1)},
			[]specifications.ExpectedEvent{wantFind, wantInsert},
			result.Fail, "expectEvents[0] (client0): expected 2 events, observed 3", 0},
		{"surplus killCursors of another collection", []entities.CommandEvent{find, kill("other", int64(43)), insert(1)}, []specifications.ExpectedEvent{wantFind, wantInsert},
			result.Fail, "expectEvents[0] (client0): expected 2 events, observed 3", 42},
		{"surplus is not killCursors", []entities.CommandEvent{find, insert(1), insert(1)}, []specifications.ExpectedEvent{wantFind, wantInsert},
			result.Fail, "expectEvents[0] (client0): expected 2 events, observed 3", 42},
		{"fewer events observed", []entities.CommandEvent{find}, []specifications.ExpectedEvent{wantFind, wantInsert},
			result.Fail, "expectEvents[0] (client0): expected 2 events, observed 1", 42},
		{"same count, a later event differs", []entities.CommandEvent{find, insert(2)}, []specifications.ExpectedEvent{wantFind, wantInsert},
			result.Fail, "expectEvents[0] (client0): event 1: command: x: expected int32 1, got int32 2", 42},
		{"same count, rest matches", []entities.CommandEvent{find, insert(1)}, []specifications.ExpectedEvent{wantFind, wantInsert},
			result.Unsupported, "expectEvents[0] (client0): event 0: command: the Go driver v2 sends batchSize equal to limit", 42},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := entities.Recording{Commands: tt.observed, FindCursors: map[int64]int64{1: tt.cursor}}
			v := recordedRun(t, rec).expectEvents(0, &specifications.ExpectedEventsForClient{Client: "client0", Events: tt.want})
			if v == nil || v.Status != tt.status || !strings.HasPrefix(v.Reason, tt.reason) {
				t.Errorf("got %+v, want %s %q", v, tt.status, tt.reason)
			}
		})
	}
}
