package interpreter_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/specrun/specrun/embedded"
	"github.com/specrun/specrun/internal/testcorpus"
	"github.com/specrun/specrun/interpreter"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// BenchmarkRunnerOverhead runs the tests of crud/tests/unified that the embedded server
// does not skip, one test per iteration, and reports where a test's time goes: the
// round trips of its commands (server-µs/test: the server's work plus the loopback) and
// everything else (overhead-µs/test), per phase. The target is an overhead under 1 ms.
//
//	go test ./interpreter -run '^$' -bench RunnerOverhead -benchtime 2000x
func BenchmarkRunnerOverhead(b *testing.B) {
	ctx := context.Background()
	srv, err := embedded.Start(ctx, embedded.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	sources, err := specifications.Discover([]string{filepath.Join(testcorpus.Shared(b), "source/crud/tests/unified")})
	if err != nil {
		b.Fatal(err)
	}
	r, err := interpreter.New(ctx, interpreter.Config{URI: srv.URI()})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()

	type testRef struct {
		f *specifications.File
		i int
	}
	var tests []testRef
	for _, lr := range specifications.LoadAll(sources, false) {
		if lr.Kind != specifications.Loaded {
			continue
		}
		for i := range lr.File.Tests {
			if res := r.RunTest(ctx, lr.File, i); res.Status != result.Skip {
				tests = append(tests, testRef{lr.File, i})
			}
		}
	}
	before := r.Stats()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		t := tests[n%len(tests)]
		r.RunTest(ctx, t.f, t.i)
	}
	b.StopTimer()
	after := r.Stats()
	runs := float64(after.Tests - before.Tests)
	if runs == 0 {
		return
	}
	var overhead, server float64
	for name, p := range after.Phases {
		d := interpreter.PhaseTime{Wall: p.Wall - before.Phases[name].Wall, Server: p.Server - before.Phases[name].Server}
		overhead += float64(d.Overhead().Microseconds())
		server += float64(d.Server.Microseconds())
		b.ReportMetric(float64(d.Overhead().Microseconds())/runs, name+"-overhead-µs/test")
	}
	b.ReportMetric(overhead/runs, "overhead-µs/test")
	b.ReportMetric(server/runs, "server-µs/test")
}
