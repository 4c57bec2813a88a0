package run

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/embedded"
	"github.com/specrun/specrun/internal/testcorpus"
	"github.com/specrun/specrun/report"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// secondServer is an embedded server of the test's own, for a second worker.
func secondServer(t testing.TB) string {
	t.Helper()
	srv, err := embedded.Start(context.Background(), embedded.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, srv.Close()) })
	return srv.URI()
}

func verdicts(tests []result.Test) []string {
	var out []string
	for _, t := range tests {
		out = append(out, t.ID+": "+string(t.Status)+": "+report.Stable(t.Reason))
	}
	return out
}

// fileOrder is a sink that checks that the tests of a file come together, before its
// FileDone (a worker's file is handed to the sinks whole).
type fileOrder struct {
	mu      sync.Mutex
	current string
	files   []string
	mixed   []string
}

func (f *fileOrder) Judged(res result.Test) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.current == "" {
		f.current = res.FileID
	}
	if res.FileID != f.current {
		f.mixed = append(f.mixed, res.ID+" within "+f.current)
	}
}

func (f *fileOrder) FileDone(id string, judged []result.Test) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.current != "" && f.current != id {
		f.mixed = append(f.mixed, "file done "+id+" within "+f.current)
	}
	f.current = ""
	f.files = append(f.files, id)
}

func (f *fileOrder) ServerEvent(ServerEvent) {}

// TestExecuteJobsIsASerialRun: two workers give the record of one, test for test in
// the same order, with the same verdicts and reasons; the sinks see whole files.
func TestExecuteJobsIsASerialRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three folders of the shared corpus twice")
	}
	root := filepath.Join(testcorpus.Shared(t), "source")
	sources, err := specifications.Discover([]string{
		filepath.Join(root, "unified-test-format", "tests", "valid-pass"),
		filepath.Join(root, "sessions", "tests"),
		filepath.Join(root, "crud", "tests", "v1", "read"),
	})
	require.NoError(t, err)
	plan := Plan{Loads: specifications.LoadAll(sources, false)}
	ctx := context.Background()

	serial, err := Execute(ctx, plan, Target{URI: serverURI, Own: true})
	require.NoError(t, err)
	sink := &fileOrder{}
	parallel, err := ExecuteJobs(ctx, plan, []Target{{URI: serverURI, Own: true}, {URI: secondServer(t), Own: true}}, sink)
	require.NoError(t, err)

	require.Greater(t, len(serial.Judged), 50)
	assert.Equal(t, verdicts(serial.Report.Tests), verdicts(parallel.Report.Tests))
	assert.Equal(t, verdicts(serial.Judged), verdicts(parallel.Judged))
	assert.Equal(t, serial.Evaluation.OK(), parallel.Evaluation.OK())
	assert.Equal(t, serial.Report.Server.Version, parallel.Report.Server.Version)
	assert.Empty(t, sink.mixed, "the tests of two files never interleave")
	assert.Len(t, sink.files, len(plan.Files()))
	assert.Nil(t, parallel.Lost)
}

// TestExecuteJobsLostWorker: a worker whose server is lost takes no more files; the
// other runs them, and the record says the server was lost.
func TestExecuteJobsLostWorker(t *testing.T) {
	proc := newFakeProcess()
	proc.failRestart = true
	log := &crashAtStart{proc: proc, armed: true} // the first test it runs crashes it
	plan := Plan{Loads: loads(t, "mixed/one.json", "leftovers", "gotest")}
	srvs := []Target{
		{URI: serverURI, Own: true, Process: proc, Name: "fake", Log: log},
		{URI: secondServer(t), Own: true},
	}
	r, err := ExecuteJobs(context.Background(), plan, srvs)
	require.NoError(t, err)
	require.NotNil(t, r.Lost)
	assert.Len(t, r.Judged, plan.TestCount())
	var crashed, notRun []result.Test
	for _, res := range r.Judged {
		switch {
		case strings.HasPrefix(res.Reason, "server crashed during this test"):
			crashed = append(crashed, res)
		case strings.HasPrefix(res.Reason, "not run: "):
			notRun = append(notRun, res)
		}
	}
	require.Len(t, crashed, 1, "%v", verdicts(r.Judged))
	// Only the rest of the file it crashed in: the lost worker took no other file.
	for _, res := range notRun {
		assert.Equal(t, crashed[0].FileID, res.FileID, "a file the lost worker should have left to the other: %v", verdicts(r.Judged))
	}
	assert.Less(t, 1+len(notRun), len(r.Judged), "the other worker ran the rest: %v", verdicts(r.Judged))
}

