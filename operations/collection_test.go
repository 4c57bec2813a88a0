package operations

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// collTestMap holds a collection entity on a client that cannot reach any server:
// every case below must fail while its arguments are read, before any round trip (a
// round trip would end, quickly, in a server selection error instead).
func collTestMap(t *testing.T) *entities.Map {
	t.Helper()
	mc, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=100"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mc.Disconnect(context.Background()) })
	m := entities.NewMap()
	cl := &entities.Client{ID: "client0", Client: mc}
	if err := m.Add("client0", cl); err != nil {
		t.Fatal(err)
	}
	coll := &entities.Collection{Client: cl, Collection: mc.Database("db").Collection("coll")}
	if err := m.Add("collection0", coll); err != nil {
		t.Fatal(err)
	}
	return m
}

// collExtJSON reads relaxed Extended JSON as the arguments document.
func collExtJSON(t *testing.T, s string) bson.Raw {
	t.Helper()
	var d bson.Raw
	if err := bson.UnmarshalExtJSON([]byte(s), false, &d); err != nil {
		t.Fatalf("bad test arguments %s: %v", s, err)
	}
	return d
}

func collExec(t *testing.T, m *entities.Map, name string, args bson.Raw) (Returned, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return Execute(ctx, &Call{Entities: m, Op: &specifications.Operation{Name: name, Object: "collection0", Arguments: args}})
}

type collWant int

const (
	collUnknown collWant = iota
	collInvalid
	collUnsupported
)

func (w collWant) String() string {
	return [...]string{"*UnknownArgument", "*InvalidArgument", "*result.Verdict"}[w]
}

func (w collWant) check(err error) bool {
	var (
		u  *UnknownArgument
		i  *InvalidArgument
		un *result.Verdict
	)
	switch w {
	case collUnknown:
		return errors.As(err, &u)
	case collInvalid:
		return errors.As(err, &i)
	default:
		return errors.As(err, &un)
	}
}

// collOpCase describes one operation: valid required arguments, and one argument of
// the wrong type and one the Go driver cannot express, each added to them.
type collOpCase struct {
	op          string
	base        string   // the required arguments, valid
	required    []string // removed one by one: InvalidArgument naming it
	wrongType   string   // a field to add (or replace) with a wrong type
	unsupported string   // a field to add that the driver cannot express ("" if none)
}

var collOpCases = []collOpCase{
	{"insertMany", `{"documents": [{"_id": 1}]}`, []string{"documents"}, `"ordered": 1`, `"bypassDocumentValidation": false`},
	{"findOne", `{"filter": {}}`, nil, `"skip": "x"`, `"let": {}`},
	{"aggregate", `{"pipeline": []}`, []string{"pipeline"}, `"batchSize": 1.5`, `"maxTimeMS": 10`},
	{"countDocuments", `{"filter": {}}`, []string{"filter"}, `"limit": true`, `"maxTimeMS": 10`},
	{"estimatedDocumentCount", `{}`, nil, `"comment": 1, "session": 2`, `"maxTimeMS": 10`},
	{"count", `{"filter": {}}`, []string{"filter"}, `"collation": {"locale": 1}`, ""},
	{"distinct", `{"fieldName": "x", "filter": {}}`, []string{"fieldName"}, `"fieldName": 1`, `"maxTimeMS": 10`},
	{"updateOne", `{"filter": {}, "update": {"$set": {"x": 1}}}`, []string{"filter", "update"}, `"update": 1`, `"bypassDocumentValidation": false`},
	{"updateMany", `{"filter": {}, "update": [{"$set": {"x": 1}}]}`, []string{"filter", "update"}, `"arrayFilters": [1]`, `"sort": {"x": 1}`},
	{"replaceOne", `{"filter": {}, "replacement": {"x": 1}}`, []string{"filter", "replacement"}, `"replacement": []`, `"bypassDocumentValidation": false`},
	{"deleteOne", `{"filter": {}}`, []string{"filter"}, `"hint": 1`, ""},
	{"deleteMany", `{"filter": {}}`, []string{"filter"}, `"let": 1`, ""},
	{"findOneAndUpdate", `{"filter": {}, "update": {"$set": {"x": 1}}}`, []string{"filter", "update"}, `"returnDocument": "Sideways"`, `"maxTimeMS": 10`},
	{"findOneAndReplace", `{"filter": {}, "replacement": {"x": 1}}`, []string{"filter", "replacement"}, `"returnDocument": 1`, `"maxTimeMS": 10`},
	{"findOneAndDelete", `{"filter": {}}`, []string{"filter"}, `"projection": "x"`, `"maxTimeMS": 10`},
	{"bulkWrite", `{"requests": [{"insertOne": {"document": {}}}]}`, []string{"requests"}, `"requests": {}`, `"bypassDocumentValidation": false`},
	{"createIndex", `{"keys": {"x": 1}}`, []string{"keys"}, `"expireAfterSeconds": 5000000000`, `"background": true`},
	{"dropIndex", `{"name": "x_1"}`, []string{"name"}, `"name": {}`, `"comment": "c"`},
	{"dropIndexes", `{}`, nil, `"session": 1`, `"maxTimeMS": 10`},
	{"listIndexes", `{}`, nil, `"batchSize": "x"`, `"timeoutMode": "cursorLifetime"`},
	{"listIndexNames", `{}`, nil, `"rawData": 1`, `"comment": "c"`},
	{"rename", `{"to": "other"}`, []string{"to"}, `"dropTarget": "yes"`, ""},
	{"drop", `{}`, nil, `"encryptedFields": 1`, ""},
}

