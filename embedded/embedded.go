// Package embedded runs FerretDB in-process as specrun's default server: the SQLite
// backend in a temporary data folder, listening on a TCP port of 127.0.0.1.
//
// The server is a real MongoDB-wire server with real gaps (no fail points, transactions
// or change streams); see DESIGN.md, "Embedded server".
package embedded

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/FerretDB/FerretDB/build/version"
	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/bson"
)

const (
	// DefaultAddr is the address the server listens on when Options.Addr is empty:
	// the loopback interface, a port chosen by the system.
	DefaultAddr = "127.0.0.1:0"

	// DefaultStartTimeout bounds the wait for the server to answer its first command.
	DefaultStartTimeout = 30 * time.Second

	ferretModule = "github.com/FerretDB/FerretDB"

	// ferretFallbackVersion is the version go.mod requires; used when the binary
	// carries no module information (e.g. built without module support).
	ferretFallbackVersion = "v1.24.2"
)

// Options configure Start. The zero value is ready to use.
type Options struct {
	// Addr is the TCP address to listen on (host:port); DefaultAddr when empty.
	// Port 0 picks a free port.
	Addr string

	// Logger receives FerretDB's own log records (it logs every connection and
	// more). Nil discards them.
	Logger *slog.Logger

	// StartTimeout bounds the wait until the server answers a ping;
	// DefaultStartTimeout when zero.
	StartTimeout time.Duration
}

// Server is a running embedded FerretDB. Close it to stop it and remove its data.
type Server struct {
	addr    string // host:port actually listened on
	uri     string
	dir     string // temporary SQLite data folder
	cancel  context.CancelFunc
	done    chan struct{} // closed when FerretDB's Run has returned
	runErr  error         // Run's result, readable once done is closed
	version string

	closeOnce sync.Once
	closeErr  error
}

// newMu serialises ferretdb.New, which writes FerretDB's process-wide version info.
var newMu sync.Mutex

// Start starts FerretDB and returns once it answers commands. ctx bounds the start
// only: the server runs until Close. On error nothing is left running or on disk.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = DefaultStartTimeout
	}

	// Bind the address once ourselves first. ferretdb.New creates the SQLite backend
	// before it listens, and when listening fails it returns without closing the
	// backend; FerretDB tracks the backend with a finalizer that panics (in every
	// build, not only debug ones), so the whole process would crash at a later GC.
	// Checking here turns "address already in use" into a plain error. For port 0 the
	// chosen port is handed to FerretDB; another process taking it in between would
	// still hit the leak, but the window is microseconds.
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("embedded FerretDB: %w", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return nil, fmt.Errorf("embedded FerretDB: %w", err)
	}

	if tmp := os.TempDir(); strings.ContainsAny(tmp, unsafePathChars) {
		// FerretDB decodes the SQLite URI and re-emits the path unescaped, so such a
		// path would put the data somewhere else (for /tmp/q?x: in the file /tmp/q).
		return nil, fmt.Errorf("embedded FerretDB: the temporary folder %q contains one of %q, which FerretDB's SQLite backend cannot take; set TMPDIR to another folder", tmp, unsafePathChars)
	}
	dir, err := os.MkdirTemp("", "specrun-ferretdb-")
	if err != nil {
		return nil, fmt.Errorf("embedded FerretDB: data folder: %w", err)
	}
	s := &Server{dir: dir, done: make(chan struct{}), version: ferretVersion()}

	newMu.Lock()
	setVersionInfo(s.version)
	fdb, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Logger:    opts.Logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL(dir),
	})
	newMu.Unlock()
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("embedded FerretDB on %s: %w", addr, err)
	}

	// Run must be running before MongoDBURI is called (see ferretdb.FerretDB.Run).
	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() {
		defer close(s.done)
		s.runErr = fdb.Run(runCtx)
	}()

	s.uri = fdb.MongoDBURI()
	u, err := url.Parse(s.uri)
	if err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("embedded FerretDB: unexpected URI %q: %w", s.uri, err)
	}
	s.addr = u.Host

	startCtx, stop := context.WithTimeout(ctx, opts.StartTimeout)
	defer stop()
	if err := waitReady(startCtx, s.addr, s.done); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("embedded FerretDB on %s did not start: %w", s.addr, err)
	}
	return s, nil
}

// URI is the connection string, mongodb://127.0.0.1:PORT/.
func (s *Server) URI() string { return s.uri }

// Addr is the address listened on, host:port.
func (s *Server) Addr() string { return s.addr }

// Version names the server for one-line messages, e.g. "FerretDB 1.24.2".
func (s *Server) Version() string { return "FerretDB " + strings.TrimPrefix(s.version, "v") }

// DataDir is the temporary SQLite data folder, removed by Close.
func (s *Server) DataDir() string { return s.dir }

