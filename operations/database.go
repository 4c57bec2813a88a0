package operations

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/xoptions"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
	"github.com/specrun/specrun/result"
)

// Database operations (Unified Test Format "Database Operations", CRUD, Enumerating
// Collections, Run Command specs).

// unsupportedTimeoutMS refuses the per-operation timeoutMS of CSOT.
// Execute applies timeoutMS itself (timeout.go) except to operations whose cursor or
// change stream outlives them: only those executors see the argument.
var unsupportedTimeoutMS = unsupported("timeoutMS on a cursor or change stream: its later iterations run outside the operation, and the Go driver v2 has no cursor timeouts")

// unsupportedTimeoutMode refuses CSOT's timeoutMode.
var unsupportedTimeoutMode = unsupported("timeoutMode: the Go driver v2 has no cursor timeout modes")

// stringVar stores a string argument in *dst.
func stringVar(dst *string) arg {
	return str(func(s string) any { *dst = s; return nil })
}

// noFilter is an empty document: the filter used when a test gives none.
var noFilter = bson.Raw{5, 0, 0, 0, 0}

// checkCommandName checks the commandName argument of runCommand, runCursorCommand and
// createCommandCursor: the Go driver sends the command document as written, so its
// first key is the command's name and commandName must agree with it.
func checkCommandName(cmd bson.Raw, name string) error {
	if name == "" {
		return nil
	}
	first, err := cmd.IndexErr(0)
	if err != nil {
		return &InvalidArgument{"command", fmt.Errorf("must not be empty")}
	}
	if first.Key() != name {
		return &InvalidArgument{"commandName", fmt.Errorf(
			"%q disagrees with the command, whose first key is %q (the Go driver sends the command document as written)",
			name, first.Key())}
	}
	return nil
}

func runCommand(ctx context.Context, c *Call, db *entities.Database) (Returned, error) {
	var (
		cmd  bson.Raw
		name string
	)
	o := options.RunCmd()
	err := c.parse(fields{
		"command":        into(&cmd),
		"commandName":    stringVar(&name),
		"readPreference": readPreference(o.SetReadPreference),
		"session":        session(c.Entities, &ctx),
	}, "command", "commandName")
	if err == nil {
		err = checkCommandName(cmd, name)
	}
	if err != nil {
		return Returned{}, err
	}
	reply, err := db.Database.RunCommand(ctx, cmd, o).Raw()
	if err != nil {
		return Returned{Err: err}, nil
	}
	if len(reply) == 0 {
		reply = noFilter
	}
	return done(value(reply), matchers.Root, nil)
}

// cursorCommand holds what runCursorCommand and createCommandCursor take.
type cursorCommand struct {
	cmd       bson.Raw
	name      string
	opts      *options.RunCmdOptionsBuilder
	batchSize *int32
	maxTime   *time.Duration
	comment   any
}

func cursorCommandArgs(ctx *context.Context, c *Call, required ...string) (*cursorCommand, error) {
	cc := &cursorCommand{opts: options.RunCmd()}
	var cursorType string
	err := c.parse(fields{
		"command":        into(&cc.cmd),
		"commandName":    stringVar(&cc.name),
		"readPreference": readPreference(cc.opts.SetReadPreference),
		"session":        session(c.Entities, ctx),
		// getMore options: the Go driver sets them on the cursor it returns.
		"batchSize": int32Arg(func(n int32) any { cc.batchSize = &n; return nil }),
		"maxTimeMS": int64Arg(func(n int64) any {
			d := time.Duration(n) * time.Millisecond
			cc.maxTime = &d
			return nil
		}),
		"comment":     anyValue(func(v any) any { cc.comment = v; return nil }),
		"cursorType":  stringVar(&cursorType),
		"timeoutMode": unsupportedTimeoutMode,
		"timeoutMS":   unsupportedTimeoutMS,
	}, required...)
	if err == nil {
		err = checkCommandName(cc.cmd, cc.name)
	}
	if err == nil && cursorType != "" {
		err = checkCursorType(cc.cmd, cursorType)
	}
	return cc, err
}

