package interpreter

import (
	"context"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// TestNested: nested operations hand back the first error an operation raised, whatever
// its expectations, and stop there with stopAtError (a withTransaction callback); a
// verdict ends them either way. The session operations raise client errors without a
// server.
func TestNested(t *testing.T) {
	ctx := context.Background()
	decode := func(t *testing.T, field string, list bson.A) bson.RawValue {
		t.Helper()
		raw, err := bson.Marshal(bson.D{{Key: field, Value: list}})
		if err != nil {
			t.Fatal(err)
		}
		return bson.Raw(raw).Lookup(field)
	}
	clientError := bson.D{{Key: "isClientError", Value: true}}
	op := func(name string, extra ...bson.E) bson.D {
		return append(bson.D{{Key: "name", Value: name}, {Key: "object", Value: "session0"}}, extra...)
	}
	const (
		noTransaction = "no transaction started"
		inProgress    = "transaction already in progress"
	)
	raising := bson.A{
		op("abortTransaction", bson.E{Key: "expectError", Value: clientError}), // raises noTransaction
		op("startTransaction"),
		op("startTransaction", bson.E{Key: "ignoreResultAndError", Value: true}), // raises inProgress
		op("abortTransaction"),
	}
	for _, tc := range []struct {
		name        string
		ops         bson.A
		stopAtError bool
		raised      string // "" for none
		verdict     string // how the verdict's reason starts, "" for none
		state       string // session0's transaction state after them
	}{
		{"a callback stops at the first error raised", raising, true, noTransaction, "", "none"},
		{"others run on, and raise the first error", raising, false, noTransaction, "", "aborted"},
		{"an ignored error is raised too", bson.A{op("startTransaction"), op("startTransaction", bson.E{Key: "ignoreResultAndError", Value: true}), op("abortTransaction")},
			true, inProgress, "", "starting"},
		{"no error raised", bson.A{op("startTransaction"), op("abortTransaction")}, true, "", "", "aborted"},
		{"a verdict ends them", append(bson.A{op("commitTransaction")}, raising...), false, "", "operation 0 (commitTransaction): unexpected error: " + noTransaction, "none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := &testRun{entities: entities.NewMap(), t: &specifications.Test{}}
			list, err := specifications.DecodeEntities("entities", decode(t, "entities", bson.A{
				bson.D{{Key: "client", Value: bson.D{{Key: "id", Value: "client0"}}}},
				bson.D{{Key: "session", Value: bson.D{{Key: "id", Value: "session0"}, {Key: "client", Value: "client0"}}}},
			}))
			if err != nil {
				t.Fatal(err)
			}
			for i := range list {
				// Nothing listens on port 1: clients connect lazily, sessions need no server.
				if err := tr.entities.Create(ctx, &list[i], entities.ClientConfig{URI: "mongodb://127.0.0.1:1"}); err != nil {
					t.Fatal(err)
				}
			}
			defer tr.entities.Close(ctx)
			ops, err := specifications.DecodeOperations("operations", decode(t, "operations", tc.ops))
			if err != nil {
				t.Fatal(err)
			}

			raised, verdict := nestedIn{tr, &specifications.Operation{}}.Nested(ctx, ops, tc.stopAtError)

			if got := errString(raised); got != tc.raised {
				t.Errorf("raised %q, want %q", got, tc.raised)
			}
			switch v, ok := verdict.(*result.Verdict); {
			case tc.verdict == "" && verdict != nil:
				t.Errorf("verdict %v", verdict)
			case tc.verdict != "" && (!ok || v.Status != result.Fail || !strings.HasPrefix(v.Reason, tc.verdict)):
				t.Errorf("verdict %v, want a failure %q", verdict, tc.verdict)
			}
			assert, err := specifications.DecodeOperations("assert", decode(t, "assert", bson.A{bson.D{
				{Key: "name", Value: "assertSessionTransactionState"}, {Key: "object", Value: "testRunner"},
				{Key: "arguments", Value: bson.D{{Key: "session", Value: "session0"}, {Key: "state", Value: tc.state}}},
			}}))
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := tr.operation(ctx, &assert[0]); v != nil {
				t.Errorf("which operations ran: %s", v.Reason)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
