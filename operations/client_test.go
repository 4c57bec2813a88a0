package operations

import (
	"bytes"
	"errors"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/specrun/specrun/matchers"
)

func TestClientArguments(t *testing.T) {
	insert := func(ns string) bson.D {
		return bson.D{{Key: "insertOne", Value: bson.D{{Key: "namespace", Value: ns}, {Key: "document", Value: bson.D{{Key: "_id", Value: 1}}}}}}
	}
	models := func(m ...bson.D) bson.E {
		a := bson.A{}
		for _, d := range m {
			a = append(a, d)
		}
		return bson.E{Key: "models", Value: a}
	}
	runDCCases(t, []dcCase{
		{"clientBulkWrite no models", "client0", "clientBulkWrite", bson.D{{Key: "ordered", Value: true}}, wantInvalid, "models"},
		{"clientBulkWrite models type", "client0", "clientBulkWrite", bson.D{{Key: "models", Value: bson.D{}}}, wantInvalid, "models"},
		{"clientBulkWrite unknown", "client0", "clientBulkWrite", bson.D{models(insert("db.c")), {Key: "foo", Value: 1}}, wantUnknown, ""},
		{"clientBulkWrite ordered type", "client0", "clientBulkWrite", bson.D{models(insert("db.c")), {Key: "ordered", Value: "yes"}}, wantInvalid, "ordered"},
		{"clientBulkWrite verboseResults type", "client0", "clientBulkWrite", bson.D{models(insert("db.c")), {Key: "verboseResults", Value: 1}}, wantInvalid, "verboseResults"},
		{"clientBulkWrite writeConcern type", "client0", "clientBulkWrite", bson.D{models(insert("db.c")), {Key: "writeConcern", Value: 1}}, wantInvalid, "writeConcern"},
		{"clientBulkWrite rawData type", "client0", "clientBulkWrite", bson.D{models(insert("db.c")), {Key: "rawData", Value: "x"}}, wantInvalid, "rawData"},
		{"clientBulkWrite model with two keys", "client0", "clientBulkWrite", bson.D{models(append(insert("db.c"), bson.E{Key: "deleteOne", Value: bson.D{}}))}, wantInvalid, "models[0]"},
		{"clientBulkWrite unknown model", "client0", "clientBulkWrite", bson.D{models(insert("db.c"), bson.D{{Key: "upsertOne", Value: bson.D{}}})}, wantUnknown, "models[1].upsertOne"},
		{"clientBulkWrite model not a document", "client0", "clientBulkWrite", bson.D{models(bson.D{{Key: "insertOne", Value: 1}})}, wantInvalid, "models[0].insertOne"},
		{"clientBulkWrite namespace missing", "client0", "clientBulkWrite", bson.D{models(bson.D{{Key: "deleteOne", Value: bson.D{{Key: "filter", Value: bson.D{}}}}})}, wantInvalid, "models[0].deleteOne.namespace"},
		{"clientBulkWrite namespace without collection", "client0", "clientBulkWrite", bson.D{models(insert("db"))}, wantInvalid, "models[0].insertOne.namespace"},
		{"clientBulkWrite model field unknown", "client0", "clientBulkWrite", bson.D{models(bson.D{{Key: "deleteOne", Value: bson.D{{Key: "namespace", Value: "db.c"}, {Key: "filter", Value: bson.D{}}, {Key: "sort", Value: bson.D{}}}}})}, wantUnknown, "models[0].deleteOne.sort"},
		{"clientBulkWrite update type", "client0", "clientBulkWrite", bson.D{models(bson.D{{Key: "updateMany", Value: bson.D{{Key: "namespace", Value: "db.c"}, {Key: "filter", Value: bson.D{}}, {Key: "update", Value: "x"}}}})}, wantInvalid, "models[0].updateMany.update"},
		{"clientBulkWrite replaceOne without replacement", "client0", "clientBulkWrite", bson.D{models(bson.D{{Key: "replaceOne", Value: bson.D{{Key: "namespace", Value: "db.c"}, {Key: "filter", Value: bson.D{}}}}})}, wantInvalid, "models[0].replaceOne.replacement"},
		{"clientBulkWrite session undefined", "client0", "clientBulkWrite", bson.D{models(insert("db.c")), {Key: "session", Value: "nope"}}, wantInvalid, "session"},

		{"listDatabases unknown", "client0", "listDatabases", bson.D{{Key: "foo", Value: 1}}, wantUnknown, ""},
		{"listDatabases filter type", "client0", "listDatabases", bson.D{{Key: "filter", Value: "x"}}, wantInvalid, "filter"},
		{"listDatabases comment", "client0", "listDatabases", bson.D{{Key: "comment", Value: "x"}}, wantUnsupported, ""},
		{"listDatabaseObjects nameOnly type", "client0", "listDatabaseObjects", bson.D{{Key: "nameOnly", Value: 1}}, wantInvalid, "nameOnly"},
		{"listDatabaseNames nameOnly", "client0", "listDatabaseNames", bson.D{{Key: "nameOnly", Value: true}}, wantUnknown, ""},
		{"dropDatabase no database", "client0", "dropDatabase", nil, wantInvalid, "database"},
		{"dropDatabase database type", "client0", "dropDatabase", bson.D{{Key: "database", Value: 1}}, wantInvalid, "database"},
		{"close unknown", "client0", "close", bson.D{{Key: "force", Value: true}}, wantUnknown, ""},
		{"appendMetadata no driverInfoOptions", "client0", "appendMetadata", nil, wantInvalid, "driverInfoOptions"},
		{"appendMetadata no name", "client0", "appendMetadata", bson.D{{Key: "driverInfoOptions", Value: bson.D{{Key: "version", Value: "1"}}}}, wantInvalid, "driverInfoOptions"},
		{"appendMetadata unknown field", "client0", "appendMetadata", bson.D{{Key: "driverInfoOptions", Value: bson.D{{Key: "name", Value: "x"}, {Key: "os", Value: "y"}}}}, wantUnknown, "os"},
	})
}

