package operations

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// readerFixture stands for a driver struct whose fields may have changed kind.
type readerFixture struct {
	*readerEmbedded
	Flag     bool
	State    uint8
	Count    int
	Addr     *string
	NoAddr   *string
	Inner    *struct{ Dirty bool }
	Conn     error
	NoConn   error
	unexport bool
}

type readerEmbedded struct{ Promoted bool }

func TestFieldReader(t *testing.T) {
	addr := "host:27017"
	fixture := readerFixture{
		Flag: true, State: 3, Count: 1, Addr: &addr, Inner: &struct{ Dirty bool }{true},
		Conn: errors.New("a connection"), unexport: true,
	}
	s := reflect.ValueOf(fixture)
	for _, tc := range []struct {
		name string
		read func(r *fieldReader) any
		want any
		err  string // how the error starts; "" when the read succeeds
	}{
		{"a bool", func(r *fieldReader) any { return r.bool(s, "Flag") }, true, ""},
		{"an unexported bool", func(r *fieldReader) any { return r.bool(s, "unexport") }, true, ""},
		{"a uint8", func(r *fieldReader) any { return r.uint(s, "State") }, uint64(3), ""},
		{"a nil pointer", func(r *fieldReader) any { return r.isNil(s, "NoAddr") }, true, ""},
		{"a pointer", func(r *fieldReader) any { return r.isNil(s, "Addr") }, false, ""},
		{"a nil interface", func(r *fieldReader) any { return r.isNil(s, "NoConn") }, true, ""},
		{"an interface", func(r *fieldReader) any { return r.isNil(s, "Conn") }, false, ""},
		{"what a pointer points to", func(r *fieldReader) any {
			v, ok := r.pointee(s, "Addr", reflect.String)
			return ok && v.String() == addr
		}, true, ""},
		{"a struct a pointer points to", func(r *fieldReader) any {
			v, ok := r.pointee(s, "Inner", reflect.Struct)
			return ok && r.bool(v, "Dirty")
		}, true, ""},
		{"a nil pointer points to nothing", func(r *fieldReader) any {
			_, ok := r.pointee(s, "NoAddr", reflect.String)
			return ok
		}, false, ""},

		{"a missing field", func(r *fieldReader) any { return r.bool(s, "Gone") }, false,
			"operations.readerFixture has no field Gone"},
		{"an int read as a bool", func(r *fieldReader) any { return r.bool(s, "Count") }, false,
			"operations.readerFixture.Count is of kind int, not bool"},
		{"a bool read as a uint", func(r *fieldReader) any { return r.uint(s, "Flag") }, uint64(0),
			"operations.readerFixture.Flag is of kind bool, not uint or uint8 or uint16 or uint32 or uint64"},
		{"a bool read as a pointer", func(r *fieldReader) any { return r.isNil(s, "Flag") }, false,
			"operations.readerFixture.Flag is of kind bool, not ptr or interface"},
		{"a pointer to another kind", func(r *fieldReader) any {
			_, ok := r.pointee(s, "Addr", reflect.Struct)
			return ok
		}, false, "operations.readerFixture.Addr points to a value of kind string, not struct"},
		{"a field promoted from a nil embedded pointer", func(r *fieldReader) any { return r.bool(s, "Promoted") }, false,
			"operations.readerFixture.Promoted: reflect: "},
		{"a value that is not a struct", func(r *fieldReader) any { return r.bool(reflect.ValueOf(1), "Flag") }, false,
			"reading field Flag of a value of kind int, not a struct"},
		{"no value at all", func(r *fieldReader) any { return r.bool(reflect.Value{}, "Flag") }, false,
			"reading field Flag of a value of kind invalid, not a struct"},
		{"the first error is kept, and reads after it are zero", func(r *fieldReader) any {
			r.bool(s, "Count")
			return r.bool(s, "Flag")
		}, false, "operations.readerFixture.Count is of kind int, not bool"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r fieldReader
			got := tc.read(&r)
			if got != tc.want {
				t.Errorf("read %v, want %v", got, tc.want)
			}
			switch {
			case tc.err == "" && r.err != nil:
				t.Errorf("error %v", r.err)
			case tc.err != "" && (r.err == nil || !strings.HasPrefix(r.err.Error(), tc.err)):
				t.Errorf("error %v, want %q", r.err, tc.err)
			}
		})
	}
}

// TestReadSessionStateOfNoSession: a session without the driver's state is an error,
// not a panic.
func TestReadSessionStateOfNoSession(t *testing.T) {
	for name, s := range map[string]*mongo.Session{"nil": nil, "zero": {}} {
		if _, err := readSessionState(s); err == nil || !strings.HasPrefix(err.Error(), "cannot read the Go driver's session state: ") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestTransactionReadMode reads the read preference of a transaction from the driver's
// session (no server is contacted: StartTransaction is client-side).
func TestTransactionReadMode(t *testing.T) {
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:1/"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	sess, err := client.StartSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.EndSession(context.Background())
	if _, running, err := TransactionReadMode(sess); err != nil || running {
		t.Fatalf("no transaction: running %v, err %v", running, err)
	}
	if err := sess.StartTransaction(options.Transaction().SetReadPreference(readpref.Secondary())); err != nil {
		t.Fatal(err)
	}
	mode, running, err := TransactionReadMode(sess)
	if err != nil || !running || mode != readpref.SecondaryMode {
		t.Fatalf("got mode %v, running %v, err %v; want secondary, running", mode, running, err)
	}
}
