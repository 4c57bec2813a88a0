package entities

import (
	"context"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
)

// Event is one observed CMAP or SDAM event, copied out of the driver. Name is the
// event's key in the Unified Test Format (observeEvents, expectedEvent), e.g.
// "poolClearedEvent"; the other fields are set for the events that have them.
type Event struct {
	Name         string
	Address      string // CMAP events, serverDescriptionChangedEvent
	ConnectionID int64  // CMAP connection events: the driver's connection ID
	// Reason is the CMAP reason of connectionClosedEvent and connectionCheckOutFailedEvent.
	Reason string
	// ServiceID and InterruptInUseConnections are poolClearedEvent's.
	ServiceID                 *bson.ObjectID
	InterruptInUseConnections bool
	// Awaited is the heartbeat events'.
	Awaited bool
	// PreviousType and NewType are the server or topology types of the descriptions a
	// serverDescriptionChangedEvent or topologyDescriptionChangedEvent carries.
	PreviousType, NewType string
	Duration              time.Duration // connectionReady, checkedOut, checkOutFailed, heartbeat succeeded/failed
	Failure               error         // heartbeat failed; pool cleared and connection closed when the driver gives one
}

// Family is the event's eventType in expectedEventsForClient: "cmap" or "sdam".
func (e *Event) Family() string { return eventFamily(e.Name) }

func eventFamily(name string) string {
	switch {
	case strings.HasPrefix(name, "command"):
		return "command"
	case strings.HasPrefix(name, "pool"), strings.HasPrefix(name, "connection"):
		return "cmap"
	}
	return "sdam"
}

// The CMAP event names of the driver's pool events.
var poolEventNames = map[string]string{
	event.ConnectionPoolCreated:     "poolCreatedEvent",
	event.ConnectionPoolReady:       "poolReadyEvent",
	event.ConnectionPoolCleared:     "poolClearedEvent",
	event.ConnectionPoolClosed:      "poolClosedEvent",
	event.ConnectionCreated:         "connectionCreatedEvent",
	event.ConnectionReady:           "connectionReadyEvent",
	event.ConnectionClosed:          "connectionClosedEvent",
	event.ConnectionCheckOutStarted: "connectionCheckOutStartedEvent",
	event.ConnectionCheckOutFailed:  "connectionCheckOutFailedEvent",
	event.ConnectionCheckedOut:      "connectionCheckedOutEvent",
	event.ConnectionCheckedIn:       "connectionCheckedInEvent",
}

// The server types that hold data: the pools that awaitMinPoolSizeMS waits for.
var dataBearing = map[string]bool{
	"Standalone": true, "RSPrimary": true, "RSSecondary": true, "Mongos": true, "LoadBalancer": true,
}

// monitorRecorder keeps a client's CMAP and SDAM events, each family in one ordered
// stream, with what the test runner tracks whatever observeEvents says: the number of
// connections checked out, the latest topology description and the ready connections
// of each pool (for awaitMinPoolSizeMS).
type monitorRecorder struct {
	observe map[string]bool // event names from observeEvents
	signal  *signal

	mu         sync.Mutex
	paused     bool // while awaitMinPoolSizeMS waits: events before the pools are populated are ignored
	stopped    bool // the test's operations are done
	cmap, sdam []Event
	checkedOut int
	topology   *event.TopologyDescription    // the newest, nil before the first change
	ready      map[string]map[int64]bool     // address → connections ready and not closed
	store      func(name string, doc bson.D) // storeEventsAsEntities; nil when none
}

func newMonitorRecorder(s *signal) *monitorRecorder {
	return &monitorRecorder{observe: map[string]bool{}, signal: s, ready: map[string]map[int64]bool{}}
}

// add records e when listening is on and its type is observed, and stores doc (the
// event as storeEventsAsEntities has it; nil for the SDAM events, which it does not
// take) in the client's event lists.
func (r *monitorRecorder) add(e Event, doc func() bson.D) {
	r.mu.Lock()
	listening := !r.paused && !r.stopped
	if listening && r.observe[e.Name] {
		if e.Family() == "cmap" {
			r.cmap = append(r.cmap, e)
		} else {
			r.sdam = append(r.sdam, e)
		}
	}
	store := r.store
	r.mu.Unlock()
	if listening && store != nil && doc != nil {
		store(e.Name, doc())
	}
	r.signal.fire()
}

func (r *monitorRecorder) poolMonitor() *event.PoolMonitor {
	return &event.PoolMonitor{Event: func(pe *event.PoolEvent) {
		name, ok := poolEventNames[pe.Type]
		if !ok {
			return
		}
		e := Event{
			Name: name, Address: pe.Address, ConnectionID: pe.ConnectionID, Reason: pe.Reason,
			ServiceID: pe.ServiceID, InterruptInUseConnections: pe.Interruption, Duration: pe.Duration, Failure: pe.Error,
		}
		r.mu.Lock()
		switch pe.Type {
		case event.ConnectionCheckedOut:
			r.checkedOut++
		case event.ConnectionCheckedIn:
			r.checkedOut--
		case event.ConnectionReady:
			if r.ready[pe.Address] == nil {
				r.ready[pe.Address] = map[int64]bool{}
			}
			r.ready[pe.Address][pe.ConnectionID] = true
		case event.ConnectionClosed:
			delete(r.ready[pe.Address], pe.ConnectionID)
		}
		r.mu.Unlock()
		r.add(e, func() bson.D { return poolEventDoc(pe) })
	}}
}

