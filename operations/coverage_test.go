package operations

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/specifications"
)

// covFile loads a unified test file written in YAML, with one client, database and
// collection (client0, database0, collection0) and the tests given.
func covFile(t *testing.T, entitiesYAML, testsYAML string) *specifications.File {
	t.Helper()
	doc := `description: coverage
schemaVersion: "1.28"
createEntities:
  - client: {id: client0}
  - database: {id: database0, client: client0, databaseName: db}
  - collection: {id: collection0, database: database0, collectionName: coll}
` + entitiesYAML + "tests:\n" + testsYAML
	path := filepath.Join(t.TempDir(), "coverage.yml")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	r := specifications.Load(specifications.Source{Path: path, ID: "x/coverage"}, false)
	if r.Kind != specifications.Loaded {
		t.Fatalf("test file does not load: %v\n%s", r.Err, doc)
	}
	return r.File
}

// covStub puts an executor in the table for the test when specrun has none yet, so
// that what a test checks does not change when it gets one.
func covStub(t *testing.T, kind entities.Kind, name string, fs fields) {
	t.Helper()
	k := key{kind, name}
	if _, ok := table[k]; ok {
		return
	}
	table[k] = func(_ context.Context, c *Call, _ entities.Entity) (Returned, error) {
		return Returned{}, parse(c.Op.Arguments, fs)
	}
	t.Cleanup(func() { delete(table, k) })
}

