package run

import (
	"context"
	"testing"

	"github.com/specrun/specrun/report"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// Tests runs the spec test files found under paths (files or folders) against srv as
// subtests of t, one per file and one per test: TestX/<file ID>/<description>, so that
// go test's -run selects them. pass passes, fail and error fail the subtest with the
// reason and detail, skip and unsupported skip it with the reason. A file that cannot
// be loaded fails its subtest; files of formats specrun does not run are left out. A
// server holding data the files do not name is refused, as specrun run refuses it. The
// credentials of srv's URIs are removed from every reason and detail.
func Tests(t *testing.T, srv Target, paths ...string) {
	t.Helper()
	sources, err := specifications.Discover(paths)
	if err != nil {
		t.Fatal(err)
	}
	g := &goTest{root: t, t: t}
	plan := Plan{Loads: specifications.LoadAll(sources, false), Nesting: g,
		Redact: report.NewRedactor(srv.URI, srv.SingleMongosLBURI, srv.MultiMongosLBURI)}
	if _, err := Execute(context.Background(), plan, srv, g); err != nil {
		t.Fatal(err)
	}
}

// goTest runs files and tests as subtests and reports each result on its subtest.
type goTest struct{ root, t *testing.T }

func (g *goTest) File(id string, body func())          { g.sub(id, body) }
func (g *goTest) Test(description string, body func()) { g.sub(description, body) }

func (g *goTest) sub(name string, body func()) {
	parent := g.t
	defer func() { g.t = parent }()
	parent.Run(name, func(t *testing.T) {
		g.t = t
		body()
	})
}

func (g *goTest) Judged(res result.Test) {
	t := g.t
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

func (g *goTest) FileDone(string, []result.Test) {}

// ServerEvent is logged on the whole run's test; a loss also fails each test to come.
func (g *goTest) ServerEvent(ev ServerEvent) { g.root.Log("specrun: " + ev.Reason) }
