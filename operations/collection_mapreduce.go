package operations

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
	"github.com/specrun/specrun/result"
)

// collMapReduce runs mapReduce, which the Go driver v2 does not have: the command is
// built here as the spec's tests expect it,
//
//	{mapReduce: <collection>, map: <map>, reduce: <reduce>, out: {inline: 1}
//	 [, readConcern: {level: <the collection's>}]}
//
// and sent with RunCommand to the collection's database, with the collection's read
// preference. Only inline output is run: it is a read, with the read settings the
// collection inherits (outside a transaction, where the driver would send them);
// output to a collection is a write whose write concern specrun does not know.
// RunCommand does not retry reads, and neither do drivers retry mapReduce.
func collMapReduce(ctx context.Context, c *Call, coll *entities.Collection) (Returned, error) {
	args, err := collMapReduceArgs(&ctx, c)
	if err != nil {
		return Returned{}, err
	}
	cmd := args.command(coll.Collection.Name())
	if rc := coll.Reads.Concern; rc != nil && rc.Level != "" && !inTransaction(ctx) {
		cmd = append(cmd, bson.E{Key: "readConcern", Value: bson.D{{Key: "level", Value: rc.Level}}})
	}
	o := options.RunCmd()
	if rp := coll.Reads.Preference; rp != nil {
		o.SetReadPreference(rp)
	}
	reply, err := coll.Collection.Database().RunCommand(ctx, cmd, o).Raw()
	if err != nil {
		return Returned{Err: err}, nil
	}
	results, err := reply.LookupErr("results")
	if err != nil {
		return Returned{Err: fmt.Errorf("mapReduce reply has no results field: %s", reply)}, nil
	}
	if results.Type != bson.TypeArray {
		return Returned{Err: fmt.Errorf("mapReduce reply's results is a %s: %s", results.Type, reply)}, nil
	}
	return done(results, matchers.RootElements, nil)
}

// mapReduceArgs are mapReduce's arguments, read before the collection is touched.
type mapReduceArgs struct{ mapFn, reduceFn, out bson.RawValue }

// command is the mapReduce command for collection name.
func (a mapReduceArgs) command(name string) bson.D {
	return bson.D{
		{Key: "mapReduce", Value: name},
		{Key: "map", Value: a.mapFn},
		{Key: "reduce", Value: a.reduceFn},
		{Key: "out", Value: a.out},
	}
}

// collMapReduceArgs reads mapReduce's arguments.
func collMapReduceArgs(ctx *context.Context, c *Call) (mapReduceArgs, error) {
	var mapFn, reduceFn, out bson.RawValue
	js := func(dst *bson.RawValue) arg {
		return func(v bson.RawValue) error {
			if v.Type != bson.TypeJavaScript && v.Type != bson.TypeString {
				return typeError("JavaScript code or a string", v)
			}
			*dst = v
			return nil
		}
	}
	err := c.parse(fields{
		"map":    js(&mapFn),
		"reduce": js(&reduceFn),
		"out": arg(func(v bson.RawValue) error {
			d, ok := v.DocumentOK()
			if !ok {
				if v.Type == bson.TypeString {
					return result.Unsupportedf("%s", mapReduceToCollection)
				}
				return typeError("a document or a string", v)
			}
			elems, err := d.Elements()
			if err != nil {
				return err
			}
			if len(elems) != 1 || elems[0].Key() != "inline" {
				return result.Unsupportedf("%s", mapReduceToCollection)
			}
			out = v
			return nil
		}),
		"session": session(c.Entities, ctx),
	}, "map", "reduce", "out")
	if err != nil {
		return mapReduceArgs{}, err
	}
	return mapReduceArgs{mapFn, reduceFn, out}, nil
}

const mapReduceToCollection = "mapReduce with output to a collection: the Go driver v2 has no mapReduce, and specrun sends it as a command only with inline output (a read)"
