package entities

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
)

// CommandEventType says which of the three command monitoring events one is.
type CommandEventType string

const (
	CommandStarted   CommandEventType = "commandStartedEvent"
	CommandSucceeded CommandEventType = "commandSucceededEvent"
	CommandFailed    CommandEventType = "commandFailedEvent"
)

// CommandEvent is one observed command monitoring event, copied out of the driver.
type CommandEvent struct {
	Type               CommandEventType
	CommandName        string
	DatabaseName       string
	RequestID          int64
	Command            bson.Raw // started only
	Reply              bson.Raw // succeeded only
	Failure            error    // failed only
	ServiceID          *bson.ObjectID
	ServerConnectionID *int64
}

// sensitiveCommands are the commands whose events the Command Logging and Monitoring
// spec (section Security) redacts; hello and legacy hello are sensitive only when they
// carry speculativeAuthenticate, which the driver shows by redacting them to {}.
var sensitiveCommands = map[string]bool{
	"authenticate": true, "saslstart": true, "saslcontinue": true, "getnonce": true,
	"createuser": true, "updateuser": true, "copydbgetnonce": true, "copydbsaslstart": true, "copydb": true,
}

func isHello(name string) bool {
	switch strings.ToLower(name) {
	case "hello", "ismaster":
		return true
	}
	return false
}

// commandRecorder keeps a client's observed command events in one ordered stream, and
// the last command sent with its outcome for failure reports (observed or not).
type commandRecorder struct {
	observe           map[CommandEventType]bool
	ignore            map[string]bool // command names, as given by ignoreCommandMonitoringEvents
	observeSensitive  bool
	mu                sync.Mutex
	paused            bool // for the duration of a failPoint operation
	stopped           bool // for good: the test's operations are done
	events            []CommandEvent
	sensitiveRequests map[int64]bool // request IDs of started events judged sensitive
	last              CommandEvent
	lastOutcome       CommandEvent
	// findCursors is the id of the cursor each find's reply left open, by the find's
	// request id, observed or not; nil until one does.
	findCursors map[int64]int64
	commandTime *atomic.Int64 // nil: not measured
	signal      *signal       // fired for every recorded event; nil in tests
	// store hands every event to storeEventsAsEntities, whatever observeEvents and
	// ignoreCommandMonitoringEvents say; nil when the client has none.
	store func(name string, fields bson.D)
}

func (r *commandRecorder) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{
		Started: func(_ context.Context, e *event.CommandStartedEvent) {
			r.record(CommandEvent{
				Type: CommandStarted, CommandName: e.CommandName, DatabaseName: e.DatabaseName, RequestID: e.RequestID,
				Command: clone(e.Command), ServiceID: e.ServiceID, ServerConnectionID: e.ServerConnectionID,
			}, isHello(e.CommandName) && len(e.Command) <= 5, e.ConnectionID, 0)
		},
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
			r.addTime(e.Duration)
			r.record(CommandEvent{
				Type: CommandSucceeded, CommandName: e.CommandName, DatabaseName: e.DatabaseName, RequestID: e.RequestID,
				Reply: clone(e.Reply), ServiceID: e.ServiceID, ServerConnectionID: e.ServerConnectionID,
			}, false, e.ConnectionID, e.Duration)
		},
		Failed: func(_ context.Context, e *event.CommandFailedEvent) {
			r.addTime(e.Duration)
			r.record(CommandEvent{
				Type: CommandFailed, CommandName: e.CommandName, DatabaseName: e.DatabaseName, RequestID: e.RequestID,
				Failure: e.Failure, ServiceID: e.ServiceID, ServerConnectionID: e.ServerConnectionID,
			}, false, e.ConnectionID, e.Duration)
		},
	}
}

func (r *commandRecorder) addTime(d time.Duration) {
	if r.commandTime != nil {
		r.commandTime.Add(int64(d))
	}
}

// record applies the spec's filters ("Executing a Test"): event types not in
// observeEvents, ignoreCommandMonitoringEvents, configureFailPoint sent for a failPoint
// operation (recording is paused then), and sensitive commands unless
// observeSensitiveCommands. A redacted hello makes its reply sensitive too.
// storeEventsAsEntities takes every event while listening is on; conn and duration are
// for it.
func (r *commandRecorder) record(e CommandEvent, redactedHello bool, conn string, duration time.Duration) {
	if r.store != nil {
		r.mu.Lock()
		stopped := r.stopped
		r.mu.Unlock()
		if !stopped {
			r.store(string(e.Type), commandEventDoc(&e, conn, duration))
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.Type == CommandStarted {
		r.last, r.lastOutcome = e, CommandEvent{}
	} else if e.RequestID == r.last.RequestID {
		r.lastOutcome = e
	}
	if id, ok := e.Reply.Lookup("cursor", "id").AsInt64OK(); ok && id != 0 && e.Type == CommandSucceeded && e.CommandName == "find" {
		if r.findCursors == nil {
			r.findCursors = map[int64]int64{}
		}
		r.findCursors[e.RequestID] = id
	}
	if r.paused || r.stopped {
		return
	}
	sensitive := sensitiveCommands[strings.ToLower(e.CommandName)] || redactedHello
	if e.Type == CommandStarted && redactedHello {
		r.sensitiveRequests[e.RequestID] = true
	} else if e.Type != CommandStarted && r.sensitiveRequests[e.RequestID] {
		sensitive = true
		delete(r.sensitiveRequests, e.RequestID)
	}
	if !r.observe[e.Type] || r.ignore[e.CommandName] || (sensitive && !r.observeSensitive) {
		return
	}
	r.events = append(r.events, e)
	if r.signal != nil {
		r.signal.fire()
	}
}

// clone copies a command or reply out of the driver's buffers. The driver gives a
// redacted (sensitive) command or reply as nil; the spec sees an empty document.
func clone(b bson.Raw) bson.Raw {
	if len(b) == 0 {
		return bson.Raw{5, 0, 0, 0, 0}
	}
	return append(bson.Raw(nil), b...)
}
