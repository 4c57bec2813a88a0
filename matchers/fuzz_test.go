package matchers

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

var positions = []Position{Nested, Root, RootElements}

// FuzzMatchSelf checks that a document matches itself under the Unified and
// Exact profiles, and that no input makes any profile panic.
//
// Both inputs are used twice: as raw BSON (arbitrary, often malformed, for
// either side of a match) and as the choices of a generator that always
// builds valid BSON with every type, operator-looking keys and duplicate keys.
//
// Two kinds of document are excluded from the self-match property, honestly:
// documents with $$-operators anywhere (under Unified the expectation is then
// an operator, not a literal; they still match themselves under Exact), and
// documents with a duplicate key (a document is matched as a map, so {a: 1,
// a: 2} cannot match itself; servers reject such documents).
func FuzzMatchSelf(f *testing.F) {
	for _, seed := range []string{
		`{"ok": 1.0, "cursor": {"id": {"$numberLong": "42"}, "ns": "db.c", "firstBatch": [{"_id": 1, "x": "a"}]}}`,
		`{"x": {"$$type": ["int", "long"]}, "y": {"$$exists": false}, "z": {"$$unsetOrMatches": {"$$lte": 2}}}`,
		`{"d": {"$numberDecimal": "1.5"}, "n": {"$numberDouble": "NaN"}, "c": {"$code": "f", "$scope": {"a": 1}}, "t": {"$timestamp": {"t": 1, "i": 2}}}`,
		`{"json": {"$$matchAsDocument": {"$$matchAsRoot": {}}}, "lsid": {"$$sessionLsid": "session0"}, "e": {"$$matchesEntity": "doc0"}}`,
		`{"writeErrors": [{"index": 0, "code": 42, "errmsg": ""}], "upsertedCount": 0, "getMore": "42", "cursors": [42]}`,
	} {
		doc := value(seed).Value
		f.Add(doc, doc)
		f.Add(doc, []byte(seed))
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		for _, raw := range [][]byte{a, b} {
			checkFields(t, raw)
			if deepValid(t, raw) {
				checkSelf(t, raw)
			}
		}
		matchAll(Doc(a), Doc(b))
		if len(a) > 0 {
			matchAll(bson.RawValue{Type: bson.Type(a[0]), Value: a[1:]}, Doc(b))
			matchAll(Doc(b), bson.RawValue{Type: bson.Type(a[0]), Value: a[1:]})
		}

		genA, okA := generate(a)
		genB, okB := generate(b)
		if okA {
			checkSelf(t, genA)
		}
		if okA && okB {
			matchAll(Doc(genA), Doc(genB))
		}
	})
}

// matchAll matches under every profile and position, rendering any error: it
// may fail, it must not panic.
func matchAll(expected, actual bson.RawValue) {
	for _, at := range positions {
		for _, m := range []*Matcher{Unified(testEntities), Unified(nil), Exact(), Legacy()} {
			if err := m.Match(expected, actual, at); err != nil {
				_ = err.Error()
			}
		}
	}
}

func checkSelf(t *testing.T, doc bson.Raw) {
	matchAll(Doc(doc), Doc(doc))
	if hasDuplicateKeys(doc) {
		return
	}
	for _, at := range positions {
		if err := Exact().Match(Doc(doc), Doc(doc), at); err != nil {
			t.Fatalf("exact: %s does not match itself at %v: %v", doc, at, err)
		}
		if hasOperator(doc) {
			continue
		}
		if err := Unified(testEntities).Match(Doc(doc), Doc(doc), at); err != nil {
			t.Fatalf("unified: %s does not match itself at %v: %v", doc, at, err)
		}
	}
}

// checkFields compares appendFields with bson.Raw.Elements: whatever
// appendFields accepts, Elements must accept and read the same way.
func checkFields(t *testing.T, doc []byte) {
	fields, err := appendFields(nil, doc)
	if err != nil {
		return
	}
	elems, err := bson.Raw(doc).Elements()
	if err != nil || len(elems) != len(fields) {
		t.Fatalf("appendFields read %d fields of %x, Elements %d (%v)", len(fields), doc, len(elems), err)
	}
	for i, e := range elems {
		f := fields[i]
		if e.Key() != string(f.key) || e.Value().Type != f.value.Type || !bytes.Equal(e.Value().Value, f.value.Value) {
			t.Fatalf("field %d of %x: appendFields read %q %x, Elements %q %x", i, doc, f.key, f.value.Value, e.Key(), e.Value().Value)
		}
	}
}

// deepValid reports whether doc and everything the matcher reads inside it
// (documents, arrays, code with scope) is well-formed BSON. bson.Raw.Elements
// is too lenient to tell (it accepts a document whose last element ends where
// its terminating 0 should be), so this uses appendFields, which checkFields
// holds to agree with Elements on everything it accepts.
func deepValid(t *testing.T, doc bson.Raw) bool {
	if len(doc) < 5 || int(binary.LittleEndian.Uint32(doc)) != len(doc) {
		return false
	}
	checkFields(t, doc)
	fields, err := appendFields(nil, doc)
	if err != nil {
		return false
	}
	for _, f := range fields {
		v := f.value
		switch v.Type {
		case bson.TypeEmbeddedDocument, bson.TypeArray:
			if !deepValid(t, v.Value) {
				return false
			}
		case bson.TypeCodeWithScope:
			_, scope, ok := v.CodeWithScopeOK()
			if !ok || !deepValid(t, scope) {
				return false
			}
		default:
			if v.Validate() != nil {
				return false
			}
		}
	}
	return true
}

