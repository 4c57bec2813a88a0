package interpreter_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/internal/testcorpus"
	"github.com/specrun/specrun/interpreter"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// A legacy test of the shared corpus that passes on the embedded server must fail once
// one expected value is changed: the legacy rules are no looser than the READMEs say.
// Each case runs the test as it is (it must pass) and then with the change.
func TestLegacyMutations(t *testing.T) {
	maxInt64 := strconv.FormatInt(math.MaxInt64, 10) // never a cursor id the server hands out
	cases := []mutation{
		// CRUD v1
		{"count off by one", "crud/tests/v1/read/count.json", "Deprecated count with skip and limit",
			"outcome.result", int32(3), "operation (count): outcome.result: expected int32 3, got int32 2"},
		{"extra field in a found document", "crud/tests/v1/read/find.json", "Find with filter",
			"outcome.result.0.y", int32(1), "operation (find): outcome.result: 0.y: expected int32 1, got missing"},
		{"partial result of a failed bulk write", "crud/tests/v1/write/insertMany.json", "InsertMany continue-on-error behavior with unordered (preexisting duplicate key)",
			"outcome.result.insertedCount", int32(3), "operation (insertMany): outcome.result: insertedCount: expected int32 3, got int64 2"},
		{"upsertedCount off by one", "crud/tests/v1/write/updateOne.json", "UpdateOne when one document matches",
			"outcome.result.upsertedCount", int32(1), "operation (updateOne): outcome.result: upsertedCount: expected int32 1, got int64 0"},
		{"collection afterwards", "crud/tests/v1/write/updateOne.json", "UpdateOne when one document matches",
			"outcome.collection.data.0.x", int32(13), "outcome.collection crud-v1.test: 0.x: expected int32 13, got int32 12"},
		{"extra field in the collection afterwards", "crud/tests/v1/write/updateOne.json", "UpdateOne when one document matches",
			"outcome.collection.data.1.y", int32(1), "outcome.collection crud-v1.test: 1.y: expected int32 1, got missing"},

		// Command monitoring
		{"cursor id that disagrees with the other 42", "command-monitoring/tests/legacy/find.json", "A successful find event with a getmore",
			"expectations.2.command_started_event.command.getMore", int64(math.MaxInt64),
			"expectations: event 2: command: getMore: expected int64 " + maxInt64 + ", got int64 …"},
		{"42 for an exhausted cursor", "command-monitoring/tests/legacy/find.json", "A successful find event with a getmore",
			"expectations.3.command_succeeded_event.reply.cursor.id", int64(42),
			"expectations: event 3: reply: cursor.id: expected int64 42, got int64 0: placeholder 42 stands for a cursor id greater than zero"},
		{"extra field in an inserted document", "command-monitoring/tests/legacy/insertOne.json", "A successful insert one",
			"expectations.0.command_started_event.command.documents.0.y", int32(1),
			"expectations: event 0: command: documents.0.y: expected int32 1, got missing"},
		{"n off by one", "command-monitoring/tests/legacy/insertOne.json", "A successful insert one",
			"expectations.1.command_succeeded_event.reply.n", int32(2), "expectations: event 1: reply: n: expected int32 2, got int32 1"},
		{"fields below the top level must all be expected", "command-monitoring/tests/legacy/find.json", "A successful find event with no options",
			"expectations.1.command_succeeded_event.reply.cursor.ns", remove{}, `expectations: event 1: reply: cursor.ns: expected missing, got string "command-monitoring-tests.test": unexpected key in a nested document`},
	}
	root := filepath.Join(testcorpus.Shared(t), "source")
	checkMutations(t, root, cases)
}

// A top-level field the test does not expect is allowed: removing one from the expected
// reply leaves a passing test passing.
func TestLegacyTopLevelExtraFields(t *testing.T) {
	root := filepath.Join(testcorpus.Shared(t), "source")
	r := newRunner(t, interpreter.Config{})
	res := runLegacy(t, r, filepath.Join(root, "command-monitoring/tests/legacy/insertOne.json"), "A successful insert one", func(test bson.D) bson.D {
		return set(t, test, strings.Split("expectations.1.command_succeeded_event.reply.n", "."), remove{}).(bson.D)
	})
	if res.Status != result.Pass {
		t.Errorf("%s %s\n%s", res.Status, res.Reason, res.Detail)
	}
}