// collWith adds fields to a JSON object (a later duplicate key is not allowed, so the
// base's own field is dropped first when the extra redefines it).
func collWith(t *testing.T, base, extra string) bson.Raw {
	t.Helper()
	b := collExtJSON(t, base)
	x := collExtJSON(t, "{"+extra+"}")
	out := bson.D{}
	elems, _ := b.Elements()
	for _, el := range elems {
		if _, err := x.LookupErr(el.Key()); err == nil {
			continue
		}
		out = append(out, bson.E{Key: el.Key(), Value: el.Value()})
	}
	xs, _ := x.Elements()
	for _, el := range xs {
		out = append(out, bson.E{Key: el.Key(), Value: el.Value()})
	}
	raw, err := bson.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func collWithout(t *testing.T, base, key string) bson.Raw {
	t.Helper()
	out := bson.D{}
	elems, _ := collExtJSON(t, base).Elements()
	for _, el := range elems {
		if el.Key() != key {
			out = append(out, bson.E{Key: el.Key(), Value: el.Value()})
		}
	}
	raw, err := bson.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func collExpect(t *testing.T, m *entities.Map, op string, args bson.Raw, want collWant, name string) {
	t.Helper()
	res, err := collExec(t, m, op, args)
	if err == nil {
		t.Fatalf("%s %s: no argument error (result err: %v)", op, args, res.Err)
	}
	if !want.check(err) {
		t.Fatalf("%s %s: got %T (%v), want %s", op, args, err, err, want)
	}
	if name == "" {
		return
	}
	var (
		u *UnknownArgument
		i *InvalidArgument
	)
	switch {
	case errors.As(err, &u) && u.Name != name:
		t.Errorf("%s: unknown argument named %q, want %q", op, u.Name, name)
	case errors.As(err, &i) && i.Name != name:
		t.Errorf("%s: invalid argument named %q, want %q", op, i.Name, name)
	}
}

func TestCollectionOperationArguments(t *testing.T) {
	m := collTestMap(t)
	for _, tc := range collOpCases {
		t.Run(tc.op, func(t *testing.T) {
			if !Supported(entities.KindCollection, tc.op) {
				t.Fatalf("%s is not registered", tc.op)
			}
			t.Run("unknown", func(t *testing.T) {
				collExpect(t, m, tc.op, collWith(t, tc.base, `"noSuchOption": 1`), collUnknown, "noSuchOption")
			})
			for _, r := range tc.required {
				t.Run("missing "+r, func(t *testing.T) {
					collExpect(t, m, tc.op, collWithout(t, tc.base, r), collInvalid, r)
				})
			}
			t.Run("wrong type", func(t *testing.T) {
				collExpect(t, m, tc.op, collWith(t, tc.base, tc.wrongType), collInvalid, "")
			})
			t.Run("unknown session", func(t *testing.T) {
				collExpect(t, m, tc.op, collWith(t, tc.base, `"session": "nobody"`), collInvalid, "session")
			})
			if tc.unsupported != "" {
				t.Run("unsupported", func(t *testing.T) {
					collExpect(t, m, tc.op, collWith(t, tc.base, tc.unsupported), collUnsupported, "")
				})
			}
		})
	}
}

func TestCollectionBulkWriteRequests(t *testing.T) {
	m := collTestMap(t)
	cases := []struct {
		name     string
		requests string
		want     collWant
		argName  string
	}{
		{"not a document", `[1]`, collInvalid, "requests[0]"},
		{"two keys", `[{"insertOne": {"document": {}}, "deleteOne": {"filter": {}}}]`, collInvalid, "requests[0]"},
		{"no key", `[{}]`, collInvalid, "requests[0]"},
		{"unknown model", `[{"insertOne": {"document": {}}}, {"insertMany": {"documents": []}}]`, collUnknown, "requests[1].insertMany"},
		{"model not a document", `[{"deleteOne": []}]`, collInvalid, "requests[0].deleteOne"},
		{"unknown model field", `[{"updateOne": {"filter": {}, "update": {}, "multi": true}}]`, collUnknown, "requests[0].updateOne.multi"},
		{"sort on updateMany", `[{"updateMany": {"filter": {}, "update": {}, "sort": {"x": 1}}}]`, collUnknown, "requests[0].updateMany.sort"},
		{"insertOne without document", `[{"insertOne": {}}]`, collInvalid, "requests[0].insertOne.document"},
		{"updateOne without update", `[{"updateOne": {"filter": {}}}]`, collInvalid, "requests[0].updateOne.update"},
		{"updateMany without filter", `[{"updateMany": {"update": {}}}]`, collInvalid, "requests[0].updateMany.filter"},
		{"replaceOne without replacement", `[{"replaceOne": {"filter": {}}}]`, collInvalid, "requests[0].replaceOne.replacement"},
		{"replaceOne replacement pipeline", `[{"replaceOne": {"filter": {}, "replacement": []}}]`, collInvalid, "requests[0].replaceOne.replacement"},
		{"deleteMany without filter", `[{"deleteMany": {"hint": "_id_"}}]`, collInvalid, "requests[0].deleteMany.filter"},
		{"deleteOne hint number", `[{"deleteOne": {"filter": {}, "hint": 1}}]`, collInvalid, "requests[0].deleteOne.hint"},
		{"updateOne arrayFilters not documents", `[{"updateOne": {"filter": {}, "update": {}, "arrayFilters": [1]}}]`, collInvalid, "requests[0].updateOne.arrayFilters"},
		{"upsert not boolean", `[{"replaceOne": {"filter": {}, "replacement": {}, "upsert": 1}}]`, collInvalid, "requests[0].replaceOne.upsert"},
		{"bad collation", `[{"deleteOne": {"filter": {}, "collation": {"locale": "en", "colour": 1}}}]`, collInvalid, "requests[0].deleteOne.collation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			collExpect(t, m, "bulkWrite", collExtJSON(t, `{"requests": `+tc.requests+`}`), tc.want, tc.argName)
		})
	}
}

func TestCollectionWriteModels(t *testing.T) {
	v := collExtJSON(t, `{"r": [
		{"insertOne": {"document": {"_id": 1}}},
		{"updateOne": {"filter": {"_id": 1}, "update": [{"$set": {"x": 1}}], "arrayFilters": [{"i": 1}], "collation": {"locale": "en"}, "hint": "_id_", "upsert": true, "sort": {"x": 1}}},
		{"updateMany": {"filter": {}, "update": {"$inc": {"x": 1}}, "hint": {"_id": 1}}},
		{"replaceOne": {"filter": {"_id": 2}, "replacement": {"x": 2}, "upsert": false, "sort": {"x": -1}}},
		{"deleteOne": {"filter": {"_id": 3}}},
		{"deleteMany": {"filter": {}, "collation": {"locale": "fr"}}}
	]}`).Lookup("r")
	models, err := collWriteModels(v)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"*mongo.InsertOneModel", "*mongo.UpdateOneModel", "*mongo.UpdateManyModel", "*mongo.ReplaceOneModel", "*mongo.DeleteOneModel", "*mongo.DeleteManyModel"}
	if len(models) != len(want) {
		t.Fatalf("%d models, want %d", len(models), len(want))
	}
	for i, m := range models {
		if got := fmt.Sprintf("%T", m); got != want[i] {
			t.Errorf("model %d is %s, want %s", i, got, want[i])
		}
	}
	u := models[1].(*mongo.UpdateOneModel)
	if _, ok := u.Update.([]bson.Raw); !ok || u.Upsert == nil || !*u.Upsert || u.Hint != "_id_" || len(u.ArrayFilters) != 1 || u.Collation == nil || u.Sort == nil {
		t.Errorf("updateOne model fields: %+v", u)
	}
	if r := models[3].(*mongo.ReplaceOneModel); r.Upsert == nil || *r.Upsert || r.Sort == nil {
		t.Errorf("replaceOne model fields: %+v", r)
	}
}