func (r *monitorRecorder) serverMonitor() *event.ServerMonitor {
	return &event.ServerMonitor{
		ServerDescriptionChanged: func(se *event.ServerDescriptionChangedEvent) {
			r.add(Event{Name: "serverDescriptionChangedEvent", Address: string(se.Address),
				PreviousType: se.PreviousDescription.Kind, NewType: se.NewDescription.Kind}, nil)
		},
		TopologyDescriptionChanged: func(te *event.TopologyDescriptionChangedEvent) {
			desc := te.NewDescription
			r.mu.Lock()
			r.topology = &desc
			r.mu.Unlock()
			r.add(Event{Name: "topologyDescriptionChangedEvent",
				PreviousType: te.PreviousDescription.Kind, NewType: te.NewDescription.Kind}, nil)
		},
		TopologyOpening: func(*event.TopologyOpeningEvent) {
			r.add(Event{Name: "topologyOpeningEvent"}, nil)
		},
		TopologyClosed: func(*event.TopologyClosedEvent) {
			r.add(Event{Name: "topologyClosedEvent"}, nil)
		},
		ServerHeartbeatStarted: func(he *event.ServerHeartbeatStartedEvent) {
			r.add(Event{Name: "serverHeartbeatStartedEvent", Awaited: he.Awaited}, nil)
		},
		ServerHeartbeatSucceeded: func(he *event.ServerHeartbeatSucceededEvent) {
			r.add(Event{Name: "serverHeartbeatSucceededEvent", Awaited: he.Awaited, Duration: he.Duration}, nil)
		},
		ServerHeartbeatFailed: func(he *event.ServerHeartbeatFailedEvent) {
			r.add(Event{Name: "serverHeartbeatFailedEvent", Awaited: he.Awaited, Duration: he.Duration, Failure: he.Failure}, nil)
		},
	}
}

// populated says whether every data-bearing server of the newest topology has at
// least min ready connections (false before a data-bearing server is known).
func (r *monitorRecorder) populated(min uint64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.topology == nil {
		return false
	}
	found := false
	for _, s := range r.topology.Servers {
		if !dataBearing[s.Kind] {
			continue
		}
		found = true
		if uint64(len(r.ready[string(s.Addr)])) < min {
			return false
		}
	}
	return found
}

// signal wakes whoever waits for a client's events: fire closes the current channel
// and starts a new one, so a waiter that took the channel before looking at the
// events cannot miss one.
type signal struct {
	mu sync.Mutex
	ch chan struct{}
}

func newSignal() *signal { return &signal{ch: make(chan struct{})} }

func (s *signal) wait() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ch
}

func (s *signal) fire() {
	s.mu.Lock()
	close(s.ch)
	s.ch = make(chan struct{})
	s.mu.Unlock()
}

// bothPools calls a and then b for every pool event.
func bothPools(a, b *event.PoolMonitor) *event.PoolMonitor {
	return &event.PoolMonitor{Event: func(e *event.PoolEvent) {
		a.Event(e)
		b.Event(e)
	}}
}

// bothServers calls the callbacks of a and then those of b that are set.
func bothServers(a, b *event.ServerMonitor) *event.ServerMonitor {
	return &event.ServerMonitor{
		ServerDescriptionChanged:   both(a.ServerDescriptionChanged, b.ServerDescriptionChanged),
		ServerOpening:              both(a.ServerOpening, b.ServerOpening),
		ServerClosed:               both(a.ServerClosed, b.ServerClosed),
		TopologyDescriptionChanged: both(a.TopologyDescriptionChanged, b.TopologyDescriptionChanged),
		TopologyOpening:            both(a.TopologyOpening, b.TopologyOpening),
		TopologyClosed:             both(a.TopologyClosed, b.TopologyClosed),
		ServerHeartbeatStarted:     both(a.ServerHeartbeatStarted, b.ServerHeartbeatStarted),
		ServerHeartbeatSucceeded:   both(a.ServerHeartbeatSucceeded, b.ServerHeartbeatSucceeded),
		ServerHeartbeatFailed:      both(a.ServerHeartbeatFailed, b.ServerHeartbeatFailed),
	}
}

func both[E any](a, b func(E)) func(E) {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return func(e E) {
		a(e)
		b(e)
	}
}

// waitPopulated waits until the client's pools hold min connections, or ctx ends.
func (r *monitorRecorder) waitPopulated(ctx context.Context, min uint64) bool {
	for {
		ch := r.signal.wait()
		if r.populated(min) {
			return true
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return false
		}
	}
}
