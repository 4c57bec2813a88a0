package entities

import (
	"fmt"
	"time"

	"github.com/specrun/specrun/result"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
	"go.mongodb.org/mongo-driver/v2/tag"
)

// The spec's common options (readConcern, readPreference, writeConcern), read strictly
// from their documents into driver values.

// ReadConcern reads {level}.
func ReadConcern(doc bson.Raw) (*readconcern.ReadConcern, error) {
	rc := &readconcern.ReadConcern{}
	err := eachField(doc, "readConcern", func(key string, v bson.RawValue) error {
		if key != "level" {
			return errUnknown
		}
		s, ok := v.StringValueOK()
		if !ok {
			return errType("a string")
		}
		rc.Level = s
		return nil
	})
	return rc, err
}

// WriteConcern reads {w, j, wtimeoutMS}; the Go driver v2 has no wtimeout.
func WriteConcern(doc bson.Raw) (*writeconcern.WriteConcern, error) {
	wc := &writeconcern.WriteConcern{}
	err := eachField(doc, "writeConcern", func(key string, v bson.RawValue) error {
		switch key {
		case "w":
			if s, ok := v.StringValueOK(); ok {
				wc.W = s
				return nil
			}
			n, ok := v.AsInt64OK()
			if !ok {
				return errType("a string or an integer")
			}
			wc.W = int(n)
		case "j", "journal":
			b, ok := v.BooleanOK()
			if !ok {
				return errType("a boolean")
			}
			wc.Journal = &b
		case "wtimeoutMS":
			return result.Unsupportedf("writeConcern.wtimeoutMS: the Go driver v2 has no write concern timeout")
		default:
			return errUnknown
		}
		return nil
	})
	return wc, err
}

// ReadPreference reads {mode, tagSets, maxStalenessSeconds, hedge}.
func ReadPreference(doc bson.Raw) (*readpref.ReadPref, error) {
	var mode readpref.Mode
	var opts []readpref.Option
	err := eachField(doc, "readPreference", func(key string, v bson.RawValue) error {
		switch key {
		case "mode":
			s, ok := v.StringValueOK()
			if !ok {
				return errType("a string")
			}
			m, err := readpref.ModeFromString(s)
			if err != nil {
				return err
			}
			mode = m
		case "tagSets":
			arr, ok := v.ArrayOK()
			if !ok {
				return errType("an array")
			}
			vals, _ := arr.Values()
			var sets []tag.Set
			for _, sv := range vals {
				d, ok := sv.DocumentOK()
				if !ok {
					return errType("an array of documents")
				}
				var set tag.Set
				elems, _ := d.Elements()
				for _, el := range elems {
					s, ok := el.Value().StringValueOK()
					if !ok {
						return errType("tag values that are strings")
					}
					set = append(set, tag.Tag{Name: el.Key(), Value: s})
				}
				sets = append(sets, set)
			}
			opts = append(opts, readpref.WithTagSets(sets...))
		case "maxStalenessSeconds":
			n, ok := v.AsInt64OK()
			if !ok {
				return errType("an integer")
			}
			opts = append(opts, readpref.WithMaxStaleness(time.Duration(n)*time.Second))
		case "hedge":
			d, ok := v.DocumentOK()
			if !ok {
				return errType("a document")
			}
			if b, ok := d.Lookup("enabled").BooleanOK(); ok {
				//lint:ignore SA1019 tests still send hedge to servers older than 8.0
				opts = append(opts, readpref.WithHedgeEnabled(b))
			}
		default:
			return errUnknown
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if mode == 0 {
		return nil, fmt.Errorf("readPreference: mode is required")
	}
	return readpref.New(mode, opts...)
}

var errUnknown = fmt.Errorf("unknown option")

type typeErr string

func (e typeErr) Error() string { return "must be " + string(e) }
func errType(want string) error { return typeErr(want) }

// eachField calls fn for every field of doc and names the field in its errors.
func eachField(doc bson.Raw, what string, fn func(key string, v bson.RawValue) error) error {
	elems, err := doc.Elements()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	for _, el := range elems {
		if err := fn(el.Key(), el.Value()); err != nil {
			if _, ok := err.(*result.Verdict); ok {
				return err
			}
			return fmt.Errorf("%s.%s: %w", what, el.Key(), err)
		}
	}
	return nil
}
