package operations

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/xoptions"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
)

// Client operations (Unified Test Format "Client Operations", Enumerating Databases,
// CRUD bulk-write spec for clientBulkWrite).

func clientBulkWrite(ctx context.Context, c *Call, cl *entities.Client) (Returned, error) {
	var modelsArg bson.RawValue
	o := options.ClientBulkWrite()
	err := c.parse(fields{
		"models": arg(func(v bson.RawValue) error {
			if v.Type != bson.TypeArray {
				return typeError("an array of write models", v)
			}
			modelsArg = v
			return nil
		}),
		"session":                  session(c.Entities, &ctx),
		"ordered":                  boolean(o.SetOrdered),
		"bypassDocumentValidation": boolean(o.SetBypassDocumentValidation),
		"comment":                  anyValue(o.SetComment),
		"let":                      document(o.SetLet),
		"verboseResults":           boolean(o.SetVerboseResults),
		"writeConcern":             writeConcern(o.SetWriteConcern),
		"rawData":                  rawData(o, xoptions.SetInternalClientBulkWriteOptions),
	}, "models")
	if err != nil {
		return Returned{}, err
	}
	models, err := bulkModels(modelsArg)
	if err != nil {
		return Returned{}, err
	}
	res, err := cl.Client.BulkWrite(ctx, models, o)
	return bulkOutcome(res, err), nil
}

// bulkOutcome converts what Client.BulkWrite returned. A ClientBulkWriteException
// carries the result of the writes that succeeded (partialResult): the Returned then has
// both the error and that result, which expectError.expectResult matches.
func bulkOutcome(res *mongo.ClientBulkWriteResult, err error) Returned {
	if err != nil {
		out := Returned{Err: err}
		var cbwe mongo.ClientBulkWriteException
		if errors.As(err, &cbwe) && cbwe.PartialResult != nil {
			out.Value, out.At = bulkResult(cbwe.PartialResult), matchers.Root
		}
		return out
	}
	return Returned{Value: bulkResult(res), At: matchers.Root}
}

// bulkResult converts a ClientBulkWriteResult to the spec's BulkWriteResult document:
// the summary counts, and the verbose results (maps keyed by the model's index as a
// string) only when the driver has them.
func bulkResult(r *mongo.ClientBulkWriteResult) bson.RawValue {
	if !r.Acknowledged {
		return unacknowledged()
	}
	d := bson.D{
		{Key: "insertedCount", Value: r.InsertedCount},
		{Key: "upsertedCount", Value: r.UpsertedCount},
		{Key: "matchedCount", Value: r.MatchedCount},
		{Key: "modifiedCount", Value: r.ModifiedCount},
		{Key: "deletedCount", Value: r.DeletedCount},
	}
	if r.HasVerboseResults {
		d = append(d,
			bson.E{Key: "insertResults", Value: bulkByIndex(r.InsertResults, func(v mongo.ClientBulkWriteInsertResult) bson.D {
				return bson.D{{Key: "insertedId", Value: v.InsertedID}}
			})},
			bson.E{Key: "updateResults", Value: bulkByIndex(r.UpdateResults, func(v mongo.ClientBulkWriteUpdateResult) bson.D {
				u := bson.D{{Key: "matchedCount", Value: v.MatchedCount}, {Key: "modifiedCount", Value: v.ModifiedCount}}
				// The driver keeps no difference between no upsert and an upserted null _id.
				if v.UpsertedID != nil {
					u = append(u, bson.E{Key: "upsertedId", Value: v.UpsertedID})
				}
				return u
			})},
			bson.E{Key: "deleteResults", Value: bulkByIndex(r.DeleteResults, func(v mongo.ClientBulkWriteDeleteResult) bson.D {
				return bson.D{{Key: "deletedCount", Value: v.DeletedCount}}
			})},
		)
	}
	return value(d)
}

