package matchers

import (
	"bytes"
	"errors"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Position says whether a matched value is a root-level document, the only
// kind of document that may contain keys the expectation does not mention.
type Position int

const (
	// Nested values are not root-level documents: a document must have exactly
	// the expected keys, and so must every document inside an array.
	Nested Position = iota
	// Root marks a root-level document (a command, a reply, an operation
	// result, an error response). Documents inside it are nested.
	Root
	// RootElements marks an array whose elements are root-level documents (the
	// documents of an iterated cursor). A value that is not an array is
	// matched as Root.
	RootElements
)

// Entities gives the matcher access to the entities of the running test, for
// $$sessionLsid and $$matchesEntity. An error means the entity is undefined or
// has the wrong type.
type Entities interface {
	// SessionLsid returns the logical session id document of a session entity.
	SessionLsid(name string) (bson.Raw, error)
	// EntityValue returns a BSON entity (e.g. a saved result) as a value.
	EntityValue(name string) (bson.RawValue, error)
}

// Matcher matches expected values against actual ones under one profile.
// Unified and Exact matchers are safe for concurrent use; a Legacy matcher is
// not, as it carries the cursor id of the test it belongs to.
type Matcher struct {
	profile  profile
	entities Entities
	cursorID int64 // Legacy: the id that the "42" placeholder stands for, 0 until seen
	// LegacyGridFS: the operation's result, which "*result" stands for
	gridfsResult func() (bson.RawValue, error)
}

// profile is what distinguishes the three kinds of matcher.
type profile struct {
	operators       bool // $$-prefixed operator documents
	flexibleNumbers bool // int32, int64 and double compare by value
	rootExtraKeys   bool // root-level documents may have unexpected keys
	// rootRules are the placeholders and optional fields of a legacy format, applied
	// in root-level documents; nil for the unified rules.
	rootRules *rule
	subset    bool // legacy change streams: MATCH, see LegacyChangeStreams
	gridfs    bool // legacy GridFS: "*actual" and "*result", see LegacyGridFS
}

// Unified returns a matcher for the Unified Test Format. entities may be nil
// if no test uses $$sessionLsid or $$matchesEntity.
func Unified(entities Entities) *Matcher {
	return &Matcher{
		profile:  profile{operators: true, flexibleNumbers: true, rootExtraKeys: true},
		entities: entities,
	}
}

// Exact returns a matcher for a unified test's outcome collection data, where
// only key order may differ. It ignores the position: no document is root-level.
func Exact() *Matcher {
	return &Matcher{}
}

// Legacy returns a matcher for one test of the legacy CRUD v1 or command
// monitoring formats. Match root-level documents (commands, replies, CRUD
// results) at Root: that is where extra keys are allowed and where the
// placeholders and optional fields apply.
func Legacy() *Matcher {
	return &Matcher{profile: profile{flexibleNumbers: true, rootExtraKeys: true, rootRules: legacyRoot}}
}

// LegacyTransactions returns a matcher for one test of the legacy transactions-style
// format: the unified rules, whose operators the translation writes for the format's
// placeholders in expected commands (lsid "session0", null fields, the 42s of getMore,
// afterClusterTime and recoveryToken) and which client-side encryption's README uses
// ($$type), with the CRUD v1 rules for operation results ("the same logic as the CRUD
// Spec Tests runner"): insertedId and insertedIds may be missing, a missing
// upsertedCount counts as 0.
func LegacyTransactions(entities Entities) *Matcher {
	return &Matcher{
		profile:  profile{operators: true, flexibleNumbers: true, rootExtraKeys: true, rootRules: crudResultRules},
		entities: entities,
	}
}

// Doc returns a document as a value to match, or the absent value for nil.
func Doc(doc bson.Raw) bson.RawValue {
	if doc == nil {
		return bson.RawValue{}
	}
	return bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: doc}
}

