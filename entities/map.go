// Package entities holds the per-test entity map of the Unified Test Format: clients
// with their recorded events, databases, collections, sessions, cursors and saved
// values, created from a test file's createEntities and from operation results.
package entities

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// Kind names an entity type as the spec spells it.
type Kind string

const (
	KindClient     Kind = "client"
	KindDatabase   Kind = "database"
	KindCollection Kind = "collection"
	KindSession    Kind = "session"
	KindCursor     Kind = "cursor"
	KindValue      Kind = "value"

	KindClientEncryption Kind = "clientEncryption"
	KindThread           Kind = "thread"
	// KindTopologyDescription is saved by recordTopologyDescription.
	KindTopologyDescription Kind = "topologyDescription"
	// KindEventList is an entity of a client's storeEventsAsEntities.
	KindEventList Kind = "eventList"
)

// Entity is anything the map holds.
type Entity interface{ Kind() Kind }

// Map is one test's entity map. It is not shared between tests; within a test, thread
// entities use it concurrently.
type Map struct {
	mu    sync.RWMutex
	byID  map[string]Entity
	order []string // creation order, so Close can go in reverse
}

// NewMap returns an empty map.
func NewMap() *Map { return &Map{byID: map[string]Entity{}} }

// Add stores an entity; a name may be defined once per test.
func (m *Map) Add(id string, e Entity) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, dup := m.byID[id]; dup {
		return fmt.Errorf("entity %q is already defined", id)
	}
	m.byID[id] = e
	m.order = append(m.order, id)
	return nil
}

// Get returns the entity named id.
func (m *Map) Get(id string) (Entity, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	e, ok := m.byID[id]
	if !ok {
		return nil, fmt.Errorf("entity %q is not defined", id)
	}
	return e, nil
}

// Lookup returns the entity named id as a T, with an error that names both kinds
// when it is another kind of entity.
func Lookup[T Entity](m *Map, id string) (T, error) {
	var zero T
	e, err := m.Get(id)
	if err != nil {
		return zero, err
	}
	t, ok := e.(T)
	if !ok {
		return zero, fmt.Errorf("entity %q is a %s, not a %s", id, e.Kind(), zero.Kind())
	}
	return t, nil
}

// Each calls fn for every entity in creation order.
func (m *Map) Each(fn func(id string, e Entity)) {
	m.mu.RLock()
	ids := slices.Clone(m.order)
	es := make([]Entity, len(ids))
	for i, id := range ids {
		es[i] = m.byID[id]
	}
	m.mu.RUnlock()
	for i, id := range ids {
		fn(id, es[i])
	}
}

// SessionLsid implements matchers.Entities for $$sessionLsid.
func (m *Map) SessionLsid(name string) (bson.Raw, error) {
	s, err := Lookup[*Session](m, name)
	if err != nil {
		return nil, err
	}
	return s.Lsid, nil
}

// EntityValue implements matchers.Entities for $$matchesEntity: only saved BSON values
// can be compared.
func (m *Map) EntityValue(name string) (bson.RawValue, error) {
	v, err := Lookup[*Value](m, name)
	if err != nil {
		return bson.RawValue{}, err
	}
	return v.Value, nil
}

// Close ends what the test left open, newest first: threads stopped, cursors closed,
// sessions ended, clients disconnected. The map is empty afterwards.
func (m *Map) Close(ctx context.Context) {
	m.mu.Lock()
	byID, order := m.byID, m.order
	m.byID, m.order = map[string]Entity{}, nil
	m.mu.Unlock()
	for _, id := range slices.Backward(order) {
		if c, ok := byID[id].(closer); ok {
			c.close(ctx)
		}
	}
}

type closer interface{ close(context.Context) }

// Database is a database entity.
type Database struct {
	Client   *Client
	Database *mongo.Database
	Reads    Reads
}

func (*Database) Kind() Kind { return KindDatabase }

// Collection is a collection entity.
type Collection struct {
	Client     *Client
	Collection *mongo.Collection
	Reads      Reads
}

// Reads are the read preference and read concern a client, database or collection
// reads with, its own or inherited (nil: the driver's default). The driver does not
// tell them, and operations that specrun sends as commands must use them too.
type Reads struct {
	Preference *readpref.ReadPref
	Concern    *readconcern.ReadConcern
}

// under fills what r does not set from its parent's.
func (r Reads) under(parent Reads) Reads {
	if r.Preference == nil {
		r.Preference = parent.Preference
	}
	if r.Concern == nil {
		r.Concern = parent.Concern
	}
	return r
}

func (*Collection) Kind() Kind { return KindCollection }

// Session is a session entity. Lsid is kept from creation: it must stay readable for
// $$sessionLsid after the session has ended.
type Session struct {
	Client  *Client
	Session *mongo.Session
	Lsid    bson.Raw
}

func (*Session) Kind() Kind                  { return KindSession }
func (s *Session) close(ctx context.Context) { s.Session.EndSession(ctx) }

// Cursor is a find or command cursor saved by createFindCursor or createCommandCursor.
type Cursor struct {
	Client *Client
	Cursor *mongo.Cursor
}

func (*Cursor) Kind() Kind { return KindCursor }
func (c *Cursor) close(ctx context.Context) {
	_ = c.Cursor.Close(ctx)
}

// Value is an operation result saved with saveResultAsEntity.
type Value struct{ Value bson.RawValue }

func (*Value) Kind() Kind { return KindValue }

// ClientOf returns the client an entity works through, or nil.
func ClientOf(e Entity) *Client {
	switch e := e.(type) {
	case *Client:
		return e
	case *Database:
		return e.Client
	case *Collection:
		return e.Client
	case *Session:
		return e.Client
	case *Cursor:
		return e.Client
	case *ChangeStream:
		return e.Client
	case *Bucket:
		return e.Client
	}
	return nil
}
