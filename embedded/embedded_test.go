package embedded

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func startServer(t *testing.T, opts Options) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Start(ctx, opts)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s
}

func connect(t *testing.T, uri string) *mongo.Client {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(10 * time.Second))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c
}

func TestStartInsertFindBuildInfo(t *testing.T) {
	start := time.Now()
	s := startServer(t, Options{})
	t.Logf("started in %v at %s", time.Since(start), s.URI())

	assert.Regexp(t, `^mongodb://127\.0\.0\.1:[1-9][0-9]*/$`, s.URI())
	assert.True(t, strings.HasSuffix(s.URI(), "/"))
	assert.Equal(t, "mongodb://"+s.Addr()+"/", s.URI())
	assert.Equal(t, "FerretDB 1.24.2", s.Version())
	assert.DirExists(t, s.DataDir())

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := connect(t, s.URI())
	coll := c.Database("specrun").Collection("embedded")
	_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: int32(1)}, {Key: "x", Value: int64(42)}, {Key: "s", Value: "hello"}})
	require.NoError(t, err)

	var got bson.D
	require.NoError(t, coll.FindOne(ctx, bson.D{{Key: "x", Value: int64(42)}}).Decode(&got))
	assert.Equal(t, bson.D{{Key: "_id", Value: int32(1)}, {Key: "x", Value: int64(42)}, {Key: "s", Value: "hello"}}, got,
		"types and key order survive the round trip")

	// The SQLite data lands in the temporary folder.
	entries, err := os.ReadDir(s.DataDir())
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Contains(t, names, "specrun.sqlite", "database file in %s", s.DataDir())

	var info bson.M
	require.NoError(t, c.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info))
	t.Logf("buildInfo: version=%v versionArray=%v ferretdbVersion=%v gitVersion=%v debug=%v",
		info["version"], info["versionArray"], info["ferretdbVersion"], info["gitVersion"], info["debug"])
	assert.Equal(t, "7.0.42", info["version"], "FerretDB 1.24.2 claims MongoDB 7.0.42")
	assert.Equal(t, "v1.24.2", info["ferretdbVersion"], "the embedded version info is filled in")

	var hello bson.M
	require.NoError(t, c.Database("admin").RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Decode(&hello))
	t.Logf("hello: %v", hello)
	assert.Equal(t, true, hello["isWritablePrimary"])
	assert.NotContains(t, hello, "setName", "a standalone, not a replica set")
	assert.NotContains(t, hello, "msg", "not a mongos")
	assert.EqualValues(t, 21, hello["maxWireVersion"])
}

func TestCloseRemovesDataAndIsIdempotent(t *testing.T) {
	s, err := Start(context.Background(), Options{})
	require.NoError(t, err)
	dir, addr := s.DataDir(), s.Addr()
	require.DirExists(t, dir)

	// A client that is disconnected before Close lets Close return quickly.
	c, err := mongo.Connect(options.Client().ApplyURI(s.URI()))
	require.NoError(t, err)
	require.NoError(t, c.Ping(context.Background(), nil))
	require.NoError(t, c.Disconnect(context.Background()))

	start := time.Now()
	require.NoError(t, s.Close())
	t.Logf("Close took %v", time.Since(start))
	assert.NoDirExists(t, dir, "the data folder is removed")
	_, err = net.DialTimeout("tcp", addr, time.Second)
	assert.Error(t, err, "nothing listens on %s any more", addr)

	assert.NoError(t, s.Close(), "a second Close is harmless")
	var nilServer *Server
	assert.NoError(t, nilServer.Close(), "Close on the nil result of a failed Start is harmless")
}

