package operations

import (
	"context"
	"errors"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// dcFakeRunner records what the testRunner operations ask of the run.
type dcFakeRunner struct {
	failPointClient *entities.Client
	failPointCmd    bson.Raw
	failPointErr    error
	created         []specifications.Entity
	createErr       error
	internal        *mongo.Client
	nested          []specifications.Operation
	nestedErr       error
	targetedHost    string
	targetedCmd     bson.Raw
	targetedErr     error
}

func (r *dcFakeRunner) FailPoint(_ context.Context, client *entities.Client, cmd bson.Raw) error {
	r.failPointClient, r.failPointCmd = client, cmd
	return r.failPointErr
}

func (r *dcFakeRunner) CreateEntities(_ context.Context, list []specifications.Entity) error {
	r.created = list
	return r.createErr
}

func (r *dcFakeRunner) Internal() *mongo.Client { return r.internal }

func (r *dcFakeRunner) Nested(_ context.Context, ops []specifications.Operation, _ bool) (raised, verdict error) {
	r.nested = append(r.nested, ops...)
	return nil, r.nestedErr
}

func (r *dcFakeRunner) TargetedFailPoint(_ context.Context, host string, cmd bson.Raw) error {
	r.targetedHost, r.targetedCmd = host, cmd
	return r.targetedErr
}

var _ Harness = (*dcFakeRunner)(nil)

func TestRunnerFailPoint(t *testing.T) {
	env := newDCEnv(t)
	fp := bson.D{{Key: "configureFailPoint", Value: "failCommand"}, {Key: "mode", Value: bson.D{{Key: "times", Value: 1}}}}
	res, err := env.exec(t, RunnerObject, "failPoint", bson.D{{Key: "client", Value: "client0"}, {Key: "failPoint", Value: fp}})
	if err != nil || res.Err != nil || res.Value.Type != 0 {
		t.Fatalf("failPoint: %v %+v", err, res)
	}
	if env.runner.failPointClient != env.client {
		t.Error("fail point not set through client0")
	}
	if got := env.runner.failPointCmd.Lookup("configureFailPoint").StringValue(); got != "failCommand" {
		t.Errorf("command %s", env.runner.failPointCmd)
	}

	// The session argument (two transactions tests give one) must name a session.
	if _, err := env.exec(t, RunnerObject, "failPoint", bson.D{{Key: "client", Value: "client0"}, {Key: "session", Value: "session0"}, {Key: "failPoint", Value: fp}}); err != nil {
		t.Errorf("with a session: %v", err)
	}

	// What FailPoint returns is the operation's error, for the interpreter to judge.
	env.runner.failPointErr = result.Unsupportedf("no fail points")
	_, err = env.exec(t, RunnerObject, "failPoint", bson.D{{Key: "client", Value: "client0"}, {Key: "failPoint", Value: fp}})
	var unsup *result.Verdict
	if !(errors.As(err, &unsup) && unsup.Status == result.Unsupported) {
		t.Errorf("FailPoint's error not returned: %v", err)
	}
}

func TestRunnerCreateEntities(t *testing.T) {
	env := newDCEnv(t)
	list := bson.A{
		bson.D{{Key: "client", Value: bson.D{{Key: "id", Value: "client1"}}}},
		bson.D{{Key: "database", Value: bson.D{{Key: "id", Value: "db1"}, {Key: "client", Value: "client1"}, {Key: "databaseName", Value: "test"}}}},
	}
	if _, err := env.exec(t, RunnerObject, "createEntities", bson.D{{Key: "entities", Value: list}}); err != nil {
		t.Fatal(err)
	}
	if len(env.runner.created) != 2 || env.runner.created[0].ID() != "client1" || env.runner.created[1].Database == nil {
		t.Fatalf("created %+v", env.runner.created)
	}
	env.runner.createErr = errors.New("boom")
	if _, err := env.exec(t, RunnerObject, "createEntities", bson.D{{Key: "entities", Value: list}}); err == nil || err.Error() != "boom" {
		t.Errorf("CreateEntities' error not returned: %v", err)
	}
}

func TestRunnerArguments(t *testing.T) {
	fp := bson.D{{Key: "configureFailPoint", Value: "failCommand"}}
	ns := func(extra ...bson.E) bson.D {
		return append(bson.D{{Key: "databaseName", Value: "db"}, {Key: "collectionName", Value: "c"}}, extra...)
	}
	runDCCases(t, []dcCase{
		{"failPoint no client", RunnerObject, "failPoint", bson.D{{Key: "failPoint", Value: fp}}, wantInvalid, "client"},
		{"failPoint no failPoint", RunnerObject, "failPoint", bson.D{{Key: "client", Value: "client0"}}, wantInvalid, "failPoint"},
		{"failPoint failPoint type", RunnerObject, "failPoint", bson.D{{Key: "client", Value: "client0"}, {Key: "failPoint", Value: "x"}}, wantInvalid, "failPoint"},
		{"failPoint client undefined", RunnerObject, "failPoint", bson.D{{Key: "client", Value: "client9"}, {Key: "failPoint", Value: fp}}, wantInvalid, "client"},
		{"failPoint client of another kind", RunnerObject, "failPoint", bson.D{{Key: "client", Value: "db0"}, {Key: "failPoint", Value: fp}}, wantInvalid, "client"},
		{"failPoint session undefined", RunnerObject, "failPoint", bson.D{{Key: "client", Value: "client0"}, {Key: "session", Value: "s9"}, {Key: "failPoint", Value: fp}}, wantInvalid, "session"},
		{"failPoint unknown", RunnerObject, "failPoint", bson.D{{Key: "client", Value: "client0"}, {Key: "failPoint", Value: fp}, {Key: "times", Value: 1}}, wantUnknown, ""},
		{"createEntities no entities", RunnerObject, "createEntities", nil, wantInvalid, "entities"},
		{"createEntities entities type", RunnerObject, "createEntities", bson.D{{Key: "entities", Value: bson.D{}}}, wantInvalid, "entities"},
		{"createEntities unknown entity field", RunnerObject, "createEntities", bson.D{{Key: "entities", Value: bson.A{bson.D{{Key: "client", Value: bson.D{{Key: "id", Value: "c"}, {Key: "bogus", Value: 1}}}}}}}, wantInvalid, "entities"},
		{"assertCollectionExists no collectionName", RunnerObject, "assertCollectionExists", bson.D{{Key: "databaseName", Value: "db"}}, wantInvalid, "collectionName"},
		{"assertCollectionNotExists no databaseName", RunnerObject, "assertCollectionNotExists", bson.D{{Key: "collectionName", Value: "c"}}, wantInvalid, "databaseName"},
		{"assertCollectionExists unknown", RunnerObject, "assertCollectionExists", ns(bson.E{Key: "indexName", Value: "x"}), wantUnknown, ""},
		{"assertIndexExists no indexName", RunnerObject, "assertIndexExists", ns(), wantInvalid, "indexName"},
		{"assertIndexNotExists indexName type", RunnerObject, "assertIndexNotExists", ns(bson.E{Key: "indexName", Value: 1}), wantInvalid, "indexName"},
	})
}

func TestRunnerAssertionsNeedInternalClient(t *testing.T) {
	env := newDCEnv(t)
	for op, args := range map[string]bson.D{
		"assertCollectionExists": {{Key: "databaseName", Value: "db"}, {Key: "collectionName", Value: "c"}},
		"assertIndexNotExists":   {{Key: "databaseName", Value: "db"}, {Key: "collectionName", Value: "c"}, {Key: "indexName", Value: "x_1"}},
	} {
		_, err := env.exec(t, RunnerObject, op, args)
		if err == nil {
			t.Errorf("%s without an internal client: no error", op)
		}
		var af *result.Verdict
		if errors.As(err, &af) && af.Status == result.Fail {
			t.Errorf("%s without an internal client is not an assertion failure: %v", op, err)
		}
	}
}

func TestIsNamespaceNotFound(t *testing.T) {
	if !isNamespaceNotFound(mongo.CommandError{Code: 26}) || !isNamespaceNotFound(mongo.CommandError{Name: "NamespaceNotFound"}) {
		t.Error("NamespaceNotFound not recognised")
	}
	if isNamespaceNotFound(mongo.CommandError{Code: 13}) || isNamespaceNotFound(errors.New("x")) {
		t.Error("other errors taken for NamespaceNotFound")
	}
}

// Every operation of these files is in the dispatch table under the kind the spec gives.
func TestDCRegistered(t *testing.T) {
	for kind, names := range map[entities.Kind][]string{
		entities.KindDatabase: {"runCommand", "runCursorCommand", "createCommandCursor", "createCollection", "dropCollection",
			"modifyCollection", "listCollections", "listCollectionNames", "listCollectionObjects", "aggregate"},
		entities.KindClient: {"clientBulkWrite", "listDatabases", "listDatabaseNames", "listDatabaseObjects", "dropDatabase", "appendMetadata", "close"},
		entities.KindCursor: {"iterateUntilDocumentOrError", "iterateOnce", "close"},
		kindRunner: {"failPoint", "createEntities", "assertCollectionExists", "assertCollectionNotExists",
			"assertIndexExists", "assertIndexNotExists"},
	} {
		for _, name := range names {
			if !Supported(kind, name) {
				t.Errorf("%s.%s not registered", kind, name)
			}
		}
	}
}
