// Package serverproc runs the server under test as a process of specrun's own
// (--server-cmd): it fills in the command's {port} and {dir}, starts it, waits until
// it answers hello, keeps the tail of its output, stops it (SIGTERM, then SIGKILL) and
// starts it again after a crash, at the same address with a fresh folder.
package serverproc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/specrun/specrun/internal/logtail"
)

// Options say what to run.
type Options struct {
	// Command is run by /bin/sh -c after {port} (a free loopback port, the same for
	// every start) and {dir} (a fresh temporary folder for each start, removed after)
	// are filled in. It must stay in the foreground: its exit is the server's.
	Command string
	// URI is the connection string, in which {port} is filled in too; empty:
	// mongodb://127.0.0.1:{port}/.
	URI string
	// Log receives every line the process writes on its standard output and error.
	Log *logtail.Tail
	// StartTimeout bounds a start, until the server answers hello (default 60s).
	StartTimeout time.Duration
}

// DefaultStartTimeout is how long a start may take when Options.StartTimeout is zero.
const DefaultStartTimeout = 60 * time.Second

// stopGrace is how long a server has to end after SIGTERM before it is killed.
const stopGrace = 1500 * time.Millisecond

// Server is the server process. Its methods may be called from several goroutines.
type Server struct {
	opts Options
	port int
	uri  string

	mu      sync.Mutex
	cmd     *exec.Cmd
	dir     string
	exited  chan struct{} // closed when the running process has ended
	exitErr error         // cmd.Wait's result, set before exited is closed
}

// New checks the options and picks the port; nothing runs until Restart.
func New(opts Options) (*Server, error) {
	if opts.URI == "" && !strings.Contains(opts.Command, "{port}") {
		return nil, errors.New("--server-cmd: the command must listen on {port}, or --uri must say where the server listens")
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = DefaultStartTimeout
	}
	if opts.Log == nil {
		opts.Log = logtail.New(100)
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("--server-cmd: no free port: %w", err)
	}
	s := &Server{opts: opts, port: port, exited: make(chan struct{})}
	close(s.exited) // nothing runs yet
	s.exitErr = errors.New("not started")
	s.uri = opts.URI
	if s.uri == "" {
		s.uri = "mongodb://127.0.0.1:{port}/"
	}
	s.uri = strings.ReplaceAll(s.uri, "{port}", strconv.Itoa(port))
	return s, nil
}

// freePort asks the system for a free loopback port. Another process may take it
// before the server binds it; the start then fails and says so.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// URI is where the server listens.
func (s *Server) URI() string { return s.uri }

// Exited is closed when the running process has ended (at once before the first
// start).
func (s *Server) Exited() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exited
}

// ExitReason says how the process ended: "exit status 2", "signal: killed".
func (s *Server) ExitReason() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var exit *exec.ExitError
	if errors.As(s.exitErr, &exit) {
		return exit.ProcessState.String()
	}
	if s.exitErr == nil {
		return "exit status 0"
	}
	return s.exitErr.Error()
}

// Restart stops the process if it runs, and starts it again (the first time: starts
// it) with a fresh {dir}; it returns once the server answers hello. A server that
// exits or does not answer within StartTimeout is stopped, and the error ends with
// the last lines it wrote.
func (s *Server) Restart(ctx context.Context) error {
	if err := s.Stop(); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "specrun-server-")
	if err != nil {
		return fmt.Errorf("--server-cmd: {dir}: %w", err)
	}
	command := strings.ReplaceAll(strings.ReplaceAll(s.opts.Command, "{port}", strconv.Itoa(s.port)), "{dir}", dir)
	cmd := exec.Command("/bin/sh", "-c", command)
	cmd.Stdout, cmd.Stderr = s.opts.Log.Writer(), s.opts.Log.Writer()
	cmd.Dir = dir
	ownGroup(cmd)
	mark := s.opts.Log.Mark()
	if err := cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return fmt.Errorf("--server-cmd: %w", err)
	}
	exited := make(chan struct{})
	s.mu.Lock()
	s.cmd, s.dir, s.exited, s.exitErr = cmd, dir, exited, nil
	s.mu.Unlock()
	go func() {
		err := cmd.Wait()
		s.mu.Lock()
		s.exitErr = err
		s.mu.Unlock()
		close(exited)
	}()
	if err := s.waitReady(ctx, exited); err != nil {
		_ = s.Stop()
		return fmt.Errorf("%w%s", err, s.lastOutput(mark))
	}
	return nil
}

// waitReady pings hello until the server answers, exits, or the start takes too long.
func (s *Server) waitReady(ctx context.Context, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.StartTimeout)
	defer cancel()
	// A process that ends stops the waiting at once, not at the next ping's timeout.
	ctx, stopWaiting := context.WithCancel(ctx)
	defer stopWaiting()
	go func() {
		select {
		case <-exited:
			stopWaiting()
		case <-ctx.Done():
		}
	}()
	client, err := mongo.Connect(options.Client().ApplyURI(s.uri).SetServerSelectionTimeout(time.Second).
		SetConnectTimeout(time.Second).SetMaxPoolSize(1))
	if err != nil {
		return fmt.Errorf("--server-cmd: %w", err)
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = client.Disconnect(dctx)
	}()
	for {
		hctx, stop := context.WithTimeout(ctx, time.Second)
		err := client.Database("admin").RunCommand(hctx, bson.D{{Key: "hello", Value: 1}}).Err()
		stop()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("the server command ended (%s) before it answered hello", s.ExitReason())
		default:
		}
		select {
		case <-exited:
			return fmt.Errorf("the server command ended (%s) before it answered hello", s.ExitReason())
		case <-ctx.Done():
			return fmt.Errorf("the server did not answer hello at %s within %s (%v)", s.uri, s.opts.StartTimeout, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// lastOutput is the server's last lines since mark, for an error.
func (s *Server) lastOutput(mark uint64) string {
	lines, _ := s.opts.Log.Since(mark)
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	if len(lines) == 0 {
		return "; it wrote nothing"
	}
	return "; its last output:\n  " + strings.Join(lines, "\n  ")
}

// Stop ends the process, if it runs (SIGTERM to its process group, SIGKILL after
// stopGrace), and removes its {dir}.
func (s *Server) Stop() error {
	s.mu.Lock()
	cmd, dir, exited := s.cmd, s.dir, s.exited
	s.cmd, s.dir = nil, ""
	s.mu.Unlock()
	if cmd != nil {
		select {
		case <-exited:
		default:
			signalGroup(cmd, terminate)
			select {
			case <-exited:
			case <-time.After(stopGrace):
				signalGroup(cmd, kill)
				<-exited
			}
		}
	}
	if dir != "" {
		return os.RemoveAll(dir)
	}
	return nil
}
