package operations

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// fakeStream is a change stream entity over a scripted iterator: no server can open a
// change stream in these tests, and the cursor operations must reach the iterator of
// a change stream just as they reach a cursor's.
type fakeStream struct{ it *fakeIterator }

func (*fakeStream) Kind() entities.Kind           { return entities.KindChangeStream }
func (s *fakeStream) Iterator() entities.Iterator { return s.it }

type fakeIterator struct {
	docs    []bson.Raw // what Next and TryNext give, in order
	err     error      // the error once docs are consumed (nil: exhausted)
	current bson.Raw
	tries   int // TryNext calls
	closed  bool
}

func (f *fakeIterator) Next(context.Context) bool {
	if len(f.docs) == 0 {
		return false
	}
	f.current, f.docs = f.docs[0], f.docs[1:]
	return true
}

func (f *fakeIterator) TryNext(ctx context.Context) bool { f.tries++; return f.Next(ctx) }
func (f *fakeIterator) Err() error {
	if len(f.docs) == 0 {
		return f.err
	}
	return nil
}
func (f *fakeIterator) Close(context.Context) error {
	f.closed = true
	return errors.New("killCursors failed")
}
func (f *fakeIterator) Document() bson.Raw { return f.current }

func streamExec(t *testing.T, it *fakeIterator, name string, args bson.D) (Returned, error) {
	t.Helper()
	m := entities.NewMap()
	if err := m.Add("stream0", &fakeStream{it}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return Execute(ctx, &Call{Entities: m, Op: &specifications.Operation{Name: name, Object: "stream0", Arguments: dcArgs(t, args)}})
}

func TestChangeStreamIteration(t *testing.T) {
	event := collExtJSON(t, `{"_id": {"_data": "x"}, "operationType": "insert", "fullDocument": {"_id": 1}}`)

	it := &fakeIterator{docs: []bson.Raw{event}}
	res, err := streamExec(t, it, "iterateUntilDocumentOrError", nil)
	if err != nil || res.Err != nil || res.At != matchers.Root {
		t.Fatalf("iterateUntilDocumentOrError: %v %+v", err, res)
	}
	dcSame(t, res.Value, `{"_id": {"_data": "x"}, "operationType": "insert", "fullDocument": {"_id": {"$numberInt": "1"}}}`)

	boom := errors.New("ChangeStreamHistoryLost")
	res, err = streamExec(t, &fakeIterator{err: boom}, "iterateUntilDocumentOrError", nil)
	if err != nil || !errors.Is(res.Err, boom) {
		t.Errorf("the stream's error must be the operation's: %v %+v", err, res)
	}
	res, err = streamExec(t, &fakeIterator{}, "iterateUntilDocumentOrError", nil)
	if err != nil || !errors.Is(res.Err, ErrCursorExhausted) {
		t.Errorf("a closed stream with no error: %v %+v", err, res)
	}

	it = &fakeIterator{docs: []bson.Raw{event}}
	res, err = streamExec(t, it, "iterateOnce", nil)
	if err != nil || res.Err != nil || res.At != matchers.Root || it.tries != 1 {
		t.Fatalf("iterateOnce: %v %+v (tries %d)", err, res, it.tries)
	}
	res, err = streamExec(t, it, "iterateOnce", nil)
	if err != nil || res.Err != nil || res.Value.Type != 0 || it.tries != 2 {
		t.Errorf("iterateOnce with nothing: %v %+v (tries %d)", err, res, it.tries)
	}
	res, err = streamExec(t, &fakeIterator{err: boom}, "iterateOnce", nil)
	if err != nil || !errors.Is(res.Err, boom) {
		t.Errorf("iterateOnce error: %v %+v", err, res)
	}

	it = &fakeIterator{}
	res, err = streamExec(t, it, "close", nil)
	if err != nil || res.Err != nil || !it.closed {
		t.Errorf("close must close and suppress the error: %v %+v closed=%v", err, res, it.closed)
	}
	if _, err := streamExec(t, it, "iterateOnce", bson.D{{Key: "batchSize", Value: 1}}); !errors.As(err, new(*UnknownArgument)) {
		t.Errorf("iterateOnce takes no argument: %v", err)
	}
}

// The same operations are registered for cursors and change streams.
func TestStreamOperationsRegistered(t *testing.T) {
	for kind, names := range map[entities.Kind][]string{
		entities.KindChangeStream: {"iterateUntilDocumentOrError", "iterateOnce", "close"},
		entities.KindClient:       {"createChangeStream"},
		entities.KindDatabase:     {"createChangeStream"},
		entities.KindCollection: {"createChangeStream", "createSearchIndex", "createSearchIndexes", "dropSearchIndex",
			"listSearchIndexes", "updateSearchIndex", "mapReduce"},
		entities.KindBucket: {"upload", "uploadWithId", "download", "downloadByName", "delete", "deleteByName",
			"rename", "renameByName", "drop", "find"},
	} {
		for _, name := range names {
			if !Supported(kind, name) {
				t.Errorf("%s.%s not registered", kind, name)
			}
		}
	}
	for _, name := range []string{"watch", "openDownloadStream", "uploadFromStream"} {
		if Supported(entities.KindBucket, name) || Supported(entities.KindCollection, name) {
			t.Errorf("%s: the spec says test files should not use it; it is not run", name)
		}
	}
}

func TestChangeStreamArguments(t *testing.T) {
	args := collExtJSON(t, `{"pipeline": [{"$match": {"x": 1}}], "batchSize": 2, "collation": {"locale": "en"},
		"comment": {"c": 1}, "fullDocument": "whenAvailable", "fullDocumentBeforeChange": "required",
		"maxAwaitTimeMS": 250, "resumeAfter": {"_data": "r"}, "showExpandedEvents": true,
		"startAfter": {"_data": "s"}, "startAtOperationTime": {"$timestamp": {"t": 7, "i": 3}}}`)
	ctx := context.Background()
	stages, b, err := changeStreamArgs(&ctx, &Call{Entities: entities.NewMap(), Op: &specifications.Operation{Name: "createChangeStream", Arguments: args}})
	if err != nil {
		t.Fatal(err)
	}
	if st, ok := stages.([]bson.Raw); !ok || len(st) != 1 {
		t.Errorf("pipeline: %#v", stages)
	}
	o := &options.ChangeStreamOptions{}
	for _, set := range b.List() {
		if err := set(o); err != nil {
			t.Fatal(err)
		}
	}
	switch {
	case o.BatchSize == nil || *o.BatchSize != 2:
		t.Errorf("batchSize: %v", o.BatchSize)
	case o.Collation == nil || o.Collation.Locale != "en":
		t.Errorf("collation: %v", o.Collation)
	case o.Comment == nil:
		t.Error("comment not set")
	case o.FullDocument == nil || *o.FullDocument != options.WhenAvailable:
		t.Errorf("fullDocument: %v", o.FullDocument)
	case o.FullDocumentBeforeChange == nil || *o.FullDocumentBeforeChange != options.Required:
		t.Errorf("fullDocumentBeforeChange: %v", o.FullDocumentBeforeChange)
	case o.MaxAwaitTime == nil || *o.MaxAwaitTime != 250*time.Millisecond:
		t.Errorf("maxAwaitTimeMS: %v", o.MaxAwaitTime)
	case o.ResumeAfter == nil || o.StartAfter == nil:
		t.Errorf("resumeAfter %v, startAfter %v", o.ResumeAfter, o.StartAfter)
	case o.ShowExpandedEvents == nil || !*o.ShowExpandedEvents:
		t.Errorf("showExpandedEvents: %v", o.ShowExpandedEvents)
	case o.StartAtOperationTime == nil || *o.StartAtOperationTime != (bson.Timestamp{T: 7, I: 3}):
		t.Errorf("startAtOperationTime: %v", o.StartAtOperationTime)
	}
}

func TestChangeStreamArgumentErrors(t *testing.T) {
	pipe := bson.E{Key: "pipeline", Value: bson.A{}}
	for _, object := range []string{"client0", "db0", "collection0"} {
		for _, tc := range []struct {
			name string
			args bson.D
			want dcWant
			arg  string
		}{
			{"no pipeline", bson.D{{Key: "batchSize", Value: 1}}, wantInvalid, "pipeline"},
			{"pipeline not stages", bson.D{{Key: "pipeline", Value: bson.A{1}}}, wantInvalid, "pipeline"},
			{"unknown", bson.D{pipe, {Key: "fullDocuments", Value: "x"}}, wantUnknown, "fullDocuments"},
			{"fullDocument type", bson.D{pipe, {Key: "fullDocument", Value: true}}, wantInvalid, "fullDocument"},
			{"startAtOperationTime type", bson.D{pipe, {Key: "startAtOperationTime", Value: 5}}, wantInvalid, "startAtOperationTime"},
			{"resumeAfter type", bson.D{pipe, {Key: "resumeAfter", Value: "token"}}, wantInvalid, "resumeAfter"},
			{"session undefined", bson.D{pipe, {Key: "session", Value: "nobody"}}, wantInvalid, "session"},
			{"timeoutMS", bson.D{pipe, {Key: "timeoutMS", Value: 10}}, wantUnsupported, ""},
		} {
			t.Run(object+" "+tc.name, func(t *testing.T) {
				env := newDCEnv(t)
				coll := &entities.Collection{Client: env.client, Collection: env.client.Client.Database("db").Collection("c")}
				if err := env.m.Add("collection0", coll); err != nil {
					t.Fatal(err)
				}
				_, err := env.exec(t, object, "createChangeStream", tc.args)
				var (
					unknown *UnknownArgument
					invalid *InvalidArgument
					unsup   *result.Verdict
				)
				switch {
				case tc.want == wantUnknown && errors.As(err, &unknown) && unknown.Name == tc.arg:
				case tc.want == wantInvalid && errors.As(err, &invalid) && invalid.Name == tc.arg:
				case tc.want == wantUnsupported && (errors.As(err, &unsup) && unsup.Status == result.Unsupported) && unsup.Reason != "":
				default:
					t.Errorf("got %T %v", err, err)
				}
			})
		}
	}
}
