package operations

import (
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The collection operations beyond insertOne and find: reads (collection_read.go),
// writes (collection_write.go), bulkWrite (collection_bulk.go), indexes and collection
// management (collection_index.go), and the result models as BSON
// (collection_results.go). They are registered in table.go.

// Arguments the Go driver v2 cannot express, with the reason a test is unsupported.

// collMaxTimeMS refuses maxTimeMS, which the Go driver v2 removed from its options.
func collMaxTimeMS(op string) refusal {
	return unsupported("maxTimeMS on " + op + ": the Go driver v2 has no per-operation maxTimeMS (it uses timeoutMS)")
}

// collTimeoutMode refuses the CSOT cursor timeoutMode.
func collTimeoutMode(op string) refusal {
	return unsupported("timeoutMode on " + op + ": the Go driver v2 has no cursor timeout modes")
}

// collNoOption refuses an option the spec defines but the driver's options type lacks.
func collNoOption(op, name, optionsType string) refusal {
	return unsupported(fmt.Sprintf("%s on %s: the Go driver v2's %s has no %s", name, op, optionsType, name))
}

// collEmptyFilter is the filter of operations whose filter may be left out.
func collEmptyFilter() bson.Raw { return bson.Raw{5, 0, 0, 0, 0} }

// collArrayFilters takes arrayFilters, an array of documents, as the driver's []any.
func collArrayFilters[R any](set func([]any) R) arg {
	return func(v bson.RawValue) error {
		var docs []bson.Raw
		if err := documents(&docs)(v); err != nil {
			return err
		}
		filters := make([]any, len(docs))
		for i, d := range docs {
			filters[i] = d
		}
		set(filters)
		return nil
	}
}

// collReturnDocument takes returnDocument, "Before" or "After" in any case, as the
// unified format requires.
func collReturnDocument[R any](set func(options.ReturnDocument) R) arg {
	return func(v bson.RawValue) error {
		s, ok := v.StringValueOK()
		if !ok {
			return typeError(`"Before" or "After"`, v)
		}
		switch {
		case strings.EqualFold(s, "before"):
			set(options.Before)
		case strings.EqualFold(s, "after"):
			set(options.After)
		default:
			return fmt.Errorf(`must be "Before" or "After", not %q`, s)
		}
		return nil
	}
}

// collFloat takes any number as a float64 (2d index bounds).
func collFloat[R any](set func(float64) R) arg {
	return func(v bson.RawValue) error {
		switch v.Type {
		case bson.TypeDouble:
			set(v.Double())
		case bson.TypeInt32, bson.TypeInt64:
			set(float64(v.AsInt64()))
		default:
			return typeError("a number", v)
		}
		return nil
	}
}

// collPrefixed puts the path of a nested argument (a bulkWrite request) in front of
// the name an argument error carries.
func collPrefixed(prefix string, err error) error {
	switch e := err.(type) {
	case *UnknownArgument:
		return &UnknownArgument{Name: prefix + "." + e.Name}
	case *InvalidArgument:
		return &InvalidArgument{Name: prefix + "." + e.Name, Err: e.Err}
	}
	return err
}

// collMilliseconds takes a number of milliseconds as a time.Duration.
func collMilliseconds[R any](set func(time.Duration) R) arg {
	return int64Arg(func(ms int64) R { return set(time.Duration(ms) * time.Millisecond) })
}

// cursorTypes are find's cursorType values (UTF "createFindCursor"), as the driver's.
var cursorTypes = map[string]options.CursorType{
	"tailable":      options.Tailable,
	"tailableAwait": options.TailableAwait,
	"nonTailable":   options.NonTailable,
}

func cursorType[R any](set func(options.CursorType) R) arg {
	return func(v bson.RawValue) error {
		s, ok := v.StringValueOK()
		ct, known := cursorTypes[s]
		if !ok || !known {
			return typeError("tailable, tailableAwait or nonTailable", v)
		}
		set(ct)
		return nil
	}
}
