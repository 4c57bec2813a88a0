package run

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/embedded"
	"github.com/specrun/specrun/result"
)

// fakeProcess is a server process whose crashes the test decides; the server itself
// (the embedded one) goes on answering.
type fakeProcess struct {
	mu          sync.Mutex
	exited      chan struct{}
	starts      int
	failRestart bool
}

func newFakeProcess() *fakeProcess {
	p := &fakeProcess{exited: make(chan struct{})}
	close(p.exited) // not started yet
	return p
}

func (p *fakeProcess) Exited() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exited
}

func (p *fakeProcess) ExitReason() string { return "signal: killed" }

func (p *fakeProcess) Restart(context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failRestart && p.starts > 0 {
		return errors.New("address already in use")
	}
	p.starts++
	p.exited = make(chan struct{})
	return nil
}

func (p *fakeProcess) crash() {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.exited)
}

// crashAtStart is a server log whose marking, which the run does as a test starts (once
// the server is known to run), crashes the process when armed.
type crashAtStart struct {
	proc  *fakeProcess
	armed bool
}

func (c *crashAtStart) Mark() uint64 {
	if c.armed {
		c.armed = false
		c.proc.crash()
	}
	return 0
}
func (c *crashAtStart) Since(uint64) ([]string, int) { return []string{"killed by the test"}, 0 }

// onTest runs before the body of the test with this description.
type onTest struct {
	recorder
	description string
	do          func()
}

func (o *onTest) Test(description string, body func()) {
	if description == o.description {
		o.do()
	}
	o.recorder.Test(description, body)
}

const (
	slowBefore = "slow/slow/quick before"
	slowTest   = "slow/slow/slow"
	slowAfter  = "slow/slow/quick after"
)

func TestExecuteServerProcessCrashes(t *testing.T) {
	proc := newFakeProcess()
	log := &crashAtStart{proc: proc}
	hook := &onTest{description: "slow", do: func() { log.armed = true }}
	plan := Plan{Loads: loads(t, "slow"), Nesting: hook}
	start := time.Now()
	r, err := Execute(context.Background(), plan, Target{URI: serverURI, Own: true, Process: proc, Name: "fake", Log: log}, hook)
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 20*time.Second, "the slow test ends when the server crashes, not after its 30s")

	require.Len(t, r.Judged, 3)
	assert.Equal(t, result.Pass, r.Judged[0].Status)
	assert.Equal(t, result.Fail, r.Judged[1].Status)
	assert.Equal(t, "server crashed during this test (signal: killed)", r.Judged[1].Reason)
	assert.Contains(t, r.Judged[1].Detail, "the test's own outcome: ")
	assert.Contains(t, r.Judged[1].Detail, "server log (fake, while the test ran):\n  killed by the test")
	assert.Equal(t, result.Pass, r.Judged[2].Status, "the run goes on against the restarted server")
	assert.Equal(t, 2, proc.starts, "started, and started again after the crash")
	assert.Nil(t, r.Lost)
	assert.Contains(t, hook.events, "server (lost false) after "+slowTest+": server crashed (signal: killed) during "+slowTest+"; started again")
}

func TestExecuteServerProcessDoesNotStartAgain(t *testing.T) {
	proc := newFakeProcess()
	proc.failRestart = true
	log := &crashAtStart{proc: proc}
	hook := &onTest{description: "slow", do: func() { log.armed = true }}
	plan := Plan{Loads: loads(t, "slow"), Nesting: hook}
	r, err := Execute(context.Background(), plan, Target{URI: serverURI, Own: true, Process: proc, Log: log}, hook)
	require.NoError(t, err)
	require.NotNil(t, r.Lost)
	want := "server crashed (signal: killed) after " + slowTest + " and did not start again: address already in use"
	assert.Equal(t, want, r.Lost.Reason)
	assert.Equal(t, []string{slowBefore + ": pass", slowTest + ": fail", slowAfter + ": error"}, statuses(r.Judged))
	assert.Equal(t, "not run: "+want, r.Judged[2].Reason)
	assert.False(t, r.OK())
}