func TestClientAppendMetadata(t *testing.T) {
	env := newDCEnv(t)
	res, err := env.exec(t, "client0", "appendMetadata", bson.D{{Key: "driverInfoOptions", Value: bson.D{{Key: "name", Value: "framework"}, {Key: "version", Value: "2.0"}}}})
	if err != nil || res.Err != nil || res.Value.Type != 0 {
		t.Fatalf("appendMetadata: %v %+v", err, res)
	}
}

func TestClientBulkWriteModels(t *testing.T) {
	raw := dcArgs(t, bson.D{{Key: "models", Value: bson.A{
		bson.D{{Key: "insertOne", Value: bson.D{{Key: "namespace", Value: "db.c"}, {Key: "document", Value: bson.D{{Key: "x", Value: 1}}}}}},
		bson.D{{Key: "updateOne", Value: bson.D{{Key: "namespace", Value: "db.c.sub"}, {Key: "filter", Value: bson.D{}},
			{Key: "update", Value: bson.A{bson.D{{Key: "$set", Value: bson.D{{Key: "x", Value: 2}}}}}},
			{Key: "arrayFilters", Value: bson.A{bson.D{{Key: "i", Value: 1}}}}, {Key: "hint", Value: "x_1"},
			{Key: "upsert", Value: true}, {Key: "sort", Value: bson.D{{Key: "x", Value: 1}}},
			{Key: "collation", Value: bson.D{{Key: "locale", Value: "fr"}}}}}},
		bson.D{{Key: "updateMany", Value: bson.D{{Key: "namespace", Value: "db.c"}, {Key: "filter", Value: bson.D{}}, {Key: "update", Value: bson.D{{Key: "$inc", Value: bson.D{{Key: "x", Value: 1}}}}}}}},
		bson.D{{Key: "replaceOne", Value: bson.D{{Key: "namespace", Value: "db.c"}, {Key: "filter", Value: bson.D{}}, {Key: "replacement", Value: bson.D{{Key: "x", Value: 1}}}, {Key: "sort", Value: bson.D{{Key: "x", Value: -1}}}}}},
		bson.D{{Key: "deleteOne", Value: bson.D{{Key: "namespace", Value: "db.c"}, {Key: "filter", Value: bson.D{}}, {Key: "hint", Value: bson.D{{Key: "x", Value: 1}}}}}},
		bson.D{{Key: "deleteMany", Value: bson.D{{Key: "namespace", Value: "db.c"}, {Key: "filter", Value: bson.D{}}}}},
	}}})
	models, err := bulkModels(raw.Lookup("models"))
	if err != nil {
		t.Fatal(err)
	}
	if len(models) != 6 {
		t.Fatalf("%d models", len(models))
	}
	if models[1].Database != "db" || models[1].Collection != "c.sub" {
		t.Errorf("namespace split as %q %q", models[1].Database, models[1].Collection)
	}
	u, ok := models[1].Model.(*mongo.ClientUpdateOneModel)
	if !ok {
		t.Fatalf("model 1 is %T", models[1].Model)
	}
	if u.Upsert == nil || !*u.Upsert || u.Hint != "x_1" || len(u.ArrayFilters) != 1 || u.Sort == nil || u.Collation == nil || u.Collation.Locale != "fr" {
		t.Errorf("updateOne model %+v", u)
	}
	if _, ok := u.Update.([]bson.Raw); !ok {
		t.Errorf("update pipeline is %T", u.Update)
	}
	for i, want := range []any{&mongo.ClientInsertOneModel{}, u, &mongo.ClientUpdateManyModel{}, &mongo.ClientReplaceOneModel{}, &mongo.ClientDeleteOneModel{}, &mongo.ClientDeleteManyModel{}} {
		if got, want := typeName(models[i].Model), typeName(want); got != want {
			t.Errorf("model %d is %s, want %s", i, got, want)
		}
	}
	if r := models[3].Model.(*mongo.ClientReplaceOneModel); r.Sort == nil || r.Replacement == nil {
		t.Errorf("replaceOne model %+v", r)
	}
}

