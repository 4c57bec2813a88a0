package run

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/specrun/specrun/embedded"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// notices records what a run notices before its first test.
type notices struct{ lines []string }

func (n *notices) Judged(result.Test)             {}
func (n *notices) FileDone(string, []result.Test) {}
func (n *notices) ServerEvent(ServerEvent)        {}
func (n *notices) Notice(line string)             { n.lines = append(n.lines, line) }

func insertInto(t *testing.T, client *mongo.Client, db, coll string) {
	t.Helper()
	_, err := client.Database(db).Collection(coll).InsertOne(context.Background(), bson.D{{Key: "theirs", Value: 1}})
	require.NoError(t, err)
}

// TestExecuteRefusesOtherData: mixed/one.json names interpreter_tests.mixed. On a
// server of its own, with collections added one by one.
func TestExecuteRefusesOtherData(t *testing.T) {
	srv, err := embedded.Start(context.Background(), embedded.Options{})
	require.NoError(t, err)
	defer srv.Close()
	client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
	require.NoError(t, err)
	defer client.Disconnect(context.Background())
	target := Target{URI: srv.URI()}
	plan := Plan{Loads: loads(t, "mixed/one.json")}

	insertInto(t, client, "interpreter_tests", "mixed")
	_, err = Execute(context.Background(), plan, target)
	require.NoError(t, err, "the file's own collection, left by an earlier run, is no one else's")

	insertInto(t, client, "interpreter_tests", "someone_elses")
	insertInto(t, client, "other_db", "c")
	_, err = Execute(context.Background(), plan, target)
	var nonempty *NonemptyError
	require.True(t, errors.As(err, &nonempty), "%v", err)
	assert.Equal(t, []specifications.Namespace{{Database: "interpreter_tests", Collection: "someone_elses"}, {Database: "other_db", Collection: "c"}}, nonempty.Others)
	assert.EqualError(t, err, "the server holds collections these tests do not name: interpreter_tests.someone_elses, other_db.c; "+
		"a run drops and fills the collections its tests name, and some tests drop whole databases: use a server set aside for testing")

	rec := &notices{}
	r, err := Execute(context.Background(), Plan{Loads: plan.Loads, AllowNonempty: true}, target, rec)
	require.NoError(t, err)
	assert.Equal(t, result.Pass, r.Judged[0].Status)
	assert.Equal(t, []string{"--allow-nonempty: this run may drop 1 of the server's collections: interpreter_tests.mixed"}, rec.lines)
	n, err := client.Database("interpreter_tests").Collection("someone_elses").CountDocuments(context.Background(), bson.D{})
	require.NoError(t, err)
	assert.EqualValues(t, 1, n, "a collection the run does not drop is left alone")

	rec = &notices{}
	_, err = Execute(context.Background(), Plan{Loads: plan.Loads, AllowNonempty: true}, Target{URI: srv.URI(), Own: true}, rec)
	require.NoError(t, err, "a server of the run's own is not checked")
	assert.Empty(t, rec.lines)

	for i := range 5 {
		insertInto(t, client, "other_db", fmt.Sprintf("d%d", i))
	}
	_, err = Execute(context.Background(), plan, target)
	assert.ErrorContains(t, err, "do not name: interpreter_tests.someone_elses, other_db.c, other_db.d0, other_db.d1, other_db.d2, and 2 more; ")
}

// TestAllowNonemptyNamesWhatADroppedDatabaseHolds: the legacy change-streams tests drop
// their databases whole; the notice names the collection no test names first.
func TestAllowNonemptyNamesWhatADroppedDatabaseHolds(t *testing.T) {
	srv, err := embedded.Start(context.Background(), embedded.Options{})
	require.NoError(t, err)
	defer srv.Close()
	client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
	require.NoError(t, err)
	defer client.Disconnect(context.Background())
	insertInto(t, client, "cs-db", "test")
	insertInto(t, client, "cs-db", "theirs")

	plan := Plan{Loads: loads(t, "../safety/change-streams.json"), AllowNonempty: true}
	rec := &notices{}
	_, err = Execute(context.Background(), plan, Target{URI: srv.URI()}, rec)
	require.NoError(t, err)
	assert.Equal(t, []string{"--allow-nonempty: this run may drop 2 of the server's collections: cs-db.theirs (no test names it), cs-db.test"}, rec.lines)

	plan.Selection.Skip = regexp.MustCompile(".")
	rec = &notices{}
	_, err = Execute(context.Background(), plan, Target{URI: srv.URI()}, rec)
	require.NoError(t, err)
	assert.Equal(t, []string{"--allow-nonempty: this run drops none of the server's collections"}, rec.lines, "no test of the file runs")
}
