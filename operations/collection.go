package operations

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/xoptions"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
)

// Collection operations (CRUD spec, Index Management spec).

// rawData is the CRUD option for raw time-series buckets; the Go driver takes it
// through its experimental xoptions.
func rawData[B any](b B, set func(B, string, any) error) arg {
	return func(v bson.RawValue) error {
		enabled, ok := v.BooleanOK()
		if !ok {
			return typeError("a boolean", v)
		}
		return set(b, "rawData", enabled)
	}
}

func insertOne(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var doc bson.Raw
	o := options.InsertOne()
	err := c.parse(fields{
		"document":                 into(&doc),
		"session":                  session(c.Entities, &ctx),
		"bypassDocumentValidation": bypassValidation(o.SetBypassDocumentValidation),
		"comment":                  anyValue(o.SetComment),
		"rawData":                  rawData(o, xoptions.SetInternalInsertOneOptions),
	}, "document")
	if err != nil {
		return Returned{}, err
	}
	res, err := coll.Collection.InsertOne(ctx, doc, o)
	if err != nil {
		return done(bson.RawValue{}, 0, err)
	}
	if !res.Acknowledged {
		return done(unacknowledged(), matchers.Root, nil)
	}
	return done(value(bson.D{{Key: "insertedId", Value: res.InsertedID}}), matchers.Root, nil)
}

// unacknowledged is the result of a write with w: 0; the spec's tests accept it as
// {acknowledged: false} or as no result at all.
func unacknowledged() bson.RawValue {
	return value(bson.D{{Key: "acknowledged", Value: false}})
}

// findArgs reads find's arguments, shared by find and createFindCursor.
func findArgs(ctx *context.Context, c *Call) (bson.Raw, *options.FindOptionsBuilder, error) {
	var filter bson.Raw
	o := options.Find()
	err := c.parse(fields{
		"filter":              into(&filter),
		"session":             session(c.Entities, ctx),
		"allowDiskUse":        boolean(o.SetAllowDiskUse),
		"allowPartialResults": boolean(o.SetAllowPartialResults),
		"batchSize":           int32Arg(o.SetBatchSize),
		"collation":           collation(o.SetCollation),
		"comment":             anyValue(o.SetComment),
		"cursorType":          cursorType(o.SetCursorType),
		"hint":                hint(o.SetHint),
		"let":                 document(o.SetLet),
		"limit":               int64Arg(o.SetLimit),
		"max":                 document(o.SetMax),
		"maxAwaitTimeMS":      collMilliseconds(o.SetMaxAwaitTime),
		"maxTimeMS":           unsupported("maxTimeMS on find: the Go driver v2 has no per-operation maxTimeMS (it uses timeoutMS)"),
		"min":                 document(o.SetMin),
		"noCursorTimeout":     boolean(o.SetNoCursorTimeout),
		"projection":          document(o.SetProjection),
		"returnKey":           boolean(o.SetReturnKey),
		"showRecordId":        boolean(o.SetShowRecordID),
		"skip":                int64Arg(o.SetSkip),
		"sort":                document(o.SetSort),
		"rawData":             rawData(o, xoptions.SetInternalFindOptions),
		"timeoutMS":           unsupportedTimeoutMS,
		"timeoutMode":         collTimeoutMode("find"),
	}, "filter")
	return filter, o, err
}

func find(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	filter, o, err := findArgs(&ctx, c)
	if err != nil {
		return Returned{}, err
	}
	cur, err := coll.Collection.Find(ctx, filter, o)
	return drain(ctx, cur, err)
}

func createFindCursor(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	filter, o, err := findArgs(&ctx, c)
	if err != nil {
		return Returned{}, err
	}
	cur, err := coll.Collection.Find(ctx, filter, o)
	if err != nil {
		return Returned{Err: err}, nil
	}
	return Returned{Entity: &entities.Cursor{Client: coll.Client, Cursor: cur}}, nil
}

// drain iterates a cursor to its end, as the spec requires of operations that return
// one, and returns its documents as an array of root-level documents.
func drain(ctx context.Context, cur *mongo.Cursor, err error) (Returned, error) {
	if err != nil {
		return Returned{Err: err}, nil
	}
	defer cur.Close(ctx)
	docs := bson.A{}
	for cur.Next(ctx) {
		docs = append(docs, bson.Raw(append([]byte(nil), cur.Current...)))
	}
	if err := cur.Err(); err != nil {
		return Returned{Err: err}, nil
	}
	return done(value(docs), matchers.RootElements, nil)
}
