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
	clientError := &specifications.ExpectedError{IsClientError: ptr(true)}
	contains := &specifications.ExpectedError{ErrorContains: ptr("read preference in a transaction must be primary")}
	for _, want := range []*specifications.ExpectedError{clientError, contains} {
		if v := tr.selectedBeforeRefused(op("secondary"), want, selection); v == nil || v.Status != result.Unsupported {
			t.Errorf("secondary transaction, selection error, expected %+v: %+v, want unsupported", want, v)
		}
	}
	for _, tc := range []struct {
		session string
		want    *specifications.ExpectedError
		d       drivererr.Details
	}{
		{"secondary", clientError, drivererr.Details{Server: true}},
		{"primary", clientError, selection},
		{"none", clientError, selection},
		{"unknown", clientError, selection},
		// the test does not expect the spec's client error: a selection error is the
		// server's (one killed mid-test), judged as any other
		{"secondary", nil, selection},
		{"secondary", &specifications.ExpectedError{IsClientError: ptr(false)}, selection},
		{"secondary", &specifications.ExpectedError{ErrorContains: ptr("Transaction numbers")}, selection},
	} {
		if v := tr.selectedBeforeRefused(op(tc.session), tc.want, tc.d); v != nil {
			t.Errorf("session %s, expected %+v, %+v: %+v, want judged as before", tc.session, tc.want, tc.d, v)
		}
	}
}
