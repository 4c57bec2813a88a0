package run

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/specrun/specrun/interpreter"
	"github.com/specrun/specrun/report"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// Target is the server under test.
type Target struct {
	URI string
	// SingleMongosLBURI and MultiMongosLBURI: a load-balanced cluster's load balancers.
	SingleMongosLBURI, MultiMongosLBURI string
	// Embedded says the server is the embedded FerretDB (the report says so).
	Embedded bool
	// Own says the server was started for this run (embedded, or --server-cmd): it
	// holds nothing of anyone's, and is not checked for other data.
	Own bool
	// Name says what the server is in the detail of a failure ("embedded FerretDB").
	Name string
	// Product is the product's name for the report (server.name), "" if not known.
	Product string
	// Log, if the server's log can be read, gives what it logged while a test ran,
	// which the detail of a test that fails or errs ends with; nil if it cannot.
	Log ServerLog
	// Process, when the run started the server itself (--server-cmd), lets the run
	// see it exit and start it again; nil otherwise.
	Process Process
}

// ServerLog is the tail of a server's log (logtail.Tail is one).
type ServerLog interface {
	// Mark is the position of the next line.
	Mark() uint64
	// Since returns the lines logged since mark that are still kept, and how many
	// were logged but are no longer kept.
	Since(mark uint64) (lines []string, dropped int)
}

// Process is a server process the run started and may start again.
type Process interface {
	// Exited is closed when the running process ends; ExitReason then says how
	// ("exit status 2", "signal: killed").
	Exited() <-chan struct{}
	ExitReason() string
	// Restart stops the process if it runs and starts it again at the same address,
	// returning once it answers.
	Restart(ctx context.Context) error
}

// Sink receives the results of a run as they come.
type Sink interface {
	// Judged is called with each test's result as soon as it is judged. Tests the
	// selection leaves out and tests a partial run does not get to are not judged.
	Judged(result.Test)
	// FileDone is called when a file is done, with the results judged in it.
	FileDone(fileID string, judged []result.Test)
	// ServerEvent is called when the server crashed and was restarted, or was lost;
	// after a loss, every test still to come is judged an error that says so.
	ServerEvent(ServerEvent)
}

// ServerEvent is what happened to the server, and after which test.
type ServerEvent struct {
	Lost   bool   // lost for good: the run goes on without it
	After  string // the ID of the test it happened during or after
	Reason string // one line
	Server string // the server's URI, credentials redacted (under --jobs, one of several)
}

// RefusedError is a server that specrun will not run tests on (one that holds data
// no test names, or refuses the credentials), named: under --jobs, one of several.
type RefusedError struct {
	Server string // its URI, credentials redacted
	Err    error
}

func (e *RefusedError) Error() string { return e.Err.Error() }
func (e *RefusedError) Unwrap() error { return e.Err }

// Nesting decides how the run enters each file and each test: the command line calls
// the body at once, the go test entry point runs it as a subtest, so that go test's
// -run selects files and tests and attributes their failures. A body not called is a
// test not judged.
type Nesting interface {
	File(id string, body func())
	Test(description string, body func())
}

type inline struct{}

func (inline) File(_ string, body func()) { body() }
func (inline) Test(_ string, body func()) { body() }

// DefaultTimeout bounds a test when Plan.Timeout is zero.
const DefaultTimeout = interpreter.DefaultTimeout

// ErrUnreachable is what Execute's error wraps when the server cannot be reached;
// ErrAuthentication when it refused the credentials.
var (
	ErrUnreachable    = interpreter.ErrUnreachable
	ErrAuthentication = interpreter.ErrAuthentication
)

// FilteredOut is the reason of a test the selection leaves out; the report lists it
// as skip, as DESIGN.md's statuses say.
const FilteredOut = "filtered out by --run/--skip"