// checkCursorType accepts a cursorType that agrees with the command: the Go driver's
// RunCommandCursor takes no cursor type, the server makes the cursor tailable (or
// awaitData) from the command's own flags.
func checkCursorType(cmd bson.Raw, cursorType string) error {
	tailable, _ := cmd.Lookup("tailable").BooleanOK()
	await, _ := cmd.Lookup("awaitData").BooleanOK()
	var agrees bool
	switch cursorType {
	case "nonTailable":
		agrees = !tailable
	case "tailable":
		agrees = tailable && !await
	case "tailableAwait":
		agrees = tailable && await
	default:
		return &InvalidArgument{"cursorType", fmt.Errorf("%q is not one of nonTailable, tailable, tailableAwait", cursorType)}
	}
	if !agrees {
		return result.Unsupportedf(
			"cursorType %s disagrees with the command's tailable/awaitData flags: the Go driver's RunCommandCursor takes no cursor type", cursorType)
	}
	return nil
}

func (cc *cursorCommand) run(ctx context.Context, db *entities.Database) (*mongo.Cursor, error) {
	cur, err := db.Database.RunCommandCursor(ctx, cc.cmd, cc.opts)
	if err != nil {
		return nil, err
	}
	if cc.batchSize != nil {
		cur.SetBatchSize(*cc.batchSize)
	}
	if cc.maxTime != nil {
		cur.SetMaxAwaitTime(*cc.maxTime)
	}
	if cc.comment != nil {
		cur.SetComment(cc.comment)
	}
	return cur, nil
}

func runCursorCommand(ctx context.Context, c *Call, db *entities.Database) (Returned, error) {
	cc, err := cursorCommandArgs(&ctx, c, "command", "commandName")
	if err != nil {
		return Returned{}, err
	}
	cur, err := cc.run(ctx, db)
	return drain(ctx, cur, err)
}

// createCommandCursor: the Go driver runs the command when the cursor is created, so
// the server-side cursor exists before the entity is saved, as the spec requires.
// commandName is optional here: the corpus has createCommandCursor without it.
func createCommandCursor(ctx context.Context, c *Call, db *entities.Database) (Returned, error) {
	cc, err := cursorCommandArgs(&ctx, c, "command")
	if err != nil {
		return Returned{}, err
	}
	cur, err := cc.run(ctx, db)
	if err != nil {
		return Returned{Err: err}, nil
	}
	return Returned{Entity: &entities.Cursor{Client: db.Client, Cursor: cur}}, nil
}

// createOptionKeys are the createCollection arguments that only a collection (not a
// view) takes.
var createOptionKeys = []string{
	"capped", "size", "max", "validator", "validationLevel", "validationAction", "storageEngine",
	"indexOptionDefaults", "changeStreamPreAndPostImages", "expireAfterSeconds", "timeseries",
	"clusteredIndex", "encryptedFields",
}