// typeName names a client write model by its spec name.
func typeName(v any) string {
	switch v.(type) {
	case *mongo.ClientInsertOneModel:
		return "insertOne"
	case *mongo.ClientUpdateOneModel:
		return "updateOne"
	case *mongo.ClientUpdateManyModel:
		return "updateMany"
	case *mongo.ClientReplaceOneModel:
		return "replaceOne"
	case *mongo.ClientDeleteOneModel:
		return "deleteOne"
	case *mongo.ClientDeleteManyModel:
		return "deleteMany"
	}
	return "?"
}

func TestClientBulkWriteResult(t *testing.T) {
	full := &mongo.ClientBulkWriteResult{
		Acknowledged: true, HasVerboseResults: true,
		InsertedCount: 1, UpsertedCount: 1, MatchedCount: 3, ModifiedCount: 2, DeletedCount: 4,
		InsertResults: map[int]mongo.ClientBulkWriteInsertResult{0: {InsertedID: int32(8)}},
		UpdateResults: map[int]mongo.ClientBulkWriteUpdateResult{
			10: {MatchedCount: 1, ModifiedCount: 0, UpsertedID: int32(4)},
			2:  {MatchedCount: 2, ModifiedCount: 2},
		},
		DeleteResults: map[int]mongo.ClientBulkWriteDeleteResult{4: {DeletedCount: 4}},
	}
	summary := *full
	summary.HasVerboseResults = false
	summary.InsertResults, summary.UpdateResults, summary.DeleteResults = nil, nil, nil
	emptyVerbose := &mongo.ClientBulkWriteResult{Acknowledged: true, HasVerboseResults: true, InsertedCount: 0}

	for _, tc := range []struct {
		name string
		res  *mongo.ClientBulkWriteResult
		want string
	}{
		{"verbose", full, `{"insertedCount": {"$numberLong": "1"}, "upsertedCount": {"$numberLong": "1"}, "matchedCount": {"$numberLong": "3"}, "modifiedCount": {"$numberLong": "2"}, "deletedCount": {"$numberLong": "4"}, ` +
			`"insertResults": {"0": {"insertedId": {"$numberInt": "8"}}}, ` +
			`"updateResults": {"2": {"matchedCount": {"$numberLong": "2"}, "modifiedCount": {"$numberLong": "2"}}, "10": {"matchedCount": {"$numberLong": "1"}, "modifiedCount": {"$numberLong": "0"}, "upsertedId": {"$numberInt": "4"}}}, ` +
			`"deleteResults": {"4": {"deletedCount": {"$numberLong": "4"}}}}`},
		{"summary", &summary, `{"insertedCount": {"$numberLong": "1"}, "upsertedCount": {"$numberLong": "1"}, "matchedCount": {"$numberLong": "3"}, "modifiedCount": {"$numberLong": "2"}, "deletedCount": {"$numberLong": "4"}}`},
		{"verbose without results", emptyVerbose, `{"insertedCount": {"$numberLong": "0"}, "upsertedCount": {"$numberLong": "0"}, "matchedCount": {"$numberLong": "0"}, "modifiedCount": {"$numberLong": "0"}, "deletedCount": {"$numberLong": "0"}, "insertResults": {}, "updateResults": {}, "deleteResults": {}}`},
		{"unacknowledged", &mongo.ClientBulkWriteResult{}, `{"acknowledged": false}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := bulkOutcome(tc.res, nil)
			if out.Err != nil || out.At != matchers.Root {
				t.Fatalf("outcome %+v", out)
			}
			dcSame(t, out.Value, tc.want)
		})
	}
}

func TestClientBulkWriteException(t *testing.T) {
	partial := &mongo.ClientBulkWriteResult{Acknowledged: true, InsertedCount: 1}
	withPartial := mongo.ClientBulkWriteException{
		WriteErrors:        map[int]mongo.WriteError{1: {Index: 1, Code: 11000, Message: "E11000 duplicate key"}},
		WriteConcernErrors: []mongo.WriteConcernError{{Name: "ShutdownInProgress", Code: 91, Message: "Replication is being shut down"}},
		PartialResult:      partial,
	}
	out := bulkOutcome(&mongo.ClientBulkWriteResult{}, withPartial)
	if out.Err == nil || out.Value.Type != bson.TypeEmbeddedDocument || out.At != matchers.Root {
		t.Fatalf("outcome with a partial result: %+v", out)
	}
	if n := out.Value.Document().Lookup("insertedCount").AsInt64(); n != 1 {
		t.Errorf("partial insertedCount %d", n)
	}

	noPartial := mongo.ClientBulkWriteException{WriteErrors: map[int]mongo.WriteError{0: {Code: 11000}}}
	if out := bulkOutcome(&mongo.ClientBulkWriteResult{Acknowledged: true}, noPartial); out.Err == nil || out.Value.Type != 0 {
		t.Errorf("outcome without a partial result: %+v", out)
	}
	plain := errors.New("connection refused")
	if out := bulkOutcome(&mongo.ClientBulkWriteResult{Acknowledged: true}, plain); out.Err != plain || out.Value.Type != 0 {
		t.Errorf("outcome of a plain error: %+v", out)
	}
}

// dcSame checks that got is the value that canonical Extended JSON want denotes,
// byte for byte (so key order and numeric types count).
func dcSame(t *testing.T, got bson.RawValue, want string) {
	t.Helper()
	var doc bson.Raw
	if err := bson.UnmarshalExtJSON([]byte(`{"v": `+want+`}`), true, &doc); err != nil {
		t.Fatalf("bad expectation %s: %v", want, err)
	}
	w := doc.Lookup("v")
	if got.Type != w.Type || !bytes.Equal(got.Value, w.Value) {
		t.Errorf("got  %s\nwant %s", got, w)
	}
}