// walk calls visit for every document in doc, itself included, and in its
// arrays and scopes, until visit returns true.
func walk(doc bson.Raw, visit func(bson.Raw) bool) bool {
	if visit(doc) {
		return true
	}
	elems, _ := doc.Elements()
	for _, e := range elems {
		v := e.Value()
		var inner bson.Raw
		switch v.Type {
		case bson.TypeEmbeddedDocument:
			inner, _ = v.DocumentOK()
		case bson.TypeArray:
			arr, _ := v.ArrayOK()
			inner = bson.Raw(arr)
		case bson.TypeCodeWithScope:
			_, inner, _ = v.CodeWithScopeOK()
		default:
			continue
		}
		if walk(inner, visit) {
			return true
		}
	}
	return false
}

func hasOperator(doc bson.Raw) bool {
	return walk(doc, func(d bson.Raw) bool {
		_, _, ok := operatorOf(d)
		return ok
	})
}

func hasDuplicateKeys(doc bson.Raw) bool {
	return walk(doc, func(d bson.Raw) bool {
		elems, _ := d.Elements()
		seen := map[string]bool{}
		for _, e := range elems {
			if seen[e.Key()] {
				return true
			}
			seen[e.Key()] = true
		}
		return false
	})
}

// generator builds a BSON document from fuzz bytes, one choice per byte.
type generator struct{ choices []byte }

func generate(choices []byte) (bson.Raw, bool) {
	g := generator{choices}
	doc, err := bson.Marshal(g.document(0))
	return doc, err == nil
}

func (g *generator) next() byte {
	if len(g.choices) == 0 {
		return 0
	}
	b := g.choices[0]
	g.choices = g.choices[1:]
	return b
}

func (g *generator) bytes(n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = g.next()
	}
	return out
}

func (g *generator) uint64() uint64 { return binary.LittleEndian.Uint64(g.bytes(8)) }

// fuzzKeys include keys the legacy rules know and operator names.
var fuzzKeys = []string{"a", "b", "x", "_id", "", "ok", "id", "cursor", "getMore", "cursors", "writeErrors", "code", "errmsg",
	"insertedId", "upsertedCount", "$$exists", "$$type", "$$unsetOrMatches", "$$lte", "$$matchAsDocument", "$$matchAsRoot",
	"$$matchesHexBytes", "$$sessionLsid", "$$matchesEntity", "$$foo", "$gt", "a.b"}

func (g *generator) key() string { return fuzzKeys[int(g.next())%len(fuzzKeys)] }

func (g *generator) document(depth int) bson.D {
	doc := bson.D{}
	for range int(g.next() % 5) {
		doc = append(doc, bson.E{Key: g.key(), Value: g.value(depth + 1)})
	}
	return doc
}

func (g *generator) array(depth int) bson.A {
	arr := bson.A{}
	for range int(g.next() % 4) {
		arr = append(arr, g.value(depth+1))
	}
	return arr
}

func (g *generator) text() string { return string(g.bytes(int(g.next() % 4))) }

func (g *generator) value(depth int) any {
	const maxDepth = 5
	switch g.next() % 24 {
	case 0:
		return math.Float64frombits(g.uint64()) // any double: NaN, infinities, -0
	case 1:
		return g.text()
	case 2:
		if depth < maxDepth {
			return g.document(depth)
		}
	case 3:
		if depth < maxDepth {
			return g.array(depth)
		}
	case 4:
		return bson.Binary{Subtype: g.next() % 10, Data: g.bytes(int(g.next() % 3))}
	case 5:
		return bson.Undefined{}
	case 6:
		return bson.ObjectID(g.bytes(12))
	case 7:
		return g.next()%2 == 0
	case 8:
		return bson.DateTime(int64(g.uint64()))
	case 9:
		return nil
	case 10:
		return bson.Regex{Pattern: []string{"", "a", "^b"}[g.next()%3], Options: []string{"", "i", "im"}[g.next()%3]}
	case 11:
		return bson.DBPointer{DB: "db.c", Pointer: bson.ObjectID(g.bytes(12))}
	case 12:
		return bson.JavaScript(g.text())
	case 13:
		return bson.Symbol(g.text())
	case 14:
		if depth < maxDepth {
			return bson.CodeWithScope{Code: bson.JavaScript(g.text()), Scope: g.document(depth)}
		}
	case 15:
		return int32(g.uint64())
	case 16:
		return bson.Timestamp{T: uint32(g.uint64()), I: uint32(g.uint64())}
	case 17:
		return int64(g.uint64())
	case 18:
		return bson.NewDecimal128(g.uint64(), g.uint64())
	case 19:
		return bson.MinKey{}
	case 20:
		return bson.MaxKey{}
	case 21: // small numbers of every numeric type, which compare across types
		n := int64(g.next()%5) - 2
		return []any{int32(n), n, float64(n), float64(n) + 0.5, int32(42), "42", ""}[g.next()%7]
	case 22: // a type alias or hex string, for operator arguments
		return []string{"int", "long", "number", "object", "array", "null", "00", "6869", "{}", `{"a": 1}`}[g.next()%10]
	case 23:
		if depth < maxDepth {
			return bson.D{{Key: g.key(), Value: g.value(depth + 1)}}
		}
	}
	return int32(g.next())
}
