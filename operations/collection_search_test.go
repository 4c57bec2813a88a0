package operations

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/specifications"
)

// The search index operations and mapReduce, with every argument the corpus gives them.
var collSearchCases = []collOpCase{
	{"createSearchIndex", `{"model": {"definition": {"mappings": {"dynamic": true}}, "name": "test index", "type": "search"}}`,
		[]string{"model"}, `"model": {"definition": {}, "name": 1}`, ""},
	{"createSearchIndexes", `{"models": [{"definition": {}}, {"definition": {}, "type": "vectorSearch"}]}`,
		[]string{"models"}, `"models": [{"definition": 1}]`, ""},
	{"dropSearchIndex", `{"name": "test index"}`, []string{"name"}, `"name": 1`, ""},
	{"updateSearchIndex", `{"name": "test index", "definition": {}}`, []string{"name", "definition"}, `"definition": []`, ""},
	{"listSearchIndexes", `{"name": "test index", "aggregationOptions": {"batchSize": 10}}`, nil,
		`"aggregationOptions": {"batchSize": "ten"}`, `"aggregationOptions": {"maxTimeMS": 10}`},
	{"mapReduce", `{"map": {"$code": "function() { emit(0, 1) }"}, "reduce": {"$code": "function(k, v) { return 1 }"}, "out": {"inline": 1}}`,
		[]string{"map", "reduce", "out"}, `"map": 1`, `"out": "results"`},
}

func TestCollectionSearchAndMapReduceArguments(t *testing.T) {
	m := collTestMap(t)
	for _, tc := range collSearchCases {
		t.Run(tc.op, func(t *testing.T) {
			t.Run("unknown", func(t *testing.T) {
				collExpect(t, m, tc.op, collWith(t, tc.base, `"noSuchOption": 1`), collUnknown, "noSuchOption")
			})
			for _, r := range tc.required {
				t.Run("missing "+r, func(t *testing.T) {
					collExpect(t, m, tc.op, collWithout(t, tc.base, r), collInvalid, r)
				})
			}
			t.Run("wrong type", func(t *testing.T) {
				collExpect(t, m, tc.op, collWith(t, tc.base, tc.wrongType), collInvalid, "")
			})
			if tc.unsupported != "" {
				t.Run("unsupported", func(t *testing.T) {
					collExpect(t, m, tc.op, collWith(t, tc.base, tc.unsupported), collUnsupported, "")
				})
			}
		})
	}
	// Nested arguments are named inside the argument that holds them.
	for _, tc := range []struct{ op, args, want string }{
		{"createSearchIndex", `{"model": {"definition": {}, "options": {}}}`, `argument model: unsupported argument "options"`},
		{"createSearchIndex", `{"model": {"name": "x"}}`, `argument model: argument definition: is required`},
		{"createSearchIndexes", `{"models": [{"definition": {}}, {"definition": {}, "x": 1}]}`, `argument models: [1]: unsupported argument "x"`},
		{"listSearchIndexes", `{"aggregationOptions": {"batchSiz": 1}}`, `argument aggregationOptions: unsupported argument "batchSiz"`},
	} {
		if _, err := collExec(t, m, tc.op, collExtJSON(t, tc.args)); err == nil || err.Error() != tc.want {
			t.Errorf("%s %s: %v, want %s", tc.op, tc.args, err, tc.want)
		}
	}
	collExpect(t, m, "mapReduce", collExtJSON(t, `{"map": "function() {}", "reduce": "function() {}", "out": {"replace": "c"}}`), collUnsupported, "")
	collExpect(t, m, "mapReduce", collExtJSON(t, `{"map": "function() {}", "reduce": "function() {}", "out": {"inline": 1, "db": "x"}}`), collUnsupported, "")
	collExpect(t, m, "mapReduce", collExtJSON(t, `{"map": "function() {}", "reduce": "function() {}", "out": 1}`), collInvalid, "out")
}

func TestSearchIndexModel(t *testing.T) {
	model, err := searchIndexModel(collExtJSON(t, `{"definition": {"fields": []}, "name": "v", "type": "vectorSearch"}`))
	if err != nil {
		t.Fatal(err)
	}
	o := &options.SearchIndexesOptions{}
	for _, set := range model.Options.List() {
		_ = set(o)
	}
	if d, ok := model.Definition.(bson.Raw); !ok || d.String() != `{"fields": []}` || o.Name == nil || *o.Name != "v" || o.Type == nil || *o.Type != "vectorSearch" {
		t.Errorf("model: %+v, options %+v", model, o)
	}
	// Without name and type the driver sends neither.
	model, err = searchIndexModel(collExtJSON(t, `{"definition": {}}`))
	if err != nil {
		t.Fatal(err)
	}
	o = &options.SearchIndexesOptions{}
	for _, set := range model.Options.List() {
		_ = set(o)
	}
	if o.Name != nil || o.Type != nil {
		t.Errorf("options set without arguments: %+v", o)
	}
}

func TestSearchAggregateOptions(t *testing.T) {
	o, err := searchAggregateOptions(collExtJSON(t, `{"batchSize": 10, "allowDiskUse": true, "comment": "c", "let": {"a": 1}, "maxAwaitTimeMS": 5}`))
	if err != nil {
		t.Fatal(err)
	}
	if o.BatchSize == nil || *o.BatchSize != 10 || o.AllowDiskUse == nil || !*o.AllowDiskUse || o.Comment == nil || o.Let == nil ||
		o.MaxAwaitTime == nil || *o.MaxAwaitTime != 5*time.Millisecond {
		t.Errorf("aggregate options: %+v", o)
	}
}

func TestCollectionMapReduceCommand(t *testing.T) {
	m := collTestMap(t)
	ctx := context.Background()
	args := collExtJSON(t, `{"out": {"inline": 1}, "reduce": {"$code": "function sum(key, values) { return 1 }"},
		"map": {"$code": "function inc() { return emit(0, this.x + 1) }"}}`)
	mr, err := collMapReduceArgs(&ctx, &Call{Entities: m, Op: &specifications.Operation{Name: "mapReduce", Arguments: args}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := bson.MarshalExtJSON(mr.command("coll"), true, false)
	want := `{"mapReduce":"coll","map":{"$code":"function inc() { return emit(0, this.x + 1) }"},"reduce":{"$code":"function sum(key, values) { return 1 }"},"out":{"inline":{"$numberInt":"1"}}}`
	if string(got) != want {
		t.Errorf("mapReduce command\n got %s\nwant %s", got, want)
	}
	// The session argument binds the test's session to the command's context.
	env := newDCEnv(t)
	ctx = context.Background()
	args = collExtJSON(t, `{"map": "m", "reduce": "r", "out": {"inline": true}, "session": "session0"}`)
	if _, err := collMapReduceArgs(&ctx, &Call{Entities: env.m, Op: &specifications.Operation{Name: "mapReduce", Arguments: args}}); err != nil {
		t.Fatal(err)
	}
	s, _ := entities.Lookup[*entities.Session](env.m, "session0")
	if got := mongo.SessionFromContext(ctx); got != s.Session {
		t.Error("the session is not bound to the context")
	}
}
