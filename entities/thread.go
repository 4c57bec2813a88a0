package entities

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/specrun/specrun/result"
	"go.mongodb.org/mongo-driver/v2/event"
)

// Thread is a thread entity: a goroutine that runs the operations given to it by
// runOnThread one after the other, in the order given, concurrently with the test's
// own operations and other threads.
type Thread struct {
	ID string

	jobs chan func() error
	done chan struct{} // closed when the goroutine has stopped
	// stop ends the contexts of the jobs when the thread is closed.
	stopped context.Context
	stop    context.CancelFunc

	mu      sync.Mutex
	pending int           // jobs given and not finished
	idle    chan struct{} // closed when pending drops to 0; nil while idle
	err     error         // the first job's error; later jobs are not run
	closed  bool
}

// NewThread starts an idle thread.
func NewThread(id string) *Thread {
	t := &Thread{ID: id, jobs: make(chan func() error, 1024), done: make(chan struct{})}
	t.stopped, t.stop = context.WithCancel(context.Background())
	go t.loop()
	return t
}

func (*Thread) Kind() Kind { return KindThread }

func (t *Thread) loop() {
	defer close(t.done)
	for job := range t.jobs {
		t.mu.Lock()
		failed := t.err != nil
		t.mu.Unlock()
		var err error
		if !failed {
			err = job()
		}
		t.mu.Lock()
		if err != nil && t.err == nil {
			t.err = err
		}
		t.pending--
		if t.pending == 0 && t.idle != nil {
			close(t.idle)
			t.idle = nil
		}
		t.mu.Unlock()
	}
}

// Run schedules job on the thread without waiting for it. The job gets ctx's values
// but outlives the operation that scheduled it: its context ends when the thread is
// closed. Once a job has failed, the jobs after it are not run: the test has failed
// with the first.
func (t *Thread) Run(ctx context.Context, job func(context.Context) error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return fmt.Errorf("thread %s has stopped: its test has ended", t.ID)
	}
	t.pending++
	if t.idle == nil {
		t.idle = make(chan struct{})
	}
	run := func() error {
		jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		defer cancel()
		defer context.AfterFunc(t.stopped, cancel)()
		return job(jctx)
	}
	select {
	case t.jobs <- run:
		return nil
	default:
		t.pending--
		return result.Unsupportedf("more than 1024 operations queued on one thread")
	}
}

// Wait waits up to timeout for the jobs given so far to finish and returns the first
// error one returned, as it is; finished is false when the time ran out or ctx ended.
func (t *Thread) Wait(ctx context.Context, timeout time.Duration) (finished bool, err error) {
	t.mu.Lock()
	idle := t.idle
	t.mu.Unlock()
	if idle != nil {
		timer := time.NewTimer(timeout)
		defer timer.Stop()
		select {
		case <-idle:
		case <-timer.C:
			return false, nil
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return true, t.err
}

// Err is the first error of the jobs finished so far, without waiting for the others.
func (t *Thread) Err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// close stops the thread: queued jobs are dropped and the one running is waited for
// until ctx ends.
func (t *Thread) close(ctx context.Context) {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return
	}
	t.closed = true
	if t.err == nil {
		t.err = context.Canceled // what is still queued is not run
	}
	close(t.jobs)
	t.mu.Unlock()
	t.stop()
	select {
	case <-t.done:
	case <-ctx.Done():
	}
}

// TopologyDescription is a client's topology description recorded by
// recordTopologyDescription.
type TopologyDescription struct {
	Description event.TopologyDescription
}

func (*TopologyDescription) Kind() Kind { return KindTopologyDescription }

// Primary is the address of the description's primary, "" when it has none.
func (d *TopologyDescription) Primary() string { return primaryOf(&d.Description) }

func primaryOf(d *event.TopologyDescription) string {
	for _, s := range d.Servers {
		if s.Kind == "RSPrimary" {
			return string(s.Addr)
		}
	}
	return ""
}
