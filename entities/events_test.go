package entities

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/specrun/specrun/specifications"
)

// newTestClient makes a client entity as createEntities would, on an address where no
// server listens: the tests feed its recorder through the driver's monitor callbacks.
func newTestClient(t *testing.T, spec *specifications.ClientEntity) (*Client, *event.CommandMonitor) {
	t.Helper()
	if spec.ID == "" {
		spec.ID = "client0"
	}
	c, err := NewClient(context.Background(), spec, ClientConfig{URI: "mongodb://127.0.0.1:1/"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.close(context.Background()) })
	return c, c.events.monitor()
}

// feeder sends driver events to a monitor, as the driver would.
type feeder struct {
	t   *testing.T
	mon *event.CommandMonitor
}

func (f feeder) started(id int64, name string, cmd bson.Raw) {
	f.mon.Started(context.Background(), &event.CommandStartedEvent{
		Command: cmd, CommandName: name, DatabaseName: "db", RequestID: id,
	})
}

func (f feeder) succeeded(id int64, name string, reply bson.Raw) {
	f.mon.Succeeded(context.Background(), &event.CommandSucceededEvent{
		CommandFinishedEvent: event.CommandFinishedEvent{CommandName: name, DatabaseName: "db", RequestID: id},
		Reply:                reply,
	})
}

func (f feeder) failed(id int64, name string) {
	f.mon.Failed(context.Background(), &event.CommandFailedEvent{
		CommandFinishedEvent: event.CommandFinishedEvent{CommandName: name, DatabaseName: "db", RequestID: id},
		Failure:              errors.New("boom"),
	})
}

// command is a non-empty command document named name.
func (f feeder) command(name string) bson.Raw {
	return mustRaw(f.t, bson.D{{Key: name, Value: 1}, {Key: "$db", Value: "db"}})
}

func (f feeder) ok() bson.Raw { return mustRaw(f.t, bson.D{{Key: "ok", Value: 1.0}}) }

// summary is the recorded stream as "type:name" strings.
func summary(events []CommandEvent) []string {
	out := []string{}
	for _, e := range events {
		out = append(out, string(e.Type)+":"+e.CommandName)
	}
	return out
}

func TestRecorderObserveEvents(t *testing.T) {
	all := []string{
		"commandStartedEvent:find", "commandSucceededEvent:find",
		"commandStartedEvent:insert", "commandFailedEvent:insert",
	}
	tests := []struct {
		observe []string
		want    []string
	}{
		{[]string{"commandStartedEvent"}, []string{all[0], all[2]}},
		{[]string{"commandSucceededEvent"}, []string{all[1]}},
		{[]string{"commandFailedEvent"}, []string{all[3]}},
		{[]string{"commandFailedEvent", "commandStartedEvent"}, []string{all[0], all[2], all[3]}},
		{[]string{"commandStartedEvent", "commandSucceededEvent", "commandFailedEvent"}, all},
		{nil, []string{}},
	}
	for _, tt := range tests {
		c, mon := newTestClient(t, &specifications.ClientEntity{ObserveEvents: tt.observe})
		f := feeder{t, mon}
		f.started(1, "find", f.command("find"))
		f.succeeded(1, "find", f.ok())
		f.started(2, "insert", f.command("insert"))
		f.failed(2, "insert")
		if got := summary(c.CommandEvents()); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("observeEvents %v: recorded %v, want %v", tt.observe, got, tt.want)
		}
	}
}

func TestRecorderIgnoreCommandMonitoringEvents(t *testing.T) {
	c, mon := newTestClient(t, &specifications.ClientEntity{
		ObserveEvents:                 []string{"commandStartedEvent", "commandSucceededEvent", "commandFailedEvent"},
		IgnoreCommandMonitoringEvents: []string{"killCursors", "insert"},
	})
	f := feeder{t, mon}
	f.started(1, "insert", f.command("insert"))
	f.failed(1, "insert")
	f.started(2, "find", f.command("find"))
	f.succeeded(2, "find", f.ok())
	f.started(3, "killCursors", f.command("killCursors"))
	f.succeeded(3, "killCursors", f.ok())
	want := []string{"commandStartedEvent:find", "commandSucceededEvent:find"}
	if got := summary(c.CommandEvents()); !reflect.DeepEqual(got, want) {
		t.Errorf("recorded %v, want %v", got, want)
	}
}

