package entities

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/specrun/specrun/specifications"
)

func TestEventListsStoreEventsAsDocuments(t *testing.T) {
	// The recorders of a client, without a driver client whose own events would mix in.
	store := newEventStore([]specifications.StoreEventsAsEntity{
		{ID: "commands", Events: []string{"CommandStartedEvent", "CommandSucceededEvent"}},
		{ID: "pool", Events: []string{"PoolClearedEvent", "ConnectionCheckedOutEvent", "CommandStartedEvent"}},
	})
	s := newSignal()
	c := &Client{signal: s, store: store, monitor: newMonitorRecorder(s), events: &commandRecorder{
		observe: map[CommandEventType]bool{CommandStarted: true}, ignore: map[string]bool{"find": true},
		sensitiveRequests: map[int64]bool{}, signal: s, store: store.store,
	}}
	c.monitor.store = store.store
	mon := c.events.monitor()
	at := time.Unix(1700000000, 500_000_000)
	c.store.now = func() time.Time { return at }
	f := feeder{t, mon}
	// Stored whatever observeEvents and ignoreCommandMonitoringEvents say.
	f.started(1, "find", f.command("find"))
	f.succeeded(1, "find", f.ok())
	if len(c.CommandEvents()) != 0 {
		t.Errorf("ignored command observed: %v", c.CommandEvents())
	}
	c.monitor.poolMonitor().Event(&event.PoolEvent{Type: event.ConnectionCheckedOut, Address: "h:1", ConnectionID: 7, Duration: 1500 * time.Microsecond})
	c.monitor.poolMonitor().Event(&event.PoolEvent{Type: event.ConnectionCheckedIn, Address: "h:1", ConnectionID: 7})
	c.monitor.poolMonitor().Event(&event.PoolEvent{Type: event.ConnectionPoolCleared, Address: "h:1", Interruption: true})

	lists := map[string]*EventList{}
	for _, l := range c.store.lists {
		lists[l.id] = l.list
	}
	summary := func(l *EventList) []string {
		var out []string
		for _, d := range l.Events() {
			out = append(out, d.Lookup("name").StringValue())
		}
		return out
	}
	if got := summary(lists["commands"]); !reflect.DeepEqual(got, []string{"CommandStartedEvent", "CommandSucceededEvent"}) {
		t.Errorf("commands: %v", got)
	}
	if got := summary(lists["pool"]); !reflect.DeepEqual(got, []string{"CommandStartedEvent", "ConnectionCheckedOutEvent", "PoolClearedEvent"}) {
		t.Errorf("pool: %v", got)
	}
	started := lists["commands"].Events()[0]
	if got := started.Lookup("observedAt").Double(); got != 1700000000.5 {
		t.Errorf("observedAt %v, want seconds since the epoch", got)
	}
	if started.Lookup("commandName").StringValue() != "find" || started.Lookup("databaseName").StringValue() != "db" || started.Lookup("requestId").Int64() != 1 {
		t.Errorf("started event %s", started)
	}
	out := lists["pool"].Events()[1]
	if out.Lookup("address").StringValue() != "h:1" || out.Lookup("connectionId").Int64() != 7 || out.Lookup("durationMS").Double() != 1.5 {
		t.Errorf("checked out event %s", out)
	}
	if cleared := lists["pool"].Events()[2]; !cleared.Lookup("interruptInUseConnections").Boolean() {
		t.Errorf("cleared event %s", cleared)
	}

	// After the test's operations nothing more is stored.
	c.StopObserving()
	f.started(2, "insert", f.command("insert"))
	if n := len(lists["commands"].Events()); n != 2 {
		t.Errorf("%d events after the listeners stopped", n)
	}
}

