package matchers

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/internal/bsontext"
)

// rule says how the legacy formats treat one place of a root-level document.
// Rules form a tree that mirrors the documents; a nil *rule means no rule.
type rule struct {
	keys      map[string]*rule // rules for the keys of a document
	each      *rule            // rule for every element of an array
	expect    placeholder      // a placeholder that may stand here
	mayOmit   bool             // the key may be missing from the actual document
	omittedAs bson.RawValue    // what a missing key counts as, if not absent
}

// placeholder checks exp against act if exp is the placeholder value; it
// reports whether it was.
type placeholder func(r *run, exp, act bson.RawValue) (handled bool, err error)

// legacyRoot holds the rules of the legacy formats, at the keys the fixtures
// use them:
//
//   - command monitoring: a cursor id of "42" (getMore, cursor.id in replies,
//     the cursor id arrays of killCursors and of its reply) stands for one
//     cursor id greater than zero, the same for every event of the test; in
//     writeErrors, code 42 stands for any code greater than zero and errmsg ""
//     for any non-empty message.
//   - CRUD v1 results: drivers need not report insertedId and insertedIds, and
//     a missing upsertedCount counts as 0.
//
// Anywhere else 42 and "" are literals.
var legacyRoot = &rule{keys: map[string]*rule{
	"getMore":         cursorID,
	"cursor":          {keys: map[string]*rule{"id": cursorID}},
	"cursors":         {each: cursorID},
	"cursorsKilled":   {each: cursorID},
	"cursorsNotFound": {each: cursorID},
	"cursorsAlive":    {each: cursorID},
	"cursorsUnknown":  {each: cursorID},
	"writeErrors": {each: &rule{keys: map[string]*rule{
		"code":   {expect: anyErrorCode},
		"errmsg": {expect: anyErrorMessage},
	}}},
	"insertedId":    insertedID,
	"insertedIds":   insertedID,
	"upsertedCount": upsertedCount,
}}

// The CRUD v1 result rules, shared by the legacy transactions-style format.
var (
	insertedID      = &rule{mayOmit: true}
	upsertedCount   = &rule{omittedAs: bson.RawValue{Type: bson.TypeInt32, Value: []byte{0, 0, 0, 0}}}
	crudResultRules = &rule{keys: map[string]*rule{
		"insertedId":    insertedID,
		"insertedIds":   insertedID,
		"upsertedCount": upsertedCount,
	}}
)

var cursorID = &rule{expect: sameCursorID}

func (n *rule) key(k []byte) *rule {
	if n == nil {
		return nil
	}
	return n.keys[string(k)]
}

func (n *rule) elements() *rule {
	if n == nil {
		return nil
	}
	return n.each
}

// omittable reports whether the actual document may lack the key.
func (n *rule) omittable() bool { return n != nil && (n.mayOmit || !absent(n.omittedAs)) }

// matchOmitted matches exp for a key the actual document lacks.
func (n *rule) matchOmitted(r *run, exp bson.RawValue) error {
	if n.mayOmit || r.equalScalars(exp, n.omittedAs) {
		return nil
	}
	return r.mismatch(exp, bson.RawValue{}, "a missing key counts as "+bsontext.Describe(n.omittedAs))
}

// check applies the placeholder that may stand at this place.
func (n *rule) check(r *run, exp, act bson.RawValue) (bool, error) {
	if n == nil || n.expect == nil {
		return false, nil
	}
	return n.expect(r, exp, act)
}

// is42 reports whether v is the placeholder 42, as a number of any type or,
// if asString, as the string "42".
func is42(v bson.RawValue, asString bool) bool {
	if n, ok := numberOf(v); ok {
		return n.equal(number{i: 42})
	}
	s, ok := v.StringValueOK()
	return asString && ok && s == "42"
}

// sameCursorID binds the placeholder to the first cursor id it meets in the
// test and requires the same id everywhere else.
func sameCursorID(r *run, exp, act bson.RawValue) (bool, error) {
	if !is42(exp, true) {
		return false, nil
	}
	id, ok := positiveInteger(act)
	switch {
	case !ok:
		return true, r.mismatch(exp, act, "placeholder 42 stands for a cursor id greater than zero")
	case r.cursorID == 0:
		r.cursorID = id
	case r.cursorID != id:
		return true, r.mismatch(exp, act, fmt.Sprintf("placeholder 42 stands for cursor id %d in this test", r.cursorID))
	}
	return true, nil
}

func anyErrorCode(r *run, exp, act bson.RawValue) (bool, error) {
	if !is42(exp, false) {
		return false, nil
	}
	if _, ok := positiveInteger(act); !ok {
		return true, r.mismatch(exp, act, "placeholder 42 stands for an error code greater than zero")
	}
	return true, nil
}

