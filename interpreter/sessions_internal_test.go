package interpreter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/specifications"
)

func TestKillIgnorable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{mongo.CommandError{Code: 11601, Name: "Interrupted"}, true},
		{mongo.CommandError{Code: 13, Name: "Unauthorized"}, true},
		{fmt.Errorf("wrapped: %w", mongo.CommandError{Code: 11601}), true},
		{mongo.CommandError{Code: 59, Name: "CommandNotFound"}, false},
		{mongo.CommandError{Code: 8000, Name: "AtlasError", Message: "Interrupted"}, false},
		{errors.New("connection refused"), false},
	} {
		if got := killIgnorable(tc.err); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.err, got, tc.want)
		}
	}
}

// On a sharded cluster, session entities start from the cluster time after initialData.
func TestSessionsStartFromTheSeededClusterTime(t *testing.T) {
	ctx := context.Background()
	clusterTime, err := bson.Marshal(bson.D{{Key: "$clusterTime", Value: bson.D{
		{Key: "clusterTime", Value: bson.Timestamp{T: 1700000000, I: 1}},
		{Key: "signature", Value: bson.D{{Key: "keyId", Value: int64(0)}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	list, err := bson.Marshal(bson.D{{Key: "entities", Value: bson.A{
		bson.D{{Key: "client", Value: bson.D{{Key: "id", Value: "client0"}}}},
		bson.D{{Key: "session", Value: bson.D{{Key: "id", Value: "session0"}, {Key: "client", Value: "client0"}}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	entityList, err := specifications.DecodeEntities("entities", bson.Raw(list).Lookup("entities"))
	if err != nil {
		t.Fatal(err)
	}
	for _, seeded := range []bson.Raw{clusterTime, nil} {
		// Nothing listens on port 1: clients connect lazily, sessions need no server.
		r := &Runner{cfg: Config{URI: "mongodb://127.0.0.1:1"}, probe: &Probe{}, stats: &stats{}}
		tr := newTestRun(r, &specifications.File{}, &specifications.Test{})
		tr.clusterTime = seeded
		if err := tr.CreateEntities(ctx, entityList); err != nil {
			t.Fatal(err)
		}
		s, err := entities.Lookup[*entities.Session](tr.entities, "session0")
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Session.ClusterTime(); !bytes.Equal(got, seeded) {
			t.Errorf("seeded %s: the session's cluster time is %s", seeded, got)
		}
		tr.entities.Close(ctx)
	}
}

func TestRunnerHosts(t *testing.T) {
	for uri, want := range map[string]string{
		"mongodb://m1:27017,m2:27018/?retryWrites=false": "m1:27017,m2:27018",
		"mongodb://127.0.0.1:27017":                      "127.0.0.1:27017",
		"mongodb+srv://cluster0.example.invalid/":        "",
	} {
		r := &Runner{cfg: Config{URI: uri}}
		if got := strings.Join(r.hosts(), ","); got != want {
			t.Errorf("%s: hosts %q, want %q", uri, got, want)
		}
	}
}
