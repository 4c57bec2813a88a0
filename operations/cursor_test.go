package operations

import (
	"errors"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
	"github.com/specrun/specrun/result"
)

// addDCCursor saves a cursor over docs (no server behind it) as "cursor0".
func addDCCursor(t *testing.T, env *dcEnv, docs ...bson.D) *entities.Cursor {
	t.Helper()
	in := make([]any, len(docs))
	for i, d := range docs {
		in[i] = d
	}
	cur, err := mongo.NewCursorFromDocuments(in, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &entities.Cursor{Client: env.client, Cursor: cur}
	if err := env.m.Add("cursor0", c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCursorIterateUntilDocumentOrError(t *testing.T) {
	env := newDCEnv(t)
	addDCCursor(t, env, bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "_id", Value: 2}})
	for _, want := range []string{`{"_id": {"$numberInt": "1"}}`, `{"_id": {"$numberInt": "2"}}`} {
		res, err := env.exec(t, "cursor0", "iterateUntilDocumentOrError", nil)
		if err != nil || res.Err != nil {
			t.Fatal(err, res.Err)
		}
		if res.At != matchers.Root {
			t.Fatalf("result at %v, want Root", res.At)
		}
		dcSame(t, res.Value, want)
	}
	res, err := env.exec(t, "cursor0", "iterateUntilDocumentOrError", nil)
	if err != nil || !errors.Is(res.Err, ErrCursorExhausted) {
		t.Fatalf("past the end: %v, %+v", err, res)
	}
}

func TestCursorIterateOnce(t *testing.T) {
	env := newDCEnv(t)
	addDCCursor(t, env, bson.D{{Key: "x", Value: "a"}})
	res, err := env.exec(t, "cursor0", "iterateOnce", nil)
	if err != nil || res.Err != nil || res.At != matchers.Root {
		t.Fatalf("first: %v %+v", err, res)
	}
	dcSame(t, res.Value, `{"x": "a"}`)
	res, err = env.exec(t, "cursor0", "iterateOnce", nil)
	if err != nil || res.Err != nil || res.Value.Type != 0 {
		t.Fatalf("past the end, iterateOnce must give no result and no error: %v %+v", err, res)
	}
}

func TestCursorClose(t *testing.T) {
	env := newDCEnv(t)
	cur := addDCCursor(t, env, bson.D{{Key: "x", Value: 1}}, bson.D{{Key: "x", Value: 2}})
	res, err := env.exec(t, "cursor0", "close", nil)
	if err != nil || res.Err != nil || res.Value.Type != 0 {
		t.Fatalf("close: %v %+v", err, res)
	}
	if cur.Cursor.ID() != 0 {
		t.Error("cursor still open")
	}
}

func TestCursorArguments(t *testing.T) {
	for _, tc := range []struct {
		op   string
		args bson.D
		want dcWant
	}{
		{"iterateUntilDocumentOrError", bson.D{{Key: "batchSize", Value: 1}}, wantUnknown},
		{"iterateOnce", bson.D{{Key: "x", Value: 1}}, wantUnknown},
		{"close", bson.D{{Key: "x", Value: 1}}, wantUnknown},
	} {
		env := newDCEnv(t)
		addDCCursor(t, env)
		_, err := env.exec(t, "cursor0", tc.op, tc.args)
		var (
			unknown *UnknownArgument
			unsup   *result.Verdict
		)
		if ok := (tc.want == wantUnknown && errors.As(err, &unknown)) || (tc.want == wantUnsupported && (errors.As(err, &unsup) && unsup.Status == result.Unsupported)); !ok {
			t.Errorf("%s %v: got %T %v", tc.op, tc.args, err, err)
		}
	}
}