func TestRecorderSensitiveCommands(t *testing.T) {
	allTypes := []string{"commandStartedEvent", "commandSucceededEvent", "commandFailedEvent"}
	feed := func(f feeder) {
		// The driver redacts sensitive commands and replies to nil.
		f.started(1, "saslStart", nil)
		f.succeeded(1, "saslStart", nil)
		f.started(2, "saslContinue", nil)
		f.failed(2, "saslContinue")
		f.started(3, "createUser", nil)
		f.succeeded(3, "createUser", nil)
		f.started(4, "ping", f.command("ping"))
		f.succeeded(4, "ping", f.ok())
	}
	tests := []struct {
		observeSensitive *bool
		want             []string
	}{
		{nil, []string{"commandStartedEvent:ping", "commandSucceededEvent:ping"}},
		{new(false), []string{"commandStartedEvent:ping", "commandSucceededEvent:ping"}},
		{new(true), []string{
			"commandStartedEvent:saslStart", "commandSucceededEvent:saslStart",
			"commandStartedEvent:saslContinue", "commandFailedEvent:saslContinue",
			"commandStartedEvent:createUser", "commandSucceededEvent:createUser",
			"commandStartedEvent:ping", "commandSucceededEvent:ping",
		}},
	}
	for _, tt := range tests {
		c, mon := newTestClient(t, &specifications.ClientEntity{ObserveEvents: allTypes, ObserveSensitiveCommands: tt.observeSensitive})
		feed(feeder{t, mon})
		if got := summary(c.CommandEvents()); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("observeSensitiveCommands %v: recorded %v, want %v", deref(tt.observeSensitive), got, tt.want)
		}
	}
}

func deref(b *bool) any {
	if b == nil {
		return "unset"
	}
	return *b
}

// A hello with speculativeAuthenticate is redacted by the driver (an empty command):
// it and its reply are sensitive; a plain hello is an ordinary command.
func TestRecorderRedactedHello(t *testing.T) {
	allTypes := []string{"commandStartedEvent", "commandSucceededEvent", "commandFailedEvent"}
	feed := func(f feeder) {
		f.started(10, "hello", nil) // redacted
		f.started(11, "ping", f.command("ping"))
		f.succeeded(11, "ping", f.ok())
		f.succeeded(10, "hello", f.ok()) // its reply, matched by request ID
		f.started(12, "isMaster", bson.Raw{5, 0, 0, 0, 0})
		f.failed(12, "isMaster")
		f.started(13, "hello", f.command("hello")) // not redacted
		f.succeeded(13, "hello", f.ok())
	}
	c, mon := newTestClient(t, &specifications.ClientEntity{ObserveEvents: allTypes})
	feed(feeder{t, mon})
	want := []string{
		"commandStartedEvent:ping", "commandSucceededEvent:ping",
		"commandStartedEvent:hello", "commandSucceededEvent:hello",
	}
	got := c.CommandEvents()
	if !reflect.DeepEqual(summary(got), want) {
		t.Fatalf("recorded %v, want %v", summary(got), want)
	}
	if got[2].RequestID != 13 || got[3].RequestID != 13 {
		t.Errorf("the hello kept is not the plain one: request IDs %d, %d", got[2].RequestID, got[3].RequestID)
	}

	c, mon = newTestClient(t, &specifications.ClientEntity{ObserveEvents: allTypes, ObserveSensitiveCommands: new(true)})
	feed(feeder{t, mon})
	if n := len(c.CommandEvents()); n != 8 {
		t.Errorf("observeSensitiveCommands: %d events recorded, want all 8: %v", n, summary(c.CommandEvents()))
	}
}

func TestRecorderUnobserved(t *testing.T) {
	c, mon := newTestClient(t, &specifications.ClientEntity{ObserveEvents: []string{"commandStartedEvent", "commandSucceededEvent"}})
	f := feeder{t, mon}
	f.started(1, "find", f.command("find"))
	f.succeeded(1, "find", f.ok())
	err := c.Unobserved(func() error {
		f.started(2, "configureFailPoint", f.command("configureFailPoint"))
		f.succeeded(2, "configureFailPoint", f.ok())
		return errors.New("fn's error")
	})
	if err == nil || err.Error() != "fn's error" {
		t.Errorf("Unobserved returned %v, want fn's error", err)
	}
	// The last command is tracked while recording is paused.
	if started, ended := c.LastCommand(); started.CommandName != "configureFailPoint" || ended.Type != CommandSucceeded {
		t.Errorf("last command %s/%s, want configureFailPoint/succeeded", started.CommandName, ended.Type)
	}
	f.started(3, "insert", f.command("insert"))
	want := []string{"commandStartedEvent:find", "commandSucceededEvent:find", "commandStartedEvent:insert"}
	if got := summary(c.CommandEvents()); !reflect.DeepEqual(got, want) {
		t.Errorf("recorded %v, want %v", got, want)
	}
}

func TestRecorderStopObserving(t *testing.T) {
	c, mon := newTestClient(t, &specifications.ClientEntity{ObserveEvents: []string{"commandStartedEvent", "commandSucceededEvent"}})
	f := feeder{t, mon}
	f.started(1, "find", f.command("find"))
	c.StopObserving()
	f.succeeded(1, "find", f.ok())
	f.started(2, "endSessions", f.command("endSessions"))
	want := []string{"commandStartedEvent:find"}
	if got := summary(c.CommandEvents()); !reflect.DeepEqual(got, want) {
		t.Errorf("recorded %v, want %v: nothing after StopObserving", got, want)
	}
}

