package specifications

import (
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The expected commands of the legacy transactions-style format: the README's
// placeholder rules as unified operators, and the $$ keys the format refuses.

// expectedCommand translates the README's rules for an expected command into unified
// operators, which express them exactly:
//   - lsid "session0" or "session1": the lsid of that session ($$sessionLsid);
//   - a null field: the command omits the field ($$exists: false);
//   - getMore 42: a fake cursor id, ignored, so any value ($$exists: true);
//   - readConcern.afterClusterTime 42: the command has an afterClusterTime ($$exists: true);
//   - recoveryToken 42: the command has a recoveryToken, which SHOULD be a document
//     ($$type: object).
//
// Anywhere else 42 is a literal.
func (tt *txnTranslation) expectedCommand(path string, cmd bson.Raw) (bson.Raw, *FieldError) {
	elems, _ := cmd.Elements()
	var out bson.D
	for _, e := range elems {
		key, v := e.Key(), e.Value()
		p := joinPath(path, key)
		switch {
		case key == "lsid" && v.Type == bson.TypeString:
			s := v.StringValue()
			if s != LegacySession0 && s != LegacySession1 {
				return nil, fieldErrorf(p, "must be session0 or session1")
			}
			out = append(out, bson.E{Key: key, Value: bson.D{{Key: "$$sessionLsid", Value: s}}})
			continue
		case strings.HasPrefix(key, "$$") && !tt.cse:
			return nil, fieldErrorf(p, "the format has no $$ operators")
		case key == "getMore" && (is42(v) || (v.Type == bson.TypeString && v.StringValue() == "42")):
			out = append(out, bson.E{Key: key, Value: bson.D{{Key: "$$exists", Value: true}}})
			continue
		case key == "recoveryToken" && is42(v):
			out = append(out, bson.E{Key: key, Value: bson.D{{Key: "$$type", Value: "object"}}})
			continue
		case key == "readConcern" && v.Type == bson.TypeEmbeddedDocument:
			rc, err := tt.nullsAbsent(p, v.Document(), func(k string, v bson.RawValue) (bson.RawValue, bool) {
				if k == "afterClusterTime" && is42(v) {
					return rawDocument(bson.D{{Key: "$$exists", Value: true}}), true
				}
				return v, false
			})
			if err != nil {
				return nil, err
			}
			out = append(out, bson.E{Key: key, Value: rc})
			continue
		}
		translated, err := tt.nullsAbsentValue(p, v)
		if err != nil {
			return nil, err
		}
		out = append(out, bson.E{Key: key, Value: translated})
	}
	return mustMarshal(out), nil
}

// nullsAbsentValue turns every null field of the documents in v into $$exists: false
// ("Tests MUST assert that the actual command omits any field that has a null value").
func (tt *txnTranslation) nullsAbsentValue(path string, v bson.RawValue) (bson.RawValue, *FieldError) {
	switch v.Type {
	case bson.TypeNull:
		return rawDocument(bson.D{{Key: "$$exists", Value: false}}), nil
	case bson.TypeEmbeddedDocument:
		return tt.nullsAbsent(path, v.Document(), nil)
	case bson.TypeArray:
		values, _ := v.Array().Values()
		out := bson.A{}
		for i, x := range values {
			if x.Type == bson.TypeNull {
				out = append(out, x) // an element, not a field: a literal null
				continue
			}
			t, err := tt.nullsAbsentValue(indexPath(path, i), x)
			if err != nil {
				return v, err
			}
			out = append(out, t)
		}
		typ, data, _ := bson.MarshalValue(out)
		return bson.RawValue{Type: typ, Value: data}, nil
	}
	return v, nil
}

// nullsAbsent is nullsAbsentValue for a document; special may replace a field's value
// first (and says whether it did).
func (tt *txnTranslation) nullsAbsent(path string, doc bson.Raw, special func(string, bson.RawValue) (bson.RawValue, bool)) (bson.RawValue, *FieldError) {
	elems, _ := doc.Elements()
	out := bson.D{}
	for _, e := range elems {
		p := joinPath(path, e.Key())
		if strings.HasPrefix(e.Key(), "$$") && !tt.cse {
			return bson.RawValue{}, fieldErrorf(p, "the format has no $$ operators")
		}
		if special != nil {
			if v, ok := special(e.Key(), e.Value()); ok {
				out = append(out, bson.E{Key: e.Key(), Value: v})
				continue
			}
		}
		v, err := tt.nullsAbsentValue(p, e.Value())
		if err != nil {
			return bson.RawValue{}, err
		}
		out = append(out, bson.E{Key: e.Key(), Value: v})
	}
	return rawDocument(out), nil
}

// checkOperators refuses $$ keys in results and outcome outside client-side encryption,
// whose README alone gives the format an operator ($$type): elsewhere the unified
// operators that the translation uses must not be read into a fixture's literal keys.
func (tt *txnTranslation) checkOperators(path string, v any) *FieldError {
	if tt.cse {
		return nil
	}
	var raw bson.RawValue
	switch x := v.(type) {
	case bson.Raw:
		raw = rawDocument(x)
	case bson.RawValue:
		raw = x
	}
	return findOperator(path, raw)
}

func findOperator(path string, v bson.RawValue) *FieldError {
	switch v.Type {
	case bson.TypeEmbeddedDocument:
		elems, _ := v.Document().Elements()
		for _, e := range elems {
			if strings.HasPrefix(e.Key(), "$$") {
				return fieldErrorf(joinPath(path, e.Key()), "the format has no $$ operators")
			}
			if err := findOperator(joinPath(path, e.Key()), e.Value()); err != nil {
				return err
			}
		}
	case bson.TypeArray:
		values, _ := v.Array().Values()
		for i, x := range values {
			if err := findOperator(indexPath(path, i), x); err != nil {
				return err
			}
		}
	}
	return nil
}

// is42 reports whether v is the placeholder 42, as a number of any type.
func is42(v bson.RawValue) bool {
	switch v.Type {
	case bson.TypeInt32, bson.TypeInt64:
		n, _ := v.AsInt64OK()
		return n == 42
	case bson.TypeDouble:
		return v.Double() == 42
	}
	return false
}

func rawDocument(d any) bson.RawValue {
	raw, ok := d.(bson.Raw)
	if !ok {
		var err error
		if raw, err = bson.Marshal(d); err != nil {
			panic(err) // only documents built from decoded BSON values reach here
		}
	}
	return bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: raw}
}
