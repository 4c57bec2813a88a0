package operations

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
)

// Atlas search index management (Index Management spec) through the driver's
// SearchIndexView. The driver sends no read or write concern with these commands, as
// the spec requires.

// searchIndexModel reads a SearchIndexModel as the tests write it: {definition, name,
// type}, name and type being its SearchIndexOptions.
func searchIndexModel(d bson.Raw) (mongo.SearchIndexModel, error) {
	var (
		definition bson.Raw
		o          = options.SearchIndexes()
	)
	err := parseDocument(d, fields{
		"definition": into(&definition),
		"name":       str(o.SetName),
		"type":       str(o.SetType),
	}, "definition")
	return mongo.SearchIndexModel{Definition: definition, Options: o}, err
}

// searchIndexModelArg reads one model argument into *dst.
func searchIndexModelArg(dst *mongo.SearchIndexModel) arg {
	return func(v bson.RawValue) error {
		d, ok := v.DocumentOK()
		if !ok {
			return typeError("a document", v)
		}
		m, err := searchIndexModel(d)
		if err != nil {
			return err
		}
		*dst = m
		return nil
	}
}

func collCreateSearchIndex(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var model mongo.SearchIndexModel
	if err := c.parse(fields{"model": searchIndexModelArg(&model)}, "model"); err != nil {
		return Returned{}, err
	}
	name, err := coll.Collection.SearchIndexes().CreateOne(ctx, model)
	return done(value(name), matchers.Nested, err)
}

func collCreateSearchIndexes(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var models []mongo.SearchIndexModel
	err := c.parse(fields{
		"models": arg(func(v bson.RawValue) error {
			var docs []bson.Raw
			if err := documents(&docs)(v); err != nil {
				return err
			}
			models = make([]mongo.SearchIndexModel, 0, len(docs))
			for i, d := range docs {
				m, err := searchIndexModel(d)
				if err != nil {
					return fmt.Errorf("[%d]: %w", i, err)
				}
				models = append(models, m)
			}
			return nil
		}),
	}, "models")
	if err != nil {
		return Returned{}, err
	}
	names, err := coll.Collection.SearchIndexes().CreateMany(ctx, models)
	if err != nil {
		return Returned{Err: err}, nil
	}
	list := bson.A{}
	for _, n := range names {
		list = append(list, n)
	}
	return done(value(list), matchers.Nested, nil)
}

// collDropSearchIndex: the driver suppresses NamespaceNotFound, as the spec requires.
func collDropSearchIndex(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var name string
	if err := c.parse(fields{"name": stringVar(&name)}, "name"); err != nil {
		return Returned{}, err
	}
	return done(bson.RawValue{}, 0, coll.Collection.SearchIndexes().DropOne(ctx, name))
}

func collUpdateSearchIndex(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var (
		name       string
		definition bson.Raw
	)
	err := c.parse(fields{
		"name":       stringVar(&name),
		"definition": into(&definition),
	}, "name", "definition")
	if err != nil {
		return Returned{}, err
	}
	return done(bson.RawValue{}, 0, coll.Collection.SearchIndexes().UpdateOne(ctx, name, definition))
}

// collListSearchIndexes runs the $listSearchIndexes aggregation, with the index name
// and the aggregate's options, and returns every document.
func collListSearchIndexes(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	var (
		so  *options.SearchIndexesOptionsBuilder
		agg *options.AggregateOptions
	)
	err := c.parse(fields{
		"name": str(func(s string) any { so = options.SearchIndexes().SetName(s); return nil }),
		"aggregationOptions": arg(func(v bson.RawValue) error {
			d, ok := v.DocumentOK()
			if !ok {
				return typeError("a document", v)
			}
			var err error
			agg, err = searchAggregateOptions(d)
			return err
		}),
	})
	if err != nil {
		return Returned{}, err
	}
	lo := &options.ListSearchIndexesOptionsBuilder{}
	if agg != nil {
		lo.Opts = append(lo.Opts, func(o *options.ListSearchIndexesOptions) error {
			o.AggregateOptions = agg
			return nil
		})
	}
	// A nil so is no name: the driver skips nil option builders.
	cur, err := coll.Collection.SearchIndexes().List(ctx, so, lo)
	return drain(ctx, cur, err)
}

// searchAggregateOptions reads listSearchIndexes' aggregationOptions, the options of
// aggregate, into the options struct the driver's ListSearchIndexesOptions holds.
func searchAggregateOptions(d bson.Raw) (*options.AggregateOptions, error) {
	b := options.Aggregate()
	err := parseDocument(d, fields{
		"allowDiskUse":             boolean(b.SetAllowDiskUse),
		"batchSize":                int32Arg(b.SetBatchSize),
		"bypassDocumentValidation": bypassValidation(b.SetBypassDocumentValidation),
		"collation":                collation(b.SetCollation),
		"comment":                  anyValue(b.SetComment),
		"hint":                     hint(b.SetHint),
		"let":                      document(b.SetLet),
		"maxAwaitTimeMS":           collMilliseconds(b.SetMaxAwaitTime),
		"maxTimeMS":                collMaxTimeMS("listSearchIndexes"),
	})
	if err != nil {
		return nil, err
	}
	o := &options.AggregateOptions{}
	for _, set := range b.List() {
		if err := set(o); err != nil {
			return nil, err
		}
	}
	return o, nil
}
