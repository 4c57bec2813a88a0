package operations

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/result"
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
		return Returned{}, c.parse(fs)
	}
	t.Cleanup(func() { delete(table, k) })
}

func TestCoverage(t *testing.T) {
	anyArg := arg(func(bson.RawValue) error { return nil })
	const tracing = "observeTracingMessages: the Go driver has no tracing spans"
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
			name:     "a callback that the run cannot decode: what follows is not reported, in this test only",
			entities: "  - session: {id: session0, client: client0}\n",
			tests: `
  - description: t
    operations:
      - name: withTransaction
        object: session0
        arguments:
          callback:
            - {name: insertOne, object: collection0, arguments: {document: {}}, noSuchField: 1}
      - {name: frobnicate, object: client0}
  - description: u
    operations:
      - {name: frobnicate, object: client0}
`,
			want: []Gap{
				{"tests.0.operations.0.arguments.callback.0.noSuchField", "unknown field", Missing},
				{"tests.1.operations.0.name", "specrun cannot run operation frobnicate on a client", Missing},
			},
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
			name:     "observeTracingMessages: the driver's limit, and the test ends there",
			entities: "  - client: {id: client1, observeTracingMessages: {enableCommandPayload: true}}\n",
			tests: `
  - description: t
    operations:
      - {name: frobnicate, object: client1}
`,
			want: []Gap{{"createEntities.3.client.observeTracingMessages", tracing, Inexpressible}},
		},
		{
			name: "observeTracingMessages in one test: its test ends there, the others run",
			tests: `
  - description: t
    operations:
      - {name: frobnicate, object: client0}
      - name: createEntities
        object: testRunner
        arguments:
          entities:
            - client: {id: client1, observeTracingMessages: {}}
      - {name: frobnicate, object: client1}
  - description: u
    operations:
      - {name: frobnicate, object: client0}
`,
			want: []Gap{
				{"tests.0.operations.0.name", "specrun cannot run operation frobnicate on a client", Missing},
				{"tests.0.operations.1.arguments.entities.0.client.observeTracingMessages", tracing, Inexpressible},
				{"tests.1.operations.0.name", "specrun cannot run operation frobnicate on a client", Missing},
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
				if r := entities.Uncreatable(&f.CreateEntities[i]); r != nil && r.Whose == entities.SpecrunGap {
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

// TestEveryExecutorStopsAtParse runs every executor of the table dry, with no arguments,
// with arguments no operation takes, and with the arguments it requires: each must
// parse its arguments before anything else (it has no target: touching it panics,
// which fails the test) and stop there with errDryRun, having noted the unknown
// arguments and the missing required ones, which it must take.
func TestEveryExecutorStopsAtParse(t *testing.T) {
	keys := slices.SortedFunc(maps.Keys(table), func(a, b key) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.name, b.name))
	})
	dry := func(t *testing.T, k key, args bson.D) *dryRun {
		t.Helper()
		var raw bson.Raw
		if args != nil {
			raw = covMarshal(t, args)
		}
		d, err := runDry(table[k], &specifications.Operation{Name: k.name, Object: "x", Arguments: raw})
		if !d.parsed || err != errDryRun {
			t.Fatalf("parsed %v, returned %v: the executor must parse first and return what parse returns", d.parsed, err)
		}
		if d.refusals != nil {
			t.Errorf("refusals %v, of arguments not given", d.refusals)
		}
		return d
	}
	for _, k := range keys {
		t.Run(string(k.kind)+"."+k.name, func(t *testing.T) {
			required := dry(t, k, nil)
			if required.unknown != nil {
				t.Errorf("no arguments: unknown %v", required.unknown)
			}
			unknown := dry(t, k, bson.D{{Key: "noSuchArgument", Value: 1}, {Key: "other", Value: 2}})
			if !slices.Equal(unknown.unknown, []string{"noSuchArgument", "other"}) || !slices.Equal(unknown.missing, required.missing) {
				t.Errorf("unknown arguments: unknown %v, missing %v (want %v)", unknown.unknown, unknown.missing, required.missing)
			}
			var all bson.D
			for _, name := range required.missing {
				all = append(all, bson.E{Key: name, Value: nil})
			}
			if given := dry(t, k, all); given.unknown != nil || given.missing != nil {
				t.Errorf("the required arguments given: unknown %v, missing %v", given.unknown, given.missing)
			}
		})
	}
}