// Close stops the listener, waits for FerretDB to finish and removes the data folder.
// Disconnect clients first: FerretDB gives connections still open 3 seconds before it
// drops them, so Close takes 3 seconds if any remain. Close may be called more than
// once, and on a nil *Server; later calls return the first call's result.
func (s *Server) Close() error {
	if s == nil {
		return nil
	}
	s.closeOnce.Do(func() {
		if s.cancel != nil {
			s.cancel()
			<-s.done
		}
		var errs []error
		if s.runErr != nil {
			errs = append(errs, fmt.Errorf("embedded FerretDB: %w", s.runErr))
		}
		if err := os.RemoveAll(s.dir); err != nil {
			errs = append(errs, fmt.Errorf("embedded FerretDB: removing data folder: %w", err))
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// unsafePathChars cannot appear in the data folder's path (see sqliteURL).
const unsafePathChars = "?#%"

// sqliteURL turns a folder into the SQLite URI FerretDB wants: file:PATH/?PRAGMAS. The path
// is not escaped: FerretDB parses the URI, then hands the decoded path to SQLite
// as a URI again, so escaping would not help; Start refuses paths with
// unsafePathChars instead.
func sqliteURL(dir string) string {
	return "file:" + filepath.ToSlash(dir) + "/?" + sqlitePragmas
}

// ferretVersion is the FerretDB module version linked into this binary, e.g. "v1.24.2".
func ferretVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == ferretModule {
				if dep.Replace != nil && dep.Replace.Version != "" {
					return dep.Replace.Version
				}
				if dep.Version != "" && dep.Version != "(devel)" {
					return dep.Version
				}
			}
		}
	}
	return ferretFallbackVersion
}

// setVersionInfo fills in what FerretDB's version package leaves "unknown" when it
// is embedded (it reads version.txt only when FerretDB is the main module), so that
// buildInfo's ferretdbVersion and the startup warnings name the real version.
// Called with newMu held.
func setVersionInfo(v string) {
	info := version.Get()
	if info.Version != v {
		info.Version = v
	}
}

// waitReady dials addr until the server answers a ping, or ctx ends, or the server
// stops (done closed).
func waitReady(ctx context.Context, addr string, done <-chan struct{}) error {
	var last error
	for {
		if last = ping(ctx, addr); last == nil {
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("server stopped: %w", last)
		case <-ctx.Done():
			return fmt.Errorf("%w (last attempt: %v)", context.Cause(ctx), last)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// ping sends one OP_MSG {ping: 1, $db: "admin"} on a fresh connection and checks
// for {ok: 1}. It avoids a driver client so that no monitoring goroutines outlive it.
func ping(ctx context.Context, addr string) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline := time.Now().Add(5 * time.Second)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)

	body, err := bson.Marshal(bson.D{{Key: "ping", Value: int32(1)}, {Key: "$db", Value: "admin"}})
	if err != nil {
		return err
	}
	const opMsg = 2013
	msg := make([]byte, 16+4+1, 16+4+1+len(body))
	binary.LittleEndian.PutUint32(msg[4:], 1)      // requestID
	binary.LittleEndian.PutUint32(msg[12:], opMsg) // opCode; responseTo and flagBits stay 0
	msg = append(msg, body...)                     // section kind 0 (the byte at 20 is 0)
	binary.LittleEndian.PutUint32(msg[0:], uint32(len(msg)))
	if _, err := conn.Write(msg); err != nil {
		return err
	}

	var header [16]byte
	if _, err := io.ReadFull(conn, header[:]); err != nil {
		return err
	}
	size := binary.LittleEndian.Uint32(header[0:])
	if code := binary.LittleEndian.Uint32(header[12:]); code != opMsg {
		return fmt.Errorf("ping: reply has opCode %d, want %d", code, opMsg)
	}
	if size < 16+4+1+5 || size > 48<<20 {
		return fmt.Errorf("ping: reply of %d bytes", size)
	}
	rest := make([]byte, size-16)
	if _, err := io.ReadFull(conn, rest); err != nil {
		return err
	}
	if rest[4] != 0 {
		return fmt.Errorf("ping: reply section kind %d, want 0", rest[4])
	}
	docLen := int(binary.LittleEndian.Uint32(rest[5:]))
	if docLen < 5 || 5+docLen > len(rest) {
		return fmt.Errorf("ping: reply document of %d bytes in a message of %d", docLen, size)
	}
	reply := bson.Raw(rest[5 : 5+docLen])
	if err := reply.Validate(); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	if ok, isNum := reply.Lookup("ok").AsFloat64OK(); !isNum || ok != 1 {
		return fmt.Errorf("ping: reply %s", reply)
	}
	return nil
}

// sqlitePragmas go in the SQLite URI's query. The data is thrown away after the run,
// so nothing is worth an fsync: synchronous(off) lets SQLite hand writes to the
// operating system and go on. FerretDB adds its own defaults (WAL journal, busy
// timeout) after these.
const sqlitePragmas = "_pragma=synchronous(off)"
