package matchers

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// missing, as the actual side of a case, is the absent value.
const missing = ""

// value parses one relaxed or canonical Extended JSON value; missing is the
// absent value. Test data is fixed, so bad JSON panics.
func value(extJSON string) bson.RawValue {
	if extJSON == missing {
		return bson.RawValue{}
	}
	var doc bson.Raw
	if err := bson.UnmarshalExtJSON([]byte(`{"v": `+extJSON+`}`), false, &doc); err != nil {
		panic(fmt.Sprintf("test value %s: %v", extJSON, err))
	}
	return doc.Lookup("v")
}

type verdict int

const (
	pass verdict = iota
	mismatch
	invalid
)

func (v verdict) String() string { return [...]string{"pass", "mismatch", "invalid"}[v] }

// matchCase is one table row: expected and actual as Extended JSON, where the
// failure must be reported (path) and, optionally, text its message contains.
type matchCase struct {
	name             string
	expected, actual string
	at               Position
	want             verdict
	path             string
	message          string
}

func verdictOf(err error) (verdict, string) {
	var m *Mismatch
	var inv *InvalidExpectation
	switch {
	case err == nil:
		return pass, ""
	case errors.As(err, &m):
		return mismatch, m.Path
	case errors.As(err, &inv):
		return invalid, inv.Path
	}
	return -1, ""
}

func (c matchCase) check(t *testing.T, m *Matcher) {
	t.Helper()
	err := m.Match(value(c.expected), value(c.actual), c.at)
	got, path := verdictOf(err)
	if got != c.want {
		t.Fatalf("got %v (%v), want %v", got, err, c.want)
	}
	if path != c.path {
		t.Errorf("error at path %q, want %q: %v", path, c.path, err)
	}
	if c.message != "" && (err == nil || !strings.Contains(err.Error(), c.message)) {
		t.Errorf("error %q does not contain %q", err, c.message)
	}
}

func runCases(t *testing.T, newMatcher func() *Matcher, cases []matchCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.check(t, newMatcher()) })
	}
}

// entities is a fixed entity map: session lsids and BSON entities as
// Extended JSON.
type entities struct {
	sessions, values map[string]string
}

func (e entities) SessionLsid(name string) (bson.Raw, error) {
	s, ok := e.sessions[name]
	if !ok {
		return nil, fmt.Errorf("no session entity %q", name)
	}
	return value(s).Document(), nil
}

func (e entities) EntityValue(name string) (bson.RawValue, error) {
	s, ok := e.values[name]
	if !ok {
		return bson.RawValue{}, fmt.Errorf("no entity %q", name)
	}
	return value(s), nil
}

var testEntities = entities{
	sessions: map[string]string{
		"session0": `{"id": {"$binary": {"base64": "RaigP3oASqu+galPvRAfcg==", "subType": "04"}}}`,
	},
	values: map[string]string{
		"objectid0": `{"$oid": "57e193d7a9cc81b4027498b5"}`,
		"doc0":      `{"x": 1}`,
	},
}

func unified() *Matcher { return Unified(testEntities) }
