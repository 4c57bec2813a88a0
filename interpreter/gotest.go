package interpreter

import (
	"context"
	"testing"

	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// RunTests runs the spec test files found under paths (files or folders) as subtests
// of t, one per file and one per test: TestX/<file ID>/<description>, so that go test's
// -run selects them. pass passes, fail and error fail the subtest with the reason and
// detail, skip and unsupported skip it with the reason. A file that cannot be loaded
// fails its subtest; files of formats specrun does not run are left out.
func RunTests(t *testing.T, cfg Config, paths ...string) {
	t.Helper()
	ctx := context.Background()
	sources, err := specifications.Discover(paths)
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(ctx)
	for _, lr := range specifications.LoadAll(sources, false) {
		switch lr.Kind {
		case specifications.OtherFormat:
			continue
		case specifications.Rejected:
			t.Run(lr.Source.ID, func(t *testing.T) { t.Error(lr.Err) })
			continue
		}
		f := lr.File
		t.Run(f.ID, func(t *testing.T) {
			for i := range f.Tests {
				t.Run(f.Tests[i].Description, func(t *testing.T) {
					report(t, r.RunTest(ctx, f, i))
				})
			}
		})
	}
}

func report(t *testing.T, res result.Test) {
	t.Helper()
	switch res.Status {
	case result.Pass:
	case result.Skip, result.Unsupported:
		t.Skipf("%s: %s", res.Status, res.Reason)
	default:
		if res.Detail != "" {
			t.Errorf("%s: %s\n%s", res.Status, res.Reason, res.Detail)
		} else {
			t.Errorf("%s: %s", res.Status, res.Reason)
		}
	}
}