// TestDryRunFindsExecutorsThatDoNotParseFirst: the dry run itself tells an executor
// that does not parse, or does not stop at what parse returns.
func TestDryRunFindsExecutorsThatDoNotParseFirst(t *testing.T) {
	noParse := on(func(context.Context, *Call, *entities.Collection) (Returned, error) { return Returned{}, nil })
	goesOn := on(func(_ context.Context, c *Call, _ *entities.Collection) (Returned, error) {
		_ = c.parse(fields{})
		return Returned{}, nil
	})
	for name, fn := range map[string]executor{"noParse": noParse, "goesOn": goesOn} {
		var cv coverage
		cv.dryRun("op", entities.KindCollection, &specifications.Operation{Name: name}, fn)
		if len(cv.gaps) != 1 || cv.gaps[0].Kind != Missing || !strings.Contains(cv.gaps[0].Message, "specrun internal error") {
			t.Errorf("%s: %v", name, cv.gaps)
		}
	}
}

// TestOnlyADryCallParsesDry: the same arguments are parsed for real in a call that is not
// a dry run (Coverage marks its own calls only), refusals included.
func TestOnlyADryCallParsesDry(t *testing.T) {
	op := &specifications.Operation{Name: "op", Arguments: covMarshal(t, bson.D{{Key: "x", Value: "v"}})}
	var got string
	if err := (&Call{Op: op}).parse(fields{"x": stringVar(&got)}); err != nil || got != "v" {
		t.Errorf("real parse: %v, x = %q", err, got)
	}
	var v *result.Verdict
	if err := (&Call{Op: op}).parse(fields{"x": unsupported("why")}); !errors.As(err, &v) || v.Status != result.Unsupported || v.Reason != "why" {
		t.Errorf("real parse of a refusal: %v", err)
	}
	got = ""
	if err := (&Call{Op: op, dry: &dryRun{}}).parse(fields{"x": stringVar(&got)}); err != errDryRun || got != "" {
		t.Errorf("dry parse: %v, x = %q", err, got)
	}
}

// TestDryParse: a dry run notes the arguments an operation does not take, the required
// ones missing and the refusals with their reasons, and runs no handler: a handler that
// refuses some values only (bypassValidation refuses false) is not a refusal.
func TestDryParse(t *testing.T) {
	var ran []string
	runs := func(name string) arg {
		return func(bson.RawValue) error { ran = append(ran, name); return nil }
	}
	fs := fields{
		"plain":             runs("plain"),
		"bypass":            bypassValidation(func(bool) any { ran = append(ran, "bypass"); return nil }),
		"unsupported":       unsupported("why"),
		"maxTimeMS":         collMaxTimeMS("find"),
		"let":               collNoOption("findOne", "let", "FindOneOptions"),
		"timeoutMS":         unsupportedTimeoutMS,
		"required":          runs("required"),
		"requiredToo":       runs("requiredToo"),
		"refusedRequired":   unsupported("refused though required"),
		"neverGivenRefusal": unsupported("not given"),
	}
	required := []string{"required", "requiredToo", "refusedRequired"}
	for _, tc := range []struct {
		name string
		args bson.D
		want dryRun
	}{
		{"nothing given", bson.D{}, dryRun{parsed: true, missing: required}},
		{"ordinary handlers", bson.D{{Key: "plain", Value: 1}, {Key: "bypass", Value: false}, {Key: "required", Value: 1}},
			dryRun{parsed: true, missing: []string{"requiredToo", "refusedRequired"}}},
		{"refusals, in the order given",
			bson.D{{Key: "let", Value: 1}, {Key: "unsupported", Value: 1}, {Key: "maxTimeMS", Value: 1}, {Key: "timeoutMS", Value: 1}, {Key: "refusedRequired", Value: 1}},
			dryRun{parsed: true, missing: []string{"required", "requiredToo"}, refusals: []refused{
				{"let", "let on findOne: the Go driver v2's FindOneOptions has no let"},
				{"unsupported", "why"},
				{"maxTimeMS", "maxTimeMS on find: the Go driver v2 has no per-operation maxTimeMS (it uses timeoutMS)"},
				{"timeoutMS", string(unsupportedTimeoutMS)},
				{"refusedRequired", "refused though required"},
			}}},
		{"unknown arguments, all of them", bson.D{{Key: "x", Value: 1}, {Key: "required", Value: 1}, {Key: "y", Value: 1}},
			dryRun{parsed: true, unknown: []string{"x", "y"}, missing: []string{"requiredToo", "refusedRequired"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ran = nil
			var d dryRun
			c := &Call{Op: &specifications.Operation{Name: "op", Arguments: covMarshal(t, tc.args)}, dry: &d}
			if err := c.parse(fs, required...); err != errDryRun {
				t.Errorf("parse returned %v, want errDryRun", err)
			}
			if !reflect.DeepEqual(d, tc.want) {
				t.Errorf("dry run:\n%+v\nwant:\n%+v", d, tc.want)
			}
			if ran != nil {
				t.Errorf("handlers ran: %v", ran)
			}
		})
	}
}
