package operations

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/xoptions"

	"github.com/specrun/specrun/drivererr"
	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
	"github.com/specrun/specrun/result"
)

// Read operations of the CRUD spec: findOne, aggregate, the three counts, distinct.

func collFindOne(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	filter := collEmptyFilter()
	o := options.FindOne()
	err := c.parse(fields{
		"filter":              into(&filter),
		"session":             session(c.Entities, &ctx),
		"allowDiskUse":        collNoOption("findOne", "allowDiskUse", "FindOneOptions"),
		"allowPartialResults": boolean(o.SetAllowPartialResults),
		"collation":           collation(o.SetCollation),
		"comment":             anyValue(o.SetComment),
		"hint":                hint(o.SetHint),
		"let":                 collNoOption("findOne", "let", "FindOneOptions"),
		"max":                 document(o.SetMax),
		"maxTimeMS":           collMaxTimeMS("findOne"),
		"min":                 document(o.SetMin),
		"projection":          document(o.SetProjection),
		"returnKey":           boolean(o.SetReturnKey),
		"showRecordId":        boolean(o.SetShowRecordID),
		"skip":                int64Arg(o.SetSkip),
		"sort":                document(o.SetSort),
		"rawData":             rawData(o, xoptions.SetInternalFindOneOptions),
	})
	if err != nil {
		return Returned{}, err
	}
	return collSingleDocument(coll.Collection.FindOne(ctx, filter, o).Raw())
}

// collSingleDocument is the result of findOne and findOneAnd*: the document, or BSON
// null when none matched (the driver's ErrNoDocuments is not an error for the test;
// an unacknowledged findAndModify also ends here, as null).
func collSingleDocument(doc bson.Raw, err error) (Returned, error) {
	if errors.Is(err, mongo.ErrNoDocuments) {
		return done(bson.RawValue{Type: bson.TypeNull}, matchers.Nested, nil)
	}
	if err != nil {
		return Returned{Err: err}, nil
	}
	return done(value(doc), matchers.Root, nil)
}

func collAggregate(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var stages any
	o := options.Aggregate()
	err := c.parse(fields{
		"pipeline":                 pipeline(&stages),
		"session":                  session(c.Entities, &ctx),
		"allowDiskUse":             boolean(o.SetAllowDiskUse),
		"batchSize":                int32Arg(o.SetBatchSize),
		"bypassDocumentValidation": bypassValidation(o.SetBypassDocumentValidation),
		"collation":                collation(o.SetCollation),
		"comment":                  anyValue(o.SetComment),
		"hint":                     hint(o.SetHint),
		"let":                      document(o.SetLet),
		"maxAwaitTimeMS":           collMilliseconds(o.SetMaxAwaitTime),
		"maxTimeMS":                collMaxTimeMS("aggregate"),
		"rawData":                  rawData(o, xoptions.SetInternalAggregateOptions),
		"timeoutMode":              collTimeoutMode("aggregate"),
	}, "pipeline")
	if err != nil {
		return Returned{}, err
	}
	cur, err := coll.Collection.Aggregate(ctx, stages, o)
	return drain(ctx, cur, err)
}

func collCountDocuments(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var filter bson.Raw
	o := options.Count()
	err := c.parse(fields{
		"filter":    into(&filter),
		"session":   session(c.Entities, &ctx),
		"collation": collation(o.SetCollation),
		"comment":   anyValue(o.SetComment),
		"hint":      hint(o.SetHint),
		"limit":     int64Arg(o.SetLimit),
		"maxTimeMS": collMaxTimeMS("countDocuments"),
		"skip":      int64Arg(o.SetSkip),
		"rawData":   rawData(o, xoptions.SetInternalCountOptions),
	}, "filter")
	if err != nil {
		return Returned{}, err
	}
	n, err := coll.Collection.CountDocuments(ctx, filter, o)
	return done(value(n), matchers.Nested, err)
}

