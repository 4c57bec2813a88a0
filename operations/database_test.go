package operations

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// The tests of database.go, client.go, cursor.go and runner.go need no server: their
// entities use a client that never connects (nothing listens on port 1) and gives up
// server selection quickly, so an operation that reached the server before refusing its
// arguments would show as a Result error, not as Execute's error.

// dcEnv is an entity map with client0, db0 (database "db") and session0.
type dcEnv struct {
	m      *entities.Map
	client *entities.Client
	runner *dcFakeRunner
}

func newDCEnv(t *testing.T) *dcEnv {
	t.Helper()
	mc, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:1").
		SetServerSelectionTimeout(100 * time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mc.Disconnect(context.Background()) })
	client := &entities.Client{ID: "client0", Client: mc}
	m := entities.NewMap()
	s, err := mc.StartSession()
	if err != nil {
		t.Fatal(err)
	}
	for id, e := range map[string]entities.Entity{
		"client0":  client,
		"db0":      &entities.Database{Client: client, Database: mc.Database("db")},
		"session0": &entities.Session{Client: client, Session: s, Lsid: s.ID()},
	} {
		if err := m.Add(id, e); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { m.Close(context.Background()) })
	return &dcEnv{m: m, client: client, runner: &dcFakeRunner{}}
}

func dcArgs(t *testing.T, args bson.D) bson.Raw {
	t.Helper()
	if args == nil {
		args = bson.D{}
	}
	raw, err := bson.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func (e *dcEnv) exec(t *testing.T, object, name string, args bson.D) (Returned, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	op := &specifications.Operation{Name: name, Object: object, Arguments: dcArgs(t, args)}
	return Execute(ctx, &Call{Entities: e.m, Harness: e.runner, Op: op})
}

// dcWant names the error Execute must return.
type dcWant int

const (
	wantUnknown     dcWant = iota + 1 // *UnknownArgument (possibly inside *InvalidArgument)
	wantInvalid                       // *InvalidArgument
	wantUnsupported                   // *result.Verdict
)

type dcCase struct {
	name   string
	object string
	op     string
	args   bson.D
	want   dcWant
	// argName, when set, is the argument the *InvalidArgument or *UnknownArgument
	// must name.
	argName string
}

func runDCCases(t *testing.T, cases []dcCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newDCEnv(t)
			res, err := env.exec(t, tc.object, tc.op, tc.args)
			if err == nil {
				t.Fatalf("no error; result %+v", res)
			}
			var (
				unknown *UnknownArgument
				invalid *InvalidArgument
				unsup   *result.Verdict
			)
			switch tc.want {
			case wantUnknown:
				if !errors.As(err, &unknown) {
					t.Fatalf("got %T %v, want *UnknownArgument", err, err)
				}
				if tc.argName != "" && unknown.Name != tc.argName {
					t.Fatalf("unknown argument %q, want %q", unknown.Name, tc.argName)
				}
			case wantInvalid:
				if !errors.As(err, &invalid) {
					t.Fatalf("got %T %v, want *InvalidArgument", err, err)
				}
				if tc.argName != "" && invalid.Name != tc.argName {
					t.Fatalf("invalid argument %q (%v), want %q", invalid.Name, err, tc.argName)
				}
			case wantUnsupported:
				if !(errors.As(err, &unsup) && unsup.Status == result.Unsupported) {
					t.Fatalf("got %T %v, want *result.Verdict", err, err)
				}
				if unsup.Reason == "" {
					t.Fatal("unsupported without a reason")
				}
			}
		})
	}
}

