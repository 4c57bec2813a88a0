package interpreter_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/specrun/specrun/internal/wireproxy"
	"github.com/specrun/specrun/interpreter"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// A test whose first operation sets a fail point on a server without them is decided
// before anything is written, with the verdict it would reach; any other test runs and
// meets its verdict where it stands.
func TestUnsupportedBeforeAnyData(t *testing.T) {
	const failPoint = `{"name": "failPoint", "object": "testRunner", "arguments": {"client": "%s", "failPoint": {"configureFailPoint": "failCommand", "mode": {"times": 1}, "data": {"failCommands": ["find"], "errorCode": 8}}}}`
	find := `{"name": "find", "object": "coll", "arguments": {"filter": {}}, "expectResult": [{"_id": 1}]}`
	for _, c := range []struct {
		name       string
		operations []string
		status     result.Status
		reason     string
		writes     bool
		setUp      string // replaces the plain initialData collection and client
	}{
		{"failPoint first", []string{strings.Replace(failPoint, "%s", "client0", 1), find},
			result.Unsupported, "operation 0 (failPoint): the server has no configureFailPoint command", false, ""},
		{"failPoint after an operation", []string{find, strings.Replace(failPoint, "%s", "client0", 1)},
			result.Unsupported, "operation 1 (failPoint): the server has no configureFailPoint command", true, ""},
		{"failPoint naming no client", []string{strings.Replace(failPoint, "%s", "nobody", 1)},
			result.Error, "operation 0 (failPoint): argument client: entity \"nobody\" is not defined", true, ""},
		// set-up a server may fail on its own runs first: its failure would decide the test
		{"failPoint first, initialData with createOptions the server refuses", []string{strings.Replace(failPoint, "%s", "client0", 1)},
			result.Fail, `initialData[0]: server error 238 (NotImplemented): create: support for field "validator"`, true, `"createOptions": {"validator": {}},`},
		{"failPoint first, a client awaiting its pool", []string{strings.Replace(failPoint, "%s", "client0", 1)},
			result.Unsupported, "operation 0 (failPoint): the server has no configureFailPoint command", true, `"awaitMinPoolSizeMS": 1,`},
	} {
		t.Run(c.name, func(t *testing.T) {
			proxy := wireproxy.Start(t, serverAddr(t))
			r := newRunner(t, interpreter.Config{URI: proxy.URI()})
			client, data := "", ""
			if strings.Contains(c.setUp, "awaitMinPoolSizeMS") {
				client = c.setUp
			} else {
				data = c.setUp
			}
			fixture := `{"description": "early", "schemaVersion": "1.20",
			  "createEntities": [{"client": {` + client + `"id": "client0"}}, {"database": {"id": "db", "client": "client0", "databaseName": "early-tests"}},
			    {"collection": {"id": "coll", "database": "db", "collectionName": "c"}}],
			  "initialData": [{` + data + `"databaseName": "early-tests", "collectionName": "c", "documents": [{"_id": 1}]}],
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
