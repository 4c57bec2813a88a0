package run

import (
	"context"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// ExecuteJobs is Execute with the plan's files spread over several servers, one worker
// each (--jobs): a worker takes the next file of a queue (longest first, see
// Schedule), runs it against its server, and hands the file's results to the sinks
// whole, so that the sinks see files interleave but never the tests of two files. The
// record is the one a serial run gives: the report lists the tests in the plan's
// order. Tests name fixed databases, so two workers never share a server.
//
// With one target it is Execute. A server that is unreachable from the start, or
// refused, makes the run what Execute gives against that server. A worker whose server
// is lost during the run takes no more files; the others take them, and when every
// server is lost, the files left are errors as in a serial run. The nesting of go test
// is not used: files run inline.
func ExecuteJobs(ctx context.Context, p Plan, srvs []Target, sinks ...Sink) (*Record, error) {
	if len(srvs) <= 1 {
		return Execute(ctx, p, srvs[0], sinks...)
	}
	ctx, cancel := p.bound(ctx)
	defer cancel(nil)
	main := &execution{plan: &p, srv: srvs[0], rep: p.newReport(srvs[0]), sinks: sinks}
	workers := make([]*execution, 0, len(srvs))
	defer func() {
		for _, w := range workers {
			w.runner.Close()
		}
	}()
	// One after the other: the notices of --allow-nonempty reach the sinks in order.
	for i, srv := range srvs {
		w := &execution{plan: &p, srv: srv, rep: p.newReport(srv), sinks: sinks, oneOfSeveral: true}
		if i == 0 {
			w.rep = main.rep
		}
		if rec, stop, err := w.connect(ctx); stop {
			return rec, err
		}
		w.rep = p.newReport(srv)
		workers = append(workers, w)
	}
	files := p.Files()
	outs := make([]fileOutput, len(files))
	q := &fileQueue{order: p.jobOrder(files), alive: len(workers)}
	var forward sync.Mutex // one file's results at a time
	var wg sync.WaitGroup
	for _, w := range workers {
		w.sinks = []Sink{&wholeFiles{mu: &forward, sinks: sinks}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			q.work(ctx, w, files, outs)
		}()
	}
	wg.Wait()
	main.runner = workers[0].runner
	for _, o := range outs {
		main.rep.Tests = append(main.rep.Tests, o.tests...)
		main.judged = append(main.judged, o.judged...)
		main.notRun = append(main.notRun, o.notRun...)
		if main.lost == nil {
			main.lost = o.lost
		}
	}
	return main.record(ctx), nil
}

// fileOutput is what one file added to a worker's execution.
type fileOutput struct {
	tests, judged, notRun []result.Test
	lost                  *ServerEvent // the server was lost during this file
}

// fileQueue hands out the files in the order of the schedule.
type fileQueue struct {
	mu    sync.Mutex
	order []int // indexes in the plan's files, next first
	alive int   // workers whose server is not lost
}

// next is the next file for a worker; false when there is none, or when the worker's
// server is lost while another worker's is not (that one runs what is left).
func (q *fileQueue) next(lost bool) (int, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.order) == 0 || (lost && q.alive > 0) {
		return 0, false
	}
	i := q.order[0]
	q.order = q.order[1:]
	return i, true
}

// work runs files on w until the queue is empty, or w's server is lost while another
// worker's is not. The last worker to lose its server runs the rest, whose tests are
// then errors, as in a serial run.
func (q *fileQueue) work(ctx context.Context, w *execution, files []specifications.LoadResult, outs []fileOutput) {
	counted := false
	for {
		if w.lost != nil && !counted {
			counted = true
			q.mu.Lock()
			q.alive--
			q.mu.Unlock()
		}
		i, ok := q.next(w.lost != nil)
		if !ok {
			return
		}
		t, j, n := len(w.rep.Tests), len(w.judged), len(w.notRun)
		before := w.lost
		w.file(ctx, inline{}, files[i])
		outs[i] = fileOutput{tests: w.rep.Tests[t:], judged: w.judged[j:], notRun: w.notRun[n:]}
		if before == nil && w.lost != nil {
			outs[i].lost = w.lost
		}
	}
}

// wholeFiles holds what a worker's execution tells its sinks until the file is done,
// then hands it all to the run's sinks at once.
type wholeFiles struct {
	mu      *sync.Mutex
	sinks   []Sink
	pending []func(Sink)
}

func (w *wholeFiles) Judged(res result.Test) {
	w.pending = append(w.pending, func(s Sink) { s.Judged(res) })
}

func (w *wholeFiles) ServerEvent(ev ServerEvent) {
	w.pending = append(w.pending, func(s Sink) { s.ServerEvent(ev) })
}

func (w *wholeFiles) FileDone(fileID string, judged []result.Test) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.sinks {
		for _, f := range w.pending {
			f(s)
		}
		s.FileDone(fileID, judged)
	}
	w.pending = nil
}

// jobOrder is the order in which workers take the plan's files: Schedule's, but under
// --shuffle the shuffled order itself, which the run is asked to try.
func (p *Plan) jobOrder(files []specifications.LoadResult) []int {
	if p.Shuffle == nil {
		return Schedule(files, p.Durations)
	}
	order := make([]int, len(files))
	for i := range order {
		order[i] = i
	}
	return order
}

// Schedule is the order in which workers take the files (indexes in files): the
// longest first, so that no long file starts last. A file's length is the sum of its
// tests' durations in durations (by test ID, as a previous report gives them); a file
// with none there is estimated from its size, at the rate of the files that have.
// With no durations at all, the size alone orders them. Ties keep the plan's order.
func Schedule(files []specifications.LoadResult, durations map[string]time.Duration) []int {
	known := make([]time.Duration, len(files))
	sizes := make([]int64, len(files))
	var knownTime time.Duration
	var knownSize int64
	anyKnown := false
	for i, lr := range files {
		if fi, err := os.Stat(lr.Source.Path); err == nil {
			sizes[i] = fi.Size()
		}
		if lr.Kind != specifications.Loaded {
			continue
		}
		found := false
		for _, t := range lr.File.Tests {
			if d, ok := durations[t.ID]; ok {
				known[i] += d
				found = true
			}
		}
		if found {
			anyKnown = true
			knownTime += known[i]
			knownSize += sizes[i]
		} else {
			known[i] = -1
		}
	}
	weight := make([]float64, len(files))
	for i := range files {
		switch {
		case known[i] >= 0 && anyKnown:
			weight[i] = float64(known[i])
		case knownSize > 0:
			weight[i] = float64(sizes[i]) * float64(knownTime) / float64(knownSize)
		default:
			weight[i] = float64(sizes[i])
		}
	}
	order := make([]int, len(files))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case weight[a] > weight[b]:
			return -1
		case weight[a] < weight[b]:
			return 1
		}
		return 0
	})
	return order
}