func collEstimatedDocumentCount(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	o := options.EstimatedDocumentCount()
	err := c.parse(fields{
		"session":   session(c.Entities, &ctx),
		"comment":   anyValue(o.SetComment),
		"maxTimeMS": collMaxTimeMS("estimatedDocumentCount"),
		"rawData":   rawData(o, xoptions.SetInternalEstimatedDocumentCountOptions),
	})
	if err != nil {
		return Returned{}, err
	}
	n, err := coll.Collection.EstimatedDocumentCount(ctx, o)
	return done(value(n), matchers.Nested, err)
}

// collCount runs the deprecated count helper, which the Go driver does not have: the
// count command is built here as the CRUD spec describes it and sent with RunCommand,
// with the collection's read preference and read concern (outside a transaction, where
// the driver would send it). RunCommand does not retry reads.
func collCount(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	base := ctx // without the test's session, for asking the server's version
	args, err := collCountArgs(&ctx, c)
	if err != nil {
		return Returned{}, err
	}
	cmd, raw := args.command(coll.Collection.Name()), args.rawData
	if raw != nil {
		// The driver sends rawData to 8.2+ servers only (wire version 27) and drops it
		// for older ones; do the same.
		ok, err := collServerHasRawData(base, c)
		if err != nil {
			return Returned{}, err
		}
		if ok {
			cmd = append(cmd, bson.E{Key: "rawData", Value: *raw})
		}
	}
	if rc := coll.Reads.Concern; rc != nil && rc.Level != "" && !inTransaction(ctx) {
		cmd = append(cmd, bson.E{Key: "readConcern", Value: bson.D{{Key: "level", Value: rc.Level}}})
	}
	o := options.RunCmd()
	if rp := coll.Reads.Preference; rp != nil {
		o.SetReadPreference(rp)
	}
	reply, err := coll.Collection.Database().RunCommand(ctx, cmd, o).Raw()
	if err != nil {
		if e := unretriedCount(c.Harness, coll.Client, inTransaction(ctx), err); e != nil {
			return Returned{}, e
		}
		return Returned{Err: err}, nil
	}
	n, err := reply.LookupErr("n")
	if err != nil {
		return Returned{Err: fmt.Errorf("count reply has no n field: %s", reply)}, nil
	}
	if _, ok := n.AsInt64OK(); !ok {
		return Returned{Err: fmt.Errorf("count reply's n is a %s: %s", n.Type, reply)}, nil
	}
	return done(n, matchers.Nested, nil)
}

// unretriedCount is the unsupported error of a count that failed with err where a
// driver would have retried it (client's retryReads, outside a transaction): only where
// a fail point of the test on count made the error, which the retry would have got
// past. Without one the error is the server's, and judged as it is (nil).
func unretriedCount(h Harness, client *entities.Client, inTxn bool, err error) error {
	if client == nil || !client.RetryReads || inTxn || !failPointFails(h, client, "count") || !retryableRead(err) {
		return nil
	}
	return result.Unsupportedf("count: the Go driver v2 has no count helper and never retries RunCommand, "+
		"which specrun sends count with: the retry the Retryable Reads spec makes after %s cannot be judged", drivererr.Of(err))
}

// retryableReadCodes are the server error codes after which the Retryable Reads spec
// ("Retryable Error") retries a read.
var retryableReadCodes = []int{262, 11600, 11602, 10107, 13435, 13436, 189, 134, 91, 7, 6, 89, 9001}

// retryableRead says whether a driver that retries reads would retry after err: a
// network error or one of retryableReadCodes, unless the operation's time is up.
func retryableRead(err error) bool {
	if mongo.IsTimeout(err) {
		return false // the operation's timeout has passed: CSOT retries no more
	}
	if mongo.IsNetworkError(err) {
		return true
	}
	var se mongo.ServerError
	if !errors.As(err, &se) {
		return false
	}
	return slices.ContainsFunc(retryableReadCodes, se.HasErrorCode)
}

// countArgs are count's arguments: the filter, the command's options in the order the
// test gives them, and rawData apart, since whether it is sent depends on the server.
type countArgs struct {
	filter  bson.Raw
	options bson.D
	rawData *bool
}

