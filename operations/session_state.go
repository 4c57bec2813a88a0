package operations

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	//lint:ignore SA1019 the session assertions read state the driver keeps only here
	driversession "go.mongodb.org/mongo-driver/v2/x/mongo/driver/session"
)

// sessionState is what the spec's session assertions look at and the Go driver keeps
// out of its public API: mongo.Session holds it in an unexported *session.Client. It is
// read by reflection, which reads unexported fields without writing them; a driver
// whose session no longer has these fields, or has them of other kinds, makes every
// reader return an error, never a guess.
type sessionState struct {
	transaction string // the spec's name: none, starting, in_progress, committed, aborted
	pinnedAddr  string // the mongos a transaction is pinned to, "" if none
	pinnedConn  bool   // pinned to a connection (load-balanced mode)
	dirty       bool   // the server session saw a network error
	snapshot    bool   // a snapshot session
	snapshotSet bool   // its snapshot time is known
	// readMode is the read preference mode of the transaction (0 without one).
	readMode readpref.Mode
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
func readSessionState(s *mongo.Session) (sessionState, error) {
	var (
		st sessionState
		r  fieldReader
	)
	c, ok := r.pointee(reflect.ValueOf(s).Elem(), "clientSession", reflect.Struct)
	if !ok && r.err == nil {
		r.err = errors.New("mongo.Session has no client session")
	}
	if r.err != nil {
		return st, fmt.Errorf("cannot read the Go driver's session state: %w", r.err)
	}
	state := r.uint(c, "TransactionState")
	if addr, ok := r.pointee(c, "PinnedServerAddr", reflect.String); ok {
		st.pinnedAddr = addr.String()
	}
	st.pinnedConn = !r.isNil(c, "PinnedConnection")
	// The server session is taken from the pool when the session starts; a nil one has
	// not been used and is not dirty.
	if server, ok := r.pointee(c, "Server", reflect.Struct); ok {
		st.dirty = r.bool(server, "Dirty")
	}
	if rp, ok := r.pointee(c, "CurrentRp", reflect.Struct); ok {
		st.readMode = readpref.Mode(r.uint(rp, "mode"))
	}
	st.snapshot = r.bool(c, "Snapshot")
	st.snapshotSet = r.bool(c, "SnapshotTimeSet")
	if r.err != nil {
		return sessionState{}, fmt.Errorf("cannot read the Go driver's session state: %w", r.err)
	}
	name, ok := transactionStates[state]
	if !ok {
		return sessionState{}, fmt.Errorf("cannot read the Go driver's session state: unknown transaction state %d", state)
	}
	st.transaction = name
	return st, nil
}

// TransactionReadMode is the read preference mode of the transaction s runs (starting
// or in progress), and false when it runs none. The Go driver v2 selects the server of
// a read in a transaction by that read preference before it refuses one that is not
// primary ("read preference in a transaction must be primary", the spec's client
// error), so where no server has that mode the selection fails first.
func TransactionReadMode(s *mongo.Session) (readpref.Mode, bool, error) {
	st, err := readSessionState(s)
	if err != nil {
		return 0, false, err
	}
	running := st.transaction == "starting" || st.transaction == "in_progress"
	return st.readMode, running && st.readMode != 0, nil
}

// fieldReader reads fields of structs by reflection, exported or not, and checks each
// one's kind before it reads it (reflect panics on a value of another kind): a driver
// whose session changed gives an error that names what changed. The first such error is
// kept; what is read after it is a zero value.
type fieldReader struct{ err error }

// field is the field name of struct s if it is of one of kinds.
func (r *fieldReader) field(s reflect.Value, name string, kinds ...reflect.Kind) (reflect.Value, bool) {
	if r.err != nil {
		return reflect.Value{}, false
	}
	if s.Kind() != reflect.Struct {
		r.err = fmt.Errorf("reading field %s of a value of kind %s, not a struct", name, s.Kind())
		return reflect.Value{}, false
	}
	sf, ok := s.Type().FieldByName(name)
	if !ok {
		r.err = fmt.Errorf("%s has no field %s", s.Type(), name)
		return reflect.Value{}, false
	}
	// a field promoted from a nil embedded pointer is an error, not a panic
	f, err := s.FieldByIndexErr(sf.Index)
	switch {
	case err != nil:
		r.err = fmt.Errorf("%s.%s: %w", s.Type(), name, err)
	case !slices.Contains(kinds, f.Kind()):
		r.err = fmt.Errorf("%s.%s is of kind %s, not %s", s.Type(), name, f.Kind(), kindList(kinds))
	default:
		return f, true
	}
	return reflect.Value{}, false
}

func kindList(kinds []reflect.Kind) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.String()
	}
	return strings.Join(names, " or ")
}

func (r *fieldReader) bool(s reflect.Value, name string) bool {
	f, ok := r.field(s, name, reflect.Bool)
	return ok && f.Bool()
}

func (r *fieldReader) uint(s reflect.Value, name string) uint64 {
	f, ok := r.field(s, name, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64)
	if !ok {
		return 0
	}
	return f.Uint()
}

// isNil says whether a pointer or interface field is nil.
func (r *fieldReader) isNil(s reflect.Value, name string) bool {
	f, ok := r.field(s, name, reflect.Pointer, reflect.Interface)
	return ok && f.IsNil()
}

// pointee is what a pointer field points to, which must be of kind; false when the
// pointer is nil.
func (r *fieldReader) pointee(s reflect.Value, name string, kind reflect.Kind) (reflect.Value, bool) {
	f, ok := r.field(s, name, reflect.Pointer)
	if !ok || f.IsNil() {
		return reflect.Value{}, false
	}
	if e := f.Elem(); e.Kind() != kind {
		r.err = fmt.Errorf("%s.%s points to a value of kind %s, not %s", s.Type(), name, e.Kind(), kind)
		return reflect.Value{}, false
	}
	return f.Elem(), true
}