// TestExecuteJobsUnreachable: a server unreachable from the start makes the run one
// against that server, every test an error.
func TestExecuteJobsUnreachable(t *testing.T) {
	plan := Plan{Loads: loads(t, "mixed/one.json")}
	srvs := []Target{{URI: serverURI, Own: true}, {URI: "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=100"}}
	r, err := ExecuteJobs(context.Background(), plan, srvs)
	require.ErrorIs(t, err, ErrUnreachable)
	require.Len(t, r.Judged, 3)
	for _, res := range r.Judged {
		assert.Equal(t, result.Error, res.Status)
	}
}

// TestExecuteJobsInterrupted: Ctrl-C during a run on two workers makes it partial as a
// serial run is: every selected test is judged or listed as not run, in the plan's
// order.
func TestExecuteJobsInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	plan := Plan{Loads: loads(t, "mixed/one.json", "leftovers", "slow")}
	srvs := []Target{{URI: serverURI, Own: true}, {URI: secondServer(t), Own: true}}
	start := time.Now()
	r, err := ExecuteJobs(ctx, plan, srvs, &cancelAfter{n: 1, cancel: cancel})
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 20*time.Second, "the slow test (30s) is cut short")
	require.NotNil(t, r.Report.Partial)
	assert.Equal(t, "interrupted", r.Report.Partial.Reason)
	assert.NotEmpty(t, r.Judged)
	assert.NotEmpty(t, r.Report.Partial.NotRun)
	assert.Equal(t, plan.TestCount(), len(r.Judged)+len(r.Report.Partial.NotRun))
	var ids, want []string
	for _, res := range r.Report.Tests {
		ids = append(ids, res.ID)
	}
	for _, lr := range plan.Files() {
		for _, tt := range lr.File.Tests {
			if slices.Contains(ids, tt.ID) {
				want = append(want, tt.ID)
			}
		}
	}
	assert.Equal(t, want, ids, "the judged tests, in the plan's order")
}

func TestSchedule(t *testing.T) {
	dir := t.TempDir()
	file := func(name string, size int, tests ...string) specifications.LoadResult {
		path := filepath.Join(dir, name+".json")
		require.NoError(t, os.WriteFile(path, make([]byte, size), 0o600))
		f := &specifications.File{ID: name, Path: path}
		for _, tt := range tests {
			f.Tests = append(f.Tests, specifications.Test{ID: name + "/" + tt})
		}
		return specifications.LoadResult{Kind: specifications.Loaded, Source: specifications.Source{ID: name, Path: path}, File: f}
	}
	files := []specifications.LoadResult{
		file("small", 100, "a"),
		file("large", 1000, "a", "b"),
		file("medium", 500, "a"),
		file("tie", 500, "a"),
	}
	ms := time.Millisecond
	for _, c := range []struct {
		name      string
		durations map[string]time.Duration
		want      []int
	}{
		{"by size, ties in the plan's order", nil, []int{1, 2, 3, 0}},
		{"by the durations of the tests", map[string]time.Duration{"small/a": 90 * ms, "large/a": 10 * ms, "large/b": 10 * ms, "medium/a": 50 * ms, "tie/a": 0}, []int{0, 2, 1, 3}},
		// The files in the durations took 130ms for 1100 bytes: large is estimated at 118ms.
		{"a file not in the durations by its size, at their rate", map[string]time.Duration{"small/a": 10 * ms, "medium/a": 50 * ms, "tie/a": 70 * ms}, []int{1, 3, 2, 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, Schedule(files, c.durations))
		})
	}
	// --shuffle: the workers take the files in the shuffled order the plan gives,
	// which the run is asked to try, not the longest first.
	seed := int64(1)
	shuffled := &Plan{Shuffle: &seed, Durations: map[string]time.Duration{"small/a": 90 * ms}}
	assert.Equal(t, []int{0, 1, 2, 3}, shuffled.jobOrder(files))
	assert.Equal(t, []int{1, 2, 3, 0}, (&Plan{}).jobOrder(files))
}
