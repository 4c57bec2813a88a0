package run

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/specrun/specrun/result"
)

// TestFilesStartAlike: a file finds none of what an earlier file left in the collections
// it names (testdata/run/leftovers: second.json has no initialData and names the
// collections first.json writes, one of them in an outcome only, two through a bucket),
// while the tests of one file see what the file's earlier tests did. Nothing the file
// does not name is touched: another collection of its database, the same collection in
// another database.
func TestFilesStartAlike(t *testing.T) {
	ctx := context.Background()
	client, err := mongo.Connect(options.Client().ApplyURI(serverURI))
	require.NoError(t, err)
	defer func() { _ = client.Disconnect(ctx) }()
	kept := []*mongo.Collection{client.Database("run_leftovers").Collection("kept"), client.Database("run_leftovers_other").Collection("shared")}
	for _, c := range kept {
		require.NoError(t, c.Drop(ctx))
		_, err := c.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}})
		require.NoError(t, err)
	}

	// Twice: the second run finds what the first left, as a run after another does.
	for range 2 {
		r, err := Execute(ctx, Plan{Loads: loads(t, "leftovers")}, Target{URI: serverURI, Own: true})
		require.NoError(t, err)
		require.Len(t, r.Judged, 3)
		for _, res := range r.Judged {
			assert.Equal(t, result.Pass, res.Status, "%s: %s\n%s", res.ID, res.Reason, res.Detail)
		}
	}
	for _, c := range kept {
		n, err := c.CountDocuments(ctx, bson.D{})
		require.NoError(t, err)
		assert.Equal(t, int64(1), n, "%s.%s is not the files' to reset", c.Database().Name(), c.Name())
	}
}
