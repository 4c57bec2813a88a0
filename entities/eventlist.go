package entities

import (
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/specrun/specrun/specifications"
)

// EventList is an entity of a client's storeEventsAsEntities (schema 1.2 to 1.23; the
// spec dropped it in 1.24, files of older versions still use it): every event of the
// named types the client observed, as a document with the event's fields, its name
// and observedAt (seconds since the Unix epoch).
type EventList struct {
	mu   sync.Mutex
	docs []bson.Raw
}

func (*EventList) Kind() Kind { return KindEventList }

// Events returns a copy of the stored documents, in order.
func (l *EventList) Events() []bson.Raw {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]bson.Raw(nil), l.docs...)
}

// namedList is an event list with the entity name it is stored under.
type namedList struct {
	id   string
	list *EventList
}

// eventStore hands each event to the lists that asked for its type. Its names are the
// specs' event names (PoolCreatedEvent), the observeEvents names with a capital.
type eventStore struct {
	byName map[string][]*EventList
	lists  []namedList
	now    func() time.Time
}

func newEventStore(specs []specifications.StoreEventsAsEntity) *eventStore {
	if len(specs) == 0 {
		return nil
	}
	s := &eventStore{byName: map[string][]*EventList{}, now: time.Now}
	for _, spec := range specs {
		l := &EventList{}
		s.lists = append(s.lists, namedList{spec.ID, l})
		for _, name := range spec.Events {
			s.byName[name] = append(s.byName[name], l)
		}
	}
	return s
}

// store appends the event named name (observeEvents spelling) to the lists that want it.
func (s *eventStore) store(name string, fields bson.D) {
	specName := strings.ToUpper(name[:1]) + name[1:]
	lists := s.byName[specName]
	if len(lists) == 0 {
		return
	}
	at := float64(s.now().UnixNano()) / 1e9
	doc := append(bson.D{{Key: "name", Value: specName}, {Key: "observedAt", Value: at}}, fields...)
	raw, err := bson.Marshal(doc)
	if err != nil {
		raw, _ = bson.Marshal(bson.D{{Key: "name", Value: specName}, {Key: "observedAt", Value: at}, {Key: "error", Value: err.Error()}})
	}
	for _, l := range lists {
		l.mu.Lock()
		l.docs = append(l.docs, raw)
		l.mu.Unlock()
	}
}

// poolEventDoc is a CMAP event with the field names of the CMAP spec.
func poolEventDoc(e *event.PoolEvent) bson.D {
	d := bson.D{{Key: "address", Value: e.Address}}
	switch e.Type {
	case event.ConnectionPoolCreated:
		if o := e.PoolOptions; o != nil {
			d = append(d, bson.E{Key: "options", Value: bson.D{
				{Key: "maxPoolSize", Value: int64(o.MaxPoolSize)},
				{Key: "minPoolSize", Value: int64(o.MinPoolSize)},
				{Key: "waitQueueTimeoutMS", Value: int64(o.WaitQueueTimeoutMS)},
			}})
		}
	case event.ConnectionPoolCleared:
		if e.ServiceID != nil {
			d = append(d, bson.E{Key: "serviceId", Value: *e.ServiceID})
		}
		d = append(d, bson.E{Key: "interruptInUseConnections", Value: e.Interruption})
	case event.ConnectionCreated, event.ConnectionReady, event.ConnectionClosed,
		event.ConnectionCheckedOut, event.ConnectionCheckedIn:
		d = append(d, bson.E{Key: "connectionId", Value: e.ConnectionID})
	}
	switch e.Type {
	case event.ConnectionClosed, event.ConnectionCheckOutFailed:
		d = append(d, bson.E{Key: "reason", Value: e.Reason})
		if e.Error != nil {
			d = append(d, bson.E{Key: "error", Value: e.Error.Error()})
		}
	}
	switch e.Type {
	case event.ConnectionReady, event.ConnectionCheckedOut, event.ConnectionCheckOutFailed:
		d = append(d, bson.E{Key: "durationMS", Value: float64(e.Duration) / float64(time.Millisecond)})
	}
	return d
}

// commandEventDoc is a command monitoring event with the field names of the Command
// Logging and Monitoring spec; the command and the reply are left out, as the
// storeEventsAsEntity section allows. duration is in nanoseconds.
func commandEventDoc(e *CommandEvent, connectionID string, duration time.Duration) bson.D {
	d := bson.D{
		{Key: "commandName", Value: e.CommandName},
		{Key: "databaseName", Value: e.DatabaseName},
		{Key: "requestId", Value: e.RequestID},
		{Key: "connectionId", Value: connectionID},
	}
	if e.ServerConnectionID != nil {
		d = append(d, bson.E{Key: "serverConnectionId", Value: *e.ServerConnectionID})
	}
	if e.ServiceID != nil {
		d = append(d, bson.E{Key: "serviceId", Value: *e.ServiceID})
	}
	if e.Type != CommandStarted {
		d = append(d, bson.E{Key: "duration", Value: int64(duration)})
	}
	if e.Type == CommandFailed && e.Failure != nil {
		d = append(d, bson.E{Key: "failure", Value: e.Failure.Error()})
	}
	return d
}