// Record is what a run leaves: its report and the expectations' judgement.
type Record struct {
	// Report holds every test of the run's files, filtered out ones as skip, with the
	// expectations' judgement of each when there was an expectations file.
	Report *report.Run
	// Judged are the results of the tests that were judged, in run order.
	Judged []result.Test
	// Evaluation is the expectations file's judgement of Judged; with no file, every
	// fail and error is a regression.
	Evaluation report.Evaluation
	// Lost, when the server was lost during the run (or unreachable from the start),
	// says after which test and why; the tests after it are errors.
	Lost *ServerEvent
	// ServerNotes are what the probe of the server could not learn, in words.
	ServerNotes []string
}

// OK says whether the run was whole and every judged test met its expectation.
func (r *Record) OK() bool { return r.Report.Partial == nil && r.Lost == nil && r.Evaluation.OK() }

// errMaxTime is the cause of a run cut by Plan.MaxTime.
var errMaxTime = errors.New("--max-time reached")

// Execute connects to the server, checks it may be used, and judges the plan's tests
// in order, handing each result to the sinks. When ctx is cancelled (Ctrl-C) or
// MaxTime passes (connecting included), the test that was running is not judged, the
// rest do not run, and the record is partial. A server that cannot be reached gives a
// record in which every selected test is an error, and ErrUnreachable; a server lost
// during the run, one in which the tests after the loss are (Record.Lost). The other
// errors are refusals with no record: ErrAuthentication, a *NonemptyError, a load
// balancer missing.
func Execute(ctx context.Context, p Plan, srv Target, sinks ...Sink) (*Record, error) {
	ctx, cancel := p.bound(ctx)
	defer cancel(nil)
	e := &execution{plan: &p, srv: srv, rep: p.newReport(srv), sinks: sinks}
	if rec, stop, err := e.connect(ctx); stop {
		return rec, err
	}
	defer e.runner.Close()
	nest := p.Nesting
	if nest == nil {
		nest = inline{}
	}
	for _, lr := range p.Files() {
		nest.File(lr.Source.ID, func() { e.file(ctx, nest, lr) })
	}
	return e.record(ctx), nil
}

// bound gives the run's context: cancelled by the caller's, or when MaxTime passes
// (with errMaxTime as its cause).
func (p *Plan) bound(ctx context.Context) (context.Context, context.CancelCauseFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	if p.MaxTime > 0 {
		// A timer, not a context deadline: the driver would send the deadline as
		// maxTimeMS, and tests check the commands.
		t := time.AfterFunc(p.MaxTime, func() { cancel(errMaxTime) })
		return ctx, func(err error) { t.Stop(); cancel(err) }
	}
	return ctx, cancel
}

// newReport starts the report of a run against srv.
func (p *Plan) newReport(srv Target) *report.Run {
	rep := &report.Run{Started: time.Now(), Filters: p.Selection.Filters(), Corpus: p.Corpus}
	rep.Filters.Shuffle = p.shuffleFilter()
	rep.SpecrunVersion, rep.Driver = Versions()
	rep.Server.URI, rep.Server.Embedded, rep.Server.Name = report.RedactURI(srv.URI), srv.Embedded, srv.Product
	return rep
}