// Match reports whether actual satisfies expected, where actual sits at the
// given position. The zero actual value means the value is absent. The error
// is a *Mismatch or an *InvalidExpectation.
func (m *Matcher) Match(expected, actual bson.RawValue, at Position) error {
	if absent(expected) {
		return &InvalidExpectation{Err: errors.New("no expected value")}
	}
	r := run{Matcher: m, cursorID: m.cursorID}
	if err := r.match(expected, actual, at, nil); err != nil {
		return err
	}
	// Only a successful match binds the placeholder to the cursor id it saw;
	// only a Legacy matcher ever changes, so the others stay safe to share.
	if r.cursorID != m.cursorID {
		m.cursorID = r.cursorID
	}
	return nil
}

// run is one call of Match: the matcher, the path to the value being matched,
// the cursor id binding this call would commit and scratch space for the
// fields of the documents being matched.
type run struct {
	*Matcher
	cursorID int64
	path     []step
	scratch  []field
}

// step is one key or array index of a path.
type step struct {
	key   []byte
	index int // -1 for a key
}

func (r *run) enterKey(key []byte) { r.path = append(r.path, step{key: key, index: -1}) }
func (r *run) enterIndex(i int)    { r.path = append(r.path, step{index: i}) }
func (r *run) leave()              { r.path = r.path[:len(r.path)-1] }

func (r *run) pathString() string {
	var b []byte
	for i, s := range r.path {
		if i > 0 {
			b = append(b, '.')
		}
		if s.index >= 0 {
			b = strconv.AppendInt(b, int64(s.index), 10)
		} else {
			b = append(b, s.key...)
		}
	}
	return string(b)
}

func (r *run) mismatch(expected, actual bson.RawValue, reason string) error {
	return &Mismatch{Path: r.pathString(), Expected: expected, Actual: actual, Reason: reason}
}

func (r *run) invalid(expected bson.RawValue, err error) error {
	return &InvalidExpectation{Path: r.pathString(), Expected: expected, Err: err}
}

// absent reports whether v is the absent value (no BSON type has number 0).
func absent(v bson.RawValue) bool { return v.Type == 0 }

// match compares one expected value with the actual one; rules are the legacy
// rules that apply at this place (nil outside legacy root-level documents).
func (r *run) match(exp, act bson.RawValue, at Position, rules *rule) error {
	if handled, err := rules.check(r, exp, act); handled {
		return err
	}
	if handled, err := r.formatPlaceholder(exp, act); handled {
		return err
	}
	switch exp.Type {
	case bson.TypeEmbeddedDocument:
		doc, ok := exp.DocumentOK()
		if !ok {
			return r.invalid(exp, errMalformed)
		}
		if r.profile.operators {
			if name, arg, ok := operatorOf(doc); ok {
				return r.operator(name, arg, exp, act, at)
			}
		}
		actDoc, err := r.actualDocument(exp, act)
		if err != nil {
			return err
		}
		root := at != Nested
		if root && r.profile.rootRules != nil {
			rules = r.profile.rootRules
		}
		return r.matchDocument(exp, doc, actDoc, root, rules)
	case bson.TypeArray:
		arr, ok := exp.ArrayOK()
		if !ok {
			return r.invalid(exp, errMalformed)
		}
		if act.Type != bson.TypeArray {
			return r.mismatch(exp, act, "")
		}
		actArr, ok := act.ArrayOK()
		if !ok {
			return r.mismatch(exp, act, errMalformed.Error())
		}
		elementsAt := Nested
		if at == RootElements {
			elementsAt = Root
		}
		return r.matchArray(exp, arr, actArr, elementsAt, rules.elements())
	default:
		if absent(act) || !r.equalScalars(exp, act) {
			return r.mismatch(exp, act, "")
		}
		return nil
	}
}

// actualDocument returns act as a document, or the mismatch if it is not one.
func (r *run) actualDocument(exp, act bson.RawValue) (bson.Raw, error) {
	if act.Type != bson.TypeEmbeddedDocument {
		return nil, r.mismatch(exp, act, "")
	}
	doc, ok := act.DocumentOK()
	if !ok {
		return nil, r.mismatch(exp, act, errMalformed.Error())
	}
	return doc, nil
}