func TestCollectionReturnDocument(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want options.ReturnDocument
		ok   bool
	}{
		{"Before", options.Before, true},
		{"before", options.Before, true},
		{"AFTER", options.After, true},
		{"After", options.After, true},
		{"later", 0, false},
		{"", 0, false},
	} {
		var got options.ReturnDocument
		err := collReturnDocument(func(r options.ReturnDocument) any { got = r; return nil })(collExtJSON(t, fmt.Sprintf(`{"v": %q}`, tc.in)).Lookup("v"))
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("%q: got %v, %v", tc.in, got, err)
		}
	}
}

func TestCollectionCountCommand(t *testing.T) {
	m := collTestMap(t)
	args := collExtJSON(t, `{"filter": {"_id": {"$gt": 1}}, "skip": 1, "limit": {"$numberLong": "3"}, "collation": {"locale": "en_US", "strength": 2}, "hint": "_id_", "comment": {"c": 1}, "maxTimeMS": 50, "rawData": true}`)
	ctx := context.Background()
	a, err := collCountArgs(&ctx, &Call{Entities: m, Op: &specifications.Operation{Name: "count", Arguments: args}})
	if err != nil {
		t.Fatal(err)
	}
	if a.rawData == nil || !*a.rawData {
		t.Errorf("rawData: %v", a.rawData)
	}
	got, _ := bson.MarshalExtJSON(a.command("coll"), false, false)
	want := `{"count":"coll","query":{"_id":{"$gt":1}},"skip":1,"limit":3,"collation":{"locale":"en_US","strength":2},"hint":"_id_","comment":{"c":1},"maxTimeMS":50}`
	if string(got) != want {
		t.Errorf("count command\n got %s\nwant %s", got, want)
	}
}