// connect starts the server when the run owns its process, connects to it, probes
// it, and checks that it may be used. When it cannot go on (stop), the record and
// error are what Execute returns: a run interrupted while connecting, a server
// unreachable, a refusal (no record).
func (e *execution) connect(ctx context.Context) (rec *Record, stop bool, err error) {
	srv, rep := e.srv, e.rep
	if srv.Process != nil {
		if err := srv.Process.Restart(ctx); err != nil {
			if ctx.Err() != nil {
				e.leaveAll(ctx)
				return e.record(ctx), true, nil
			}
			err = fmt.Errorf("%w: the server did not start: %v", ErrUnreachable, err)
			e.lost = e.event(ServerEvent{Lost: true, Reason: result.OneLine(err.Error())})
			e.leaveAll(ctx)
			return e.record(ctx), true, err
		}
	}
	runner, err := interpreter.New(ctx, interpreter.Config{URI: srv.URI, SingleMongosLBURI: srv.SingleMongosLBURI,
		MultiMongosLBURI: srv.MultiMongosLBURI, Timeout: e.plan.Timeout})
	switch {
	case err == nil:
	case ctx.Err() != nil: // interrupted or out of time while connecting: nothing ran
		e.leaveAll(ctx)
		return e.record(ctx), true, nil
	case errors.Is(err, ErrUnreachable):
		e.lost = e.event(ServerEvent{Lost: true, Reason: result.OneLine(err.Error())})
		e.leaveAll(ctx)
		return e.record(ctx), true, err
	default:
		return nil, true, &RefusedError{Server: report.RedactURI(srv.URI), Err: err}
	}
	e.runner = runner
	probe := runner.Probe()
	rep.Server.Version, rep.Server.Topology, rep.Server.MaxWireVersion = probe.Version, probe.Topology, probe.MaxWireVersion
	rep.Server.Capabilities = probe.Capabilities()
	if !srv.Own {
		if err := e.checkData(ctx, runner); err != nil {
			runner.Close()
			return nil, true, &RefusedError{Server: report.RedactURI(srv.URI), Err: err}
		}
	}
	return nil, false, nil
}

// execution is the state of one Execute.
type execution struct {
	plan   *Plan
	srv    Target
	runner *interpreter.Runner
	rep    *report.Run
	sinks  []Sink
	judged []result.Test
	notRun []result.Test // selected tests the run did not get to
	// lost is set once the server is gone for good (or was never there); the tests
	// still to come are then errors that say so.
	lost *ServerEvent
	// oneOfSeveral: a --jobs worker's, whose notices name its server among the others.
	oneOfSeveral bool
}

// record closes the run: its duration, whether it is partial, the expectations'
// judgement, credentials redacted.
func (e *execution) record(ctx context.Context) *Record {
	p, rep := e.plan, e.rep
	rep.Duration = time.Since(rep.Started)
	if ctx.Err() != nil {
		reason := "interrupted"
		if context.Cause(ctx) == errMaxTime {
			reason = fmt.Sprintf("--max-time %s reached", p.MaxTime)
		}
		rep.Partial = &report.Partial{Reason: reason, NotRun: e.notRun}
	}
	rec := &Record{Report: rep, Judged: e.judged, Evaluation: p.Expect.Evaluate(e.judged, p.KnownIDs()), Lost: e.lost}
	if e.runner != nil {
		rec.ServerNotes = e.runner.Probe().Notes
	}
	if p.Expect != nil {
		all := withFilteredOut(rec.Evaluation, rep.Tests)
		rep.Expect = &all
	}
	if p.Redact != nil {
		p.Redact.Run(rep)
		if rec.Lost != nil {
			rec.Lost.Reason = p.Redact.String(rec.Lost.Reason)
		}
	}
	return rec
}

// leaveAll records every test of the plan without running any, and tells no sink: a
// run that never reached the server. The tests are errors when the server is
// unreachable (e.lost), and not run when the run was interrupted.
func (e *execution) leaveAll(ctx context.Context) {
	for _, lr := range e.plan.Files() {
		e.file(ctx, inline{}, lr)
	}
}

// judge records a test's result and hands it to the sinks (not when the run never
// reached the server).
func (e *execution) judge(res result.Test, fileJudged *[]result.Test) {
	if e.plan.Redact != nil {
		// Redacted once here: results go to the sinks, the reports and the
		// expectations file.
		res.Reason, res.Detail = e.plan.Redact.String(res.Reason), e.plan.Redact.String(res.Detail)
	}
	e.rep.Tests = append(e.rep.Tests, res)
	e.judged = append(e.judged, res)
	*fileJudged = append(*fileJudged, res)
	if e.runner == nil {
		return
	}
	for _, s := range e.sinks {
		s.Judged(res)
	}
}

