package embedded

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/specrun/specrun/internal/logtail"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The embedded server's error replies reach the tail: what a failed test shows.
func TestLogTailGetsServerErrors(t *testing.T) {
	tail := logtail.New(100)
	srv, err := Start(context.Background(), Options{Logger: slog.New(tail.Handler())})
	require.NoError(t, err)
	defer srv.Close()
	client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
	require.NoError(t, err)
	defer client.Disconnect(context.Background())
	require.NoError(t, client.Ping(context.Background(), nil))

	mark := tail.Mark()
	err = client.Database("logtail").RunCommand(context.Background(),
		bson.D{{Key: "aggregate", Value: "c"}, {Key: "pipeline", Value: bson.A{bson.D{{Key: "$out", Value: "x"}}}}, {Key: "cursor", Value: bson.D{}}}).Err()
	require.Error(t, err)
	lines, _ := tail.Since(mark)
	require.NotEmpty(t, lines)
	assert.Contains(t, fmt.Sprint(lines), `NotImplemented`)
}
