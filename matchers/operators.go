package matchers

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/internal/bsontext"
)

// operatorOf recognises a special operator: a document whose first and only
// key starts with "$$".
func operatorOf(doc bson.Raw) (name string, arg bson.RawValue, ok bool) {
	// doc[4] is the first element's type, its key starts at doc[5].
	if len(doc) < 7 || doc[5] != '$' || doc[6] != '$' {
		return "", bson.RawValue{}, false
	}
	var buf [2]field
	fields, err := appendFields(buf[:0], doc)
	if err != nil || len(fields) != 1 {
		return "", bson.RawValue{}, false
	}
	return string(fields[0].key), fields[0].value, true
}

// checkElementOperator rejects the operators that are about a key being
// present: an array element always is, so the spec excludes $$unsetOrMatches
// there ("Arrays Must Contain the Same Number of Elements") and defines
// $$exists for "the value for a key" only.
func (r *run) checkElementOperator(exp bson.RawValue) error {
	if !r.profile.operators {
		return nil
	}
	doc, ok := exp.DocumentOK()
	if !ok {
		return nil
	}
	if name, _, ok := operatorOf(doc); ok && (name == "$$unsetOrMatches" || name == "$$exists") {
		return r.invalid(exp, fmt.Errorf("%s cannot be an array element", name))
	}
	return nil
}

// operator evaluates the special operator exp (name: arg) against act. The
// operator decides whether an absent act is acceptable.
func (r *run) operator(name string, arg, exp, act bson.RawValue, at Position) error {
	switch name {
	case "$$exists":
		return r.exists(arg, exp, act)
	case "$$type":
		return r.hasType(arg, exp, act)
	case "$$unsetOrMatches":
		if absent(act) {
			return nil
		}
		return r.match(arg, act, at, nil)
	case "$$matchesEntity":
		return r.matchesEntity(arg, exp, act, at)
	case "$$sessionLsid":
		return r.sessionLsid(arg, exp, act)
	case "$$matchesHexBytes":
		return r.matchesHexBytes(arg, exp, act)
	case "$$lte":
		return r.lte(arg, exp, act)
	case "$$matchAsDocument":
		return r.matchAsDocument(arg, exp, act)
	case "$$matchAsRoot":
		if arg.Type != bson.TypeEmbeddedDocument {
			return r.invalid(exp, errors.New("$$matchAsRoot takes a document"))
		}
		if _, err := r.actualDocument(exp, act); err != nil {
			return err
		}
		return r.match(arg, act, Root, nil)
	default:
		return r.invalid(exp, fmt.Errorf("unknown operator %q", name))
	}
}

func (r *run) exists(arg, exp, act bson.RawValue) error {
	want, ok := arg.BooleanOK()
	if !ok {
		return r.invalid(exp, errors.New("$$exists takes a boolean"))
	}
	if want == absent(act) {
		return r.mismatch(exp, act, "")
	}
	return nil
}

// typeAliases are the string aliases of the $type query operator.
var typeAliases = map[string][]bson.Type{
	"double":              {bson.TypeDouble},
	"string":              {bson.TypeString},
	"object":              {bson.TypeEmbeddedDocument},
	"array":               {bson.TypeArray},
	"binData":             {bson.TypeBinary},
	"undefined":           {bson.TypeUndefined},
	"objectId":            {bson.TypeObjectID},
	"bool":                {bson.TypeBoolean},
	"date":                {bson.TypeDateTime},
	"null":                {bson.TypeNull},
	"regex":               {bson.TypeRegex},
	"dbPointer":           {bson.TypeDBPointer},
	"javascript":          {bson.TypeJavaScript},
	"symbol":              {bson.TypeSymbol},
	"javascriptWithScope": {bson.TypeCodeWithScope},
	"int":                 {bson.TypeInt32},
	"timestamp":           {bson.TypeTimestamp},
	"long":                {bson.TypeInt64},
	"decimal":             {bson.TypeDecimal128},
	"minKey":              {bson.TypeMinKey},
	"maxKey":              {bson.TypeMaxKey},
	"number":              {bson.TypeDouble, bson.TypeInt32, bson.TypeInt64, bson.TypeDecimal128},
}