func collCountArgs(ctx *context.Context, c *Call) (countArgs, error) {
	var a countArgs
	add := func(key string) func(any) any {
		return func(v any) any { a.options = append(a.options, bson.E{Key: key, Value: v}); return nil }
	}
	addInt := func(key string) func(int64) any {
		return func(n int64) any { return add(key)(n) }
	}
	err := c.parse(fields{
		"filter":  into(&a.filter),
		"session": session(c.Entities, ctx),
		"collation": arg(func(v bson.RawValue) error {
			if _, err := collationOf(v); err != nil {
				return err
			}
			add("collation")(v.Document())
			return nil
		}),
		"comment": anyValue(add("comment")),
		"hint":    hint(add("hint")),
		"limit":   int64Arg(addInt("limit")),
		"maxTimeMS": int64Arg(func(n int64) any {
			// CSOT: maxTimeMS is ignored when timeoutMS is set (on the operation or its
			// client); the driver then derives maxTimeMS from the deadline.
			if !countUnderTimeout(c) {
				add("maxTimeMS")(n)
			}
			return nil
		}),
		"skip":    int64Arg(addInt("skip")),
		"rawData": boolean(func(b bool) any { a.rawData = &b; return nil }),
	}, "filter")
	return a, err
}

// countUnderTimeout says whether count runs under a timeoutMS: its own or its
// client's.
func countUnderTimeout(c *Call) bool {
	if c.timeoutMS {
		return true
	}
	coll, err := entities.Lookup[*entities.Collection](c.Entities, c.Op.Object)
	return err == nil && coll.Client != nil && coll.Client.Timeout != nil
}

// command is the count command on collection name (without rawData).
func (a countArgs) command(name string) bson.D {
	return append(bson.D{{Key: "count", Value: name}, {Key: "query", Value: a.filter}}, a.options...)
}

// collServerHasRawData asks the server, through the runner's own client (so that the
// test's client observes nothing), whether it takes rawData: wire version 27 (8.2).
func collServerHasRawData(ctx context.Context, c *Call) (bool, error) {
	if c.Harness == nil || c.Harness.Internal() == nil {
		return false, fmt.Errorf("count rawData: no internal client to learn the server's wire version")
	}
	var hello struct {
		MinWireVersion int32 `bson:"minWireVersion"`
		MaxWireVersion int32 `bson:"maxWireVersion"`
	}
	admin := c.Harness.Internal().Database("admin")
	err := admin.RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Decode(&hello)
	if err != nil {
		// Servers before 4.4.2 know only the legacy name.
		err = admin.RunCommand(ctx, bson.D{{Key: "isMaster", Value: 1}}).Decode(&hello)
	}
	if err != nil {
		return false, fmt.Errorf("count rawData: cannot learn the server's wire version: %w", err)
	}
	return hello.MinWireVersion <= 27 && hello.MaxWireVersion >= 27, nil
}

func collDistinct(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var field string
	filter := collEmptyFilter() // the legacy format leaves it out
	o := options.Distinct()
	err := c.parse(fields{
		"fieldName": str(func(s string) any { field = s; return nil }),
		"filter":    into(&filter),
		"session":   session(c.Entities, &ctx),
		"collation": collation(o.SetCollation),
		"comment":   anyValue(o.SetComment),
		"hint":      hint(o.SetHint),
		"maxTimeMS": collMaxTimeMS("distinct"),
		"rawData":   rawData(o, xoptions.SetInternalDistinctOptions),
	}, "fieldName")
	if err != nil {
		return Returned{}, err
	}
	values, err := coll.Collection.Distinct(ctx, field, filter, o).Raw()
	if err != nil {
		return Returned{Err: err}, nil
	}
	return done(bson.RawValue{Type: bson.TypeArray, Value: values}, matchers.Nested, nil)
}

func inTransaction(ctx context.Context) bool {
	s := mongo.SessionFromContext(ctx)
	return s != nil && s.TransactionRunning()
}
