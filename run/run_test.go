package run

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/embedded"
	"github.com/specrun/specrun/interpreter"
	"github.com/specrun/specrun/report"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// The tests run small fixtures (testdata/run) against one embedded server per test
// binary.

// envHelper enables TestTestsHelper in the subprocess TestTests starts.
const envHelper = "SPECRUN_RUN_TESTS_HELPER"

var serverURI string

func TestMain(m *testing.M) {
	if os.Getenv(envHelper) != "" {
		os.Exit(m.Run()) // TestTestsHelper starts a server of its own
	}
	srv, err := embedded.Start(context.Background(), embedded.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	serverURI = srv.URI()
	code := m.Run()
	if err := srv.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

func fixture(name string) string { return filepath.Join("..", "testdata", "run", name) }

func loads(t *testing.T, names ...string) []specifications.LoadResult {
	t.Helper()
	var paths []string
	for _, n := range names {
		paths = append(paths, fixture(n))
	}
	sources, err := specifications.Discover(paths)
	require.NoError(t, err)
	return specifications.LoadAll(sources, false)
}

// recorder is a sink and a nesting that records what the run did, in order.
type recorder struct{ events []string }

func (r *recorder) Judged(res result.Test) {
	r.events = append(r.events, "judged "+res.ID+": "+string(res.Status))
}
func (r *recorder) FileDone(id string, judged []result.Test) {
	r.events = append(r.events, fmt.Sprintf("file done %s: %d judged", id, len(judged)))
}
func (r *recorder) ServerEvent(ev ServerEvent) {
	r.events = append(r.events, fmt.Sprintf("server (lost %t) after %s: %s", ev.Lost, ev.After, ev.Reason))
}
func (r *recorder) File(id string, body func()) { r.events = append(r.events, "enter "+id); body() }
func (r *recorder) Test(d string, body func())  { r.events = append(r.events, "enter test "+d); body() }

func statuses(tests []result.Test) []string {
	var out []string
	for _, t := range tests {
		out = append(out, t.ID+": "+string(t.Status))
	}
	return out
}

func TestExecuteSelectionSinksAndRecord(t *testing.T) {
	sel, err := NewSelection("", "failing", "")
	require.NoError(t, err)
	rec := &recorder{}
	plan := Plan{Loads: loads(t, "mixed"), Selection: sel, Nesting: rec}
	r, err := Execute(context.Background(), plan, Target{URI: serverURI, Embedded: true, Own: true}, rec)
	require.NoError(t, err)

	const one = "mixed/one/"
	assert.Equal(t, []string{
		"enter mixed/one",
		"enter test a passing test",
		"judged " + one + "a passing test: pass",
		"enter test a skipped test",
		"judged " + one + "a skipped test: skip",
		"file done mixed/one: 2 judged",
		"enter mixed/rejected",
		"judged mixed/rejected: error",
		"file done mixed/rejected: 1 judged",
	}, rec.events, "the filtered-out test is not entered, not judged")
	assert.Equal(t, []string{one + "a passing test: pass", one + "a failing test: skip", one + "a skipped test: skip", "mixed/rejected: error"},
		statuses(r.Report.Tests), "the report lists the filtered-out test as skip, in file order")
	assert.Equal(t, FilteredOut, r.Report.Tests[1].Reason)
	assert.Equal(t, "mixed/one", r.Report.Tests[1].FileID)
	assert.Equal(t, []string{one + "a passing test: pass", one + "a skipped test: skip", "mixed/rejected: error"}, statuses(r.Judged))
	assert.Contains(t, r.Report.Tests[3].Reason, "tests: must be an array")
	assert.Equal(t, report.Filters{Skip: "failing"}, r.Report.Filters)
	assert.True(t, r.Report.Server.Embedded)
	assert.NotEmpty(t, r.Report.Server.Version)
	assert.Nil(t, r.Report.Partial)
	assert.False(t, r.OK(), "the rejected file is an error")
}

func TestExecuteExpectations(t *testing.T) {
	sel, err := NewSelection("one/a (passing|failing)", "", "")
	require.NoError(t, err)
	exp, err := report.ParseExpectations("e.yml", []byte(`tests:
  - id: "mixed/one/a failing test"
    status: fail
    reason: "on purpose"
  - id: "mixed/one/a skipped test"
    status: skip
    reason: "filtered out here, known"
  - id: "mixed/gone/test"
    status: fail
    reason: "stale"
`))
	require.NoError(t, err)
	plan := Plan{Loads: loads(t, "mixed/one.json"), Selection: sel, Expect: exp}
	r, err := Execute(context.Background(), plan, Target{URI: serverURI, Own: true})
	require.NoError(t, err)
	assert.True(t, r.OK(), "the failing test is expected")
	assert.Equal(t, 1, r.Evaluation.Count(report.Expected))
	require.Len(t, r.Evaluation.Stale, 1, "a filtered-out test's entry is known, not stale")
	assert.Equal(t, "mixed/gone/test", r.Evaluation.Stale[0].ID)
	require.NotNil(t, r.Report.Expect)
	require.Len(t, r.Report.Expect.Verdicts, 3, "a verdict for every test of the report")
	assert.Equal(t, report.OK, r.Report.Expect.Verdicts[2].Judgement, "the filtered-out test")
}

// cancelAfter cancels the run once n tests were judged, as Ctrl-C would.
type cancelAfter struct {
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Judged(result.Test) {
	if c.n--; c.n == 0 {
		c.cancel()
	}
}
func (c *cancelAfter) FileDone(string, []result.Test) {}
func (c *cancelAfter) ServerEvent(ServerEvent)        {}

func TestExecuteInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	plan := Plan{Loads: loads(t, "mixed/one.json")}
	r, err := Execute(ctx, plan, Target{URI: serverURI, Own: true}, &cancelAfter{n: 1, cancel: cancel})
	require.NoError(t, err)
	require.NotNil(t, r.Report.Partial)
	assert.Equal(t, "interrupted", r.Report.Partial.Reason)
	assert.Equal(t, []string{"mixed/one/a passing test: pass"}, statuses(r.Judged))
	assert.Equal(t, []string{"mixed/one/a failing test: ", "mixed/one/a skipped test: "}, statuses(r.Report.Partial.NotRun))
	assert.False(t, r.OK(), "a partial run is not OK")
}

func TestExecuteMaxTime(t *testing.T) {
	plan := Plan{Loads: loads(t, "mixed/one.json"), MaxTime: time.Nanosecond}
	r, err := Execute(context.Background(), plan, Target{URI: serverURI, Own: true})
	require.NoError(t, err)
	require.NotNil(t, r.Report.Partial)
	assert.Equal(t, "--max-time 1ns reached", r.Report.Partial.Reason)
	assert.Empty(t, r.Judged)
	assert.Len(t, r.Report.Partial.NotRun, 3)
}

// fakeLog is a server log that logged lines while each test ran.
type fakeLog struct{ next uint64 }

func (l *fakeLog) Mark() uint64 { l.next += 2; return l.next - 2 }
func (l *fakeLog) Since(mark uint64) ([]string, int) {
	return []string{fmt.Sprintf("line %d", mark), fmt.Sprintf("line %d", mark+1)}, 0
}

func TestExecuteServerLogOnFailures(t *testing.T) {
	plan := Plan{Loads: loads(t, "mixed/one.json")}
	srv := Target{URI: serverURI, Own: true, Name: "fake server", Log: &fakeLog{}}
	r, err := Execute(context.Background(), plan, srv)
	require.NoError(t, err)
	require.Len(t, r.Judged, 3)
	assert.NotContains(t, r.Judged[0].Detail, "server log", "a passing test has no detail")
	assert.True(t, strings.HasSuffix(r.Judged[1].Detail, "server log (fake server, while the test ran):\n  line 2\n  line 3"), r.Judged[1].Detail)
}

func TestExecuteRedacts(t *testing.T) {
	// The "password" is in the failing test's reason: expected int32 12, got int32 11.
	plan := Plan{Loads: loads(t, "mixed/one.json"), Redact: report.NewRedactor("mongodb://u:int32 12@h/")}
	r, err := Execute(context.Background(), plan, Target{URI: serverURI, Own: true})
	require.NoError(t, err)
	require.Equal(t, result.Fail, r.Judged[1].Status)
	assert.NotContains(t, r.Judged[1].Reason, "int32 12")
	assert.Contains(t, r.Judged[1].Reason, "REDACTED")
	assert.Equal(t, r.Judged[1].Reason, r.Report.Tests[1].Reason)
}

func TestExecuteUnreachable(t *testing.T) {
	plan := Plan{Loads: loads(t, "mixed/one.json")}
	_, err := Execute(context.Background(), plan, Target{URI: "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=100"})
	assert.ErrorIs(t, err, interpreter.ErrUnreachable)
}

func TestSelection(t *testing.T) {
	_, err := NewSelection("(", "", "")
	assert.ErrorContains(t, err, "--run")
	_, err = NewSelection("", "[", "")
	assert.ErrorContains(t, err, "--skip")
	_, err = NewSelection("", "", "3/2")
	assert.Error(t, err)

	sel, err := NewSelection("^crud/", "find", "")
	require.NoError(t, err)
	assert.True(t, sel.selects("crud/unified/insertOne/x"))
	assert.False(t, sel.selects("crud/unified/find/x"))
	assert.False(t, sel.selects("sessions/x"))
	assert.Equal(t, report.Filters{Run: "^crud/", Skip: "find"}, sel.Filters())

	// Every file is in exactly one of N shards.
	for _, n := range []int{1, 2, 3, 7} {
		for _, id := range []string{"crud/unified/find", "a", "", "sessions/snapshot-sessions"} {
			in := 0
			for i := 1; i <= n; i++ {
				if (Selection{Shard: report.Shard{Index: i, Count: n}}).inShard(id) {
					in++
				}
			}
			assert.Equal(t, 1, in, "%q in %d shards", id, n)
		}
	}
}

func TestPlanCounts(t *testing.T) {
	plan := Plan{Loads: loads(t, "mixed", "gotest")}
	assert.Equal(t, 3+1+3, plan.TestCount())
	assert.Equal(t, 3+1+3, plan.SelectedCount())
	plan.Selection.Skip = regexp.MustCompile("passing")
	assert.Equal(t, 3+1+3, plan.TestCount(), "filtered out included")
	assert.Equal(t, 3+1+3-2, plan.SelectedCount(), "a passing test of mixed and of gotest left out")
	assert.Len(t, plan.KnownIDs(), 7)
	n, _ := plan.SharedIDs()
	assert.Zero(t, n)
	twice := Plan{Loads: append(loads(t, "gotest"), loads(t, "gotest")...)}
	n, example := twice.SharedIDs()
	assert.Equal(t, 1, n)
	assert.Contains(t, example, "gotest/go-test: ")
}

// TestTestsHelper is Tests as a project would call it, on a server of its own (which,
// being empty, passes the check for other data); it runs only in the test binary that
// TestTests starts.
func TestTestsHelper(t *testing.T) {
	if os.Getenv(envHelper) == "" {
		t.Skip("runs only in the subprocess of TestTests")
	}
	srv, err := embedded.Start(context.Background(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	Tests(t, Target{URI: srv.URI()}, fixture("gotest"))
}

// runHelper runs TestTestsHelper in a new test process and returns its output and
// exit code.
func runHelper(t *testing.T, pattern string) (string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run="+pattern, "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), envHelper+"=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	}
	t.Fatalf("%v\n%s", err, out)
	return "", 0
}

func TestTests(t *testing.T) {
	const prefix = "TestTestsHelper/gotest/go-test/"
	out, code := runHelper(t, "^TestTestsHelper$")
	if code != 1 {
		t.Errorf("exit code %d, want 1 (a subtest fails)", code)
	}
	for _, s := range []string{
		"--- PASS: " + prefix + "a_passing_test ",
		"--- FAIL: " + prefix + "a_failing_test ",
		"fail: operation 0 (find): expectResult: 0.x: expected int32 12, got int32 11",
		"--- SKIP: " + prefix + "a_skipped_test ",
		"skip: skipReason: on purpose",
		"--- FAIL: TestTestsHelper/gotest/go-test ",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}

	// go test's -run selects one test of the corpus; the others do not run.
	out, code = runHelper(t, "^TestTestsHelper$/^gotest$/^go-test$/^a_passing_test$")
	if code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	if !strings.Contains(out, "--- PASS: "+prefix+"a_passing_test ") {
		t.Errorf("the passing test did not run:\n%s", out)
	}
	for _, other := range []string{"a_failing_test", "a_skipped_test"} {
		if strings.Contains(out, other) {
			t.Errorf("%s ran:\n%s", other, out)
		}
	}
}
