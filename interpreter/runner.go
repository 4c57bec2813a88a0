// Package interpreter runs spec test files against a server: requirements, initial
// data, entities, operations, expectations (results, errors, events, outcome) and
// cleanup, one verdict per test. Which tests run, and what is done with their verdicts,
// is package run's.
package interpreter

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"

	"github.com/specrun/specrun/drivererr"
	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// Config says where and how to run.
type Config struct {
	URI string
	// SingleMongosLBURI and MultiMongosLBURI are the load balancers fronting one and
	// several mongoses, which a load-balanced server requires (the spec's
	// SINGLE_MONGOS_LB_URI and MULTI_MONGOS_LB_URI); other topologies ignore them.
	SingleMongosLBURI, MultiMongosLBURI string
	// Timeout bounds one test (default 60s); a test that takes longer fails.
	Timeout time.Duration
}

// DefaultTimeout is the per-test time limit when Config.Timeout is zero.
const DefaultTimeout = 60 * time.Second

// Runner runs test files against one server.
type Runner struct {
	cfg      Config
	internal *mongo.Client
	probe    *Probe
	stats    *stats
	// trouble holds a signal (at most one) that a client of the run saw the server go
	// away: see Trouble.
	trouble chan struct{}
	// fileBegun: a file has begun (BeginFile) whose collections are not reset yet.
	fileBegun atomic.Bool
	// encrypted: state collections of queryable encryption may exist (the server held
	// some when the runner connected, or a file that may make them has set up its
	// data): every initialData drops them from then on.
	encrypted atomic.Bool

	mu sync.Mutex
	// up is cancelled while the server is known to be down (ServerDown): cleanups
	// then do not wait for it.
	up     context.Context
	markUp context.CancelFunc
}

var errTimedOut = errors.New("test timed out")

// ErrUnreachable wraps the error of a server that could not be reached at all.
var ErrUnreachable = errors.New("server unreachable")

// ErrAuthentication wraps the error of a server that refused the connection string's
// credentials: a matter of configuration, not of reachability.
var ErrAuthentication = errors.New("authentication failed")

// closeTimeout bounds disconnecting: a server that does not answer must not hold the
// process after its reports are written.
const closeTimeout = time.Second

// New connects the internal client and probes the server. When ctx ends first, the
// error is ctx's.
func New(ctx context.Context, cfg Config) (*Runner, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	r := &Runner{cfg: cfg, stats: &stats{}, trouble: make(chan struct{}, 1)}
	r.ServerUp()
	client, err := r.connect()
	if err != nil {
		return nil, err
	}
	r.internal = client
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	fail := func(err error) (*Runner, error) {
		r.disconnect()
		return nil, err
	}
	if err := client.Ping(pctx, nil); err != nil {
		switch {
		case ctx.Err() != nil:
			return fail(context.Cause(ctx))
		case drivererr.Of(err).Auth:
			return fail(fmt.Errorf("%w: %v", ErrAuthentication, err))
		}
		return fail(fmt.Errorf("%w: %v", ErrUnreachable, err))
	}
	if r.probe, err = probe(pctx, client, cfg.URI); err != nil {
		if ctx.Err() != nil {
			return fail(context.Cause(ctx))
		}
		return fail(err)
	}
	if err := checkLoadBalancers(r.probe, cfg); err != nil {
		return fail(err)
	}
	r.encrypted.Store(r.holdsStateCollections(pctx))
	// Transactions left open by an earlier run would block tests; a failure here shows
	// in the tests that use transactions, and after each of them killAllSessions runs again.
	_ = r.killAllSessions(ctx)
	return r, nil
}

// checkLoadBalancers: the spec requires both load balancer URIs of a load-balanced
// cluster; other topologies ignore them.
func checkLoadBalancers(server *Probe, cfg Config) error {
	if server.Topology == "load-balanced" && (cfg.SingleMongosLBURI == "" || cfg.MultiMongosLBURI == "") {
		return errors.New("the server is load-balanced: both load balancer URIs are needed (--single-mongos-lb-uri and --multi-mongos-lb-uri, or SINGLE_MONGOS_LB_URI and MULTI_MONGOS_LB_URI)")
	}
	return nil
}

// deployment is what client entities need to pick their connection string.
func (r *Runner) deployment() entities.Deployment {
	return entities.Deployment{Topology: r.probe.Topology, SingleMongosLBURI: r.cfg.SingleMongosLBURI, MultiMongosLBURI: r.cfg.MultiMongosLBURI}
}

// Probe is what the probe found.
func (r *Runner) Probe() *Probe { return r.probe }

// connect makes the runner's own client, which measures its commands and tells of
// trouble.
func (r *Runner) connect() (*mongo.Client, error) {
	pools, servers := entities.TroubleMonitors(r.noteTrouble)
	return mongo.Connect(options.Client().ApplyURI(r.cfg.URI).SetMonitor(r.stats.monitor()).
		SetPoolMonitor(pools).SetServerMonitor(servers))
}

// Restarted tells the runner the server was started again (between tests): its own
// client starts afresh, so that no test meets a connection to the process that died.
func (r *Runner) Restarted() error {
	client, err := r.connect()
	if err != nil {
		return err
	}
	old := r.internal
	r.internal = client
	r.ServerUp()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		defer cancel()
		_ = old.Disconnect(ctx)
	}()
	return nil
}

// Close disconnects the internal client, within closeTimeout.
func (r *Runner) Close() error { return r.disconnect() }

func (r *Runner) disconnect() error {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	return r.internal.Disconnect(ctx)
}

// Trouble receives a signal when a client of the run (the runner's own or a test's)
// has seen the server go away since the signal was last taken: a pool cleared or a
// heartbeat failed. Whether the server is really gone is the caller's to find out.
func (r *Runner) Trouble() <-chan struct{} { return r.trouble }

