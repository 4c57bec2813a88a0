package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// syncBuffer is a bytes.Buffer that serve can write while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var serveLine = regexp.MustCompile(`^specrun: embedded FerretDB 1\.24\.2 \(SQLite, temporary data\) listening on (mongodb://127\.0\.0\.1:[0-9]+/)\n$`)

// startServe runs serve in the background with start(stdout, stderr) and returns
// the URI it printed and a channel with its exit code.
func startServe(t *testing.T, start func(stdout, stderr *syncBuffer) int) (uri string, exit <-chan int, stderr *syncBuffer) {
	t.Helper()
	var stdout syncBuffer
	stderr = new(syncBuffer)
	code := make(chan int, 1)
	go func() { code <- start(&stdout, stderr) }()

	deadline := time.After(time.Minute)
	for {
		if m := serveLine.FindStringSubmatch(stdout.String()); m != nil {
			return m[1], code, stderr
		}
		select {
		case c := <-code:
			t.Fatalf("serve exited with %d before printing its URI; stdout %q, stderr %q", c, stdout.String(), stderr.String())
		case <-deadline:
			t.Fatalf("serve printed no URI within a minute; stdout %q, stderr %q", stdout.String(), stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestServe(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // the server's data folder goes here; it must be gone afterwards

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	uri, exit, stderr := startServe(t, func(stdout, stderr *syncBuffer) int {
		return serveUntil(ctx, nil, stdout, stderr)
	})

	dirs, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Len(t, dirs, 1, "one data folder while serving")

	c, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(10 * time.Second))
	require.NoError(t, err)
	coll := c.Database("serve").Collection("test")
	_, err = coll.InsertOne(context.Background(), bson.D{{Key: "_id", Value: int32(7)}})
	require.NoError(t, err)
	n, err := coll.CountDocuments(context.Background(), bson.D{{Key: "_id", Value: int32(7)}})
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
	require.NoError(t, c.Disconnect(context.Background()))

	cancel()
	select {
	case code := <-exit:
		assert.Equal(t, exitOK, code)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s of its context's end")
	}
	assert.Empty(t, stderr.String())
	dirs, err = os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, dirs, "the data folder is removed")
	_, err = net.DialTimeout("tcp", uri[len("mongodb://"):len(uri)-1], time.Second)
	assert.Error(t, err, "nothing listens any more")
}

func TestServeAddr(t *testing.T) {
	// Find a free port, then ask serve for it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	uri, exit, _ := startServe(t, func(stdout, stderr *syncBuffer) int {
		return serveUntil(ctx, []string{"--addr", addr}, stdout, stderr)
	})
	assert.Equal(t, "mongodb://"+addr+"/", uri)
	cancel()
	assert.Equal(t, exitOK, <-exit)
}

func TestServeErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()

	code, out, stderr := runSpecrun("serve", "--addr", ln.Addr().String())
	assert.Equal(t, exitFail, code, "the address is taken")
	assert.Empty(t, out)
	assert.Contains(t, stderr, "specrun serve: ")
	assert.Contains(t, stderr, "address already in use")

	for _, args := range [][]string{
		{"serve", "extra"},
		{"serve", "--no-such-flag"},
	} {
		code, out, stderr := runSpecrun(args...)
		assert.Equal(t, exitUsage, code, "%v", args)
		assert.Empty(t, out, "%v", args)
		assert.Contains(t, stderr, "Run 'specrun help serve' for usage.\n", "%v", args)
	}

	code, out, stderr = runSpecrun("serve", "--help")
	assert.Equal(t, exitOK, code)
	assert.Empty(t, stderr, "help goes to stdout")
	assert.Contains(t, out, "--addr HOST:PORT")

	code, out, _ = runSpecrun("help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "specrun serve [--addr HOST:PORT]")
}