// bulkByIndex turns a map keyed by model index into a document keyed by the index as a
// string, in index order.
func bulkByIndex[V any](m map[int]V, conv func(V) bson.D) bson.D {
	d := bson.D{}
	for _, i := range slices.Sorted(maps.Keys(m)) {
		d = append(d, bson.E{Key: strconv.Itoa(i), Value: conv(m[i])})
	}
	return d
}

// bulkModels reads clientBulkWrite's models: each names its write model, whose value
// holds its namespace ("db.coll") and parameters.
func bulkModels(v bson.RawValue) ([]mongo.ClientBulkWrite, error) {
	return modelList("models", v, bulkModel)
}

// bulkModel reads one write model (errors name it, e.g. updateOne.upsert, for
// bulkModels to prefix).
func bulkModel(kind string, params bson.Raw) (mongo.ClientBulkWrite, error) {
	var (
		w  mongo.ClientBulkWrite
		ns string
	)
	fs := fields{"namespace": stringVar(&ns)}
	required := []string{"namespace"}
	switch kind {
	case "insertOne":
		m := mongo.NewClientInsertOneModel()
		fs["document"] = document(m.SetDocument)
		required = append(required, "document")
		w.Model = m
	case "updateOne":
		m := mongo.NewClientUpdateOneModel()
		bulkUpdateFields(fs, m.SetFilter, m.SetUpdate, m.SetArrayFilters, m.SetCollation, m.SetHint, m.SetUpsert)
		fs["sort"] = document(m.SetSort)
		required = append(required, "filter", "update")
		w.Model = m
	case "updateMany":
		m := mongo.NewClientUpdateManyModel()
		bulkUpdateFields(fs, m.SetFilter, m.SetUpdate, m.SetArrayFilters, m.SetCollation, m.SetHint, m.SetUpsert)
		required = append(required, "filter", "update")
		w.Model = m
	case "replaceOne":
		m := mongo.NewClientReplaceOneModel()
		fs["filter"] = document(m.SetFilter)
		fs["replacement"] = document(m.SetReplacement)
		fs["collation"] = collation(m.SetCollation)
		fs["hint"] = hint(m.SetHint)
		fs["upsert"] = boolean(m.SetUpsert)
		fs["sort"] = document(m.SetSort)
		required = append(required, "filter", "replacement")
		w.Model = m
	case "deleteOne":
		m := mongo.NewClientDeleteOneModel()
		bulkDeleteFields(fs, m.SetFilter, m.SetCollation, m.SetHint)
		required = append(required, "filter")
		w.Model = m
	case "deleteMany":
		m := mongo.NewClientDeleteManyModel()
		bulkDeleteFields(fs, m.SetFilter, m.SetCollation, m.SetHint)
		required = append(required, "filter")
		w.Model = m
	default:
		return w, &UnknownArgument{Name: kind}
	}
	if err := parseDocument(params, fs, required...); err != nil {
		return w, collPrefixed(kind, err)
	}
	db, coll, ok := strings.Cut(ns, ".")
	if !ok || db == "" || coll == "" {
		return w, &InvalidArgument{Name: kind + ".namespace", Err: fmt.Errorf("%q is not <database>.<collection>", ns)}
	}
	w.Database, w.Collection = db, coll
	return w, nil
}

// bulkDeleteFields adds the parameters of the deleteOne and deleteMany models.
func bulkDeleteFields[M any](fs fields, filter func(any) M, coll func(*options.Collation) M, hnt func(any) M) {
	fs["filter"] = document(filter)
	fs["collation"] = collation(coll)
	fs["hint"] = hint(hnt)
}

// bulkUpdateFields adds the parameters shared by the updateOne and updateMany models.
func bulkUpdateFields[M any](fs fields, filter, upd func(any) M, arrayFilters func([]any) M,
	coll func(*options.Collation) M, hnt func(any) M, upsert func(bool) M) {
	fs["filter"] = document(filter)
	fs["update"] = arg(func(v bson.RawValue) error {
		var u any
		if err := update(&u)(v); err != nil {
			return err
		}
		upd(u)
		return nil
	})
	fs["arrayFilters"] = collArrayFilters(arrayFilters)
	fs["collation"] = collation(coll)
	fs["hint"] = hint(hnt)
	fs["upsert"] = boolean(upsert)
}