func TestExecuteServerLost(t *testing.T) {
	srv, err := embedded.Start(context.Background(), embedded.Options{})
	require.NoError(t, err)
	defer srv.Close()
	closed := make(chan struct{})
	hook := &onTest{description: "slow", do: func() {
		go func() { _ = srv.Close(); close(closed) }()
	}}
	plan := Plan{Loads: loads(t, "slow"), Nesting: hook, Grace: 300 * time.Millisecond}
	// Heartbeats every 500ms: the runner's client notices the server gone at once.
	uri := srv.URI() + "?heartbeatFrequencyMS=500"
	start := time.Now()
	r, err := Execute(context.Background(), plan, Target{URI: uri, Own: true}, hook)
	require.NoError(t, err)
	<-closed
	assert.Less(t, time.Since(start), 20*time.Second, "the slow test ends when the server is lost, not after its 30s")
	require.NotNil(t, r.Lost)
	assert.Equal(t, slowTest, r.Lost.After)
	assert.Regexp(t, `^server lost after `+slowTest+`: `, r.Lost.Reason)
	assert.Equal(t, []string{slowBefore + ": pass", slowTest + ": fail", slowAfter + ": error"}, statuses(r.Judged))
	assert.Regexp(t, `^server lost during this test: `, r.Judged[1].Reason)
	assert.Equal(t, "not run: "+r.Lost.Reason, r.Judged[2].Reason)
	assert.Contains(t, hook.events, "server (lost true) after "+slowTest+": "+r.Lost.Reason)
	assert.False(t, r.OK())
}

func TestExecuteUnreachableRecordsEveryTest(t *testing.T) {
	sel, err := NewSelection("", "after", "")
	require.NoError(t, err)
	rec := &recorder{}
	plan := Plan{Loads: loads(t, "slow"), Selection: sel}
	r, err := Execute(context.Background(), plan, Target{URI: "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=100"}, rec)
	assert.ErrorIs(t, err, ErrUnreachable)
	require.NotNil(t, r, "a record, for the reports")
	assert.Equal(t, []string{slowBefore + ": error", slowTest + ": error"}, statuses(r.Judged))
	assert.Regexp(t, `^not run: server unreachable: `, r.Judged[0].Reason)
	assert.Equal(t, result.Skip, r.Report.Tests[2].Status, "filtered out as ever")
	assert.Empty(t, rec.events, "no sink hears of tests that never ran")
	assert.NotNil(t, r.Lost)
}

func TestExecuteMaxTimeWhileConnecting(t *testing.T) {
	// Nothing answers on 10.255.255.1: connecting would take the 30s of server selection.
	plan := Plan{Loads: loads(t, "slow"), MaxTime: 200 * time.Millisecond}
	start := time.Now()
	r, err := Execute(context.Background(), plan, Target{URI: "mongodb://10.255.255.1:27017/?connectTimeoutMS=30000"})
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 5*time.Second)
	require.NotNil(t, r.Report.Partial)
	assert.Equal(t, "--max-time 200ms reached", r.Report.Partial.Reason)
	assert.Len(t, r.Report.Partial.NotRun, 3)
	assert.Empty(t, r.Judged)
}

// A crash between two tests is noticed before the next one: the server is started
// again, and no test is blamed.
func TestExecuteServerProcessCrashedBetweenTests(t *testing.T) {
	proc := newFakeProcess()
	hook := &onTest{description: "slow", do: proc.crash}
	sel, err := NewSelection("", "/slow$", "")
	require.NoError(t, err)
	plan := Plan{Loads: loads(t, "slow"), Nesting: hook, Selection: sel}
	r, err := Execute(context.Background(), plan, Target{URI: serverURI, Own: true, Process: proc}, hook)
	require.NoError(t, err)
	assert.Equal(t, []string{slowBefore + ": pass", slowAfter + ": pass"}, statuses(r.Judged))
	assert.Equal(t, 1, proc.starts, "the filtered-out test never starts")

	hook = &onTest{description: "quick after", do: proc.crash}
	plan.Nesting = hook
	r, err = Execute(context.Background(), plan, Target{URI: serverURI, Own: true, Process: proc}, hook)
	require.NoError(t, err)
	assert.Equal(t, []string{slowBefore + ": pass", slowAfter + ": pass"}, statuses(r.Judged))
	assert.Contains(t, hook.events, "server (lost false) after "+slowAfter+": server crashed (signal: killed) before "+slowAfter+"; started again")
}
