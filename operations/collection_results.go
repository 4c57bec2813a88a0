package operations

import (
	"slices"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// The CRUD spec's write result models as documents, with the spec's field names.
// Counts are int64 as the spec types them; the matchers compare numbers by value.

// collInsertManyDocument is an InsertManyResult: {insertedIds: {"0": id, ...}}.
func collInsertManyDocument(res *mongo.InsertManyResult) bson.RawValue {
	ids := bson.D{}
	for i, id := range res.InsertedIDs {
		ids = append(ids, bson.E{Key: strconv.Itoa(i), Value: id})
	}
	return value(bson.D{{Key: "insertedIds", Value: ids}})
}

// collInsertManyPartial is the result that goes with insertMany's BulkWriteException,
// shaped as the BulkWriteResult the unified tests match there. The driver then holds
// only the ids of the documents it knows were inserted (those before the first write
// error when ordered, all but the failed ones when not), without their indexes, so
// insertedIds (optional in the spec) is left out and insertedCount is their number.
func collInsertManyPartial(res *mongo.InsertManyResult) bson.RawValue {
	return value(bson.D{
		{Key: "insertedCount", Value: int64(len(res.InsertedIDs))},
		{Key: "matchedCount", Value: int64(0)},
		{Key: "modifiedCount", Value: int64(0)},
		{Key: "deletedCount", Value: int64(0)},
		{Key: "upsertedCount", Value: int64(0)},
		{Key: "upsertedIds", Value: bson.D{}},
	})
}

// collUpdateDocument is an UpdateResult; upsertedId is there only when an upsert
// happened (its value may be null: the upserted _id can be null).
func collUpdateDocument(res *mongo.UpdateResult) bson.RawValue {
	d := bson.D{
		{Key: "matchedCount", Value: res.MatchedCount},
		{Key: "modifiedCount", Value: res.ModifiedCount},
		{Key: "upsertedCount", Value: res.UpsertedCount},
	}
	if res.UpsertedCount > 0 || res.UpsertedID != nil {
		d = append(d, bson.E{Key: "upsertedId", Value: res.UpsertedID})
	}
	return value(d)
}

// collDeleteDocument is a DeleteResult.
func collDeleteDocument(res *mongo.DeleteResult) bson.RawValue {
	return value(bson.D{{Key: "deletedCount", Value: res.DeletedCount}})
}

// collBulkWriteDocument is a BulkWriteResult. The Go driver does not report
// insertedIds (optional in the spec; the tests match it with $$unsetOrMatches), so it
// is left out; upsertedIds is keyed by the request's index, in index order.
func collBulkWriteDocument(res *mongo.BulkWriteResult) bson.RawValue {
	upserted := bson.D{}
	indexes := make([]int64, 0, len(res.UpsertedIDs))
	for i := range res.UpsertedIDs {
		indexes = append(indexes, i)
	}
	slices.Sort(indexes)
	for _, i := range indexes {
		upserted = append(upserted, bson.E{Key: strconv.FormatInt(i, 10), Value: res.UpsertedIDs[i]})
	}
	return value(bson.D{
		{Key: "insertedCount", Value: res.InsertedCount},
		{Key: "matchedCount", Value: res.MatchedCount},
		{Key: "modifiedCount", Value: res.ModifiedCount},
		{Key: "deletedCount", Value: res.DeletedCount},
		{Key: "upsertedCount", Value: res.UpsertedCount},
		{Key: "upsertedIds", Value: upserted},
	})
}