// anyErrorMessage takes the README's "not empty" literally; its aside "(a
// string of length greater than 1)" would reject one-character messages.
func anyErrorMessage(r *run, exp, act bson.RawValue) (bool, error) {
	if s, ok := exp.StringValueOK(); !ok || s != "" {
		return false, nil
	}
	if s, ok := act.StringValueOK(); !ok || s == "" {
		return true, r.mismatch(exp, act, `placeholder "" stands for a non-empty message`)
	}
	return true, nil
}

// LegacyChangeStreams returns a matcher for the legacy change-stream tests: their
// README's MATCH. Expected is a subset of actual at every depth: a document may have
// keys the expectation does not name, an array more elements than expected (each
// expected element matches the actual one at its index); 42 or "42" stands for any
// value that exists and is not null; otherwise actual must have the expected JSON
// type and value. The README lets drivers compare "native equivalents of JSON": all
// numbers (int32, int64, double) are one JSON type and compare by value. The
// position does not matter.
func LegacyChangeStreams() *Matcher {
	return &Matcher{profile: profile{flexibleNumbers: true, subset: true}}
}

// LegacyGridFS returns a matcher for the legacy GridFS tests: results and the files
// and chunks documents are "the same" as expected, no key more or less, except that
// "*actual" stands for any value the actual document has there and "*result" for
// the operation's result, which result returns. The fixtures are JSON, whose numbers
// have no width: numbers compare by value (a driver stores length as int64 where the
// fixture writes 1). Compare collections with MatchUnordered.
func LegacyGridFS(result func() (bson.RawValue, error)) *Matcher {
	return &Matcher{profile: profile{flexibleNumbers: true, gridfs: true}, gridfsResult: result}
}

// formatPlaceholder applies the placeholders of LegacyChangeStreams and LegacyGridFS.
func (r *run) formatPlaceholder(exp, act bson.RawValue) (bool, error) {
	switch {
	case r.profile.subset && is42(exp, true):
		if absent(act) || act.Type == bson.TypeNull {
			return true, r.mismatch(exp, act, "placeholder 42 stands for any value that exists and is not null")
		}
		return true, nil
	case r.profile.gridfs && exp.Type == bson.TypeString:
		switch s := exp.StringValue(); s {
		case "*actual":
			if absent(act) {
				return true, r.mismatch(exp, act, `placeholder "*actual" stands for whatever value the document has, but it has none`)
			}
			return true, nil
		case "*result":
			want, err := r.gridfsResult()
			if err != nil {
				return true, r.invalid(exp, fmt.Errorf(`placeholder "*result": %w`, err))
			}
			if absent(act) || !want.Equal(act) {
				return true, r.mismatch(want, act, `placeholder "*result" stands for the operation's result`)
			}
			return true, nil
		}
	}
	return false, nil
}

// MatchUnordered matches a collection's documents against the expected ones in any
// order: each expected document must match a different actual one, and no actual
// document may be left over. Every pairing is tried, so a placeholder cannot take
// the document a literal needed.
func (m *Matcher) MatchUnordered(expected, actual []bson.Raw) error {
	if len(expected) != len(actual) {
		return &Mismatch{Expected: int32Value(len(expected)), Actual: int32Value(len(actual)), Reason: "the number of documents"}
	}
	fits := make([][]bool, len(expected))
	for i, e := range expected {
		fits[i] = make([]bool, len(actual))
		for j, a := range actual {
			err := m.Match(Doc(e), Doc(a), Nested)
			var invalid *InvalidExpectation
			if errors.As(err, &invalid) {
				return err
			}
			fits[i][j] = err == nil
		}
	}
	used := make([]bool, len(actual))
	var pair func(i int) (int, bool) // the first expected document left unpaired
	pair = func(i int) (int, bool) {
		if i == len(expected) {
			return i, true
		}
		deepest := i
		for j := range actual {
			if fits[i][j] && !used[j] {
				used[j] = true
				k, ok := pair(i + 1)
				used[j] = false
				if ok {
					return k, true
				}
				deepest = max(deepest, k)
			}
		}
		return deepest, false
	}
	if i, ok := pair(0); !ok {
		return &Mismatch{Path: strconv.Itoa(i), Expected: Doc(expected[i]), Reason: "no actual document left that matches this one"}
	}
	return nil
}

func int32Value(n int) bson.RawValue {
	return bson.RawValue{Type: bson.TypeInt32, Value: binary.LittleEndian.AppendUint32(nil, uint32(n))}
}
