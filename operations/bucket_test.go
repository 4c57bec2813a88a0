package operations

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/specifications"
)

// bucketTestMap is collTestMap with a bucket entity, "bucket0", on the same
// unreachable client: every case must fail while its arguments are read.
func bucketTestMap(t *testing.T) *entities.Map {
	t.Helper()
	m := collTestMap(t)
	coll, err := entities.Lookup[*entities.Collection](m, "collection0")
	if err != nil {
		t.Fatal(err)
	}
	b := &entities.Bucket{Client: coll.Client, Bucket: coll.Collection.Database().GridFSBucket()}
	if err := m.Add("bucket0", b); err != nil {
		t.Fatal(err)
	}
	return m
}

func bucketExec(t *testing.T, m *entities.Map, name string, args bson.Raw) (Returned, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return Execute(ctx, &Call{Entities: m, Op: &specifications.Operation{Name: name, Object: "bucket0", Arguments: args}})
}

func bucketExpect(t *testing.T, m *entities.Map, op string, args bson.Raw, want collWant, name string) {
	t.Helper()
	res, err := bucketExec(t, m, op, args)
	if err == nil {
		t.Fatalf("%s %s: no argument error (result err: %v)", op, args, res.Err)
	}
	if !want.check(err) {
		t.Fatalf("%s %s: got %T (%v), want %s", op, args, err, err, want)
	}
	var (
		u *UnknownArgument
		i *InvalidArgument
	)
	switch {
	case name == "":
	case errors.As(err, &u) && u.Name != name:
		t.Errorf("%s: unknown argument named %q, want %q", op, u.Name, name)
	case errors.As(err, &i) && i.Name != name:
		t.Errorf("%s: invalid argument named %q, want %q", op, i.Name, name)
	}
}

// Every bucket operation of the corpus, with each argument it takes.
var bucketOpCases = []collOpCase{
	{"upload", `{"filename": "f", "source": {"$$hexBytes": "12ab"}, "chunkSizeBytes": 4, "metadata": {"a": 1}, "disableMD5": true}`,
		[]string{"filename", "source"}, `"chunkSizeBytes": "x"`, `"contentType": "text/plain"`},
	{"uploadWithId", `{"id": 1, "filename": "f", "source": {"$$hexBytes": ""}}`,
		[]string{"id", "filename", "source"}, `"metadata": 1`, `"aliases": ["a"]`},
	{"download", `{"id": {"$oid": "000000000000000000000001"}}`, []string{"id"}, "", ""},
	{"downloadByName", `{"filename": "f", "revision": -2}`, []string{"filename"}, `"revision": "latest"`, ""},
	{"delete", `{"id": 1}`, []string{"id"}, "", ""},
	{"deleteByName", `{"filename": "f"}`, []string{"filename"}, `"filename": 1`, ""},
	{"rename", `{"id": 1, "newFilename": "g"}`, []string{"id", "newFilename"}, `"newFilename": 1`, ""},
	{"renameByName", `{"filename": "f", "newFilename": "g"}`, []string{"filename", "newFilename"}, `"filename": {}`, ""},
	{"drop", `{}`, nil, "", ""},
	{"find", `{"filter": {}, "sort": {"uploadDate": -1}, "skip": 1, "limit": 2, "batchSize": 3, "allowDiskUse": true, "noCursorTimeout": false}`,
		[]string{"filter"}, `"limit": 5000000000`, `"maxTimeMS": 10`},
}

func TestBucketOperationArguments(t *testing.T) {
	m := bucketTestMap(t)
	for _, tc := range bucketOpCases {
		t.Run(tc.op, func(t *testing.T) {
			if !Supported(entities.KindBucket, tc.op) {
				t.Fatalf("%s is not registered", tc.op)
			}
			t.Run("unknown", func(t *testing.T) {
				bucketExpect(t, m, tc.op, collWith(t, tc.base, `"noSuchOption": 1`), collUnknown, "noSuchOption")
			})
			// Bucket operations take no session (the GridFS spec has none).
			t.Run("session", func(t *testing.T) {
				bucketExpect(t, m, tc.op, collWith(t, tc.base, `"session": "session0"`), collUnknown, "session")
			})
			for _, r := range tc.required {
				t.Run("missing "+r, func(t *testing.T) {
					bucketExpect(t, m, tc.op, collWithout(t, tc.base, r), collInvalid, r)
				})
			}
			if tc.wrongType != "" { // "": no argument with a type to get wrong (an id is any value)
				t.Run("wrong type", func(t *testing.T) {
					bucketExpect(t, m, tc.op, collWith(t, tc.base, tc.wrongType), collInvalid, "")
				})
			}
			if tc.unsupported != "" {
				t.Run("unsupported", func(t *testing.T) {
					bucketExpect(t, m, tc.op, collWith(t, tc.base, tc.unsupported), collUnsupported, "")
				})
			}
		})
	}
}

func TestBucketHexBytes(t *testing.T) {
	for _, tc := range []struct {
		source string
		want   []byte
		ok     bool
	}{
		{`{"$$hexBytes": "12ab"}`, []byte{0x12, 0xab}, true},
		{`{"$$hexBytes": "12AB"}`, []byte{0x12, 0xab}, true},
		{`{"$$hexBytes": ""}`, []byte{}, true},
		{`{"$$hexBytes": "123"}`, nil, false},
		{`{"$$hexBytes": "zz"}`, nil, false},
		{`{"$$hexBytes": 12}`, nil, false},
		{`{"$$hexBytes": "12", "more": 1}`, nil, false},
		{`{"$$matchesHexBytes": "12"}`, nil, false},
		{`{}`, nil, false},
		{`"12ab"`, nil, false},
	} {
		var got []byte
		err := hexBytes(&got)(collExtJSON(t, `{"v": `+tc.source+`}`).Lookup("v"))
		if (err == nil) != tc.ok || (tc.ok && !bytes.Equal(got, tc.want)) {
			t.Errorf("%s: got %x, %v", tc.source, got, err)
		}
		if tc.ok && got == nil {
			t.Errorf("%s: nil bytes", tc.source)
		}
	}
}

// A malformed source is the test file's fault: an invalid argument, not a failure.
func TestBucketUploadMalformedSource(t *testing.T) {
	m := bucketTestMap(t)
	bucketExpect(t, m, "upload", collExtJSON(t, `{"filename": "f", "source": {"$$hexBytes": "1"}}`), collInvalid, "source")
}

// Downloaded bytes are generic binary data, which $$matchesHexBytes reads.
func TestBucketDownloadedValue(t *testing.T) {
	v := bson.RawValue{Type: bson.TypeBinary, Value: bsonBinary([]byte{0x11, 0x22})}
	if sub, data, ok := v.BinaryOK(); !ok || sub != bson.TypeBinaryGeneric || !bytes.Equal(data, []byte{0x11, 0x22}) {
		t.Errorf("binary value: %v %x %v", sub, data, ok)
	}
	empty := bson.RawValue{Type: bson.TypeBinary, Value: bsonBinary(nil)}
	if _, data, ok := empty.BinaryOK(); !ok || len(data) != 0 {
		t.Errorf("empty binary value: %x %v", data, ok)
	}
}
