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
}

var errTimedOut = errors.New("test timed out")

// ErrUnreachable wraps the error of a server that could not be reached at all.
var ErrUnreachable = errors.New("server unreachable")

// New connects the internal client and probes the server.
func New(ctx context.Context, cfg Config) (*Runner, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	st := &stats{}
	client, err := mongo.Connect(options.Client().ApplyURI(cfg.URI).SetMonitor(st.monitor()))
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := client.Ping(pctx, nil); err != nil {
		_ = client.Disconnect(ctx)
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	server, err := probe(pctx, client, cfg.URI)
	if err != nil {
		_ = client.Disconnect(ctx)
		return nil, err
	}
	if err := checkLoadBalancers(server, cfg); err != nil {
		_ = client.Disconnect(ctx)
		return nil, err
	}
	r := &Runner{cfg: cfg, internal: client, probe: server, stats: st}
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

// Close disconnects the internal client.
func (r *Runner) Close(ctx context.Context) error { return r.internal.Disconnect(ctx) }

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