// createCollection creates a collection, or a view when viewOn is given; its result is
// the collection, which a test may save as a collection entity.
func createCollection(ctx context.Context, c *Call, db *entities.Database) (Returned, error) {
	var (
		name, viewOn string
		viewPipeline any
	)
	o := options.CreateCollection()
	vo := options.CreateView()
	err := c.parse(fields{
		"collection": stringVar(&name),
		"session":    session(c.Entities, &ctx),
		"collation": collation(func(col *options.Collation) any {
			o.SetCollation(col)
			vo.SetCollation(col)
			return nil
		}),
		"viewOn":                       stringVar(&viewOn),
		"pipeline":                     pipeline(&viewPipeline),
		"capped":                       boolean(o.SetCapped),
		"size":                         int64Arg(o.SetSizeInBytes),
		"max":                          int64Arg(o.SetMaxDocuments),
		"validator":                    document(o.SetValidator),
		"validationLevel":              str(o.SetValidationLevel),
		"validationAction":             str(o.SetValidationAction),
		"storageEngine":                document(o.SetStorageEngine),
		"indexOptionDefaults":          createIndexOptionDefaults(o),
		"changeStreamPreAndPostImages": document(o.SetChangeStreamPreAndPostImages),
		"expireAfterSeconds":           int64Arg(o.SetExpireAfterSeconds),
		"timeseries":                   createTimeseries(o),
		"clusteredIndex":               document(o.SetClusteredIndex),
		"encryptedFields":              document(o.SetEncryptedFields),
		"comment":                      unsupported("createCollection comment: the Go driver's CreateCollection has no comment option"),
	}, "collection")
	if err != nil {
		return Returned{}, err
	}
	if viewOn == "" {
		if viewPipeline != nil {
			return Returned{}, &InvalidArgument{"pipeline", fmt.Errorf("is only valid with viewOn")}
		}
		err = db.Database.CreateCollection(ctx, name, o)
	} else {
		for _, k := range createOptionKeys {
			if c.Op.Arguments.Lookup(k).Type != 0 {
				return Returned{}, result.Unsupportedf(
					"createCollection with viewOn and %s: the Go driver's CreateView takes only a pipeline and a collation", k)
			}
		}
		if viewPipeline == nil {
			viewPipeline = bson.A{}
		}
		err = db.Database.CreateView(ctx, name, viewOn, viewPipeline, vo)
	}
	if err != nil {
		return Returned{Err: err}, nil
	}
	return Returned{Entity: &entities.Collection{Client: db.Client, Collection: db.Database.Collection(name), Reads: db.Reads}}, nil
}

// createIndexOptionDefaults reads {storageEngine: {...}}, the only index option default.
func createIndexOptionDefaults(o *options.CreateCollectionOptionsBuilder) arg {
	return func(v bson.RawValue) error {
		d, ok := v.DocumentOK()
		if !ok {
			return typeError("a document", v)
		}
		io := options.DefaultIndex()
		if err := parseDocument(d, fields{"storageEngine": document(io.SetStorageEngine)}); err != nil {
			return err
		}
		o.SetDefaultIndexOptions(io)
		return nil
	}
}

// createTimeseries reads the timeseries document of createCollection.
func createTimeseries(o *options.CreateCollectionOptionsBuilder) arg {
	return func(v bson.RawValue) error {
		d, ok := v.DocumentOK()
		if !ok {
			return typeError("a document", v)
		}
		ts := options.TimeSeries()
		seconds := func(set func(time.Duration) *options.TimeSeriesOptionsBuilder) arg {
			return int64Arg(func(n int64) any { return set(time.Duration(n) * time.Second) })
		}
		err := parseDocument(d, fields{
			"timeField":             str(ts.SetTimeField),
			"metaField":             str(ts.SetMetaField),
			"granularity":           str(ts.SetGranularity),
			"bucketMaxSpanSeconds":  seconds(ts.SetBucketMaxSpan),
			"bucketRoundingSeconds": seconds(ts.SetBucketRounding),
		}, "timeField")
		if err != nil {
			return err
		}
		o.SetTimeSeriesOptions(ts)
		return nil
	}
}

func dropCollection(ctx context.Context, c *Call, db *entities.Database) (Returned, error) {
	var name string
	o := options.DropCollection()
	err := c.parse(fields{
		"collection":      stringVar(&name),
		"session":         session(c.Entities, &ctx),
		"encryptedFields": document(o.SetEncryptedFields),
		"comment":         unsupported("dropCollection comment: the Go driver's Drop has no comment option"),
	}, "collection")
	if err != nil {
		return Returned{}, err
	}
	return done(bson.RawValue{}, 0, db.Database.Collection(name).Drop(ctx, o))
}