// file judges the selected tests of one file (a rejected file is one error).
func (e *execution) file(ctx context.Context, nest Nesting, lr specifications.LoadResult) {
	var judged []result.Test
	switch lr.Kind {
	case specifications.Rejected:
		e.judge(result.Test{ID: lr.Source.ID, FileID: lr.Source.ID, File: lr.Source.Path, Status: result.Error, Reason: result.OneLine(lr.Err.Error())}, &judged)
	case specifications.Loaded:
		f := lr.File
		if e.runner != nil {
			// Each file starts from the same server state whatever ran before it: the
			// interpreter drops what earlier files left (interpreter/prepare.go).
			e.runner.BeginFile()
		}
		for i := range f.Tests {
			t := &f.Tests[i]
			base := result.Test{ID: t.ID, FileID: f.ID, File: f.Path, Description: t.Description}
			if !e.plan.Selection.selects(t.ID) {
				skipped := base
				skipped.Status, skipped.Reason = result.Skip, FilteredOut
				e.rep.Tests = append(e.rep.Tests, skipped)
				continue
			}
			nest.Test(t.Description, func() {
				switch res, ok := e.test(ctx, f, i); {
				case ok:
					e.judge(res, &judged)
				default:
					e.notRun = append(e.notRun, base)
				}
			})
		}
	}
	if e.runner == nil {
		return
	}
	for _, s := range e.sinks {
		s.FileDone(lr.Source.ID, judged)
	}
}

// test judges one test; false when the run was stopped before or while it ran. Once
// the server is lost, a test is an error that says so, without running.
func (e *execution) test(ctx context.Context, f *specifications.File, i int) (result.Test, bool) {
	t := &f.Tests[i]
	if ctx.Err() != nil {
		return result.Test{}, false
	}
	if e.runner != nil && e.lost == nil {
		e.restartIfExited(ctx, t.ID)
	}
	if e.lost != nil {
		return result.Test{ID: t.ID, FileID: f.ID, File: f.Path, Description: t.Description,
			Status: result.Error, Reason: result.NotRunReason(e.lost.Reason)}, true
	}
	if e.runner == nil {
		return result.Test{}, false
	}
	var mark uint64
	if e.srv.Log != nil {
		mark = e.srv.Log.Mark()
	}
	tctx, cancelTest := context.WithCancelCause(ctx)
	defer cancelTest(nil)
	w := e.watch(ctx, cancelTest)
	res := e.runner.RunTest(tctx, f, i)
	gone := w.wait()
	if ctx.Err() != nil { // cut short: not judged
		return result.Test{}, false
	}
	if gone != nil {
		res = gone.pin(res)
	}
	if res.Status.Failing() && e.srv.Log != nil {
		res.Detail = withServerLog(res.Detail, e.srv, mark)
	}
	if gone != nil {
		e.afterGone(ctx, gone, t.ID)
	}
	return res, true
}

// serverLogShown is how many of the server's log lines a failed test shows at most.
const serverLogShown = 40

// withServerLog adds to a failed test's detail what the server logged while the test
// ran (the reports keep it all; the terminal shows report.QuietDetail).
func withServerLog(detail string, srv Target, mark uint64) string {
	lines, dropped := srv.Log.Since(mark)
	if len(lines) > serverLogShown {
		dropped += len(lines) - serverLogShown
		lines = lines[len(lines)-serverLogShown:]
	}
	return report.WithServerLog(detail, srv.Name, lines, dropped)
}

// withFilteredOut gives the verdicts for the report's tests, which include the tests
// the selection left out (as skip): the expectations file does not judge those, their
// judgement is ok with no entry.
func withFilteredOut(ev report.Evaluation, tests []result.Test) report.Evaluation {
	all := report.Evaluation{File: ev.File, Stale: ev.Stale}
	next := 0
	for _, t := range tests {
		if t.Status == result.Skip && t.Reason == FilteredOut {
			all.Verdicts = append(all.Verdicts, report.Verdict{Result: t, Judgement: report.OK})
			continue
		}
		all.Verdicts = append(all.Verdicts, ev.Verdicts[next])
		next++
	}
	return all
}
