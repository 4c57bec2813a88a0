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

// bulkWrite on a collection (CRUD spec), with its requests written as the unified
// format has them: [{insertOne: {document}}, {updateOne: {filter, update, ...}}, ...].

func collBulkWrite(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var requests bson.RawValue
	o := options.BulkWrite()
	err := c.parse(fields{
		"requests": arg(func(v bson.RawValue) error {
			if v.Type != bson.TypeArray {
				return typeError("an array of write models", v)
			}
			requests = v
			return nil
		}),
		"session":                  session(c.Entities, &ctx),
		"bypassDocumentValidation": bypassValidation(o.SetBypassDocumentValidation),
		"comment":                  anyValue(o.SetComment),
		"let":                      document(o.SetLet),
		"ordered":                  boolean(o.SetOrdered),
		"rawData":                  rawData(o, xoptions.SetInternalBulkWriteOptions),
	}, "requests")
	if err != nil {
		return Returned{}, err
	}
	models, err := collWriteModels(requests)
	if err != nil {
		return Returned{}, err
	}
	res, err := coll.Collection.BulkWrite(ctx, models, o)
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && res != nil {
		// The driver returns what was written before the failure along with the
		// exception: the test may match it in expectError.expectResult.
		return Returned{Value: collBulkWriteDocument(res), At: matchers.Root, Err: err}, nil
	}
	if err != nil {
		return Returned{Err: err}, nil
	}
	if !res.Acknowledged {
		return done(unacknowledged(), matchers.Root, nil)
	}
	return done(collBulkWriteDocument(res), matchers.Root, nil)
}

// collWriteModels reads the requests of a bulkWrite: each names its write model, whose
// value holds the model's fields.
func collWriteModels(requests bson.RawValue) ([]mongo.WriteModel, error) {
	return modelList("requests", requests, collWriteModel)
}

// collWriteModel reads one write model's fields (errors name the model, e.g.
// updateOne.upsert, for collWriteModels to prefix).
func collWriteModel(name string, body bson.Raw) (mongo.WriteModel, error) {
	var (
		model    mongo.WriteModel
		err      error
		filter   bson.Raw
		doc      bson.Raw
		upd      any
		required = []string{"filter"}
	)
	switch name {
	case "insertOne":
		m := mongo.NewInsertOneModel()
		err = parseDocument(body, fields{"document": into(&doc)}, "document")
		m.SetDocument(doc)
		model = m
	case "updateOne":
		m := mongo.NewUpdateOneModel()
		err = parseDocument(body, fields{
			"filter":       into(&filter),
			"update":       update(&upd),
			"arrayFilters": collArrayFilters(m.SetArrayFilters),
			"collation":    collation(m.SetCollation),
			"hint":         hint(m.SetHint),
			"sort":         document(m.SetSort),
			"upsert":       boolean(m.SetUpsert),
		}, append(required, "update")...)
		m.SetFilter(filter).SetUpdate(upd)
		model = m
	case "updateMany":
		m := mongo.NewUpdateManyModel()
		err = parseDocument(body, fields{
			"filter":       into(&filter),
			"update":       update(&upd),
			"arrayFilters": collArrayFilters(m.SetArrayFilters),
			"collation":    collation(m.SetCollation),
			"hint":         hint(m.SetHint),
			"upsert":       boolean(m.SetUpsert),
		}, append(required, "update")...)
		m.SetFilter(filter).SetUpdate(upd)
		model = m
	case "replaceOne":
		m := mongo.NewReplaceOneModel()
		err = parseDocument(body, fields{
			"filter":      into(&filter),
			"replacement": into(&doc),
			"collation":   collation(m.SetCollation),
			"hint":        hint(m.SetHint),
			"sort":        document(m.SetSort),
			"upsert":      boolean(m.SetUpsert),
		}, append(required, "replacement")...)
		m.SetFilter(filter).SetReplacement(doc)
		model = m
	case "deleteOne":
		m := mongo.NewDeleteOneModel()
		err = parseDocument(body, fields{
			"filter":    into(&filter),
			"collation": collation(m.SetCollation),
			"hint":      hint(m.SetHint),
		}, required...)
		m.SetFilter(filter)
		model = m
	case "deleteMany":
		m := mongo.NewDeleteManyModel()
		err = parseDocument(body, fields{
			"filter":    into(&filter),
			"collation": collation(m.SetCollation),
			"hint":      hint(m.SetHint),
		}, required...)
		m.SetFilter(filter)
		model = m
	default:
		return nil, &UnknownArgument{Name: name}
	}
	if err != nil {
		return nil, collPrefixed(name, err)
	}
	return model, nil
}