func TestDatabaseArguments(t *testing.T) {
	ping := bson.D{{Key: "ping", Value: 1}}
	find := bson.D{{Key: "find", Value: "c"}}
	runCases := []dcCase{
		{"runCommand unknown", "db0", "runCommand", bson.D{{Key: "command", Value: ping}, {Key: "commandName", Value: "ping"}, {Key: "foo", Value: 1}}, wantUnknown, ""},
		{"runCommand no command", "db0", "runCommand", bson.D{{Key: "commandName", Value: "ping"}}, wantInvalid, "command"},
		{"runCommand no commandName", "db0", "runCommand", bson.D{{Key: "command", Value: ping}}, wantInvalid, "commandName"},
		{"runCommand command not a document", "db0", "runCommand", bson.D{{Key: "command", Value: "ping"}, {Key: "commandName", Value: "ping"}}, wantInvalid, "command"},
		{"runCommand commandName disagrees", "db0", "runCommand", bson.D{{Key: "command", Value: bson.D{{Key: "hello", Value: 1}, {Key: "ping", Value: 1}}}, {Key: "commandName", Value: "ping"}}, wantInvalid, "commandName"},
		{"runCommand empty command", "db0", "runCommand", bson.D{{Key: "command", Value: bson.D{}}, {Key: "commandName", Value: "ping"}}, wantInvalid, "command"},
		{"runCommand readPreference type", "db0", "runCommand", bson.D{{Key: "command", Value: ping}, {Key: "commandName", Value: "ping"}, {Key: "readPreference", Value: "primary"}}, wantInvalid, "readPreference"},
		{"runCommand session undefined", "db0", "runCommand", bson.D{{Key: "command", Value: ping}, {Key: "commandName", Value: "ping"}, {Key: "session", Value: "nope"}}, wantInvalid, "session"},
		{"runCommand session of another kind", "db0", "runCommand", bson.D{{Key: "command", Value: ping}, {Key: "commandName", Value: "ping"}, {Key: "session", Value: "db0"}}, wantInvalid, "session"},

		{"runCursorCommand no commandName", "db0", "runCursorCommand", bson.D{{Key: "command", Value: find}}, wantInvalid, "commandName"},
		{"runCursorCommand commandName disagrees", "db0", "runCursorCommand", bson.D{{Key: "command", Value: find}, {Key: "commandName", Value: "aggregate"}}, wantInvalid, "commandName"},
		{"runCursorCommand batchSize type", "db0", "runCursorCommand", bson.D{{Key: "command", Value: find}, {Key: "commandName", Value: "find"}, {Key: "batchSize", Value: 1.5}}, wantInvalid, "batchSize"},
		{"runCursorCommand cursorType unknown", "db0", "runCursorCommand", bson.D{{Key: "command", Value: find}, {Key: "commandName", Value: "find"}, {Key: "cursorType", Value: "sometimes"}}, wantInvalid, "cursorType"},
		{"runCursorCommand cursorType disagrees", "db0", "runCursorCommand", bson.D{{Key: "command", Value: find}, {Key: "commandName", Value: "find"}, {Key: "cursorType", Value: "tailable"}}, wantUnsupported, ""},
		{"runCursorCommand tailableAwait without awaitData", "db0", "runCursorCommand", bson.D{{Key: "command", Value: bson.D{{Key: "find", Value: "c"}, {Key: "tailable", Value: true}}}, {Key: "cursorType", Value: "tailableAwait"}, {Key: "commandName", Value: "find"}}, wantUnsupported, ""},
		{"runCursorCommand timeoutMode", "db0", "runCursorCommand", bson.D{{Key: "command", Value: find}, {Key: "commandName", Value: "find"}, {Key: "timeoutMode", Value: "iteration"}}, wantUnsupported, ""},
		{"createCommandCursor no command", "db0", "createCommandCursor", bson.D{{Key: "commandName", Value: "find"}}, wantInvalid, "command"},
		{"createCommandCursor unknown", "db0", "createCommandCursor", bson.D{{Key: "command", Value: find}, {Key: "limit", Value: 1}}, wantUnknown, ""},
		{"createCommandCursor timeoutMS", "db0", "createCommandCursor", bson.D{{Key: "command", Value: find}, {Key: "timeoutMS", Value: 1}}, wantUnsupported, ""},

		{"createCollection no collection", "db0", "createCollection", bson.D{{Key: "capped", Value: true}}, wantInvalid, "collection"},
		{"createCollection collection type", "db0", "createCollection", bson.D{{Key: "collection", Value: 1}}, wantInvalid, "collection"},
		{"createCollection unknown", "db0", "createCollection", bson.D{{Key: "collection", Value: "c"}, {Key: "cappedd", Value: true}}, wantUnknown, ""},
		{"createCollection size type", "db0", "createCollection", bson.D{{Key: "collection", Value: "c"}, {Key: "size", Value: "big"}}, wantInvalid, "size"},
		{"createCollection timeseries unknown field", "db0", "createCollection", bson.D{{Key: "collection", Value: "c"}, {Key: "timeseries", Value: bson.D{{Key: "timeField", Value: "t"}, {Key: "bucketSize", Value: 1}}}}, wantUnknown, ""},
		{"createCollection timeseries without timeField", "db0", "createCollection", bson.D{{Key: "collection", Value: "c"}, {Key: "timeseries", Value: bson.D{{Key: "metaField", Value: "m"}}}}, wantInvalid, "timeseries"},
		{"createCollection pipeline without viewOn", "db0", "createCollection", bson.D{{Key: "collection", Value: "v"}, {Key: "pipeline", Value: bson.A{}}}, wantInvalid, "pipeline"},
		{"createCollection view with capped", "db0", "createCollection", bson.D{{Key: "collection", Value: "v"}, {Key: "viewOn", Value: "c"}, {Key: "capped", Value: true}}, wantUnsupported, ""},
		{"createCollection comment", "db0", "createCollection", bson.D{{Key: "collection", Value: "c"}, {Key: "comment", Value: "x"}}, wantUnsupported, ""},
		{"createCollection indexOptionDefaults unknown", "db0", "createCollection", bson.D{{Key: "collection", Value: "c"}, {Key: "indexOptionDefaults", Value: bson.D{{Key: "x", Value: 1}}}}, wantUnknown, ""},

		{"dropCollection no collection", "db0", "dropCollection", nil, wantInvalid, "collection"},
		{"dropCollection unknown", "db0", "dropCollection", bson.D{{Key: "collection", Value: "c"}, {Key: "force", Value: true}}, wantUnknown, ""},
		{"dropCollection encryptedFields type", "db0", "dropCollection", bson.D{{Key: "collection", Value: "c"}, {Key: "encryptedFields", Value: 1}}, wantInvalid, "encryptedFields"},

		{"modifyCollection no collection", "db0", "modifyCollection", bson.D{{Key: "validator", Value: bson.D{}}}, wantInvalid, "collection"},
		{"modifyCollection unknown", "db0", "modifyCollection", bson.D{{Key: "collection", Value: "c"}, {Key: "foo", Value: 1}}, wantUnknown, ""},
		{"modifyCollection validator type", "db0", "modifyCollection", bson.D{{Key: "collection", Value: "c"}, {Key: "validator", Value: 1}}, wantInvalid, "validator"},
		{"modifyCollection expireAfterSeconds type", "db0", "modifyCollection", bson.D{{Key: "collection", Value: "c"}, {Key: "expireAfterSeconds", Value: true}}, wantInvalid, "expireAfterSeconds"},

		{"listCollections unknown", "db0", "listCollections", bson.D{{Key: "foo", Value: 1}}, wantUnknown, ""},
		{"listCollections filter type", "db0", "listCollections", bson.D{{Key: "filter", Value: 1}}, wantInvalid, "filter"},
		{"listCollections batchSize type", "db0", "listCollections", bson.D{{Key: "batchSize", Value: 2.5}}, wantInvalid, "batchSize"},
		{"listCollectionObjects timeoutMode", "db0", "listCollectionObjects", bson.D{{Key: "timeoutMode", Value: "iteration"}}, wantUnsupported, ""},
		{"listCollectionNames nameOnly", "db0", "listCollectionNames", bson.D{{Key: "nameOnly", Value: true}}, wantUnknown, ""},
		{"listCollectionNames rawData type", "db0", "listCollectionNames", bson.D{{Key: "rawData", Value: 1}}, wantInvalid, "rawData"},

		{"aggregate no pipeline", "db0", "aggregate", bson.D{{Key: "allowDiskUse", Value: true}}, wantInvalid, "pipeline"},
		{"aggregate pipeline type", "db0", "aggregate", bson.D{{Key: "pipeline", Value: bson.D{}}}, wantInvalid, "pipeline"},
		{"aggregate stage type", "db0", "aggregate", bson.D{{Key: "pipeline", Value: bson.A{1}}}, wantInvalid, "pipeline"},
		{"aggregate unknown", "db0", "aggregate", bson.D{{Key: "pipeline", Value: bson.A{}}, {Key: "foo", Value: 1}}, wantUnknown, ""},
		{"aggregate maxTimeMS", "db0", "aggregate", bson.D{{Key: "pipeline", Value: bson.A{}}, {Key: "maxTimeMS", Value: 10}}, wantUnsupported, ""},
		{"aggregate timeoutMode", "db0", "aggregate", bson.D{{Key: "pipeline", Value: bson.A{}}, {Key: "timeoutMode", Value: "iteration"}}, wantUnsupported, ""},
	}
	runDCCases(t, runCases)
}

