package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

func testResult(id string, st result.Status, reason string) result.Test {
	i := strings.LastIndexByte(id, '/')
	return result.Test{ID: id, File: id[:i] + ".json", Description: id[i+1:], Status: st, Reason: reason}
}

// ids names the tests of changes, for comparison.
func ids(cs []Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Old.ID+": "+string(c.Old.Status)+"→"+string(c.New.Status))
	}
	return out
}

func resultIDs(rs []result.Test) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestDiffClassifies(t *testing.T) {
	cases := []struct {
		name               string
		old, new           result.Test
		regression, fix    bool
		statusChange       bool
		reasonChange, none bool
	}{
		{name: "pass→fail", old: testResult("a/f/t", P, ""), new: testResult("a/f/t", F, "x"), regression: true},
		{name: "pass→error", old: testResult("a/f/t", P, ""), new: testResult("a/f/t", E, "x"), regression: true},
		{name: "skip→fail", old: testResult("a/f/t", S, "r"), new: testResult("a/f/t", F, "x"), regression: true},
		{name: "unsupported→error", old: testResult("a/f/t", U, "r"), new: testResult("a/f/t", E, "x"), regression: true},
		{name: "fail→pass", old: testResult("a/f/t", F, "x"), new: testResult("a/f/t", P, ""), fix: true},
		{name: "error→pass", old: testResult("a/f/t", E, "x"), new: testResult("a/f/t", P, ""), fix: true},
		{name: "pass→unsupported", old: testResult("a/f/t", P, ""), new: testResult("a/f/t", U, "no fail points"), statusChange: true},
		{name: "pass→skip", old: testResult("a/f/t", P, ""), new: testResult("a/f/t", S, "filtered"), statusChange: true},
		{name: "fail→error", old: testResult("a/f/t", F, "x"), new: testResult("a/f/t", E, "y"), statusChange: true},
		{name: "error→fail", old: testResult("a/f/t", E, "x"), new: testResult("a/f/t", F, "x"), statusChange: true},
		{name: "fail→unsupported", old: testResult("a/f/t", F, "x"), new: testResult("a/f/t", U, "y"), statusChange: true},
		{name: "skip→pass", old: testResult("a/f/t", S, "r"), new: testResult("a/f/t", P, ""), statusChange: true},
		{name: "fail, other reason", old: testResult("a/f/t", F, "x"), new: testResult("a/f/t", F, "y"), reasonChange: true},
		{name: "unsupported, other reason", old: testResult("a/f/t", U, "x"), new: testResult("a/f/t", U, "y"), reasonChange: true},
		{name: "fail, same reason", old: testResult("a/f/t", F, "x"), new: testResult("a/f/t", F, "x"), none: true},
		{name: "fail, same reason but for a Go pointer and a port", old: testResult("a/f/t", F, "value &{0xc000123456} at 127.0.0.1:41327"),
			new: testResult("a/f/t", F, "value &{0xc000999999} at 127.0.0.1:39553"), none: true},
		{name: "pass, same", old: testResult("a/f/t", P, ""), new: testResult("a/f/t", P, ""), none: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Diff(&Run{Tests: []result.Test{c.old}}, &Run{Tests: []result.Test{c.new}})
			got := [5]int{len(d.Regressions), len(d.Fixes), len(d.StatusChanges), len(d.ReasonChanges), len(d.New) + len(d.Removed)}
			want := [5]int{b2i(c.regression), b2i(c.fix), b2i(c.statusChange), b2i(c.reasonChange), 0}
			if got != want {
				t.Errorf("regressions, fixes, status changes, reason changes, new+removed = %v, want %v", got, want)
			}
			if d.Regressed() != c.regression {
				t.Errorf("Regressed() = %v", d.Regressed())
			}
			if len(d.Warnings) != 0 {
				t.Errorf("warnings: %q", d.Warnings)
			}
		})
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestDiffNewRemovedAndOrder(t *testing.T) {
	old := &Run{Tests: []result.Test{
		testResult("a/f/gone", result.Fail, "x"),
		testResult("a/f/2", result.Pass, ""),
		testResult("a/f/1", result.Pass, ""),
	}}
	new := &Run{Tests: []result.Test{
		testResult("a/f/1", result.Fail, "one"),
		testResult("a/f/new", result.Fail, "y"), // a new failing test is new, not a regression
		testResult("a/f/2", result.Error, "two"),
	}}
	d := Diff(old, new)
	if got := ids(d.Regressions); !reflect.DeepEqual(got, []string{"a/f/1: pass→fail", "a/f/2: pass→error"}) {
		t.Errorf("regressions in new order = %q", got)
	}
	if got := resultIDs(d.New); !reflect.DeepEqual(got, []string{"a/f/new"}) {
		t.Errorf("new = %q", got)
	}
	if got := resultIDs(d.Removed); !reflect.DeepEqual(got, []string{"a/f/gone"}) {
		t.Errorf("removed = %q", got)
	}

	var b bytes.Buffer
	if err := d.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "2 regressions, 0 fixes, 0 other status changes, 0 changed reasons, 1 new test, 1 removed test\n" +
		"regression: a/f/1: pass → fail: one\n" +
		"regression: a/f/2: pass → error: two\n" +
		"new: a/f/new (fail)\n" +
		"removed: a/f/gone (fail)\n"
	if b.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestDiffText(t *testing.T) {
	old := &Run{Tests: []result.Test{
		testResult("a/f/fixed", result.Fail, "x"),
		testResult("a/f/judged", result.Pass, ""),
		testResult("a/f/reason", result.Fail, "was\nmulti-line"),
	}}
	new := &Run{Tests: []result.Test{
		testResult("a/f/fixed", result.Pass, ""),
		testResult("a/f/judged", result.Unsupported, "no fail points"),
		testResult("a/f/reason", result.Fail, "now"),
	}}
	var b bytes.Buffer
	if err := Diff(old, new).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "0 regressions, 1 fix, 1 other status change, 1 changed reason, 0 new tests, 0 removed tests\n" +
		"fix: a/f/fixed: fail → pass\n" +
		"status: a/f/judged: pass → unsupported: no fail points\n" +
		"reason: a/f/reason (fail):\n    was: was …\n    now: now\n"
	if b.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", b.String(), want)
	}
}

// Both corpus layouts in one run give the same ID twice: those tests are matched by
// ID and file, and the diff says so.
func TestDiffDuplicateIDs(t *testing.T) {
	dup := func(file string, st result.Status) result.Test {
		return result.Test{ID: "crud/v1/read/count/Count", File: file, Description: "Count", Status: st, Reason: string(st)}
	}
	old := &Run{Tests: []result.Test{
		dup("upstream/count.json", result.Pass),
		dup("debian/count.json", result.Fail),
		testResult("crud/x/y", result.Pass, ""),
	}}
	new := &Run{Tests: []result.Test{
		dup("upstream/count.json", result.Fail),
		dup("debian/count.json", result.Fail),
		testResult("crud/x/y", result.Pass, ""),
	}}
	d := Diff(old, new)
	if !reflect.DeepEqual(d.KeyedByFile, []string{"crud/v1/read/count/Count"}) {
		t.Errorf("KeyedByFile = %q", d.KeyedByFile)
	}
	if len(d.Regressions) != 1 || d.Regressions[0].New.File != "upstream/count.json" || len(d.New)+len(d.Removed) != 0 {
		t.Errorf("diff = %+v", d)
	}
	var b bytes.Buffer
	_ = d.WriteText(&b)
	for _, want := range []string{
		"note: 1 ID occurring more than once in a report, matched by ID and file: crud/v1/read/count/Count\n",
		"regression: crud/v1/read/count/Count [upstream/count.json]: pass → fail: fail\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}

	// Once in the old report, twice in the new: the single one matches its own file.
	old.Tests = []result.Test{old.Tests[0], old.Tests[2]}
	d = Diff(old, new)
	if len(d.Regressions) != 1 || len(d.New) != 1 || d.New[0].File != "debian/count.json" || len(d.Removed) != 0 {
		t.Errorf("diff = %+v", d)
	}
}

func TestDiffPartialNotRunIsNeitherNewNorRemoved(t *testing.T) {
	old := &Run{Tests: []result.Test{testResult("a/f/1", result.Pass, ""), testResult("a/f/2", result.Pass, "")}}
	new := &Run{
		Tests:   []result.Test{testResult("a/f/1", result.Pass, "")},
		Partial: &Partial{Reason: "interrupted", NotRun: []result.Test{testResult("a/f/2", "", ""), testResult("a/f/3", "", "")}},
	}
	d := Diff(old, new)
	if len(d.Removed) != 0 || len(d.New) != 0 {
		t.Errorf("removed %q, new %q", resultIDs(d.Removed), resultIDs(d.New))
	}
	if want := []string{"NEW is partial (interrupted): 2 selected tests did not run; a partial report's not-run tests are neither new nor removed"}; !reflect.DeepEqual(d.Warnings, want) {
		t.Errorf("warnings = %q", d.Warnings)
	}
	// and the other way round
	d = Diff(new, old)
	if len(d.Removed) != 0 || len(d.New) != 0 || len(d.Warnings) != 1 || !strings.HasPrefix(d.Warnings[0], "OLD is partial") {
		t.Errorf("reverse: removed %q, new %q, warnings %q", resultIDs(d.Removed), resultIDs(d.New), d.Warnings)
	}
}

func TestDiffComparabilityWarnings(t *testing.T) {
	git := func(c string) specifications.Identity { return specifications.Identity{GitCommit: c} }
	base := func() *Run {
		return &Run{
			Server:  ServerInfo{Version: "7.0.42", Topology: "single", Embedded: true, URI: "mongodb://127.0.0.1:1/"},
			Corpus:  []CorpusRoot{{Root: "/c", Files: 3, Identity: git("aaaa")}},
			Filters: Filters{Run: "crud"},
		}
	}
	cases := []struct {
		name   string
		change func(*Run)
		want   string // "" for no warning
	}{
		{"same", func(*Run) {}, ""},
		{"other port and file count", func(r *Run) { r.Server.URI = "mongodb://127.0.0.1:2/"; r.Corpus[0].Files = 4 }, ""},
		{"root moved, same identity", func(r *Run) { r.Corpus[0].Root = "/elsewhere" }, ""},
		{"other commit", func(r *Run) { r.Corpus[0].Identity = git("bbbb") },
			"other corpus: OLD /c (git aaaa), NEW /c (git bbbb)"},
		{"other debian version", func(r *Run) { r.Corpus[0].Identity.DebianPackage = "p"; r.Corpus[0].Identity.DebianVersion = "2" },
			"other corpus: OLD /c (git aaaa), NEW /c (git aaaa; p 2)"},
		{"other Go module version", func(r *Run) {
			r.Corpus[0].Identity = specifications.Identity{GoModule: "go.mongodb.org/mongo-driver@v1.17.4"}
		}, "other corpus: OLD /c (git aaaa), NEW /c (go.mongodb.org/mongo-driver@v1.17.4)"},
		{"another root", func(r *Run) { r.Corpus = append(r.Corpus, CorpusRoot{Root: "/d"}) },
			"other corpus: OLD /c (git aaaa), NEW /c (git aaaa), /d (no identity)"},
		{"other server version", func(r *Run) { r.Server.Version = "8.0.4" },
			"other server: OLD 7.0.42 single (embedded), NEW 8.0.4 single (embedded)"},
		{"other topology, not embedded", func(r *Run) { r.Server.Topology = "replicaset"; r.Server.Embedded = false },
			"other server: OLD 7.0.42 single (embedded), NEW 7.0.42 replicaset"},
		{"other run filter", func(r *Run) { r.Filters.Run = "" }, "other filters: OLD --run crud, NEW (none)"},
		{"other skip filter", func(r *Run) { r.Filters.Skip = "x" }, "other filters: OLD --run crud, NEW --run crud --skip x"},
		{"a shard", func(r *Run) { r.Filters.Shard = Shard{1, 2} }, "other filters: OLD --run crud, NEW --run crud --shard 1/2"},
		// the order the files ran in selects no test
		{"shuffled", func(r *Run) { r.Filters.Shuffle = "42" }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := base()
			c.change(n)
			d := Diff(base(), n)
			var want []string
			if c.want != "" {
				want = []string{c.want}
			}
			if !reflect.DeepEqual(d.Warnings, want) {
				t.Errorf("warnings = %q, want %q", d.Warnings, want)
			}
		})
	}

	// No identity on either side: only the roots can tell.
	o, n := base(), base()
	o.Corpus[0].Identity, n.Corpus[0].Identity = specifications.Identity{}, specifications.Identity{}
	n.Corpus[0].Root = "/other"
	if d := Diff(o, n); len(d.Warnings) != 1 || !strings.HasPrefix(d.Warnings[0], "corpus roots differ and carry no identity") {
		t.Errorf("warnings = %q", d.Warnings)
	}
}

func TestDiffJSON(t *testing.T) {
	old := &Run{Tests: []result.Test{testResult("a/f/1", result.Pass, ""), testResult("a/f/2", result.Fail, "x")}}
	new := &Run{Tests: []result.Test{testResult("a/f/1", result.Fail, "boom"), testResult("a/f/2", result.Fail, "x")},
		Filters: Filters{Run: "f"}}
	var b bytes.Buffer
	if err := Diff(old, new).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"regressed":   true,
		"warnings":    []any{"other filters: OLD (none), NEW --run f"},
		"keyedByFile": []any{},
		"regressions": []any{map[string]any{"id": "a/f/1", "file": "a/f.json",
			"old": map[string]any{"status": "pass", "reason": ""}, "new": map[string]any{"status": "fail", "reason": "boom"}}},
		"fixes": []any{}, "statusChanges": []any{}, "reasonChanges": []any{}, "new": []any{}, "removed": []any{},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("JSON:\n%s", b.String())
	}
}
