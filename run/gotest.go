package run

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/specrun/specrun/report"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// TestOptions are what go test takes of specrun run's flags.
type TestOptions struct {
	// Expect is an expectations file (specrun run --expect): a test that ends as its
	// entry says is skipped with the entry's reason, one that departs from it fails
	// (a regression, or an unexpected pass naming the entry to remove), and entries
	// that decide no test are logged as stale. "" for none: fail and error fail.
	Expect string
	// Corpus is where spec names are found first (specrun run --corpus); "" for the
	// corpora specrun run looks in.
	Corpus string
}

// Tests runs the spec tests of args against srv as subtests of t, one per file and
// one per test: TestX/<file ID>/<description>, so that go test's -run selects them.
// args are as specrun run takes them: fixture files, folders, or spec names (crud,
// crud/unified) found in the corpus specrun run would use (the test log says which).
// pass passes, fail and error fail the subtest with the reason and detail, skip and
// unsupported skip it with the reason. A failure's message starts with the place in
// the fixture (file:line of the failing operation or expectation, else of the test),
// where an editor opens it. A file that cannot be loaded fails its subtest; files of
// formats specrun does not run are left out. A server holding data the files do not
// name is refused, as specrun run refuses it. The credentials of srv's URIs are
// removed from every reason and detail.
func Tests(t *testing.T, srv Target, args ...string) {
	t.Helper()
	TestsWith(t, srv, TestOptions{}, args...)
}

// TestsWith is Tests with an expectations file or a corpus of one's own.
func TestsWith(t *testing.T, srv Target, o TestOptions, args ...string) {
	t.Helper()
	sources, used, err := specifications.Find(args, specifications.DefaultLocations(o.Corpus))
	if err != nil {
		t.Fatal(err)
	}
	if used != nil {
		t.Logf("specrun: corpus: %s", used)
	}
	plan := Plan{Loads: specifications.LoadAll(sources, false),
		Redact: report.NewRedactor(srv.URI, srv.SingleMongosLBURI, srv.MultiMongosLBURI)}
	if o.Expect != "" {
		if plan.Expect, err = report.LoadExpectations(o.Expect); err != nil {
			t.Fatal(err)
		}
	}
	g := &goTest{root: t, t: t, expect: plan.Expect, places: placesOf(plan.Loads)}
	plan.Nesting = g
	rec, err := Execute(context.Background(), plan, srv, g)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range rec.Evaluation.Stale {
		t.Logf("specrun: stale: %s:%d: %s (%s) decides no test; remove it", o.Expect, e.Line, e.Pattern(), e.Status)
	}
}

// goTest runs files and tests as subtests and reports each result on its subtest.
type goTest struct {
	root, t *testing.T
	expect  *report.Expectations // nil: none
	places  map[testKey]testPlace
	// lines caches the text of the fixtures that failures point into.
	lines map[string][]byte
}

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
	if g.expect != nil {
		v := g.expect.Judge(res)
		switch v.Judgement {
		case report.Expected:
			if res.Status == result.Pass {
				return // an entry that expects a pass: the test passed
			}
			t.Skipf("expected %s (%s:%d, %s): %s", res.Status, g.expect.Path, v.Entry.Line, v.Entry.Pattern(), v.Entry.Reason)
			return
		case report.UnexpectedPass:
			t.Errorf("%s: unexpected pass: %s:%d (%s) expects %s; remove it", g.where(res), g.expect.Path, v.Entry.Line, v.Entry.Pattern(), v.Entry.Status)
			return
		case report.Regression:
			if v.Entry != nil {
				t.Errorf("%s: regression: %s, where %s:%d (%s) expects %s", g.where(res), g.failure(res), g.expect.Path, v.Entry.Line, v.Entry.Pattern(), v.Entry.Status)
				return
			}
		}
	}
	switch res.Status {
	case result.Pass:
	case result.Skip, result.Unsupported:
		t.Skipf("%s: %s", res.Status, res.Reason)
	default:
		t.Errorf("%s: %s", g.where(res), g.failure(res))
	}
}

// failure is a failed result's status, reason and detail, its server log quieted
// (report.QuietDetail) as on the terminal.
func (g *goTest) failure(res result.Test) string {
	s := fmt.Sprintf("%s: %s", res.Status, res.Reason)
	if d := report.QuietDetail(res.Detail); d != "" {
		s += "\n" + d
	}
	return s
}

// where is the place in the fixture a failure belongs to, as file:line: the failing
// operation or expectation where the reason names one, else the test, else the file;
// with the part's path in the file ("tests.2.operations.0").
func (g *goTest) where(res result.Test) string {
	p, ok := g.places[testKey{res.File, res.ID}]
	if !ok {
		return res.File
	}
	place := p.failing(res.Reason)
	if g.lines == nil {
		g.lines = map[string][]byte{}
	}
	data, read := g.lines[res.File]
	if !read {
		data, _ = os.ReadFile(res.File)
		g.lines[res.File] = data
	}
	if line := specifications.Line(data, place); line > 0 {
		return fmt.Sprintf("%s:%d: %s", res.File, line, place)
	}
	return fmt.Sprintf("%s: %s", res.File, place)
}

func (g *goTest) FileDone(string, []result.Test) {}

// ServerEvent is logged on the whole run's test; a loss also fails each test to come.
func (g *goTest) ServerEvent(ev ServerEvent) { g.root.Log("specrun: " + ev.Reason) }

// testKey is a test by its file and ID.
type testKey struct{ file, id string }

// testPlace is where a test is in its file, with its operations, for failures to
// point at.
type testPlace struct {
	path string // tests.3
	test *specifications.Test
}

func placesOf(loads []specifications.LoadResult) map[testKey]testPlace {
	places := map[testKey]testPlace{}
	for _, lr := range loads {
		if lr.Kind != specifications.Loaded {
			continue
		}
		for i := range lr.File.Tests {
			t := &lr.File.Tests[i]
			places[testKey{lr.Source.Path, t.ID}] = testPlace{fmt.Sprintf("tests.%d", i), t}
		}
	}
	return places
}

// expectationAt reads the expectation a reason starts with: "expectEvents[1] (client0):
// …" is tests.N.expectEvents.1.
var expectationAt = regexp.MustCompile(`^(expectEvents|expectLogMessages|outcome)\[(\d+)\]`)

// failing is the path of the part of the test a failure's reason names: an operation
// by its label ("operation 2 (insertOne): …"), an expectation by its index, else the
// test.
func (p testPlace) failing(reason string) string {
	for _, op := range p.test.Operations {
		if op.Label != "" && op.Path != "" && strings.HasPrefix(reason, op.Label+":") {
			return op.Path
		}
	}
	if m := expectationAt.FindStringSubmatch(reason); m != nil {
		return p.path + "." + m[1] + "." + m[2]
	}
	return p.path
}