func TestCheckCommandName(t *testing.T) {
	cmd := dcArgs(t, bson.D{{Key: "find", Value: "c"}, {Key: "filter", Value: bson.D{}}})
	if err := checkCommandName(cmd, "find"); err != nil {
		t.Fatal(err)
	}
	if err := checkCommandName(cmd, ""); err != nil {
		t.Fatal("an absent commandName must be accepted:", err)
	}
	err := checkCommandName(cmd, "filter")
	var invalid *InvalidArgument
	if !errors.As(err, &invalid) || invalid.Name != "commandName" {
		t.Fatalf("got %v, want an invalid commandName", err)
	}
}

func TestCheckCursorType(t *testing.T) {
	for _, tc := range []struct {
		cmd        bson.D
		cursorType string
		ok         bool
	}{
		{bson.D{{Key: "find", Value: "c"}}, "nonTailable", true},
		{bson.D{{Key: "find", Value: "c"}}, "tailable", false},
		{bson.D{{Key: "find", Value: "c"}, {Key: "tailable", Value: true}}, "tailable", true},
		{bson.D{{Key: "find", Value: "c"}, {Key: "tailable", Value: true}}, "nonTailable", false},
		{bson.D{{Key: "find", Value: "c"}, {Key: "tailable", Value: true}, {Key: "awaitData", Value: true}}, "tailableAwait", true},
		{bson.D{{Key: "find", Value: "c"}, {Key: "tailable", Value: true}, {Key: "awaitData", Value: true}}, "tailable", false},
	} {
		err := checkCursorType(dcArgs(t, tc.cmd), tc.cursorType)
		if (err == nil) != tc.ok {
			t.Errorf("%v with %s: %v", tc.cmd, tc.cursorType, err)
		}
	}
}
