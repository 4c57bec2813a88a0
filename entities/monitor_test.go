package entities

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo/address"

	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

func names(events []Event) []string {
	out := []string{}
	for _, e := range events {
		out = append(out, e.Name)
	}
	return out
}

// newMonitor is a recorder observing the given events, fed through the driver's
// monitor callbacks as a client's would be.
func newMonitor(observe ...string) (*monitorRecorder, *event.PoolMonitor, *event.ServerMonitor) {
	r := newMonitorRecorder(newSignal())
	for _, n := range observe {
		r.observe[n] = true
	}
	return r, r.poolMonitor(), r.serverMonitor()
}

func pool(typ string, conn int64) *event.PoolEvent {
	return &event.PoolEvent{Type: typ, Address: "localhost:27017", ConnectionID: conn}
}

func TestMonitorRecordsObservedEventsInOrder(t *testing.T) {
	r, pm, sm := newMonitor("poolReadyEvent", "connectionCheckedOutEvent", "connectionCheckedInEvent",
		"connectionClosedEvent", "poolClearedEvent", "topologyDescriptionChangedEvent", "serverHeartbeatStartedEvent")
	sid := bson.NewObjectID()
	sm.TopologyOpening(&event.TopologyOpeningEvent{}) // not observed
	pm.Event(pool(event.ConnectionPoolCreated, 0))    // not observed
	pm.Event(pool(event.ConnectionPoolReady, 0))
	sm.ServerHeartbeatStarted(&event.ServerHeartbeatStartedEvent{Awaited: true})
	pm.Event(pool(event.ConnectionCheckedOut, 1))
	sm.TopologyDescriptionChanged(&event.TopologyDescriptionChangedEvent{
		PreviousDescription: event.TopologyDescription{Kind: "Unknown"}, NewDescription: event.TopologyDescription{Kind: "Single"}})
	pm.Event(pool(event.ConnectionCheckedIn, 1))
	pm.Event(&event.PoolEvent{Type: event.ConnectionPoolCleared, Address: "localhost:27017", ServiceID: &sid, Interruption: true})
	pm.Event(&event.PoolEvent{Type: event.ConnectionClosed, Address: "localhost:27017", ConnectionID: 1, Reason: event.ReasonStale})
	sm.ServerDescriptionChanged(&event.ServerDescriptionChangedEvent{}) // not observed

	c := &Client{monitor: r}
	wantCMAP := []string{"poolReadyEvent", "connectionCheckedOutEvent", "connectionCheckedInEvent", "poolClearedEvent", "connectionClosedEvent"}
	if got := names(c.CMAPEvents()); !reflect.DeepEqual(got, wantCMAP) {
		t.Errorf("CMAP %v, want %v", got, wantCMAP)
	}
	wantSDAM := []string{"serverHeartbeatStartedEvent", "topologyDescriptionChangedEvent"}
	sdam := c.SDAMEvents()
	if got := names(sdam); !reflect.DeepEqual(got, wantSDAM) {
		t.Fatalf("SDAM %v, want %v", got, wantSDAM)
	}
	if !sdam[0].Awaited || sdam[1].PreviousType != "Unknown" || sdam[1].NewType != "Single" {
		t.Errorf("SDAM fields lost: %+v", sdam)
	}
	cmap := c.CMAPEvents()
	if cleared := cmap[3]; cleared.ServiceID == nil || *cleared.ServiceID != sid || !cleared.InterruptInUseConnections {
		t.Errorf("poolClearedEvent fields lost: %+v", cleared)
	}
	if closed := cmap[4]; closed.Reason != "stale" || closed.ConnectionID != 1 {
		t.Errorf("connectionClosedEvent fields lost: %+v", closed)
	}
	for _, e := range cmap {
		if e.Family() != "cmap" {
			t.Errorf("%s is in family %s", e.Name, e.Family())
		}
	}
	for _, e := range sdam {
		if e.Family() != "sdam" {
			t.Errorf("%s is in family %s", e.Name, e.Family())
		}
	}
}