// CSOT: a count under timeoutMS leaves its maxTimeMS out (the driver derives one from
// the deadline); client-side-operations-timeout/deprecated-options 'maxTimeMS is
// ignored if timeoutMS is set - count on collection' saw specrun send the test's 5000.
func TestCollectionCountMaxTimeMSUnderTimeout(t *testing.T) {
	m := collTestMap(t)
	ctx := context.Background()
	// Execute takes timeoutMS out of the arguments into the context's deadline
	a, err := collCountArgs(&ctx, &Call{Entities: m, timeoutMS: true, Op: &specifications.Operation{Name: "count",
		Arguments: collExtJSON(t, `{"filter": {}, "maxTimeMS": 5000}`)}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := bson.MarshalExtJSON(a.command("coll"), false, false)
	if want := `{"count":"coll","query":{}}`; string(got) != want {
		t.Errorf("count command\n got %s\nwant %s", got, want)
	}
}

func TestCollectionRenameCommand(t *testing.T) {
	m := collTestMap(t)
	ctx := context.Background()
	call := &Call{Entities: m, Op: &specifications.Operation{Name: "rename", Arguments: collExtJSON(t, `{"to": "other", "dropTarget": true}`)}}
	to, dropTarget, err := collRenameArgs(&ctx, call)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := bson.MarshalExtJSON(collRenameCommand("db", "coll", to, dropTarget), false, false)
	if want := `{"renameCollection":"db.coll","to":"db.other","dropTarget":true}`; string(got) != want {
		t.Errorf("rename command\n got %s\nwant %s", got, want)
	}
}

// collJSON shows a result value as relaxed Extended JSON.
func collJSON(t *testing.T, v bson.RawValue) string {
	t.Helper()
	out, err := bson.MarshalExtJSON(bson.D{{Key: "v", Value: v}}, false, false)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestCollectionResultDocuments(t *testing.T) {
	cases := []struct {
		name string
		got  bson.RawValue
		want string
	}{
		{"insertMany", collInsertManyDocument(&mongo.InsertManyResult{InsertedIDs: []any{int32(1), "two", nil}, Acknowledged: true}),
			`{"v":{"insertedIds":{"0":1,"1":"two","2":null}}}`},
		{"insertMany partial", collInsertManyPartial(&mongo.InsertManyResult{InsertedIDs: []any{int32(1), int32(3)}}),
			`{"v":{"insertedCount":2,"matchedCount":0,"modifiedCount":0,"deletedCount":0,"upsertedCount":0,"upsertedIds":{}}}`},
		{"update", collUpdateDocument(&mongo.UpdateResult{MatchedCount: 2, ModifiedCount: 1, Acknowledged: true}),
			`{"v":{"matchedCount":2,"modifiedCount":1,"upsertedCount":0}}`},
		{"update upsert", collUpdateDocument(&mongo.UpdateResult{UpsertedCount: 1, UpsertedID: int32(4), Acknowledged: true}),
			`{"v":{"matchedCount":0,"modifiedCount":0,"upsertedCount":1,"upsertedId":4}}`},
		{"update upsert null id", collUpdateDocument(&mongo.UpdateResult{UpsertedCount: 1, Acknowledged: true}),
			`{"v":{"matchedCount":0,"modifiedCount":0,"upsertedCount":1,"upsertedId":null}}`},
		{"delete", collDeleteDocument(&mongo.DeleteResult{DeletedCount: 3, Acknowledged: true}),
			`{"v":{"deletedCount":3}}`},
		{"bulkWrite", collBulkWriteDocument(&mongo.BulkWriteResult{InsertedCount: 1, MatchedCount: 2, ModifiedCount: 2, DeletedCount: 1, UpsertedCount: 2,
			UpsertedIDs: map[int64]any{5: int32(4), 2: int32(3)}, Acknowledged: true}),
			`{"v":{"insertedCount":1,"matchedCount":2,"modifiedCount":2,"deletedCount":1,"upsertedCount":2,"upsertedIds":{"2":3,"5":4}}}`},
		{"bulkWrite empty", collBulkWriteDocument(&mongo.BulkWriteResult{}),
			`{"v":{"insertedCount":0,"matchedCount":0,"modifiedCount":0,"deletedCount":0,"upsertedCount":0,"upsertedIds":{}}}`},
		{"unacknowledged", unacknowledged(), `{"v":{"acknowledged":false}}`},
	}
	for _, tc := range cases {
		if got := collJSON(t, tc.got); got != tc.want {
			t.Errorf("%s\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
	// Counts are int64, as the CRUD spec types them.
	if typ := collBulkWriteDocument(&mongo.BulkWriteResult{}).Document().Lookup("insertedCount").Type; typ != bson.TypeInt64 {
		t.Errorf("insertedCount is %s", typ)
	}
}

func TestCollectionSingleDocument(t *testing.T) {
	doc := collExtJSON(t, `{"_id": 1, "x": 11}`)
	res, err := collSingleDocument(doc, nil)
	if err != nil || res.Err != nil || res.At != matchers.Root || collJSON(t, res.Value) != `{"v":{"_id":1,"x":11}}` {
		t.Errorf("document: %+v, %v", res, err)
	}
	res, err = collSingleDocument(nil, mongo.ErrNoDocuments)
	if err != nil || res.Err != nil || res.Value.Type != bson.TypeNull {
		t.Errorf("no document: %+v, %v", res, err)
	}
	boom := errors.New("boom")
	res, err = collSingleDocument(nil, boom)
	if err != nil || !errors.Is(res.Err, boom) || res.Value.Type != 0 {
		t.Errorf("error: %+v, %v", res, err)
	}
}

func TestCollectionHandlers(t *testing.T) {
	val := func(s string) bson.RawValue { return collExtJSON(t, `{"v": `+s+`}`).Lookup("v") }
	var f float64
	for in, want := range map[string]float64{`1.5`: 1.5, `-180`: -180, `{"$numberLong": "7"}`: 7} {
		if err := collFloat(func(x float64) any { f = x; return nil })(val(in)); err != nil || f != want {
			t.Errorf("collFloat(%s) = %v, %v", in, f, err)
		}
	}
	if err := collFloat(func(float64) any { return nil })(val(`"x"`)); err == nil {
		t.Error("collFloat accepted a string")
	}
	var filters []any
	if err := collArrayFilters(func(a []any) any { filters = a; return nil })(val(`[{"i": 1}, {"j": 2}]`)); err != nil || len(filters) != 2 {
		t.Errorf("collArrayFilters: %v, %v", filters, err)
	}
	var d time.Duration
	if err := collMilliseconds(func(x time.Duration) any { d = x; return nil })(val(`250`)); err != nil || d != 250*time.Millisecond {
		t.Errorf("collMilliseconds: %v, %v", d, err)
	}
}