// listDatabases (and listDatabaseObjects): the Go driver returns DatabaseSpecification
// values, not the server's documents, so each is converted back to {name, sizeOnDisk,
// empty} ({name} alone with nameOnly, as the server answers then).
func listDatabases(ctx context.Context, c *Call, cl *entities.Client) (Returned, error) {
	filter := noFilter
	o := options.ListDatabases()
	var nameOnly bool
	err := c.parse(fields{
		"filter":  into(&filter),
		"session": session(c.Entities, &ctx),
		"nameOnly": boolean(func(b bool) any {
			nameOnly = b
			return o.SetNameOnly(b)
		}),
		"authorizedDatabases": boolean(o.SetAuthorizedDatabases),
		"comment":             unsupported("listDatabases comment: the Go driver's ListDatabases has no comment option"),
	})
	if err != nil {
		return Returned{}, err
	}
	res, err := cl.Client.ListDatabases(ctx, filter, o)
	if err != nil {
		return Returned{Err: err}, nil
	}
	docs := bson.A{}
	for _, db := range res.Databases {
		d := bson.D{{Key: "name", Value: db.Name}}
		if !nameOnly {
			d = append(d, bson.E{Key: "sizeOnDisk", Value: db.SizeOnDisk}, bson.E{Key: "empty", Value: db.Empty})
		}
		docs = append(docs, d)
	}
	return done(value(docs), matchers.RootElements, nil)
}

func listDatabaseNames(ctx context.Context, c *Call, cl *entities.Client) (Returned, error) {
	filter := noFilter
	o := options.ListDatabases()
	err := c.parse(fields{
		"filter":              into(&filter),
		"session":             session(c.Entities, &ctx),
		"authorizedDatabases": boolean(o.SetAuthorizedDatabases),
		"comment":             unsupported("listDatabaseNames comment: the Go driver's ListDatabaseNames has no comment option"),
	})
	if err != nil {
		return Returned{}, err
	}
	names, err := cl.Client.ListDatabaseNames(ctx, filter, o)
	if err != nil {
		return Returned{Err: err}, nil
	}
	return done(value(append([]string{}, names...)), matchers.Nested, nil)
}

// dropDatabase is used on a client in the corpus (causal consistency), naming the
// database to drop.
func dropDatabase(ctx context.Context, c *Call, cl *entities.Client) (Returned, error) {
	var name string
	err := c.parse(fields{
		"database": stringVar(&name),
		"session":  session(c.Entities, &ctx),
	}, "database")
	if err != nil {
		return Returned{}, err
	}
	return done(bson.RawValue{}, 0, cl.Client.Database(name).Drop(ctx))
}

// appendMetadata adds a wrapping library's name, version and platform to the metadata
// the client sends in the handshake of its new connections (handshake spec).
func appendMetadata(_ context.Context, c *Call, cl *entities.Client) (Returned, error) {
	var info options.DriverInfo
	err := c.parse(fields{
		"driverInfoOptions": arg(func(v bson.RawValue) error {
			d, ok := v.DocumentOK()
			if !ok {
				return typeError("a document", v)
			}
			return parseDocument(d, fields{
				"name":     stringVar(&info.Name),
				"version":  stringVar(&info.Version),
				"platform": stringVar(&info.Platform),
			}, "name")
		}),
	}, "driverInfoOptions")
	if err != nil {
		return Returned{}, err
	}
	cl.Client.AppendDriverInfo(info)
	return Returned{}, nil
}

// closeClient disconnects the client. The spec asks test files not to expect a result
// or an error from it, and drivers do not report close errors consistently: an error is
// dropped.
func closeClient(ctx context.Context, c *Call, cl *entities.Client) (Returned, error) {
	if err := c.parse(fields{}); err != nil {
		return Returned{}, err
	}
	_ = cl.Client.Disconnect(ctx)
	return Returned{}, nil
}