func TestMonitorTracksWhateverIsObserved(t *testing.T) {
	r, pm, sm := newMonitor() // nothing observed
	c := &Client{monitor: r}
	pm.Event(pool(event.ConnectionCheckedOut, 1))
	pm.Event(pool(event.ConnectionCheckedOut, 2))
	pm.Event(pool(event.ConnectionCheckedIn, 1))
	if n := c.ConnectionsCheckedOut(); n != 1 {
		t.Errorf("%d checked out, want 1", n)
	}
	if _, ok := c.Topology(); ok {
		t.Error("a topology before any change")
	}
	sm.TopologyDescriptionChanged(&event.TopologyDescriptionChangedEvent{NewDescription: event.TopologyDescription{Kind: "ReplicaSetWithPrimary"}})
	if d, ok := c.Topology(); !ok || d.Kind != "ReplicaSetWithPrimary" {
		t.Errorf("topology %+v %t", d, ok)
	}
	if len(c.CMAPEvents())+len(c.SDAMEvents()) != 0 {
		t.Error("unobserved events recorded")
	}

	// Stopped (the test's operations are done) or paused (awaitMinPoolSizeMS): nothing
	// more is recorded, but the count goes on.
	r.observe["connectionCheckedInEvent"] = true
	c.monitor.stopped = true
	pm.Event(pool(event.ConnectionCheckedIn, 2))
	if n := c.ConnectionsCheckedOut(); n != 0 || len(c.CMAPEvents()) != 0 {
		t.Errorf("after stop: %d checked out, %v recorded", n, c.CMAPEvents())
	}
	c.monitor.stopped, c.monitor.paused = false, true
	pm.Event(pool(event.ConnectionCheckedIn, 3))
	if len(c.CMAPEvents()) != 0 {
		t.Errorf("recorded while paused: %v", c.CMAPEvents())
	}
	c.monitor.paused = false
	pm.Event(pool(event.ConnectionCheckedIn, 4))
	if len(c.CMAPEvents()) != 1 {
		t.Errorf("not recorded after the pause: %v", c.CMAPEvents())
	}
}

func TestMonitorSignalsEvents(t *testing.T) {
	r, pm, sm := newMonitor("poolReadyEvent")
	c := &Client{monitor: r, signal: r.signal}
	for _, fire := range []func(){
		func() { pm.Event(pool(event.ConnectionPoolReady, 0)) },
		func() { pm.Event(pool(event.ConnectionCheckedOut, 1)) },                           // unobserved: the count changed
		func() { sm.TopologyDescriptionChanged(&event.TopologyDescriptionChangedEvent{}) }, // the topology changed
	} {
		ch := c.Changed()
		select {
		case <-ch:
			t.Fatal("signalled before the event")
		default:
		}
		fire()
		select {
		case <-ch:
		case <-time.After(time.Second):
			t.Fatal("no signal")
		}
	}
}

