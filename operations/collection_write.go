package operations

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/xoptions"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
)

// Write operations of the CRUD spec: insertMany, update, replace, delete and
// findAndModify. bulkWrite is in collection_bulk.go.

func collInsertMany(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var docs []bson.Raw
	o := options.InsertMany()
	err := c.parse(fields{
		"documents":                documents(&docs),
		"session":                  session(c.Entities, &ctx),
		"bypassDocumentValidation": bypassValidation(o.SetBypassDocumentValidation),
		"comment":                  anyValue(o.SetComment),
		"ordered":                  boolean(o.SetOrdered),
		"rawData":                  rawData(o, xoptions.SetInternalInsertManyOptions),
	}, "documents")
	if err != nil {
		return Returned{}, err
	}
	res, err := coll.Collection.InsertMany(ctx, docs, o)
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && res != nil {
		// The partial result goes with the error, for expectError.expectResult.
		return Returned{Value: collInsertManyPartial(res), At: matchers.Root, Err: err}, nil
	}
	if err != nil {
		return Returned{Err: err}, nil
	}
	if !res.Acknowledged {
		return done(unacknowledged(), matchers.Root, nil)
	}
	return done(collInsertManyDocument(res), matchers.Root, nil)
}

func collUpdateOne(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var (
		filter bson.Raw
		upd    any
	)
	o := options.UpdateOne()
	err := c.parse(fields{
		"filter":                   into(&filter),
		"update":                   update(&upd),
		"session":                  session(c.Entities, &ctx),
		"arrayFilters":             collArrayFilters(o.SetArrayFilters),
		"bypassDocumentValidation": bypassValidation(o.SetBypassDocumentValidation),
		"collation":                collation(o.SetCollation),
		"comment":                  anyValue(o.SetComment),
		"hint":                     hint(o.SetHint),
		"let":                      document(o.SetLet),
		"sort":                     document(o.SetSort),
		"upsert":                   boolean(o.SetUpsert),
		"rawData":                  rawData(o, xoptions.SetInternalUpdateOneOptions),
	}, "filter", "update")
	if err != nil {
		return Returned{}, err
	}
	return collUpdateOutcome(coll.Collection.UpdateOne(ctx, filter, upd, o))
}

func collUpdateMany(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var (
		filter bson.Raw
		upd    any
	)
	o := options.UpdateMany()
	err := c.parse(fields{
		"filter":                   into(&filter),
		"update":                   update(&upd),
		"session":                  session(c.Entities, &ctx),
		"arrayFilters":             collArrayFilters(o.SetArrayFilters),
		"bypassDocumentValidation": bypassValidation(o.SetBypassDocumentValidation),
		"collation":                collation(o.SetCollation),
		"comment":                  anyValue(o.SetComment),
		"hint":                     hint(o.SetHint),
		"let":                      document(o.SetLet),
		"sort":                     collNoOption("updateMany", "sort", "UpdateManyOptions"),
		"upsert":                   boolean(o.SetUpsert),
		"rawData":                  rawData(o, xoptions.SetInternalUpdateManyOptions),
	}, "filter", "update")
	if err != nil {
		return Returned{}, err
	}
	return collUpdateOutcome(coll.Collection.UpdateMany(ctx, filter, upd, o))
}

func collReplaceOne(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var filter, replacement bson.Raw
	o := options.Replace()
	err := c.parse(fields{
		"filter":                   into(&filter),
		"replacement":              into(&replacement),
		"session":                  session(c.Entities, &ctx),
		"bypassDocumentValidation": bypassValidation(o.SetBypassDocumentValidation),
		"collation":                collation(o.SetCollation),
		"comment":                  anyValue(o.SetComment),
		"hint":                     hint(o.SetHint),
		"let":                      document(o.SetLet),
		"sort":                     document(o.SetSort),
		"upsert":                   boolean(o.SetUpsert),
		"rawData":                  rawData(o, xoptions.SetInternalReplaceOptions),
	}, "filter", "replacement")
	if err != nil {
		return Returned{}, err
	}
	return collUpdateOutcome(coll.Collection.ReplaceOne(ctx, filter, replacement, o))
}

// collUpdateOutcome is the outcome of updateOne, updateMany and replaceOne.
func collUpdateOutcome(res *mongo.UpdateResult, err error) (Returned, error) {
	if err != nil {
		return Returned{Err: err}, nil
	}
	if !res.Acknowledged {
		return done(unacknowledged(), matchers.Root, nil)
	}
	return done(collUpdateDocument(res), matchers.Root, nil)
}

