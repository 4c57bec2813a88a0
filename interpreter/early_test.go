package interpreter_test

import (
	"cmp"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/specrun/specrun/embedded"
	"github.com/specrun/specrun/internal/wireproxy"
	"github.com/specrun/specrun/interpreter"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// A test whose first operation sets a fail point on a server without them runs without
// its data (nothing is dropped or written) and ends with the verdict a full run gives:
// the operation's refusal, or what comes before it; a test whose data a server may
// refuse, or whose fail point is not first, runs whole.
func TestDatalessFailPointFirst(t *testing.T) {
	failPoint := func(client string) string {
		return `{"name": "failPoint", "object": "testRunner", "arguments": {"client": "` + client +
			`", "failPoint": {"configureFailPoint": "failCommand", "mode": {"times": 1}, "data": {"failCommands": ["find"], "errorCode": 8}}}}`
	}
	find := `{"name": "find", "object": "coll", "arguments": {"filter": {}}, "expectResult": [{"_id": 1}]}`
	const plain = `[{"_id": 1, "x": {"y": [1, "a", true, null]}}]`
	for _, c := range []struct {
		name       string
		operations []string
		status     result.Status
		reason     string
		writes     bool
		client     string // more of the client entity
		entities   string // more entities
		data       string // more of the initialData collection
		documents  string // its documents, plain if empty
	}{
		{name: "failPoint first", operations: []string{failPoint("client0"), find},
			status: result.Unsupported, reason: "operation 0 (failPoint): the server has no configureFailPoint command"},
		{name: "failPoint after an operation", operations: []string{find, failPoint("client0")}, writes: true,
			status: result.Unsupported, reason: "operation 1 (failPoint): the server has no configureFailPoint command"},
		// what ends the test before the fail point ends it alike without the data
		{name: "failPoint naming no client", operations: []string{failPoint("nobody")},
			status: result.Error, reason: `operation 0 (failPoint): argument client: entity "nobody" is not defined`},
		{name: "a client awaiting its pool", operations: []string{failPoint("client0")}, client: `"awaitMinPoolSizeMS": 1,`,
			status: result.Unsupported, reason: "operation 0 (failPoint): the server has no configureFailPoint command"},
		{name: "a session the driver cannot give", operations: []string{failPoint("client0")},
			entities: `, {"session": {"id": "s", "client": "client0", "sessionOptions": {"defaultTimeoutMS": 10}}}`,
			status:   result.Unsupported, reason: "createEntities: "},
		{name: "an entity naming no client", operations: []string{failPoint("client0")},
			entities: `, {"database": {"id": "db2", "client": "nobody", "databaseName": "x"}}`,
			status:   result.Error, reason: `createEntities: `},
		// data a server may refuse is set up: its refusal would decide the test
		{name: "initialData with createOptions the server refuses", operations: []string{failPoint("client0")}, writes: true,
			data:   `"createOptions": {"validator": {}},`,
			status: result.Fail, reason: `initialData[0]: server error 238 (NotImplemented): create: support for field "validator"`},
		{name: "initialData with a key the server refuses", operations: []string{failPoint("client0")}, writes: true,
			documents: `[{"_id": 1, "$x": 1}]`, status: result.Fail, reason: "initialData[0]: "},
		{name: "initialData with an _id twice", operations: []string{failPoint("client0")}, writes: true,
			documents: `[{"_id": 1}, {"_id": 1.0}]`, status: result.Fail, reason: "initialData[0]: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			proxy := wireproxy.Start(t, serverAddr(t))
			r := newRunner(t, interpreter.Config{URI: proxy.URI()})
			documents := cmp.Or(c.documents, plain)
			fixture := `{"description": "early", "schemaVersion": "1.20",
			  "createEntities": [{"client": {` + c.client + `"id": "client0"}}, {"database": {"id": "db", "client": "client0", "databaseName": "early-tests"}},
			    {"collection": {"id": "coll", "database": "db", "collectionName": "c"}}` + c.entities + `],
			  "initialData": [{` + c.data + `"databaseName": "early-tests", "collectionName": "c", "documents": ` + documents + `}],
			  "tests": [{"description": "t", "operations": [` + strings.Join(c.operations, ",") + `]}]}`
			f := loadText(t, "early", fixture)
			proxy.Reset() // what the runner sent to probe the server
			res := r.RunTest(context.Background(), f, 0)
			if res.Status != c.status || !strings.HasPrefix(res.Reason, c.reason) {
				t.Fatalf("got %s %q, want %s %q", res.Status, res.Reason, c.status, c.reason)
			}
			if wrote := len(sent(proxy, "drop", "insert")) > 0; wrote != c.writes {
				t.Errorf("data written: %t, want %t", wrote, c.writes)
			}
		})
	}
}

// loadText writes a fixture to a file of the test's and loads it, with this ID.
func loadText(t *testing.T, id, fixture string) *specifications.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), id+".json")
	if err := os.WriteFile(path, []byte(fixture), 0o644); err != nil {
		t.Fatal(err)
	}
	lr := specifications.Load(specifications.Source{Path: path, ID: id}, false)
	if lr.Kind != specifications.Loaded {
		t.Fatal(lr.Err)
	}
	return lr.File
}

