package operations

import (
	"fmt"
	"reflect"

	"go.mongodb.org/mongo-driver/v2/mongo"
	//lint:ignore SA1019 the session assertions read state the driver keeps only here
	driversession "go.mongodb.org/mongo-driver/v2/x/mongo/driver/session"
)

// sessionState is what the spec's session assertions look at and the Go driver keeps
// out of its public API: mongo.Session holds it in an unexported *session.Client. It is
// read by reflection, which reads unexported fields without writing them; a driver
// whose session no longer has these fields makes every reader return an error, never a
// guess.
type sessionState struct {
	transaction string // the spec's name: none, starting, in_progress, committed, aborted
	pinnedAddr  string // the mongos a transaction is pinned to, "" if none
	pinnedConn  bool   // pinned to a connection (load-balanced mode)
	dirty       bool   // the server session saw a network error
	snapshot    bool   // a snapshot session
	snapshotSet bool   // its snapshot time is known
}

// transactionStates names the driver's transaction states as the spec does.
var transactionStates = map[uint64]string{
	uint64(driversession.None):       "none",
	uint64(driversession.Starting):   "starting",
	uint64(driversession.InProgress): "in_progress",
	uint64(driversession.Committed):  "committed",
	uint64(driversession.Aborted):    "aborted",
}

// readSessionState reads the driver's state of s.
func readSessionState(s *mongo.Session) (st sessionState, err error) {
	defer func() {
		// reflect panics on a field of another kind: a driver whose session changed.
		if p := recover(); p != nil {
			err = fmt.Errorf("cannot read the Go driver's session state: %v", p)
		}
	}()
	cs := reflect.ValueOf(s).Elem().FieldByName("clientSession")
	if !cs.IsValid() || cs.Kind() != reflect.Pointer || cs.IsNil() {
		return st, fmt.Errorf("cannot read the Go driver's session state: mongo.Session has no clientSession")
	}
	c := cs.Elem()
	field := func(name string) reflect.Value {
		f := c.FieldByName(name)
		if !f.IsValid() {
			panic("session.Client has no field " + name)
		}
		return f
	}
	state := field("TransactionState").Uint()
	name, ok := transactionStates[state]
	if !ok {
		return st, fmt.Errorf("cannot read the Go driver's session state: unknown transaction state %d", state)
	}
	st.transaction = name
	if addr := field("PinnedServerAddr"); !addr.IsNil() {
		st.pinnedAddr = addr.Elem().String()
	}
	st.pinnedConn = !field("PinnedConnection").IsNil()
	// The server session is taken from the pool when the session starts; a nil one has
	// not been used and is not dirty.
	if server := field("Server"); !server.IsNil() {
		st.dirty = server.Elem().FieldByName("Dirty").Bool()
	}
	st.snapshot = field("Snapshot").Bool()
	st.snapshotSet = field("SnapshotTimeSet").Bool()
	return st, nil
}
