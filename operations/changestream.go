package operations

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/specrun/specrun/entities"
)

// createChangeStream on a client, database or collection (Unified Test Format,
// Change Streams spec): the driver's Watch runs the aggregate with its $changeStream
// stage at once, so the server-side cursor exists before the stream is saved, and
// nothing is iterated. The stream is saved with saveResultAsEntity; the cursor
// operations (cursor.go) iterate it.

// changeStreamArgs reads watch's pipeline and ChangeStreamOptions.
func changeStreamArgs(ctx *context.Context, c *Call) (any, *options.ChangeStreamOptionsBuilder, error) {
	var stages any
	o := options.ChangeStream()
	err := c.parse(fields{
		"pipeline":  pipeline(&stages),
		"session":   session(c.Entities, ctx),
		"batchSize": int32Arg(o.SetBatchSize),
		"collation": collation(func(co *options.Collation) any { return o.SetCollation(*co) }),
		"comment":   anyValue(o.SetComment),
		"fullDocument": str(func(s string) any {
			return o.SetFullDocument(options.FullDocument(s))
		}),
		"fullDocumentBeforeChange": str(func(s string) any {
			return o.SetFullDocumentBeforeChange(options.FullDocument(s))
		}),
		"maxAwaitTimeMS":     collMilliseconds(o.SetMaxAwaitTime),
		"resumeAfter":        document(o.SetResumeAfter),
		"showExpandedEvents": boolean(o.SetShowExpandedEvents),
		"startAfter":         document(o.SetStartAfter),
		"startAtOperationTime": arg(func(v bson.RawValue) error {
			t, i, ok := v.TimestampOK()
			if !ok {
				return typeError("a timestamp", v)
			}
			o.SetStartAtOperationTime(&bson.Timestamp{T: t, I: i})
			return nil
		}),
		"timeoutMS": unsupportedTimeoutMS,
	}, "pipeline")
	return stages, o, err
}

func clientCreateChangeStream(ctx context.Context, c *Call, cl *entities.Client) (Returned, error) {
	stages, o, err := changeStreamArgs(&ctx, c)
	if err != nil {
		return Returned{}, err
	}
	cs, err := cl.Client.Watch(ctx, stages, o)
	return savedChangeStream(cl, cs, err)
}

func databaseCreateChangeStream(ctx context.Context, c *Call, db *entities.Database) (Returned, error) {
	stages, o, err := changeStreamArgs(&ctx, c)
	if err != nil {
		return Returned{}, err
	}
	cs, err := db.Database.Watch(ctx, stages, o)
	return savedChangeStream(db.Client, cs, err)
}

func collCreateChangeStream(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	stages, o, err := changeStreamArgs(&ctx, c)
	if err != nil {
		return Returned{}, err
	}
	cs, err := coll.Collection.Watch(ctx, stages, o)
	return savedChangeStream(coll.Client, cs, err)
}

// savedChangeStream is the change stream entity, or the error of the aggregate that
// opens it (a server without change streams fails here).
func savedChangeStream(cl *entities.Client, cs *mongo.ChangeStream, err error) (Returned, error) {
	if err != nil {
		return Returned{Err: err}, nil
	}
	return Returned{Entity: &entities.ChangeStream{Client: cl, Stream: cs}}, nil
}
