package operations

import (
	"context"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/result"
)

// handler handles one argument's value.
type handler interface {
	handle(v bson.RawValue) error
}

// arg is an ordinary handler: it checks the value and stores it.
type arg func(v bson.RawValue) error

func (a arg) handle(v bson.RawValue) error { return a(v) }

// fields maps argument names to their handlers for one operation.
type fields map[string]handler

// parse hands every argument of the call to its handler. An argument the operation does
// not take is an error, as the spec requires ("unsupported argument"), and so is a
// missing required one. Every executor calls it before anything else.
//
// Under a dry run (Coverage) it only notes the names it would refuse and returns
// errDryRun, which the executor returns before it touches its entity.
func (c *Call) parse(fs fields, required ...string) error {
	if c.dry != nil {
		return c.dry.parse(c.Op.Arguments, fs, required)
	}
	return parseDocument(c.Op.Arguments, fs, required...)
}

// parseDocument hands every field of raw to its handler, as parse does with arguments:
// the fields of a document argument (a write model, options) are read the same way.
func parseDocument(raw bson.Raw, fs fields, required ...string) error {
	elems, err := raw.Elements()
	if err != nil {
		return &InvalidArgument{"arguments", err}
	}
	seen := map[string]bool{}
	for _, el := range elems {
		key := el.Key()
		h, ok := fs[key]
		if !ok {
			return &UnknownArgument{key}
		}
		seen[key] = true
		if err := h.handle(el.Value()); err != nil {
			if v, ok := err.(*result.Verdict); ok {
				return v
			}
			return &InvalidArgument{key, err}
		}
	}
	for _, key := range required {
		if !seen[key] {
			return &InvalidArgument{key, fmt.Errorf("is required")}
		}
	}
	return nil
}

// The handlers below check the BSON type and pass the value to a setter, most often an
// option builder's SetX method (whatever it returns is dropped).

func document[R any](set func(any) R) arg {
	return func(v bson.RawValue) error {
		d, ok := v.DocumentOK()
		if !ok {
			return typeError("a document", v)
		}
		set(d)
		return nil
	}
}

// into stores a document argument in *dst.
func into(dst *bson.Raw) arg {
	return func(v bson.RawValue) error {
		d, ok := v.DocumentOK()
		if !ok {
			return typeError("a document", v)
		}
		*dst = d
		return nil
	}
}

// documents stores an array of documents in *dst.
func documents(dst *[]bson.Raw) arg {
	return func(v bson.RawValue) error {
		arr, ok := v.ArrayOK()
		if !ok {
			return typeError("an array of documents", v)
		}
		vals, err := arr.Values()
		if err != nil {
			return err
		}
		out := make([]bson.Raw, 0, len(vals))
		for i, e := range vals {
			d, ok := e.DocumentOK()
			if !ok {
				return fmt.Errorf("[%d]: %w", i, typeError("a document", e))
			}
			out = append(out, d)
		}
		*dst = out
		return nil
	}
}

// pipeline stores an array of stages (documents) as the driver takes it.
func pipeline(dst *any) arg {
	return func(v bson.RawValue) error {
		var docs []bson.Raw
		if err := documents(&docs)(v); err != nil {
			return err
		}
		*dst = docs
		return nil
	}
}

// update stores an update document or an update pipeline.
func update(dst *any) arg {
	return func(v bson.RawValue) error {
		if d, ok := v.DocumentOK(); ok {
			*dst = d
			return nil
		}
		return pipeline(dst)(v)
	}
}

// anyValue passes any BSON value (comment, hint, let) in the driver's own terms.
func anyValue[R any](set func(any) R) arg {
	return func(v bson.RawValue) error {
		set(goValue(v))
		return nil
	}
}

// hint takes a string (index name) or a document (index keys).
func hint[R any](set func(any) R) arg {
	return func(v bson.RawValue) error {
		if v.Type != bson.TypeString && v.Type != bson.TypeEmbeddedDocument {
			return typeError("a string or a document", v)
		}
		set(goValue(v))
		return nil
	}
}

// goValue converts strings and documents to the Go types the driver inspects
// (string, bson.Raw); other values stay raw and marshal as themselves.
func goValue(v bson.RawValue) any {
	switch v.Type {
	case bson.TypeString:
		return v.StringValue()
	case bson.TypeEmbeddedDocument:
		return v.Document()
	}
	return v
}

func boolean[R any](set func(bool) R) arg {
	return func(v bson.RawValue) error {
		b, ok := v.BooleanOK()
		if !ok {
			return typeError("a boolean", v)
		}
		set(b)
		return nil
	}
}

func str[R any](set func(string) R) arg {
	return func(v bson.RawValue) error {
		s, ok := v.StringValueOK()
		if !ok {
			return typeError("a string", v)
		}
		set(s)
		return nil
	}
}

func int64Arg[R any](set func(int64) R) arg {
	return func(v bson.RawValue) error {
		n, ok := integer(v)
		if !ok {
			return typeError("an integer", v)
		}
		set(n)
		return nil
	}
}

func int32Arg[R any](set func(int32) R) arg {
	return func(v bson.RawValue) error {
		n, ok := integer(v)
		if !ok || n != int64(int32(n)) {
			return typeError("a 32-bit integer", v)
		}
		set(int32(n))
		return nil
	}
}

// integer accepts int32, int64 and integral doubles (YAML fixtures write some counts
// as doubles).
func integer(v bson.RawValue) (int64, bool) {
	switch v.Type {
	case bson.TypeInt32, bson.TypeInt64:
		return v.AsInt64(), true
	case bson.TypeDouble:
		f := v.Double()
		if f == float64(int64(f)) {
			return int64(f), true
		}
	}
	return 0, false
}