func TestTwoServersAtOnce(t *testing.T) {
	var wg sync.WaitGroup
	servers := make([]*Server, 2)
	errs := make([]error, 2)
	for i := range servers {
		wg.Go(func() { servers[i], errs[i] = Start(context.Background(), Options{}) })
	}
	wg.Wait()
	for i, s := range servers {
		require.NoError(t, errs[i])
		t.Cleanup(func() { assert.NoError(t, s.Close()) })
	}
	require.NotEqual(t, servers[0].Addr(), servers[1].Addr())
	require.NotEqual(t, servers[0].DataDir(), servers[1].DataDir())

	// The servers have separate data: a document written to one is absent on the other.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c0 := connect(t, servers[0].URI()).Database("db").Collection("c")
	c1 := connect(t, servers[1].URI()).Database("db").Collection("c")
	_, err := c0.InsertOne(ctx, bson.D{{Key: "_id", Value: "only-on-0"}})
	require.NoError(t, err)
	n0, err := c0.CountDocuments(ctx, bson.D{})
	require.NoError(t, err)
	n1, err := c1.CountDocuments(ctx, bson.D{})
	require.NoError(t, err)
	assert.Equal(t, int64(1), n0)
	assert.Equal(t, int64(0), n1)
}

func TestLoggerReceivesFerretDBLogs(t *testing.T) {
	var mu sync.Mutex
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&lockedWriter{mu: &mu, w: &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := startServer(t, Options{Logger: logger})
	c := connect(t, s.URI())
	require.NoError(t, c.Ping(context.Background(), nil))
	require.NoError(t, c.Disconnect(context.Background()))
	require.NoError(t, s.Close())

	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, buf.String(), "Listening on TCP "+s.Addr(), "FerretDB's log lines reach the given logger")
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestStartFailsClearly(t *testing.T) {
	// An address already in use.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()

	t.Setenv("TMPDIR", t.TempDir()) // a private temporary directory to watch
	before := tempDirs(t)
	require.Empty(t, before)
	s, err := Start(context.Background(), Options{Addr: ln.Addr().String()})
	require.Error(t, err)
	assert.Nil(t, s)
	assert.Contains(t, err.Error(), ln.Addr().String())
	assert.Contains(t, err.Error(), "address already in use")
	assert.NoError(t, s.Close(), "Close after a failed Start is harmless")
	assert.Equal(t, before, tempDirs(t), "a failed Start leaves no data folder behind")
	// A FerretDB backend dropped without being closed panics in its finalizer and
	// takes the process down: make the finalizers run now.
	runtime.GC()
	runtime.GC()
	time.Sleep(50 * time.Millisecond)

	// A start that cannot finish in time: the context is already done.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s, err = Start(ctx, Options{})
	require.Error(t, err)
	assert.Nil(t, s)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "did not start")
	assert.Equal(t, before, tempDirs(t), "a failed Start leaves no data folder behind")
}

// tempDirs lists the data folders in the temporary directory.
func tempDirs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(os.TempDir())
	require.NoError(t, err)
	var dirs []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "specrun-ferretdb-") {
			dirs = append(dirs, e.Name())
		}
	}
	return dirs
}

func TestSQLiteURL(t *testing.T) {
	assert.Equal(t, "file:/tmp/specrun-ferretdb-1/?_pragma=synchronous(off)", sqliteURL("/tmp/specrun-ferretdb-1"))
}

func TestTempDirWithSpace(t *testing.T) {
	tmp := filepath.Join(t.TempDir(), "a b")
	require.NoError(t, os.Mkdir(tmp, 0o700))
	t.Setenv("TMPDIR", tmp)
	s := startServer(t, Options{})
	assert.True(t, strings.HasPrefix(s.DataDir(), tmp+string(filepath.Separator)), s.DataDir())
	c := connect(t, s.URI())
	_, err := c.Database("space").Collection("c").InsertOne(context.Background(), bson.D{{Key: "x", Value: 1}})
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(s.DataDir(), "space.sqlite"))
	assert.NoError(t, err, "the data is inside the data folder")
}

func TestTempDirWithQuestionMarkRefused(t *testing.T) {
	parent := t.TempDir()
	tmp := filepath.Join(parent, "q?x")
	require.NoError(t, os.Mkdir(tmp, 0o700))
	t.Setenv("TMPDIR", tmp)
	s, err := Start(context.Background(), Options{})
	require.Error(t, err)
	assert.Nil(t, s)
	assert.Contains(t, err.Error(), "set TMPDIR")
	entries, err := os.ReadDir(parent)
	require.NoError(t, err)
	require.Len(t, entries, 1, "nothing is written beside the temporary folder")
	entries, err = os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, entries, "nor in it")
}