func TestRecorderLastCommand(t *testing.T) {
	// Nothing observed: the last command is tracked all the same.
	c, mon := newTestClient(t, &specifications.ClientEntity{})
	f := feeder{t, mon}
	if started, ended := c.LastCommand(); started.Type != "" || ended.Type != "" {
		t.Fatalf("before any command: %+v %+v", started, ended)
	}
	steps := []struct {
		do          func()
		name        string
		outcome     CommandEventType
		outcomeName string
	}{
		{func() { f.started(1, "find", f.command("find")) }, "find", "", ""},
		{func() { f.succeeded(1, "find", f.ok()) }, "find", CommandSucceeded, "find"},
		{func() { f.started(2, "insert", f.command("insert")) }, "insert", "", ""},
		// The end of another command (not the last one) does not count.
		{func() { f.succeeded(1, "find", f.ok()) }, "insert", "", ""},
		{func() { f.failed(2, "insert") }, "insert", CommandFailed, "insert"},
	}
	for i, s := range steps {
		s.do()
		started, ended := c.LastCommand()
		if started.Type != CommandStarted || started.CommandName != s.name || ended.Type != s.outcome || ended.CommandName != s.outcomeName {
			t.Errorf("step %d: last %s %s, ended %q %q; want %s, %q %q", i, started.Type, started.CommandName, ended.Type, ended.CommandName, s.name, s.outcome, s.outcomeName)
		}
	}
	if started, _ := c.LastCommand(); started.Command.Lookup("insert").Type == 0 {
		t.Errorf("last command document %s", started.Command)
	}
	if _, ended := c.LastCommand(); ended.Failure == nil || ended.Failure.Error() != "boom" {
		t.Errorf("failure %v", ended.Failure)
	}
}

func TestRecorderCopiesDocuments(t *testing.T) {
	c, mon := newTestClient(t, &specifications.ClientEntity{ObserveEvents: []string{"commandStartedEvent", "commandSucceededEvent"}, ObserveSensitiveCommands: new(true)})
	f := feeder{t, mon}
	cmd := f.command("find")
	f.started(1, "find", cmd)
	f.succeeded(1, "find", nil)
	f.started(2, "saslStart", nil)
	// The driver reuses its buffers: what was recorded must not change with them.
	for i := 4; i < len(cmd)-1; i++ {
		cmd[i] = 'x'
	}
	got := c.CommandEvents()
	if len(got) != 3 {
		t.Fatalf("recorded %v", summary(got))
	}
	if got[0].Command.Lookup("find").Type == 0 {
		t.Errorf("recorded command changed with the driver's buffer: %v", []byte(got[0].Command))
	}
	empty := bson.Raw{5, 0, 0, 0, 0}
	if !reflect.DeepEqual(got[1].Reply, empty) {
		t.Errorf("nil reply recorded as %v, want an empty document", []byte(got[1].Reply))
	}
	if !reflect.DeepEqual(got[2].Command, empty) {
		t.Errorf("nil command recorded as %v, want an empty document", []byte(got[2].Command))
	}
	// CommandEvents is a copy.
	got[0].CommandName = "changed"
	if c.CommandEvents()[0].CommandName != "find" {
		t.Error("CommandEvents returns the recorder's own slice")
	}
}

// TestRecorderFindCursors: the cursor a find's reply leaves open is known by the find's
// request id whether or not the client observes succeeded events (crud tests observe
// only commandStartedEvent); a find whose cursor is exhausted (id 0), a failed find and
// an aggregate leave none.
func TestRecorderFindCursors(t *testing.T) {
	reply := func(id int64) bson.Raw {
		return mustRaw(t, bson.D{{Key: "cursor", Value: bson.D{{Key: "firstBatch", Value: bson.A{}}, {Key: "id", Value: id}, {Key: "ns", Value: "db.coll"}}}, {Key: "ok", Value: 1.0}})
	}
	for _, observe := range [][]string{{"commandStartedEvent"}, nil, {"commandSucceededEvent"}} {
		c, mon := newTestClient(t, &specifications.ClientEntity{ObserveEvents: observe})
		f := feeder{t, mon}
		f.started(1, "find", f.command("find"))
		f.succeeded(1, "find", reply(42))
		f.started(2, "find", f.command("find"))
		f.succeeded(2, "find", reply(0))
		f.started(3, "find", f.command("find"))
		f.failed(3, "find")
		f.started(4, "aggregate", f.command("aggregate"))
		f.succeeded(4, "aggregate", reply(43))
		for id, want := range map[int64]int64{1: 42, 2: 0, 3: 0, 4: 0, 5: 0} {
			if got := c.FindCursor(id); got != want {
				t.Errorf("observeEvents %v: FindCursor(%d) = %d, want %d", observe, id, got, want)
			}
		}
	}
}