func collDeleteOne(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var filter bson.Raw
	o := options.DeleteOne()
	err := c.parse(fields{
		"filter":    into(&filter),
		"session":   session(c.Entities, &ctx),
		"collation": collation(o.SetCollation),
		"comment":   anyValue(o.SetComment),
		"hint":      hint(o.SetHint),
		"let":       document(o.SetLet),
		"rawData":   rawData(o, xoptions.SetInternalDeleteOneOptions),
	}, "filter")
	if err != nil {
		return Returned{}, err
	}
	return collDeleteOutcome(coll.Collection.DeleteOne(ctx, filter, o))
}

func collDeleteMany(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var filter bson.Raw
	o := options.DeleteMany()
	err := c.parse(fields{
		"filter":    into(&filter),
		"session":   session(c.Entities, &ctx),
		"collation": collation(o.SetCollation),
		"comment":   anyValue(o.SetComment),
		"hint":      hint(o.SetHint),
		"let":       document(o.SetLet),
		"rawData":   rawData(o, xoptions.SetInternalDeleteManyOptions),
	}, "filter")
	if err != nil {
		return Returned{}, err
	}
	return collDeleteOutcome(coll.Collection.DeleteMany(ctx, filter, o))
}

// collDeleteOutcome is the outcome of deleteOne and deleteMany.
func collDeleteOutcome(res *mongo.DeleteResult, err error) (Returned, error) {
	if err != nil {
		return Returned{Err: err}, nil
	}
	if !res.Acknowledged {
		return done(unacknowledged(), matchers.Root, nil)
	}
	return done(collDeleteDocument(res), matchers.Root, nil)
}

func collFindOneAndUpdate(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var (
		filter bson.Raw
		upd    any
	)
	o := options.FindOneAndUpdate()
	err := c.parse(fields{
		"filter":                   into(&filter),
		"update":                   update(&upd),
		"session":                  session(c.Entities, &ctx),
		"arrayFilters":             collArrayFilters(o.SetArrayFilters),
		"bypassDocumentValidation": bypassValidation(o.SetBypassDocumentValidation),
		"collation":                collation(o.SetCollation),
		"comment":                  anyValue(o.SetComment),
		"hint":                     hint(o.SetHint),
		"let":                      document(o.SetLet),
		"maxTimeMS":                collMaxTimeMS("findOneAndUpdate"),
		"projection":               document(o.SetProjection),
		"returnDocument":           collReturnDocument(o.SetReturnDocument),
		"sort":                     document(o.SetSort),
		"upsert":                   boolean(o.SetUpsert),
		"rawData":                  rawData(o, xoptions.SetInternalFindOneAndUpdateOptions),
	}, "filter", "update")
	if err != nil {
		return Returned{}, err
	}
	return collSingleDocument(coll.Collection.FindOneAndUpdate(ctx, filter, upd, o).Raw())
}

func collFindOneAndReplace(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var filter, replacement bson.Raw
	o := options.FindOneAndReplace()
	err := c.parse(fields{
		"filter":                   into(&filter),
		"replacement":              into(&replacement),
		"session":                  session(c.Entities, &ctx),
		"bypassDocumentValidation": bypassValidation(o.SetBypassDocumentValidation),
		"collation":                collation(o.SetCollation),
		"comment":                  anyValue(o.SetComment),
		"hint":                     hint(o.SetHint),
		"let":                      document(o.SetLet),
		"maxTimeMS":                collMaxTimeMS("findOneAndReplace"),
		"projection":               document(o.SetProjection),
		"returnDocument":           collReturnDocument(o.SetReturnDocument),
		"sort":                     document(o.SetSort),
		"upsert":                   boolean(o.SetUpsert),
		"rawData":                  rawData(o, xoptions.SetInternalFindOneAndReplaceOptions),
	}, "filter", "replacement")
	if err != nil {
		return Returned{}, err
	}
	return collSingleDocument(coll.Collection.FindOneAndReplace(ctx, filter, replacement, o).Raw())
}

func collFindOneAndDelete(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var filter bson.Raw
	o := options.FindOneAndDelete()
	err := c.parse(fields{
		"filter":     into(&filter),
		"session":    session(c.Entities, &ctx),
		"collation":  collation(o.SetCollation),
		"comment":    anyValue(o.SetComment),
		"hint":       hint(o.SetHint),
		"let":        document(o.SetLet),
		"maxTimeMS":  collMaxTimeMS("findOneAndDelete"),
		"projection": document(o.SetProjection),
		"sort":       document(o.SetSort),
		"rawData":    rawData(o, xoptions.SetInternalFindOneAndDeleteOptions),
	}, "filter")
	if err != nil {
		return Returned{}, err
	}
	return collSingleDocument(coll.Collection.FindOneAndDelete(ctx, filter, o).Raw())
}