// remove, as a value of set, deletes the key.
type remove struct{}

// runLegacy copies a fixture, changing the named test with edit (if not nil), and runs
// that test.
// mutation is one change to a legacy corpus test that passes on the embedded server.
type mutation struct {
	name   string
	file   string // under the corpus root given to checkMutations
	test   string // description
	path   string // dotted path inside the test; a missing last key is added
	value  any    // the new value; remove deletes the key
	reason string // the whole reason; "…" stands for any text (see reasonIs)
}

// checkMutations runs each case's test as it is (it must pass) and then with the
// change (it must fail with the reason).
func checkMutations(t *testing.T, root string, cases []mutation) {
	t.Helper()
	r := newRunner(t, interpreter.Config{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			original := filepath.Join(root, c.file)
			res := runLegacy(t, r, original, c.test, nil)
			if res.Status != result.Pass {
				t.Fatalf("unchanged, %s: %s %s\n%s", c.test, res.Status, res.Reason, res.Detail)
			}
			res = runLegacy(t, r, original, c.test, func(test bson.D) bson.D {
				return set(t, test, strings.Split(c.path, "."), c.value).(bson.D)
			})
			if res.Status != result.Fail || !reasonIs(res.Reason, c.reason) {
				t.Errorf("changed, %s: %s %q\nwant fail %q\n%s", c.test, res.Status, res.Reason, c.reason, res.Detail)
			}
		})
	}
}

func runLegacy(t *testing.T, r *interpreter.Runner, path, description string, edit func(bson.D) bson.D) result.Test {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := specifications.ReadDocument(path, data)
	if err != nil {
		t.Fatal(err)
	}
	var doc bson.D
	if err := bson.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	index := -1
	for i, e := range doc {
		if e.Key != "tests" {
			continue
		}
		tests := e.Value.(bson.A)
		for j, test := range tests {
			if descriptionOf(test.(bson.D)) == description {
				index = j
				if edit != nil {
					tests[j] = edit(test.(bson.D))
				}
			}
		}
		doc[i].Value = tests
	}
	if index < 0 {
		t.Fatalf("%s has no test %q", path, description)
	}
	out, err := bson.MarshalExtJSON(doc, true, false)
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(copyPath, out, 0o644); err != nil {
		t.Fatal(err)
	}
	sources, err := specifications.Discover([]string{copyPath})
	if err != nil {
		t.Fatal(err)
	}
	lr := specifications.Load(sources[0], false)
	if lr.Kind != specifications.Loaded {
		t.Fatalf("%s: %v", copyPath, lr.Err)
	}
	return r.RunTest(context.Background(), lr.File, index)
}

func descriptionOf(test bson.D) string {
	for _, e := range test {
		if e.Key == "description" {
			s, _ := e.Value.(string)
			return s
		}
	}
	return ""
}

// set replaces the value at keys inside v (documents by key, arrays by index), adding the
// last key to a document that lacks it, or removing it if value is remove{}.
func set(t *testing.T, v any, keys []string, value any) any {
	t.Helper()
	if len(keys) == 0 {
		return value
	}
	switch x := v.(type) {
	case bson.D:
		for i, e := range x {
			if e.Key != keys[0] {
				continue
			}
			if _, del := value.(remove); del && len(keys) == 1 {
				return append(x[:i:i], x[i+1:]...)
			}
			x[i].Value = set(t, e.Value, keys[1:], value)
			return x
		}
		if len(keys) > 1 {
			t.Fatalf("no key %s", keys[0])
		}
		return append(x, bson.E{Key: keys[0], Value: value})
	case bson.A:
		i, err := strconv.Atoi(keys[0])
		if err != nil || i >= len(x) {
			t.Fatalf("no index %s", keys[0])
		}
		x[i] = set(t, x[i], keys[1:], value)
		return x
	}
	t.Fatalf("cannot descend into %T at %s", v, keys[0])
	return nil
}