// matchDocument requires every expected key to match (keys the actual document
// lacks are absent values, which operators and legacy rules may accept) and,
// unless the document is a root that may have extra keys, no other key in the
// actual document. Key order is free.
func (r *run) matchDocument(exp bson.RawValue, expDoc, actDoc []byte, root bool, rules *rule) error {
	defer r.freeScratch(len(r.scratch))
	expFields, actFields, err := r.readBoth(exp, expDoc, actDoc, bson.TypeEmbeddedDocument)
	if err != nil {
		return err
	}
	actual := newFieldIndex(actFields)
	for _, f := range expFields {
		keyRules := rules.key(f.key)
		act, found := actual.lookup(f.key)
		r.enterKey(f.key)
		if !found && keyRules.omittable() {
			err = keyRules.matchOmitted(r, f.value)
		} else {
			err = r.match(f.value, act, Nested, keyRules)
		}
		r.leave()
		if err != nil {
			return err
		}
	}
	if (root && r.profile.rootExtraKeys) || r.profile.subset {
		return nil
	}
	reason := "unexpected key"
	if !root {
		reason += " in a nested document"
	}
	expected := newFieldIndex(expFields)
	for _, f := range actFields {
		if _, found := expected.lookup(f.key); !found {
			r.enterKey(f.key)
			err := r.mismatch(bson.RawValue{}, f.value, reason)
			r.leave()
			return err
		}
	}
	return nil
}

// matchArray requires the same number of elements, matching in order.
func (r *run) matchArray(exp bson.RawValue, expArr, actArr []byte, at Position, rules *rule) error {
	defer r.freeScratch(len(r.scratch))
	expFields, actFields, err := r.readBoth(exp, expArr, actArr, bson.TypeArray)
	if err != nil {
		return err
	}
	if len(expFields) != len(actFields) && !(r.profile.subset && len(actFields) > len(expFields)) {
		return r.mismatch(exp, bson.RawValue{Type: bson.TypeArray, Value: actArr},
			"expected "+strconv.Itoa(len(expFields))+" elements, got "+strconv.Itoa(len(actFields)))
	}
	for i, f := range expFields {
		r.enterIndex(i)
		err := r.checkElementOperator(f.value)
		if err == nil {
			err = r.match(f.value, actFields[i].value, at, rules)
		}
		r.leave()
		if err != nil {
			return err
		}
	}
	return nil
}

// readBoth reads the fields of an expected and an actual document or array
// into the run's scratch space, which the caller frees when done with them.
func (r *run) readBoth(exp bson.RawValue, expRaw, actRaw []byte, t bson.Type) (expFields, actFields []field, err error) {
	start := len(r.scratch)
	if r.scratch, err = appendFields(r.scratch, expRaw); err != nil {
		return nil, nil, r.invalid(exp, err)
	}
	middle := len(r.scratch)
	if r.scratch, err = appendFields(r.scratch, actRaw); err != nil {
		return nil, nil, r.mismatch(exp, bson.RawValue{Type: t, Value: actRaw}, err.Error())
	}
	return r.scratch[start:middle], r.scratch[middle:], nil
}

// freeScratch gives back the scratch space from mark on. Nested matches reuse
// it; fields handed out earlier stay intact, as they lie before the mark or in
// an older array that a grown scratch was copied from.
func (r *run) freeScratch(mark int) { r.scratch = r.scratch[:mark] }

// equalScalars compares values that are neither documents nor arrays.
func (r *run) equalScalars(exp, act bson.RawValue) bool {
	if r.profile.flexibleNumbers {
		if e, ok := numberOf(exp); ok {
			a, ok := numberOf(act)
			return ok && e.equal(a)
		}
	}
	if exp.Type != act.Type {
		return false
	}
	if exp.Type == bson.TypeCodeWithScope {
		return equalCodeWithScope(exp, act)
	}
	return bytes.Equal(exp.Value, act.Value)
}

// equalCodeWithScope compares scopes exactly, in any key order, as the spec
// requires for "types that contain documents as internal properties".
func equalCodeWithScope(exp, act bson.RawValue) bool {
	expCode, expScope, ok := exp.CodeWithScopeOK()
	if !ok {
		return false
	}
	actCode, actScope, ok := act.CodeWithScopeOK()
	if !ok || expCode != actCode {
		return false
	}
	return Exact().Match(Doc(expScope), Doc(actScope), Nested) == nil
}
