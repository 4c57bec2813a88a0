package interpreter

import (
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/specrun/specrun/drivererr"
	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// TestSelectedBeforeRefused: a server selection error of an operation in a transaction
// whose read preference is not primary is the Go driver's order of checks (it selects
// by that preference before it refuses it), not the server's failure; any other
// selection error, or one outside such a transaction, is judged as before. The
// transactions tests that expect "read preference in a transaction must be primary"
// timed out in server selection on SecantusDB, a single-node replica set, and failed.
func TestSelectedBeforeRefused(t *testing.T) {
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:1/"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	tr := &testRun{entities: entities.NewMap(), t: &specifications.Test{}}
	start := func(id string, rp *readpref.ReadPref) {
		s, err := client.StartSession()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.EndSession(context.Background()) })
		if rp != nil {
			if err := s.StartTransaction(options.Transaction().SetReadPreference(rp)); err != nil {
				t.Fatal(err)
			}
		}
		if err := tr.entities.Add(id, &entities.Session{Session: s}); err != nil {
			t.Fatal(err)
		}
	}
	start("secondary", readpref.Secondary())
	start("primary", readpref.Primary())
	start("none", nil)
	op := func(session string) *specifications.Operation {
		args, _ := bson.Marshal(bson.D{{Key: "session", Value: session}})
		return &specifications.Operation{Name: "find", Arguments: args}
	}
	selection := drivererr.Details{ServerSelection: true}
	if v := tr.selectedBeforeRefused(op("secondary"), selection); v == nil || v.Status != result.Unsupported {
		t.Errorf("secondary transaction, selection error: %+v, want unsupported", v)
	}
	for _, tc := range []struct {
		session string
		d       drivererr.Details
	}{
		{"secondary", drivererr.Details{Server: true}},
		{"primary", selection},
		{"none", selection},
		{"unknown", selection},
	} {
		if v := tr.selectedBeforeRefused(op(tc.session), tc.d); v != nil {
			t.Errorf("session %s, %+v: %+v, want judged as before", tc.session, tc.d, v)
		}
	}
}
