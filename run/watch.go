package run

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/specrun/specrun/report"
	"github.com/specrun/specrun/result"
)

// While a test runs, a watcher looks out for the server: a server process that exits
// (--server-cmd) has crashed; a client that sees the server go away (interpreter
// Runner.Trouble) makes the watcher ping it, and a server that does not answer within
// Plan.Grace is gone. Either ends the test at once, pinned on it, instead of letting
// every operation wait for the driver's server selection timeout.

const (
	// pingTimeout bounds one ping of the server.
	pingTimeout = 2 * time.Second
	pingEvery   = 250 * time.Millisecond
	// DefaultGrace is how long a server may not answer before it is gone (a server
	// that restarts itself has that long).
	DefaultGrace = 10 * time.Second
)

// serverGone is why the server was gone during a test: the cause with which the test
// is cancelled.
type serverGone struct {
	crashed bool   // the process exited; else it stopped answering
	why     string // the exit status, or the last ping's error
}

func (g *serverGone) Error() string {
	if g.crashed {
		return "server crashed (" + g.why + ")"
	}
	return "server lost (" + g.why + ")"
}

// pin makes the test's result the server's loss: a fail whose reason says so, the
// test's own outcome kept in the detail.
func (g *serverGone) pin(res result.Test) result.Test {
	own := string(res.Status)
	if res.Reason != "" {
		own += ": " + res.Reason
	}
	res.Detail = "the test's own outcome: " + own + "\n" + res.Detail
	res.Status = result.Fail
	if g.crashed {
		res.Reason = "server crashed during this test (" + g.why + ")"
	} else {
		res.Reason = "server lost during this test: " + g.why
	}
	return res
}

type watcher struct {
	stop, done chan struct{}
	gone       *serverGone
}

// watch watches the server while a test runs; cancelTest ends the test when the
// server is gone.
func (e *execution) watch(ctx context.Context, cancelTest context.CancelCauseFunc) *watcher {
	w := &watcher{stop: make(chan struct{}), done: make(chan struct{})}
	var exited <-chan struct{} // nil, never ready, without a process
	if e.srv.Process != nil {
		exited = e.srv.Process.Exited()
	}
	go func() {
		defer close(w.done)
		for {
			over := false
			select {
			case <-w.stop:
				// The test is over, but a server that went away while it ended (its
				// failure may be the first sign) is still its doing.
				over = true
				if !closed(exited) && !pending(e.runner.Trouble()) {
					return
				}
			case <-exited:
			case <-e.runner.Trouble():
			}
			if w.gone = e.gone(ctx, exited); w.gone != nil {
				e.runner.ServerDown()
				cancelTest(w.gone)
				return
			}
			if over {
				return
			}
		}
	}()
	return w
}

// wait ends the watch once the test is over (a ping under way is finished) and says
// whether the server was gone.
func (w *watcher) wait() *serverGone {
	close(w.stop)
	<-w.done
	return w.gone
}

// gone says whether the server is gone: its process exited, or it does not answer
// within the grace. A process that crashed makes its clients see trouble too: the
// exit, when there is one, says more than the pings.
func (e *execution) gone(ctx context.Context, exited <-chan struct{}) *serverGone {
	if !closed(exited) {
		err := e.alive(ctx, exited)
		if err == nil || ctx.Err() != nil {
			return nil
		}
		if !closed(exited) {
			return &serverGone{why: result.OneLine(err.Error())}
		}
	}
	return &serverGone{crashed: true, why: e.srv.Process.ExitReason()}
}

// pending takes a signal, if one is there.
func pending(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// errExited ends the pings of a server whose process exited.
var errExited = errors.New("the server process exited")

// alive pings the server until it answers or the grace has passed, and returns the
// last ping's error when it never did; it gives up at once when exited closes.
func (e *execution) alive(ctx context.Context, exited <-chan struct{}) error {
	grace := e.plan.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	deadline := time.Now().Add(grace)
	// A ping under way ends when the process exits, not at its timeout.
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-exited:
			cancel()
		case <-pctx.Done():
		}
	}()
	for {
		err := ping(pctx, e.srv.URI)
		if closed(exited) {
			return errExited
		}
		if err == nil || ctx.Err() != nil || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-exited:
			return errExited
		case <-time.After(pingEvery):
		}
	}
}

// ping asks the server with a client of its own, so that the run's pools, cleared or
// not, play no part.
func ping(ctx context.Context, uri string) error {
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(pingTimeout).
		SetConnectTimeout(pingTimeout).SetMaxPoolSize(1))
	if err != nil {
		return err
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
		defer cancel()
		_ = client.Disconnect(dctx)
	}()
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	return client.Ping(pctx, nil)
}

// afterGone restarts a server process that crashed or stopped answering during the
// test with this ID; a server that is not the run's own, or does not start again, is
// lost, and the tests still to come are errors.
func (e *execution) afterGone(ctx context.Context, g *serverGone, testID string) {
	if e.srv.Process == nil {
		e.loseServer(testID, "server lost after "+testID+": "+g.why)
		return
	}
	if err := e.srv.Process.Restart(ctx); err != nil {
		e.loseServer(testID, fmt.Sprintf("%s after %s and did not start again: %s", g.Error(), testID, result.OneLine(err.Error())))
		return
	}
	if err := e.runner.Restarted(); err != nil {
		e.loseServer(testID, fmt.Sprintf("%s after %s; started again, but specrun cannot connect: %s", g.Error(), testID, result.OneLine(err.Error())))
		return
	}
	e.tell(ServerEvent{After: testID, Reason: fmt.Sprintf("%s during %s; started again", g.Error(), testID)})
}

// restartIfExited starts the server process again if it exited between tests, before
// the test with this ID.
func (e *execution) restartIfExited(ctx context.Context, testID string) {
	if e.srv.Process == nil {
		return
	}
	select {
	case <-e.srv.Process.Exited():
	default:
		return
	}
	why := e.srv.Process.ExitReason()
	if err := e.srv.Process.Restart(ctx); err != nil {
		e.loseServer(testID, fmt.Sprintf("server crashed (%s) before %s and did not start again: %s", why, testID, result.OneLine(err.Error())))
		return
	}
	if err := e.runner.Restarted(); err != nil {
		e.loseServer(testID, fmt.Sprintf("server crashed (%s) before %s; started again, but specrun cannot connect: %s", why, testID, result.OneLine(err.Error())))
		return
	}
	e.tell(ServerEvent{After: testID, Reason: fmt.Sprintf("server crashed (%s) before %s; started again", why, testID)})
}

func (e *execution) loseServer(testID, reason string) {
	e.lost = e.event(ServerEvent{Lost: true, After: testID, Reason: reason})
	e.runner.ServerDown()
	e.tell(*e.lost)
}

func (e *execution) tell(ev ServerEvent) {
	ev = *e.event(ev)
	for _, s := range e.sinks {
		s.ServerEvent(ev)
	}
}

// event is ev naming the server it happened to.
func (e *execution) event(ev ServerEvent) *ServerEvent {
	ev.Server = report.RedactURI(e.srv.URI)
	return &ev
}