func TestCoverage(t *testing.T) {
	anyArg := func(bson.RawValue) error { return nil }
	cases := []struct {
		name     string
		entities string // more createEntities
		tests    string
		stubs    func(t *testing.T)
		want     []Gap
	}{
		{
			name: "everything runs",
			tests: `
  - description: t
    operations:
      - {name: insertOne, object: collection0, arguments: {document: {_id: 1}}}
      - {name: find, object: collection0, arguments: {filter: {}, sort: {_id: 1}}}
      - {name: runCommand, object: database0, arguments: {command: {ping: 1}, commandName: ping}}
      - {name: assertCollectionExists, object: testRunner, arguments: {databaseName: db, collectionName: coll}}
`,
		},
		{
			name: "unknown operation, on each kind",
			tests: `
  - description: t
    operations:
      - {name: frobnicate, object: collection0}
      - {name: frobnicate, object: client0}
      - {name: frobnicate, object: testRunner}
`,
			want: []Gap{
				{"tests.0.operations.0.name", "specrun cannot run operation frobnicate on a collection", Missing},
				{"tests.0.operations.1.name", "specrun cannot run operation frobnicate on a client", Missing},
				{"tests.0.operations.2.name", "specrun cannot run operation frobnicate on a testRunner", Missing},
			},
		},
		{
			name: "unknown arguments, all of them, and an argument the driver cannot express",
			tests: `
  - description: t
    operations:
      - {name: find, object: collection0, arguments: {filter: {}, noSuchOption: 1, maxTimeMS: 5, other: 2}}
`,
			want: []Gap{
				{"tests.0.operations.0.arguments.noSuchOption", "specrun cannot run argument noSuchOption of find on a collection", Missing},
				{"tests.0.operations.0.arguments.other", "specrun cannot run argument other of find on a collection", Missing},
				{"tests.0.operations.0.arguments.maxTimeMS", "maxTimeMS on find: the Go driver v2 has no per-operation maxTimeMS (it uses timeoutMS)", Inexpressible},
			},
		},
		{
			name: "timeoutMS, which Execute applies or refuses itself",
			tests: `
  - description: t
    operations:
      - {name: insertOne, object: collection0, arguments: {document: {}, timeoutMS: 5}}
      - {name: aggregate, object: collection0, arguments: {pipeline: [], timeoutMS: 5, maxAwaitTimeMS: 5}}
`,
			want: []Gap{{"tests.0.operations.1.arguments.timeoutMS",
				"maxAwaitTimeMS not below timeoutMS: the Go driver v2 refuses it only when it iterates the cursor, not when the operation starts", Inexpressible}},
		},
		{
			name: "a missing required argument",
			tests: `
  - description: t
    operations:
      - {name: insertOne, object: collection0, arguments: {}}
`,
			want: []Gap{{"tests.0.operations.0.arguments", "specrun requires argument document of insertOne on a collection", Missing}},
		},
		{
			name:     "an argument of a callback operation",
			entities: "  - session: {id: session0, client: client0}\n",
			stubs:    func(t *testing.T) { covStub(t, entities.KindSession, "withTransaction", fields{"callback": anyArg}) },
			tests: `
  - description: t
    operations:
      - name: withTransaction
        object: session0
        arguments:
          callback:
            - {name: insertOne, object: collection0, arguments: {document: {}, session: session0}}
            - {name: insertOne, object: collection0, arguments: {document: {}, noSuchOption: true}}
`,
			want: []Gap{{"tests.0.operations.0.arguments.callback.1.arguments.noSuchOption", "specrun cannot run argument noSuchOption of insertOne on a collection", Missing}},
		},
		{
			name:     "the operation of runOnThread",
			entities: "  - thread: {id: thread0}\n",
			stubs: func(t *testing.T) {
				covStub(t, kindRunner, "runOnThread", fields{"thread": anyArg, "operation": anyArg})
			},
			tests: `
  - description: t
    operations:
      - name: runOnThread
        object: testRunner
        arguments:
          thread: thread0
          operation: {name: frobnicate, object: collection0}
`,
			want: []Gap{{"tests.0.operations.0.arguments.operation.name", "specrun cannot run operation frobnicate on a collection", Missing}},
		},
		{
			name: "entity kinds from saveResultAsEntity",
			tests: `
  - description: t
    operations:
      - {name: createFindCursor, object: collection0, arguments: {filter: {}}, saveResultAsEntity: cursor0}
      - {name: iterateOnce, object: cursor0}
      - {name: frobnicate, object: cursor0}
      - {name: insertOne, object: collection0, arguments: {document: {}}, saveResultAsEntity: result0}
      - {name: iterateOnce, object: result0}
      - {name: createCollection, object: database0, arguments: {collection: c2}, saveResultAsEntity: collection2}
      - {name: insertOne, object: collection2, arguments: {document: {}}}
`,
			want: []Gap{
				{"tests.0.operations.2.name", "specrun cannot run operation frobnicate on a cursor", Missing},
				{"tests.0.operations.4.name", "specrun cannot run operation iterateOnce on a value", Missing},
			},
		},
		{
			name: "entities of createEntities in a test, and undefined ones",
			tests: `
  - description: t
    operations:
      - {name: iterateOnce, object: nothing0}
      - name: createEntities
        object: testRunner
        arguments:
          entities:
            - collection: {id: collection1, database: database0, collectionName: c1}
      - {name: frobnicate, object: collection1}
  - description: entities of a test are not another's
    operations:
      - {name: insertOne, object: collection1, arguments: {document: {}}}
`,
			want: []Gap{
				{"tests.0.operations.0.object", `entity "nothing0" is not defined (by createEntities or an earlier saveResultAsEntity)`, Missing},
				{"tests.0.operations.2.name", "specrun cannot run operation frobnicate on a collection", Missing},
				{"tests.1.operations.0.object", `entity "collection1" is not defined (by createEntities or an earlier saveResultAsEntity)`, Missing},
			},
		},
		{
			name: "createEntities that the run cannot decode: what follows is not reported",
			tests: `
  - description: t
    operations:
      - name: createEntities
        object: testRunner
        arguments:
          entities:
            - client: {id: client1, observeEvents: [noSuchEvent]}
      - {name: frobnicate, object: client1}
`,
			want: []Gap{{"tests.0.operations.0.arguments.entities.0.client.observeEvents.0", `"noSuchEvent" is not one of ` +
				strings.Join(covObservable(t), ", "), Missing}},
		},
		{
			name: "client-side encryption: the entity, not each of its operations",
			entities: `  - clientEncryption:
      id: clientEncryption0
      clientEncryptionOpts:
        keyVaultClient: client0
        keyVaultNamespace: keyvault.datakeys
        kmsProviders: {local: {key: {$$placeholder: 1}}}
  - client: {id: client1, autoEncryptOpts: {keyVaultNamespace: keyvault.datakeys, kmsProviders: {local: {}}}}
`,
			tests: `
  - description: t
    operations:
      - {name: createDataKey, object: clientEncryption0, arguments: {kmsProvider: local}}
      - {name: rewrapManyDataKey, object: clientEncryption0, arguments: {filter: {}}}
`,
			want: []Gap{
				{"createEntities.3.clientEncryption", entities.NoClientSideEncryption, UnsupportedEntity},
				{"createEntities.4.client.autoEncryptOpts", entities.NoClientSideEncryption, UnsupportedEntity},
			},
		},
		{
			name: "client-side encryption in one test: its test ends there, the others run",
			tests: `
  - description: t
    operations:
      - name: createEntities
        object: testRunner
        arguments:
          entities:
            - client: {id: client1, autoEncryptOpts: {keyVaultNamespace: keyvault.datakeys, kmsProviders: {local: {}}}}
      - {name: frobnicate, object: client1}
  - description: u
    operations:
      - {name: frobnicate, object: client0}
`,
			want: []Gap{
				{"tests.0.operations.0.arguments.entities.0.client.autoEncryptOpts", entities.NoClientSideEncryption, UnsupportedEntity},
				{"tests.1.operations.0.name", "specrun cannot run operation frobnicate on a client", Missing},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.stubs != nil {
				tc.stubs(t)
			}
			f := covFile(t, tc.entities, tc.tests)
			got := Coverage(f)
			var want []Gap
			want = append(want, tc.want...)
			// Entity kinds specrun does not create yet are gaps of their own.
			for i := range f.CreateEntities {
				kind := entities.Kind(f.CreateEntities[i].Kind())
				if ok, reason := entities.CanCreate(kind); !ok && reason == "" {
					want = append([]Gap{{Path: fmt.Sprintf("createEntities.%d.%s", i, kind),
						Message: string(kind) + " entities is not implemented by specrun yet", Kind: Missing}}, want...)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("gaps:\n%s\nwant:\n%s", covShow(got), covShow(want))
			}
		})
	}
}

func covShow(gaps []Gap) string {
	var b strings.Builder
	for _, g := range gaps {
		b.WriteString("  " + g.Path + ": " + g.Message + " (" + [...]string{"?", "missing", "inexpressible", "unsupported entity"}[g.Kind] + ")\n")
	}
	return b.String()
}

// covObservable is the list of event names the loader accepts in observeEvents, as its
// message names them.
func covObservable(t *testing.T) []string {
	t.Helper()
	_, err := specifications.DecodeEntities("e", bson.RawValue{Type: bson.TypeArray, Value: covMarshal(t, bson.D{{Key: "0", Value: bson.D{{Key: "client", Value: bson.D{{Key: "id", Value: "c"}, {Key: "observeEvents", Value: bson.A{"x"}}}}}}})})
	_, list, _ := strings.Cut(err.Error(), "is not one of ")
	return strings.Split(list, ", ")
}

func covMarshal(t *testing.T, d bson.D) []byte {
	t.Helper()
	b, err := bson.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCoverageLegacyPaths: a test translated from a legacy fixture names its operation
// by its place in that fixture, as the loader placed it.
func TestCoverageLegacyPaths(t *testing.T) {
	f := &specifications.File{
		CreateEntities: []specifications.Entity{{Collection: &specifications.CollectionEntity{ID: "collection"}}},
		Tests: []specifications.Test{{
			Operations: []specifications.Operation{{Name: "frobnicate", Object: "collection", Path: "tests.0.operation"}},
		}},
	}
	want := []Gap{{"tests.0.operation.name", "specrun cannot run operation frobnicate on a collection", Missing}}
	if got := Coverage(f); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestEveryExecutorSurvivesTheDryRun runs every executor of the table dry, with an
// argument no operation takes: each must parse its arguments before anything else,
// report the unknown argument and stop.
func TestEveryExecutorSurvivesTheDryRun(t *testing.T) {
	args := covMarshal(t, bson.D{{Key: "noSuchArgument", Value: 1}})
	for k, fn := range table {
		var cv coverage
		cv.dryRun("op", k.kind, &specifications.Operation{Name: k.name, Object: "x", Arguments: args}, fn)
		var unknown bool
		for _, g := range cv.gaps {
			switch {
			case g.Path == "op.arguments.noSuchArgument" && g.Kind == Missing:
				unknown = true
			case g.Path == "op.arguments" && strings.HasPrefix(g.Message, "specrun requires argument"):
			default:
				t.Errorf("%s on %s: %s: %s", k.name, k.kind, g.Path, g.Message)
			}
		}
		if !unknown {
			t.Errorf("%s on %s: the unknown argument is not reported", k.name, k.kind)
		}
	}
}

// TestDryRunFindsExecutorsThatDoNotParseFirst: the dry run itself tells an executor
// that touches its entity, or does not parse at all.
func TestDryRunFindsExecutorsThatDoNotParseFirst(t *testing.T) {
	touches := on(func(_ context.Context, c *Call, coll *entities.Collection) (Returned, error) {
		name := coll.Collection.Name()
		return Returned{}, parse(c.Op.Arguments, fields{"x": stringVar(&name)})
	})
	noParse := on(func(context.Context, *Call, *entities.Collection) (Returned, error) { return Returned{}, nil })
	for name, fn := range map[string]executor{"touches": touches, "noParse": noParse} {
		var cv coverage
		cv.dryRun("op", entities.KindCollection, &specifications.Operation{Name: name}, fn)
		if len(cv.gaps) != 1 || cv.gaps[0].Kind != Missing || !strings.Contains(cv.gaps[0].Message, "specrun internal error") {
			t.Errorf("%s: %v", name, cv.gaps)
		}
	}
}

// TestDryRunLeavesRealRunsAlone: while arguments are under a dry run, the same bytes
// elsewhere (a real run) are parsed for real.
func TestDryRunLeavesRealRunsAlone(t *testing.T) {
	args := covMarshal(t, bson.D{{Key: "x", Value: "v"}})
	dryRuns.Store(&args[0], &dryRun{})
	defer dryRuns.Delete(&args[0])
	var got string
	if err := parse(append(bson.Raw(nil), args...), fields{"x": stringVar(&got)}); err != nil || got != "v" {
		t.Errorf("real parse: %v, x = %q", err, got)
	}
	if err := parse(args, fields{"x": stringVar(&got)}); err != errDryRun {
		t.Errorf("dry parse: %v", err)
	}
}

func TestRefuses(t *testing.T) {
	for name, tc := range map[string]struct {
		h    arg
		want bool
	}{
		"unsupported":            {unsupported("why"), true},
		"unsupportedTimeoutMS":   {unsupportedTimeoutMS, true},
		"collMaxTimeMS":          {collMaxTimeMS("find"), true},
		"collNoOption":           {collNoOption("findOne", "let", "FindOneOptions"), true},
		"boolean":                {boolean(func(bool) any { return nil }), false},
		"bypassValidation":       {bypassValidation(func(bool) any { return nil }), false},
		"a handler of its own":   {func(bson.RawValue) error { return nil }, false},
		"stringVar":              {stringVar(new(string)), false},
		"a document into a dest": {into(new(bson.Raw)), false},
	} {
		if got := refuses(tc.h); got != tc.want {
			t.Errorf("%s: refuses = %v", name, got)
		}
	}
}