func TestMonitorPopulated(t *testing.T) {
	r, pm, sm := newMonitor()
	topology := func(kinds ...string) {
		d := event.TopologyDescription{Kind: "ReplicaSetWithPrimary"}
		for i, k := range kinds {
			d.Servers = append(d.Servers, event.ServerDescription{Addr: address.Address("h" + string(rune('0'+i)) + ":1"), Kind: k})
		}
		sm.TopologyDescriptionChanged(&event.TopologyDescriptionChangedEvent{NewDescription: d})
	}
	ready := func(addr string, conn int64) {
		pm.Event(&event.PoolEvent{Type: event.ConnectionReady, Address: addr, ConnectionID: conn})
	}
	if r.populated(1) {
		t.Error("populated before the topology is known")
	}
	topology("RSPrimary", "RSSecondary", "RSArbiter")
	ready("h0:1", 1)
	ready("h0:1", 2)
	if r.populated(2) {
		t.Error("populated while the secondary has no connection")
	}
	ready("h1:1", 3)
	ready("h1:1", 4)
	if !r.populated(2) {
		t.Error("not populated: the arbiter holds no data and needs none")
	}
	pm.Event(&event.PoolEvent{Type: event.ConnectionClosed, Address: "h1:1", ConnectionID: 4})
	if r.populated(2) {
		t.Error("populated after a connection closed")
	}
	topology("Unknown")
	if r.populated(0) {
		t.Error("populated without a data-bearing server")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if r.waitPopulated(ctx, 1) {
		t.Error("waitPopulated: populated")
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		topology("Standalone")
		ready("h0:1", 5)
	}()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	if !r.waitPopulated(ctx2, 1) {
		t.Error("waitPopulated: not populated")
	}
}

// A client on a port where no server listens publishes its SDAM events and the
// creation of its pool: the monitors are wired into the driver, with the timing
// monitors beside them.
func TestClientObservesDriverEvents(t *testing.T) {
	c, err := NewClient(context.Background(), &specifications.ClientEntity{
		ID:            "client0",
		ObserveEvents: []string{"topologyOpeningEvent", "topologyDescriptionChangedEvent", "serverHeartbeatFailedEvent", "poolCreatedEvent", "topologyClosedEvent"},
	}, ClientConfig{URI: "mongodb://127.0.0.1:1/?heartbeatFrequencyMS=500", CommandTime: new(atomic.Int64)})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(strings.Join(names(c.SDAMEvents()), ","), "serverHeartbeatFailedEvent") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	c.close(context.Background())
	sdam := names(c.SDAMEvents())
	if len(sdam) < 4 || sdam[0] != "topologyOpeningEvent" || sdam[1] != "topologyDescriptionChangedEvent" || sdam[len(sdam)-1] != "topologyClosedEvent" {
		t.Errorf("SDAM events %v", sdam)
	}
	if got := names(c.CMAPEvents()); !reflect.DeepEqual(got, []string{"poolCreatedEvent"}) {
		t.Errorf("CMAP events %v", got)
	}
}

func TestAwaitMinPoolSizeTimesOut(t *testing.T) {
	start := time.Now()
	_, err := NewClient(context.Background(), &specifications.ClientEntity{
		ID: "client0", AwaitMinPoolSizeMS: ptr(int64(200)),
		URIOptions: mustRaw(t, bson.D{{Key: "minPoolSize", Value: 1}}),
	}, ClientConfig{URI: "mongodb://127.0.0.1:1/"})
	if !result.Is(err, result.Fail) || !strings.Contains(err.Error(), "did not reach minPoolSize 1 within 200ms") {
		t.Errorf("%v, want the test to fail", err)
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 5*time.Second {
		t.Errorf("gave up after %s", d)
	}
	// Without minPoolSize there is nothing to wait for.
	c, err := NewClient(context.Background(), &specifications.ClientEntity{ID: "client1", AwaitMinPoolSizeMS: ptr(int64(200))},
		ClientConfig{URI: "mongodb://127.0.0.1:1/"})
	if err != nil {
		t.Fatal(err)
	}
	c.close(context.Background())
}

func TestUnknownURIOptionIsUnsupported(t *testing.T) {
	for _, key := range []string{"waitQueueTimeoutMS", "waitQueueSize", "waitQueueMultiple"} {
		_, err := NewClient(context.Background(), &specifications.ClientEntity{ID: "c", URIOptions: mustRaw(t, bson.D{{Key: key, Value: 5}})},
			ClientConfig{URI: "mongodb://127.0.0.1:1/"})
		var unsup *result.Verdict
		if !(errors.As(err, &unsup) && unsup.Status == result.Unsupported) || !strings.Contains(err.Error(), "uriOptions."+key+": the Go driver v2 has no such URI option") {
			t.Errorf("%s: %v", key, err)
		}
	}
	c, err := NewClient(context.Background(), &specifications.ClientEntity{ID: "c", URIOptions: mustRaw(t, bson.D{{Key: "maxPoolSize", Value: 5}})},
		ClientConfig{URI: "mongodb://127.0.0.1:1/"})
	if err != nil {
		t.Fatalf("maxPoolSize: %v", err)
	}
	c.close(context.Background())
}

// socketTimeoutMS: the Go driver v2 parses it and has no socket timeout; a client
// whose URI sets it without timeoutMS says so (CSOT retryability-legacy-timeouts failed
// on SecantusDB: 'expected an error, got none'). With timeoutMS, CSOT ignores it, as
// the driver does, and 0 is no timeout.
func TestIgnoredSocketTimeout(t *testing.T) {
	for _, tc := range []struct {
		opts bson.D
		want time.Duration
	}{
		{bson.D{{Key: "socketTimeoutMS", Value: 100}}, 100 * time.Millisecond},
		{bson.D{{Key: "sockettimeoutms", Value: 100}}, 100 * time.Millisecond},
		{bson.D{{Key: "socketTimeoutMS", Value: 100}, {Key: "timeoutMS", Value: 50}}, 0},
		{bson.D{{Key: "socketTimeoutMS", Value: 0}}, 0},
		{bson.D{{Key: "maxPoolSize", Value: 5}}, 0},
	} {
		c, err := NewClient(context.Background(), &specifications.ClientEntity{ID: "c", URIOptions: mustRaw(t, tc.opts)},
			ClientConfig{URI: "mongodb://127.0.0.1:1/"})
		if err != nil {
			t.Fatalf("%v: %v", tc.opts, err)
		}
		if c.IgnoredSocketTimeout != tc.want {
			t.Errorf("%v: IgnoredSocketTimeout %v, want %v", tc.opts, c.IgnoredSocketTimeout, tc.want)
		}
		c.close(context.Background())
	}
}

// TestClientAppName: a client's appname, from uriOptions (case-insensitive) or the
// run's URI, which a fail point's appName filter compares with.
func TestClientAppName(t *testing.T) {
	for _, tc := range []struct {
		uri  string
		opts bson.D
		want string
	}{
		{"mongodb://127.0.0.1:1/", bson.D{{Key: "appname", Value: "findNetworkTimeoutErrorTest"}}, "findNetworkTimeoutErrorTest"},
		{"mongodb://127.0.0.1:1/", bson.D{{Key: "appName", Value: "a"}}, "a"},
		{"mongodb://127.0.0.1:1/?appName=run", nil, "run"},
		{"mongodb://127.0.0.1:1/?appName=run", bson.D{{Key: "appname", Value: "test"}}, "test"},
		{"mongodb://127.0.0.1:1/", nil, ""},
	} {
		spec := &specifications.ClientEntity{ID: "c"}
		if tc.opts != nil {
			spec.URIOptions = mustRaw(t, tc.opts)
		}
		c, err := NewClient(context.Background(), spec, ClientConfig{URI: tc.uri})
		if err != nil {
			t.Fatalf("%s %v: %v", tc.uri, tc.opts, err)
		}
		if c.AppName != tc.want {
			t.Errorf("%s %v: AppName %q, want %q", tc.uri, tc.opts, c.AppName, tc.want)
		}
		c.close(context.Background())
	}
}

func ptr[T any](v T) *T { return &v }
