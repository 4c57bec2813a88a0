package entities

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// The entities that stream data: GridFS buckets, and change streams, which the cursor
// operations iterate as they iterate find and command cursors.

const (
	KindBucket       Kind = "bucket"
	KindChangeStream Kind = "changeStream"
)

// Iterator is what the cursor operations (iterateUntilDocumentOrError, iterateOnce,
// close) need of a find or command cursor and of a change stream: the driver's
// mongo.Cursor and mongo.ChangeStream share these methods but keep the current
// document in a field, which Document returns.
type Iterator interface {
	Next(ctx context.Context) bool
	TryNext(ctx context.Context) bool
	Err() error
	Close(ctx context.Context) error
	Document() bson.Raw
}

// Iterable is an entity the cursor operations run on.
type Iterable interface {
	Entity
	Iterator() Iterator
}

type cursorIterator struct{ *mongo.Cursor }

func (c cursorIterator) Document() bson.Raw { return c.Cursor.Current }

type changeStreamIterator struct{ *mongo.ChangeStream }

func (s changeStreamIterator) Document() bson.Raw { return s.ChangeStream.Current }

// Iterator iterates the find or command cursor.
func (c *Cursor) Iterator() Iterator { return cursorIterator{c.Cursor} }

// ChangeStream is a change stream saved by createChangeStream.
type ChangeStream struct {
	Client *Client
	Stream *mongo.ChangeStream
}

func (*ChangeStream) Kind() Kind { return KindChangeStream }

// Iterator iterates the change stream: each document is a change event.
func (s *ChangeStream) Iterator() Iterator { return changeStreamIterator{s.Stream} }

func (s *ChangeStream) close(ctx context.Context) { _ = s.Stream.Close(ctx) }

// Bucket is a GridFS bucket entity.
type Bucket struct {
	Client *Client
	Bucket *mongo.GridFSBucket
}

func (*Bucket) Kind() Kind { return KindBucket }

func (m *Map) newBucket(spec *specifications.BucketEntity) (*Bucket, error) {
	db, err := Lookup[*Database](m, spec.Database)
	if err != nil {
		return nil, err
	}
	opts, err := BucketOptions(spec.BucketOptions)
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", spec.ID, err)
	}
	return &Bucket{Client: db.Client, Bucket: db.Database.GridFSBucket(opts)}, nil
}

// BucketOptions reads a bucket entity's bucketOptions (GridFS spec,
// GridFSBucketOptions). What the bucket does not set, it takes from its database, as
// the driver does.
func BucketOptions(doc bson.Raw) (*options.BucketOptionsBuilder, error) {
	opts := options.GridFSBucket()
	err := eachField(doc, "bucketOptions", func(key string, v bson.RawValue) error {
		switch key {
		case "bucketName":
			s, ok := v.StringValueOK()
			if !ok {
				return errType("a string")
			}
			opts.SetName(s)
		case "chunkSizeBytes":
			n, ok := v.AsInt64OK()
			if !ok || n <= 0 || n != int64(int32(n)) {
				return errType("a positive 32-bit integer")
			}
			opts.SetChunkSizeBytes(int32(n))
		case "disableMD5":
			// The Go driver v2 computes no MD5 at all; the GridFS spec makes the option a
			// no-op once a driver has removed MD5 support.
			if _, ok := v.BooleanOK(); !ok {
				return errType("a boolean")
			}
		case "readConcern", "writeConcern", "readPreference":
			d, ok := v.DocumentOK()
			if !ok {
				return errType("a document")
			}
			return bucketConcern(opts, key, d)
		case "timeoutMS":
			return result.Unsupportedf("timeoutMS on a bucket: the Go driver v2 sets timeouts per client only")
		default:
			return errUnknown
		}
		return nil
	})
	return opts, err
}

func bucketConcern(opts *options.BucketOptionsBuilder, key string, d bson.Raw) error {
	switch key {
	case "readConcern":
		rc, err := ReadConcern(d)
		if err != nil {
			return err
		}
		opts.SetReadConcern(rc)
	case "writeConcern":
		wc, err := WriteConcern(d)
		if err != nil {
			return err
		}
		opts.SetWriteConcern(wc)
	default:
		rp, err := ReadPreference(d)
		if err != nil {
			return err
		}
		opts.SetReadPreference(rp)
	}
	return nil
}