// modifyCollection runs collMod: the Go driver has no helper for it, so the command is
// built from the arguments, in their order, and sent with RunCommand (primary read
// preference, no retry, the database's write concern not added).
func modifyCollection(ctx context.Context, c *Call, db *entities.Database) (Returned, error) {
	var name string
	var opts bson.D
	add := func(key string, check arg) arg {
		return func(v bson.RawValue) error {
			if err := check(v); err != nil {
				return err
			}
			opts = append(opts, bson.E{Key: key, Value: v})
			return nil
		}
	}
	ignore := func(any) any { return nil }
	asDoc := func(k string) arg { return add(k, document(ignore)) }
	asStr := func(k string) arg { return add(k, str(func(string) any { return nil })) }
	asInt := func(k string) arg { return add(k, int64Arg(func(int64) any { return nil })) }
	var stages any
	err := c.parse(fields{
		"collection":                   stringVar(&name),
		"session":                      session(c.Entities, &ctx),
		"validator":                    asDoc("validator"),
		"validationLevel":              asStr("validationLevel"),
		"validationAction":             asStr("validationAction"),
		"index":                        asDoc("index"),
		"changeStreamPreAndPostImages": asDoc("changeStreamPreAndPostImages"),
		"timeseries":                   asDoc("timeseries"),
		"expireAfterSeconds": add("expireAfterSeconds", func(v bson.RawValue) error {
			if _, ok := integer(v); ok || v.Type == bson.TypeString { // a number or "off"
				return nil
			}
			return typeError(`an integer or "off"`, v)
		}),
		"viewOn":     asStr("viewOn"),
		"pipeline":   add("pipeline", pipeline(&stages)),
		"cappedSize": asInt("cappedSize"),
		"cappedMax":  asInt("cappedMax"),
		"comment":    add("comment", func(bson.RawValue) error { return nil }),
	}, "collection")
	if err != nil {
		return Returned{}, err
	}
	cmd := append(bson.D{{Key: "collMod", Value: name}}, opts...)
	return done(bson.RawValue{}, 0, db.Database.RunCommand(ctx, cmd).Err())
}

// listCollectionsArgs reads the options of listCollections and listCollectionNames.
func listCollectionsArgs(ctx *context.Context, c *Call, o *options.ListCollectionsOptionsBuilder, nameOnly bool) (bson.Raw, error) {
	filter := noFilter
	fs := fields{
		"filter":                into(&filter),
		"session":               session(c.Entities, ctx),
		"batchSize":             int32Arg(o.SetBatchSize),
		"authorizedCollections": boolean(o.SetAuthorizedCollections),
		"rawData":               rawData(o, xoptions.SetInternalListCollectionsOptions),
		"comment":               unsupported("listCollections comment: the Go driver's ListCollections has no comment option"),
		"timeoutMode":           unsupportedTimeoutMode,
	}
	if nameOnly {
		fs["nameOnly"] = boolean(o.SetNameOnly)
	}
	return filter, c.parse(fs)
}

// listCollections (and listCollectionObjects) return the server's collection
// documents, the cursor fully iterated.
func listCollections(ctx context.Context, c *Call, db *entities.Database) (Returned, error) {
	o := options.ListCollections()
	filter, err := listCollectionsArgs(&ctx, c, o, true)
	if err != nil {
		return Returned{}, err
	}
	cur, err := db.Database.ListCollections(ctx, filter, o)
	return drain(ctx, cur, err)
}

func listCollectionNames(ctx context.Context, c *Call, db *entities.Database) (Returned, error) {
	o := options.ListCollections()
	filter, err := listCollectionsArgs(&ctx, c, o, false)
	if err != nil {
		return Returned{}, err
	}
	names, err := db.Database.ListCollectionNames(ctx, filter, o)
	if err != nil {
		return Returned{Err: err}, nil
	}
	return done(value(append([]string{}, names...)), matchers.Nested, nil)
}

// databaseAggregate is the database-level aggregate ($currentOp, $documents...), fully
// iterated.
func databaseAggregate(ctx context.Context, c *Call, db *entities.Database) (Returned, error) {
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
		"maxAwaitTimeMS": int64Arg(func(n int64) any {
			return o.SetMaxAwaitTime(time.Duration(n) * time.Millisecond)
		}),
		"rawData":     rawData(o, xoptions.SetInternalAggregateOptions),
		"maxTimeMS":   unsupported("maxTimeMS on aggregate: the Go driver v2 has no per-operation maxTimeMS (it uses timeoutMS)"),
		"timeoutMode": unsupportedTimeoutMode,
	}, "pipeline")
	if err != nil {
		return Returned{}, err
	}
	cur, err := db.Database.Aggregate(ctx, stages, o)
	return drain(ctx, cur, err)
}
