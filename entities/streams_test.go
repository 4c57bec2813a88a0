package entities

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// Cursors and change streams both iterate through Iterator; Document is the driver's
// Current of each.
func TestIterators(t *testing.T) {
	ctx := context.Background()
	cur, err := mongo.NewCursorFromDocuments([]any{bson.D{{Key: "_id", Value: 1}}, bson.D{{Key: "_id", Value: 2}}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var c Iterable = &Cursor{Cursor: cur}
	it := c.Iterator()
	for _, want := range []int32{1, 2} {
		if !it.Next(ctx) {
			t.Fatalf("no document %d: %v", want, it.Err())
		}
		if got := it.Document().Lookup("_id").Int32(); got != want {
			t.Errorf("document %d: _id %d", want, got)
		}
	}
	if it.TryNext(ctx) || it.Err() != nil {
		t.Error("past the end")
	}
	if err := it.Close(ctx); err != nil {
		t.Error(err)
	}

	// A change stream the driver has closed (no cursor) iterates to nothing, with no
	// error; Document is its Current.
	event, err := bson.Marshal(bson.D{{Key: "operationType", Value: "insert"}})
	if err != nil {
		t.Fatal(err)
	}
	cs := &mongo.ChangeStream{Current: event}
	var s Iterable = &ChangeStream{Stream: cs}
	if s.Kind() != KindChangeStream || s.Kind() == KindCursor {
		t.Errorf("kind %s", s.Kind())
	}
	sit := s.Iterator()
	if string(sit.Document()) != string(event) {
		t.Error("Document is not the stream's Current")
	}
	if err := sit.Close(ctx); err != nil || sit.Err() != nil {
		t.Errorf("close: %v, %v", err, sit.Err())
	}
}

func bucketOptionsDoc(t *testing.T, s string) bson.Raw {
	t.Helper()
	var d bson.Raw
	if err := bson.UnmarshalExtJSON([]byte(s), false, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestBucketOptions(t *testing.T) {
	b, err := BucketOptions(bucketOptionsDoc(t, `{"bucketName": "images", "chunkSizeBytes": 1024, "disableMD5": true,
		"writeConcern": {"w": "majority"}, "readConcern": {"level": "local"}, "readPreference": {"mode": "secondaryPreferred"}}`))
	if err != nil {
		t.Fatal(err)
	}
	o := &options.BucketOptions{}
	for _, set := range b.List() {
		if err := set(o); err != nil {
			t.Fatal(err)
		}
	}
	switch {
	case o.Name == nil || *o.Name != "images":
		t.Errorf("bucketName: %v", o.Name)
	case o.ChunkSizeBytes == nil || *o.ChunkSizeBytes != 1024:
		t.Errorf("chunkSizeBytes: %v", o.ChunkSizeBytes)
	case o.WriteConcern == nil || o.WriteConcern.W != "majority":
		t.Errorf("writeConcern: %v", o.WriteConcern)
	case o.ReadConcern == nil || o.ReadConcern.Level != "local":
		t.Errorf("readConcern: %v", o.ReadConcern)
	case o.ReadPreference == nil || o.ReadPreference.Mode() != readpref.SecondaryPreferredMode:
		t.Errorf("readPreference: %v", o.ReadPreference)
	}

	// No options: the GridFS defaults, the rest inherited from the database.
	b, err = BucketOptions(nil)
	if err != nil {
		t.Fatal(err)
	}
	o = &options.BucketOptions{}
	for _, set := range b.List() {
		_ = set(o)
	}
	if *o.Name != "fs" || *o.ChunkSizeBytes != 255*1024 || o.WriteConcern != nil || o.ReadConcern != nil || o.ReadPreference != nil {
		t.Errorf("defaults: %+v", o)
	}
}

func TestBucketOptionsErrors(t *testing.T) {
	for _, tc := range []struct {
		doc         string
		unsupported bool
		contains    string
	}{
		{`{"bucketName": 1}`, false, "bucketOptions.bucketName: must be a string"},
		{`{"chunkSizeBytes": 0}`, false, "bucketOptions.chunkSizeBytes"},
		{`{"chunkSizeBytes": 5000000000}`, false, "bucketOptions.chunkSizeBytes"},
		{`{"chunkSizeBytes": "big"}`, false, "bucketOptions.chunkSizeBytes"},
		{`{"disableMD5": 1}`, false, "bucketOptions.disableMD5"},
		{`{"readConcern": "local"}`, false, "bucketOptions.readConcern: must be a document"},
		{`{"readPreference": {"mode": "nearest", "colour": 1}}`, false, "bucketOptions.readPreference"},
		{`{"writeConcern": {"w": true}}`, false, "bucketOptions.writeConcern"},
		{`{"bucketname": "x"}`, false, "bucketOptions.bucketname: unknown option"},
		{`{"timeoutMS": 10}`, true, "timeoutMS on a bucket"},
	} {
		_, err := BucketOptions(bucketOptionsDoc(t, tc.doc))
		if err == nil || result.Is(err, result.Unsupported) != tc.unsupported || !strings.Contains(err.Error(), tc.contains) {
			t.Errorf("%s: %T %v", tc.doc, err, err)
		}
	}
}

// A bucket entity is created on its database, with its own collections, and needs
// the database to exist.
func TestCreateBucket(t *testing.T) {
	mc, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=100"))
	if err != nil {
		t.Fatal(err)
	}
	defer mc.Disconnect(context.Background())
	m := NewMap()
	client := &Client{ID: "client0", Client: mc}
	_ = m.Add("client0", client)
	_ = m.Add("database0", &Database{Client: client, Database: mc.Database("files")})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()

	spec := &specifications.Entity{Bucket: &specifications.BucketEntity{ID: "bucket0", Database: "database0",
		BucketOptions: bucketOptionsDoc(t, `{"bucketName": "img"}`)}}
	if err := m.Create(ctx, spec, ClientConfig{}); err != nil {
		t.Fatal(err)
	}
	b, err := Lookup[*Bucket](m, "bucket0")
	if err != nil {
		t.Fatal(err)
	}
	if b.Kind() != KindBucket || ClientOf(b) != client {
		t.Errorf("kind %s, client %v", b.Kind(), ClientOf(b))
	}
	if f := b.Bucket.GetFilesCollection(); f.Name() != "img.files" || f.Database().Name() != "files" {
		t.Errorf("files collection %s.%s", f.Database().Name(), f.Name())
	}

	for _, tc := range []struct {
		spec *specifications.BucketEntity
		want string
	}{
		{&specifications.BucketEntity{ID: "bucket1", Database: "foo"}, `entity "foo" is not defined`},
		{&specifications.BucketEntity{ID: "bucket1", Database: "client0"}, `entity "client0" is a client, not a database`},
		{&specifications.BucketEntity{ID: "bucket1", Database: "database0", BucketOptions: bucketOptionsDoc(t, `{"x": 1}`)}, "bucket bucket1: bucketOptions.x: unknown option"},
		{&specifications.BucketEntity{ID: "bucket0", Database: "database0"}, `entity "bucket0" is already defined`},
	} {
		err := m.Create(ctx, &specifications.Entity{Bucket: tc.spec}, ClientConfig{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.spec, err, tc.want)
		}
	}
}