func collation[R any](set func(*options.Collation) R) arg {
	return func(v bson.RawValue) error {
		c, err := collationOf(v)
		if err != nil {
			return err
		}
		set(c)
		return nil
	}
}

// collationOf reads a collation document with the server's field names.
func collationOf(v bson.RawValue) (*options.Collation, error) {
	d, ok := v.DocumentOK()
	if !ok {
		return nil, typeError("a document", v)
	}
	c := &options.Collation{}
	elems, _ := d.Elements()
	for _, el := range elems {
		var err error
		f := el.Value()
		switch el.Key() {
		case "locale":
			err = str(func(s string) any { c.Locale = s; return nil })(f)
		case "caseLevel":
			err = boolean(func(b bool) any { c.CaseLevel = b; return nil })(f)
		case "caseFirst":
			err = str(func(s string) any { c.CaseFirst = s; return nil })(f)
		case "strength":
			err = int64Arg(func(n int64) any { c.Strength = int(n); return nil })(f)
		case "numericOrdering":
			err = boolean(func(b bool) any { c.NumericOrdering = b; return nil })(f)
		case "alternate":
			err = str(func(s string) any { c.Alternate = s; return nil })(f)
		case "maxVariable":
			err = str(func(s string) any { c.MaxVariable = s; return nil })(f)
		case "normalization":
			err = boolean(func(b bool) any { c.Normalization = b; return nil })(f)
		case "backwards":
			err = boolean(func(b bool) any { c.Backwards = b; return nil })(f)
		default:
			err = fmt.Errorf("unknown collation field")
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", el.Key(), err)
		}
	}
	return c, nil
}

func writeConcern[R any](set func(*writeconcern.WriteConcern) R) arg {
	return func(v bson.RawValue) error {
		d, ok := v.DocumentOK()
		if !ok {
			return typeError("a document", v)
		}
		wc, err := entities.WriteConcern(d)
		if err != nil {
			return err
		}
		set(wc)
		return nil
	}
}

func readPreference[R any](set func(*readpref.ReadPref) R) arg {
	return func(v bson.RawValue) error {
		d, ok := v.DocumentOK()
		if !ok {
			return typeError("a document", v)
		}
		rp, err := entities.ReadPreference(d)
		if err != nil {
			return err
		}
		set(rp)
		return nil
	}
}

// unsupported refuses an argument the Go driver cannot express.
func unsupported(why string) refusal { return refusal(why) }

// refusal is the handler of an argument the Go driver cannot express, whatever its
// value: it says why. A dry run (Coverage) recognises it by its type and reports it
// without a value.
type refusal string

func (r refusal) handle(bson.RawValue) error { return result.Unsupportedf("%s", string(r)) }

// session resolves the session argument to a session entity and binds it to *ctx,
// which the operation then runs with.
func session(m *entities.Map, ctx *context.Context) arg {
	return func(v bson.RawValue) error {
		name, ok := v.StringValueOK()
		if !ok {
			return typeError("a session entity name", v)
		}
		s, err := entities.Lookup[*entities.Session](m, name)
		if err != nil {
			return err
		}
		*ctx = mongo.NewSessionContext(*ctx, s.Session)
		return nil
	}
}

func typeError(want string, v bson.RawValue) error {
	return fmt.Errorf("must be %s, not %s", want, strings.ToLower(v.Type.String()))
}

// bypassValidation reads bypassDocumentValidation for the operations whose driver
// method sends it only when true (collection writes, aggregate): false, which the spec's
// tests expect to see in the command, cannot be expressed.
func bypassValidation[R any](set func(bool) R) arg {
	return func(v bson.RawValue) error {
		b, ok := v.BooleanOK()
		if !ok {
			return typeError("a boolean", v)
		}
		if !b {
			return result.Unsupportedf("bypassDocumentValidation: false: the Go driver v2 sends this option only when true")
		}
		set(b)
		return nil
	}
}

// modelList reads an array of one-key documents, {<model name>: {<fields>}}, as bulk
// write requests and client bulk write models are written, and reads each with read.
// Argument errors name the element, e.g. requests[2].updateOne.upsert.
func modelList[T any](arg string, v bson.RawValue, read func(name string, body bson.Raw) (T, error)) ([]T, error) {
	arr, ok := v.ArrayOK()
	if !ok {
		return nil, &InvalidArgument{Name: arg, Err: typeError("an array", v)}
	}
	vals, err := arr.Values()
	if err != nil {
		return nil, &InvalidArgument{Name: arg, Err: err}
	}
	out := make([]T, 0, len(vals))
	for i, mv := range vals {
		where := fmt.Sprintf("%s[%d]", arg, i)
		d, ok := mv.DocumentOK()
		if !ok {
			return nil, &InvalidArgument{Name: where, Err: typeError("a document", mv)}
		}
		elems, err := d.Elements()
		if err != nil {
			return nil, &InvalidArgument{Name: where, Err: err}
		}
		if len(elems) != 1 {
			return nil, &InvalidArgument{Name: where, Err: fmt.Errorf("must have exactly one key, the write model's name, not %d", len(elems))}
		}
		name := elems[0].Key()
		body, ok := elems[0].Value().DocumentOK()
		if !ok {
			return nil, &InvalidArgument{Name: where + "." + name, Err: typeError("a document", elems[0].Value())}
		}
		m, err := read(name, body)
		if err != nil {
			return nil, collPrefixed(where, err)
		}
		out = append(out, m)
	}
	return out, nil
}
