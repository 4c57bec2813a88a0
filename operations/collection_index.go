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

// Index management (Index Management spec) and the collection's own rename and drop.

func collCreateIndex(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var keys bson.Raw
	io := options.Index()
	o := options.CreateIndexes()
	err := c.parse(fields{
		"keys":    into(&keys),
		"session": session(c.Entities, &ctx),
		// IndexOptions.
		"background":              unsupported("background on createIndex: the Go driver v2 removed IndexOptions.background (servers ignore it since 4.2)"),
		"bits":                    int32Arg(io.SetBits),
		"bucketSize":              int32Arg(io.SetBucketSize),
		"collation":               collation(io.SetCollation),
		"defaultLanguage":         str(io.SetDefaultLanguage),
		"expireAfterSeconds":      int32Arg(io.SetExpireAfterSeconds),
		"hidden":                  boolean(io.SetHidden),
		"languageOverride":        str(io.SetLanguageOverride),
		"max":                     collFloat(io.SetMax),
		"min":                     collFloat(io.SetMin),
		"name":                    str(io.SetName),
		"partialFilterExpression": document(io.SetPartialFilterExpression),
		"sparse":                  boolean(io.SetSparse),
		"storageEngine":           document(io.SetStorageEngine),
		"textIndexVersion":        int32Arg(io.SetTextVersion),
		"unique":                  boolean(io.SetUnique),
		"version":                 int32Arg(io.SetVersion),
		"weights":                 document(io.SetWeights),
		"wildcardProjection":      document(io.SetWildcardProjection),
		"2dsphereIndexVersion":    int32Arg(io.SetSphereVersion),
		// CreateIndexOptions.
		"commitQuorum": arg(func(v bson.RawValue) error {
			if s, ok := v.StringValueOK(); ok {
				o.SetCommitQuorumString(s)
				return nil
			}
			n, ok := integer(v)
			if !ok || n != int64(int32(n)) {
				return typeError("a string or a 32-bit integer", v)
			}
			o.SetCommitQuorumInt(int32(n))
			return nil
		}),
		"comment":   collNoOption("createIndex", "comment", "CreateIndexesOptions"),
		"maxTimeMS": collMaxTimeMS("createIndex"),
		"rawData":   rawData(o, xoptions.SetInternalCreateIndexesOptions),
	}, "keys")
	if err != nil {
		return Returned{}, err
	}
	name, err := coll.Collection.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: keys, Options: io}, o)
	return done(value(name), matchers.Nested, err)
}

func collDropIndex(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var name string
	o := options.DropIndexes()
	err := c.parse(fields{
		"name":      str(func(s string) any { name = s; return nil }),
		"session":   session(c.Entities, &ctx),
		"comment":   collNoOption("dropIndex", "comment", "DropIndexesOptions"),
		"maxTimeMS": collMaxTimeMS("dropIndex"),
		"rawData":   rawData(o, xoptions.SetInternalDropIndexesOptions),
	}, "name")
	if err != nil {
		return Returned{}, err
	}
	return done(bson.RawValue{}, 0, coll.Collection.Indexes().DropOne(ctx, name, o))
}

func collDropIndexes(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	o := options.DropIndexes()
	err := c.parse(fields{
		"session":   session(c.Entities, &ctx),
		"comment":   collNoOption("dropIndexes", "comment", "DropIndexesOptions"),
		"maxTimeMS": collMaxTimeMS("dropIndexes"),
		"rawData":   rawData(o, xoptions.SetInternalDropIndexesOptions),
	})
	if err != nil {
		return Returned{}, err
	}
	return done(bson.RawValue{}, 0, coll.Collection.Indexes().DropAll(ctx, o))
}

// collListIndexesArgs reads the arguments of listIndexes and listIndexNames.
func collListIndexesArgs(ctx *context.Context, c *Call, op string) (*options.ListIndexesOptionsBuilder, error) {
	o := options.ListIndexes()
	err := c.parse(fields{
		"session":     session(c.Entities, ctx),
		"batchSize":   int32Arg(o.SetBatchSize),
		"comment":     collNoOption(op, "comment", "ListIndexesOptions"),
		"rawData":     rawData(o, xoptions.SetInternalListIndexesOptions),
		"timeoutMode": collTimeoutMode(op),
	})
	return o, err
}

func collListIndexes(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	o, err := collListIndexesArgs(&ctx, c, "listIndexes")
	if err != nil {
		return Returned{}, err
	}
	cur, err := coll.Collection.Indexes().List(ctx, o)
	return drain(ctx, cur, err)
}

func collListIndexNames(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	o, err := collListIndexesArgs(&ctx, c, "listIndexNames")
	if err != nil {
		return Returned{}, err
	}
	specs, err := coll.Collection.Indexes().ListSpecifications(ctx, o)
	if err != nil {
		return Returned{Err: err}, nil
	}
	names := bson.A{}
	for _, s := range specs {
		names = append(names, s.Name)
	}
	return done(value(names), matchers.Nested, nil)
}

// collRename renames the collection, which the Go driver has no helper for: the
// renameCollection command goes to the admin database of the collection's client.
func collRename(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	to, dropTarget, err := collRenameArgs(&ctx, c)
	if err != nil {
		return Returned{}, err
	}
	db := coll.Collection.Database()
	cmd := collRenameCommand(db.Name(), coll.Collection.Name(), to, dropTarget)
	err = db.Client().Database("admin").RunCommand(ctx, cmd).Err()
	return done(bson.RawValue{}, 0, err)
}

// collRenameArgs reads rename's arguments.
func collRenameArgs(ctx *context.Context, c *Call) (to string, dropTarget *bool, err error) {
	err = c.parse(fields{
		"to":         str(func(s string) any { to = s; return nil }),
		"dropTarget": boolean(func(b bool) any { dropTarget = &b; return nil }),
		"session":    session(c.Entities, ctx),
	}, "to")
	return to, dropTarget, err
}

// collRenameCommand is the renameCollection command for collection name of database db.
func collRenameCommand(db, name, to string, dropTarget *bool) bson.D {
	cmd := bson.D{
		{Key: "renameCollection", Value: db + "." + name},
		{Key: "to", Value: db + "." + to},
	}
	if dropTarget != nil {
		cmd = append(cmd, bson.E{Key: "dropTarget", Value: *dropTarget})
	}
	return cmd
}

func collDrop(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	o := options.DropCollection()
	err := c.parse(fields{
		"session":         session(c.Entities, &ctx),
		"encryptedFields": document(o.SetEncryptedFields),
	})
	if err != nil {
		return Returned{}, err
	}
	return done(bson.RawValue{}, 0, coll.Collection.Drop(ctx, o))
}
