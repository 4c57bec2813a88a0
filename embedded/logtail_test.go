package embedded

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func TestLogTailRing(t *testing.T) {
	tail := NewLogTail(3)
	log := slog.New(tail.Handler())
	m0 := tail.Mark()
	log.Warn("one", "k", 1)
	log.Info("not kept")
	m1 := tail.Mark()
	log.With("conn", "c1").WithGroup("g").Warn("two\n  {\n \"x\": 1}", "k", "v")
	lines, dropped := tail.Since(m1)
	assert.Equal(t, []string{`WARN two { "x": 1} conn=c1 g.k=v`}, lines)
	assert.Zero(t, dropped)

	for i := range 4 {
		log.Error(fmt.Sprint("e", i))
	}
	lines, dropped = tail.Since(m0)
	assert.Equal(t, []string{"ERROR e1", "ERROR e2", "ERROR e3"}, lines, "the ring keeps the last 3")
	assert.Equal(t, 3, dropped, "one, two and e0 were dropped")
	lines, _ = tail.Since(tail.Mark())
	assert.Empty(t, lines)
}

// The embedded server's error replies reach the tail: what a failed test shows.
func TestLogTailGetsServerErrors(t *testing.T) {
	tail := NewLogTail(100)
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