// A client on a port where no server listens creates its pool: the event reaches the
// list through the driver.
func TestEventListOfAClient(t *testing.T) {
	c, err := NewClient(context.Background(), &specifications.ClientEntity{ID: "client0",
		StoreEventsAsEntities: []specifications.StoreEventsAsEntity{{ID: "events0", Events: []string{"PoolCreatedEvent"}}}},
		ClientConfig{URI: "mongodb://127.0.0.1:1/"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.close(context.Background())
	list := c.store.lists[0].list
	deadline := time.Now().Add(5 * time.Second)
	for len(list.Events()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if events := list.Events(); len(events) != 1 || events[0].Lookup("name").StringValue() != "PoolCreatedEvent" ||
		events[0].Lookup("address").StringValue() != "127.0.0.1:1" {
		t.Errorf("events %v", events)
	}
}

func TestEventListEntities(t *testing.T) {
	ctx := context.Background()
	client := func(id string, lists ...specifications.StoreEventsAsEntity) *specifications.Entity {
		return &specifications.Entity{Client: &specifications.ClientEntity{ID: id, StoreEventsAsEntities: lists}}
	}
	cfg := ClientConfig{URI: "mongodb://127.0.0.1:1/"}
	m := NewMap()
	defer m.Close(ctx)
	if err := m.Create(ctx, client("client0", specifications.StoreEventsAsEntity{ID: "events0", Events: []string{"PoolCreatedEvent"}}), cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := Lookup[*EventList](m, "events0"); err != nil {
		t.Errorf("the event list is not an entity: %v", err)
	}
	// Every name must be new: the client's, the lists' among themselves and in the map.
	for name, spec := range map[string]*specifications.Entity{
		"with the client's id":  client("client1", specifications.StoreEventsAsEntity{ID: "client1", Events: []string{"PoolCreatedEvent"}}),
		"twice in one client":   client("client2", specifications.StoreEventsAsEntity{ID: "e", Events: []string{"PoolCreatedEvent"}}, specifications.StoreEventsAsEntity{ID: "e", Events: []string{"PoolReadyEvent"}}),
		"with an existing list": client("client3", specifications.StoreEventsAsEntity{ID: "events0", Events: []string{"PoolCreatedEvent"}}),
	} {
		err := m.Create(ctx, spec, cfg)
		if err == nil || !strings.Contains(err.Error(), "is already defined") {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := m.Get(spec.ID()); err == nil {
			t.Errorf("%s: the client was added", name)
		}
	}
}

func TestThreadRunsInOrder(t *testing.T) {
	th := NewThread("thread0")
	defer th.close(context.Background())
	var ran []int
	for i := range 5 {
		if err := th.Run(context.Background(), func(context.Context) error {
			time.Sleep(time.Millisecond)
			ran = append(ran, i) // the jobs of one thread never overlap
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	finished, err := th.Wait(context.Background(), 5*time.Second)
	if !finished || err != nil || !reflect.DeepEqual(ran, []int{0, 1, 2, 3, 4}) {
		t.Errorf("finished %t, %v, ran %v", finished, err, ran)
	}
	// An idle thread is finished at once.
	if finished, err := th.Wait(context.Background(), 0); !finished || err != nil {
		t.Errorf("idle: %t %v", finished, err)
	}
}

func TestThreadFirstErrorStops(t *testing.T) {
	th := NewThread("thread0")
	defer th.close(context.Background())
	first := errors.New("first")
	ran := 0
	for _, err := range []error{nil, first, errors.New("second"), nil} {
		_ = th.Run(context.Background(), func(context.Context) error { ran++; return err })
	}
	finished, err := th.Wait(context.Background(), 5*time.Second)
	if !finished || err != first || ran != 2 {
		t.Errorf("finished %t, %v, ran %d: want the first error and nothing after it", finished, err, ran)
	}
}

func TestThreadOutlivesTheOperationAndStopsWithTheTest(t *testing.T) {
	th := NewThread("thread0")
	type key struct{}
	opCtx, cancelOp := context.WithCancel(context.WithValue(context.Background(), key{}, "value"))
	started := make(chan struct{})
	result := make(chan error, 1)
	_ = th.Run(opCtx, func(ctx context.Context) error {
		if ctx.Value(key{}) != "value" {
			result <- errors.New("the operation's values are lost")
		}
		close(started)
		<-ctx.Done()
		result <- ctx.Err()
		return nil
	})
	<-started
	cancelOp() // runOnThread has returned: its own context ends
	if finished, _ := th.Wait(context.Background(), 50*time.Millisecond); finished {
		t.Error("the job ended with the operation that scheduled it")
	}
	th.close(context.Background()) // the test ends
	if err := <-result; !errors.Is(err, context.Canceled) {
		t.Errorf("job: %v", err)
	}
	if err := th.Run(context.Background(), func(context.Context) error { return nil }); err == nil {
		t.Error("a closed thread took a job")
	}
}