// hasType checks only the type of act itself, never of its elements.
func (r *run) hasType(arg, exp, act bson.RawValue) error {
	aliases := []bson.RawValue{arg}
	if arg.Type == bson.TypeArray {
		arr, _ := arg.ArrayOK()
		values, err := arr.Values()
		if err != nil || len(values) == 0 {
			return r.invalid(exp, errors.New("$$type takes a type alias or a non-empty array of them"))
		}
		aliases = values
	}
	matched := false
	for _, v := range aliases {
		alias, ok := v.StringValueOK()
		types, known := typeAliases[alias]
		if !ok || !known {
			return r.invalid(exp, fmt.Errorf("$$type: %s is not a type alias", bsontext.Describe(v)))
		}
		matched = matched || slices.Contains(types, act.Type)
	}
	if !matched {
		return r.mismatch(exp, act, "")
	}
	return nil
}

func (r *run) entityName(op string, arg, exp bson.RawValue) (string, error) {
	name, ok := arg.StringValueOK()
	if !ok {
		return "", r.invalid(exp, fmt.Errorf("%s takes an entity name", op))
	}
	if r.entities == nil {
		return "", r.invalid(exp, fmt.Errorf("%s needs entities, the matcher has none", op))
	}
	return name, nil
}

// matchesEntity matches act against a saved entity by the standard rules; the
// entity does not change whether act is a root-level document.
func (r *run) matchesEntity(arg, exp, act bson.RawValue, at Position) error {
	name, err := r.entityName("$$matchesEntity", arg, exp)
	if err != nil {
		return err
	}
	entity, err := r.entities.EntityValue(name)
	if err != nil {
		return r.invalid(exp, fmt.Errorf("entity %q: %w", name, err))
	}
	if absent(entity) {
		return r.invalid(exp, fmt.Errorf("entity %q has no value", name))
	}
	return r.match(entity, act, at, nil)
}

// sessionLsid requires act to equal the session's lsid: "equals", so exactly.
func (r *run) sessionLsid(arg, exp, act bson.RawValue) error {
	name, err := r.entityName("$$sessionLsid", arg, exp)
	if err != nil {
		return err
	}
	lsid, err := r.entities.SessionLsid(name)
	if err != nil {
		return r.invalid(exp, fmt.Errorf("session %q: %w", name, err))
	}
	if err := Exact().Match(Doc(lsid), act, Nested); err != nil {
		var invalid *InvalidExpectation
		if errors.As(err, &invalid) {
			return r.invalid(exp, fmt.Errorf("lsid of session %q: %w", name, err))
		}
		return r.mismatch(exp, act, fmt.Sprintf("the lsid of session %q is %s", name, bsontext.Describe(Doc(lsid))))
	}
	return nil
}

// matchesHexBytes compares the bytes of act with the decoded argument. The spec
// says act is a string (download results); binary data of the generic subtype
// is the same bytes as a Go runner naturally represents them.
func (r *run) matchesHexBytes(arg, exp, act bson.RawValue) error {
	hexBytes, ok := arg.StringValueOK()
	if !ok {
		return r.invalid(exp, errors.New("$$matchesHexBytes takes a string of hexadecimal digits"))
	}
	want, err := hex.DecodeString(hexBytes)
	if err != nil {
		return r.invalid(exp, fmt.Errorf("$$matchesHexBytes: %w", err))
	}
	var got []byte
	if s, ok := act.StringValueOK(); ok {
		got = []byte(s)
	} else if subtype, data, ok := act.BinaryOK(); ok && subtype == bson.TypeBinaryGeneric {
		got = data
	} else {
		return r.mismatch(exp, act, "not a string or generic binary data")
	}
	if !bytes.Equal(got, want) {
		return r.mismatch(exp, act, "")
	}
	return nil
}

// lte compares by value, exactly, across int32, int64 and double.
func (r *run) lte(arg, exp, act bson.RawValue) error {
	limit, ok := numberOf(arg)
	if !ok {
		return r.invalid(exp, errors.New("$$lte takes an int32, int64 or double"))
	}
	n, ok := numberOf(act)
	if !ok {
		return r.mismatch(exp, act, "")
	}
	if c, comparable := n.compare(limit); !comparable || c > 0 {
		return r.mismatch(exp, act, "")
	}
	return nil
}

// matchAsDocument parses act, an Extended JSON string, and matches the
// document as nested (not root-level) unless arg uses $$matchAsRoot.
func (r *run) matchAsDocument(arg, exp, act bson.RawValue) error {
	s, ok := act.StringValueOK()
	if !ok {
		return r.mismatch(exp, act, "not an Extended JSON string")
	}
	var doc bson.Raw
	if err := bson.UnmarshalExtJSON([]byte(s), false, &doc); err != nil {
		return r.mismatch(exp, act, "not an Extended JSON document: "+strings.TrimSpace(err.Error()))
	}
	return r.match(arg, Doc(doc), Nested, nil)
}