func TestUsesQueryableEncryption(t *testing.T) {
	const plain = `{"client": {"id": "c"}}, {"database": {"id": "d", "client": "c", "databaseName": "db"}}`
	const noData = `{"databaseName": "db", "collectionName": "x", "documents": []}`
	const create = `{"name": "createCollection", "object": "d", "arguments": {"collection": "y"}}`
	for _, c := range []struct {
		name                string
		entities, data, ops string
		want                bool
	}{
		{"plain", plain, noData, create, false},
		{"initialData with encryptedFields", plain,
			`{"databaseName": "db", "collectionName": "x", "createOptions": {"encryptedFields": {"fields": []}}, "documents": []}`, create, true},
		{"createCollection with encryptedFields", plain, noData,
			`{"name": "createCollection", "object": "d", "arguments": {"collection": "y", "encryptedFields": {"fields": []}}}`, true},
		{"automatic encryption", `{"client": {"id": "c", "autoEncryptOpts": {"keyVaultNamespace": "k.v", "kmsProviders": {"local": {}}}}}, {"database": {"id": "d", "client": "c", "databaseName": "db"}}`,
			noData, create, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := loadText(t, "qe", `{"description": "qe", "schemaVersion": "1.8", "createEntities": [`+c.entities+`],
			  "initialData": [`+c.data+`], "tests": [{"description": "t", "operations": [`+c.ops+`]}]}`)
			if got := interpreter.UsesQueryableEncryption(f); got != c.want {
				t.Errorf("got %t, want %t", got, c.want)
			}
		})
	}
}

// The state collections of queryable encryption (enxcol_.<name>.esc and .ecoc) are
// dropped with every initialData collection once they may exist: from the first test
// of a file that uses encryption on, and from the start on a server that already holds
// one (the UTF: initialData "must also drop" them). On a server that holds none, and
// before such a file, they are not: none can exist. The test has a server of its own,
// whose every collection it knows.
func TestStateCollectionsDroppedOnceTheyMayExist(t *testing.T) {
	const plain = `{"description": "plain", "schemaVersion": "1.0",
	  "initialData": [{"databaseName": "qe-tests", "collectionName": "c", "documents": []}],
	  "tests": [{"description": "t", "operations": []}]}`
	const encrypted = `{"description": "qe", "schemaVersion": "1.8",
	  "createEntities": [{"client": {"id": "client0"}}, {"database": {"id": "db", "client": "client0", "databaseName": "qe-tests"}}],
	  "initialData": [{"databaseName": "qe-tests", "collectionName": "e", "documents": []}],
	  "tests": [{"description": "t", "operations": [{"name": "createCollection", "object": "db", "arguments": {"collection": "e", "encryptedFields": {"fields": []}}}]}]}`
	stateDrops := func(proxy *wireproxy.Proxy) []string {
		var out []string
		for _, c := range proxy.Commands() {
			if name, _ := c.Body.Lookup("drop").StringValueOK(); c.Name == "drop" && strings.HasPrefix(name, "enxcol_.") {
				out = append(out, name)
			}
		}
		return out
	}
	srv, err := embedded.Start(context.Background(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() }) // after the runners' cleanups: none holds a connection
	proxy := wireproxy.Start(t, srv.Addr())
	r := newRunner(t, interpreter.Config{URI: proxy.URI()})
	r.RunTest(context.Background(), loadText(t, "plain", plain), 0)
	if got := stateDrops(proxy); len(got) != 0 {
		t.Errorf("before any file used encryption: %v", got)
	}
	proxy.Reset()
	r.RunTest(context.Background(), loadText(t, "qe", encrypted), 0)
	if got, want := stateDrops(proxy), []string{"enxcol_.e.esc", "enxcol_.e.ecoc"}; !slices.Equal(got, want) {
		t.Errorf("the first test of the file that uses encryption: %v, want %v", got, want)
	}
	proxy.Reset()
	r.RunTest(context.Background(), loadText(t, "plain", plain), 0)
	if got, want := stateDrops(proxy), []string{"enxcol_.c.esc", "enxcol_.c.ecoc"}; !slices.Equal(got, want) {
		t.Errorf("after: %v, want %v", got, want)
	}

	// A state collection left on the server by an earlier run: a new runner drops the
	// state collections from its first test on.
	client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	if err := client.Database("qe-tests").CreateCollection(context.Background(), "enxcol_.c.esc"); err != nil {
		t.Fatal(err)
	}
	proxy.Reset()
	r = newRunner(t, interpreter.Config{URI: proxy.URI()})
	r.RunTest(context.Background(), loadText(t, "plain", plain), 0)
	if got, want := stateDrops(proxy), []string{"enxcol_.c.esc", "enxcol_.c.ecoc"}; !slices.Equal(got, want) {
		t.Errorf("a server that held enxcol_.c.esc: %v, want %v", got, want)
	}
	names, err := client.Database("qe-tests").ListCollectionNames(context.Background(), bson.D{})
	if err != nil || slices.Contains(names, "enxcol_.c.esc") {
		t.Errorf("enxcol_.c.esc left on the server: %v %v", names, err)
	}
}