func (r *Runner) noteTrouble() {
	select {
	case r.trouble <- struct{}{}:
	default: // one pending signal says it all
	}
}

// ServerDown tells the runner the server is gone: the cleanups of tests, running or
// to come, stop waiting for it (its fail points, sessions and clients went with it).
func (r *Runner) ServerDown() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.markUp()
}

// ServerUp tells the runner the server answers (again, once restarted).
func (r *Runner) ServerUp() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.up, r.markUp = context.WithCancel(context.Background())
}

// cleanupContext bounds a cleanup step: 10 seconds, or until the server is known down.
func (r *Runner) cleanupContext() (context.Context, context.CancelFunc) {
	r.mu.Lock()
	up := r.up
	r.mu.Unlock()
	return context.WithTimeout(up, 10*time.Second)
}

// killAllSessions ends open transactions ("Terminating Open Transactions"), where the
// server has the command: through the internal client, or on a sharded cluster on
// each mongos of the connection string. The errors the spec lets a runner ignore are
// ignored: Interrupted (11601, SERVER-38335) and Unauthorized (13, SERVER-54216).
func (r *Runner) killAllSessions(ctx context.Context) error {
	if !r.probe.KillAllSessions {
		return nil
	}
	kill := func(admin *mongo.Database) error {
		err := admin.RunCommand(ctx, bson.D{{Key: "killAllSessions", Value: bson.A{}}}).Err()
		if err != nil && !killIgnorable(err) {
			return fmt.Errorf("killAllSessions: %w", err)
		}
		return nil
	}
	hosts := r.hosts()
	if r.probe.Topology != "sharded" || len(hosts) < 2 {
		return kill(r.internal.Database("admin"))
	}
	for _, host := range hosts {
		if err := r.onHost(ctx, host, kill); err != nil {
			return fmt.Errorf("%s: %w", host, err)
		}
	}
	return nil
}

// killIgnorable says whether a killAllSessions error is one the spec lets a runner ignore.
func killIgnorable(err error) bool {
	return drivererr.IsCommand(err, 11601, "Interrupted") || drivererr.IsCommand(err, 13, "Unauthorized")
}

// hosts are the hosts of the run's connection string; none for an SRV one, whose hosts
// no client can connect to directly.
func (r *Runner) hosts() []string {
	cs, err := connstring.Parse(r.cfg.URI)
	if err != nil || cs.Scheme == connstring.SchemeMongoDBSRV {
		return nil
	}
	return cs.Hosts
}

// onHost runs fn on the admin database of a client connected to host alone, made from
// the run's connection string (credentials, TLS) and disconnected afterwards.
func (r *Runner) onHost(ctx context.Context, host string, fn func(admin *mongo.Database) error) error {
	client, err := mongo.Connect(options.Client().ApplyURI(r.cfg.URI).SetHosts([]string{host}).SetDirect(true))
	if err != nil {
		return err
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	return fn(client.Database("admin"))
}

// RunTest runs the i-th test of a loaded file.
func (r *Runner) RunTest(ctx context.Context, f *specifications.File, i int) result.Test {
	t := &f.Tests[i]
	res := result.Test{ID: t.ID, FileID: f.ID, File: f.Path, Description: t.Description}
	switch {
	case f.Unsupported != "":
		res.Status, res.Reason = result.Error, f.Unsupported
	default:
		if ok, why := r.probe.requirementsMet(f.RunOnRequirements); !ok {
			res.Status, res.Reason = result.Skip, why
			break
		}
		start := time.Now()
		res.Status, res.Reason, res.Detail = r.runWithTimeout(ctx, f, t)
		res.Duration = time.Since(start)
	}
	return res
}

// runWithTimeout runs one test; a test still running after the timeout fails, and the
// run goes on without waiting for it.
func (r *Runner) runWithTimeout(ctx context.Context, f *specifications.File, t *specifications.Test) (result.Status, string, string) {
	// The deadline is a timer that cancels, not a context deadline: the driver would turn
	// a deadline into a maxTimeMS field of every command, and tests check the commands.
	tctx, cancel := context.WithCancelCause(ctx)
	timer := time.AfterFunc(r.cfg.Timeout, func() { cancel(errTimedOut) })
	defer timer.Stop()
	defer cancel(nil)
	out := make(chan result.Verdict, 1)
	go func() {
		var v result.Verdict
		// The crash barrier, the one recover of specrun: a panic of specrun's own code
		// ends this test as an error ("internal failure", DESIGN.md) with the stack in
		// its detail, and the run and its reports go on. It decides nothing else.
		defer func() {
			if p := recover(); p != nil {
				v = result.Verdict{Status: result.Error, Reason: fmt.Sprintf("specrun internal error (a bug; please report it): %v", p), Detail: string(debug.Stack())}
			}
			out <- v
		}()
		tr := newTestRun(r, f, t)
		v.Status, v.Reason, v.Detail = tr.run(tctx)
	}()
	select {
	case v := <-out:
		if v.Status != result.Pass && v.Status != result.Skip && context.Cause(tctx) == errTimedOut {
			return result.Fail, fmt.Sprintf("timed out after %s (%s)", r.cfg.Timeout, v.Reason), v.Detail
		}
		return v.Status, v.Reason, v.Detail
	case <-time.After(r.cfg.Timeout + 5*time.Second):
		return result.Fail, fmt.Sprintf("timed out after %s and did not stop", r.cfg.Timeout), ""
	}
}

// DatabaseNames lists the server's databases, for the check that a run does not
// mix its data with someone else's.
func (r *Runner) DatabaseNames(ctx context.Context) ([]string, error) {
	return r.internal.ListDatabaseNames(ctx, bson.D{})
}
