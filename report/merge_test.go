package report

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// corpusRun is the report of an unsharded run over two roots; the files of each
// root are in run order.
func corpusRun() *Run {
	t0 := time.Date(2026, 3, 4, 5, 0, 0, 0, time.UTC)
	r := &Run{
		SpecrunVersion: "v1", Driver: "go.mongodb.org/mongo-driver/v2 v2.9.3",
		Server: ServerInfo{URI: "mongodb://127.0.0.1:1/", Embedded: true, Version: "7.0.42", Topology: "single",
			MaxWireVersion: 21, Capabilities: map[string]bool{"failPoints": false}},
		Corpus: []CorpusRoot{
			{Root: "/c/source/crud/tests", Files: 4, Identity: specifications.Identity{GitCommit: "aaaa"}},
			{Root: "/d/data/sessions", Files: 1},
		},
		Started: t0, Duration: time.Minute,
		Filters: Filters{Skip: "slow"},
	}
	add := func(file, desc string, st result.Status) {
		rel := strings.TrimSuffix(file[strings.Index(file, "/tests/")+len("/tests/"):], ".json")
		if strings.HasPrefix(file, "/d/") {
			rel = "sessions/" + strings.TrimSuffix(strings.TrimPrefix(file, "/d/data/sessions/"), ".json")
		} else {
			rel = "crud/" + rel
		}
		r.Tests = append(r.Tests, result.Test{ID: rel + "/" + desc, File: file, Description: desc, Status: st,
			Reason: map[result.Status]string{result.Fail: "boom", result.Skip: "no"}[st]})
	}
	add("/c/source/crud/tests/unified/b-c/x.json", "1", result.Pass)
	add("/c/source/crud/tests/unified/b-c/x.json", "0", result.Fail)
	add("/c/source/crud/tests/unified/b/x.json", "z", result.Pass)
	add("/c/source/crud/tests/unified/b/x.json", "a", result.Skip)
	add("/c/source/crud/tests/unified/find.json", "f", result.Pass)
	add("/c/source/crud/tests/v1/read/count.json", "c", result.Fail)
	add("/d/data/sessions/a.json", "s", result.Pass)
	return r
}

// shardsOf splits an unsharded run by file: shard[i] gets the files assign puts there.
func shardsOf(r *Run, n int, assign func(file string) int) []*Run {
	out := make([]*Run, n)
	for i := range out {
		s := *r
		s.Filters.Shard = Shard{i + 1, n}
		s.Tests = nil
		s.Corpus = slices.Clone(r.Corpus)
		for j := range s.Corpus {
			s.Corpus[j].Files = 0
		}
		s.Started = r.Started.Add(time.Duration(i) * time.Second)
		s.Duration = time.Duration(10*(i+1)) * time.Second
		out[i] = &s
	}
	files := map[string]bool{}
	for _, t := range r.Tests {
		sh := out[assign(t.File)]
		sh.Tests = append(sh.Tests, t)
		if !files[t.File] {
			files[t.File] = true
			if strings.HasPrefix(t.File, "/d/") {
				sh.Corpus[1].Files++
			} else {
				sh.Corpus[0].Files++
			}
		}
	}
	return out
}

// byHash spreads files over shards the way a sharded run might: not in run order.
func byHash(n int) func(string) int {
	return func(file string) int {
		h := 0
		for _, c := range file {
			h = h*31 + int(c)
		}
		return (h%n + n) % n
	}
}

func TestMergeEqualsUnsharded(t *testing.T) {
	whole := corpusRun()
	for _, n := range []int{1, 2, 3, 7} {
		shards := shardsOf(whole, n, byHash(n))
		// inputs in any order
		slices.Reverse(shards)
		m, err := Merge(shards...)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if !reflect.DeepEqual(m.Tests, whole.Tests) {
			t.Errorf("n=%d: tests\n got %v\nwant %v", n, resultIDs(m.Tests), resultIDs(whole.Tests))
		}
		if m.Filters != (Filters{Skip: "slow"}) || m.Partial != nil || m.Expect != nil {
			t.Errorf("n=%d: filters %+v, partial %+v, expect %+v", n, m.Filters, m.Partial, m.Expect)
		}
		if !m.Started.Equal(whole.Started) || m.Duration != time.Duration(10*n)*time.Second {
			t.Errorf("n=%d: started %v, duration %v", n, m.Started, m.Duration)
		}
		if m.Corpus[0].Files != 4 || m.Corpus[1].Files != 1 || m.Corpus[0].Identity.GitCommit != "aaaa" {
			t.Errorf("n=%d: corpus %+v", n, m.Corpus)
		}
		if !reflect.DeepEqual(m.Server, whole.Server) {
			t.Errorf("n=%d: server %+v", n, m.Server)
		}
		var b bytes.Buffer
		if err := WriteJSON(&b, m); err != nil {
			t.Errorf("n=%d: the merged report cannot be written: %v", n, err)
		}
	}
}

// TestMergeShuffled: shards that ran their files in a random order (--shuffle) merge
// into the unsharded run's order; the merged report keeps the seed when every shard
// had it.
func TestMergeShuffled(t *testing.T) {
	whole := corpusRun()
	for _, tt := range []struct {
		name  string
		seeds []string
		want  string
	}{
		{"one seed", []string{"42", "42", "42"}, "42"},
		{"other seeds", []string{"42", "43", "42"}, ""},
		{"one shard not shuffled", []string{"42", "42", ""}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			shards := shardsOf(whole, 3, byHash(3))
			for i, s := range shards {
				s.Filters.Shuffle = tt.seeds[i]
				s.Tests = filesReversed(s.Tests) // as a shuffled run might have run them
			}
			m, err := Merge(shards...)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(m.Tests, whole.Tests) {
				t.Errorf("tests\n got %v\nwant %v", resultIDs(m.Tests), resultIDs(whole.Tests))
			}
			if want := (Filters{Skip: "slow", Shuffle: tt.want}); m.Filters != want {
				t.Errorf("filters %+v, want %+v", m.Filters, want)
			}
		})
	}
}

// filesReversed runs the files of tests in the reverse order, each file's tests in
// their own.
func filesReversed(tests []result.Test) []result.Test {
	var files [][]result.Test
	for i, t := range tests {
		if i == 0 || t.File != tests[i-1].File {
			files = append(files, nil)
		}
		files[len(files)-1] = append(files[len(files)-1], t)
	}
	slices.Reverse(files)
	return slices.Concat(files...)
}

// The merge puts files in the order specifications.Discover runs them; if Discover's
// order changes, runOrder must follow.
func TestRunOrderIsDiscoverOrder(t *testing.T) {
	dir := t.TempDir()
	rel := []string{"a/b/x.json", "a/b-c/x.json", "a/b.c.json", "a/z.json", "a/B/y.json", "a.json", "a/b/x/deeper.json", "b.json"}
	for _, f := range rel {
		p := filepath.Join(dir, "root", filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	other := filepath.Join(dir, "other.json")
	if err := os.WriteFile(other, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "root")
	// other.json is given first: argument order beats path order.
	sources, err := specifications.Discover([]string{other, root})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, s := range sources {
		want = append(want, s.Path)
	}
	var results []result.Test
	for _, f := range slices.Backward(want) {
		results = append(results, result.Test{File: f})
	}
	order := runOrder([]CorpusRoot{{Root: other}, {Root: root}})
	sort.SliceStable(results, func(i, j int) bool { return order(results[i], results[j]) < 0 })
	var got []string
	for _, r := range results {
		got = append(got, r.File)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("runOrder:\n got %q\nwant %q (Discover)", got, want)
	}
}

func TestMergeMissingAndPartialShards(t *testing.T) {
	whole := corpusRun()
	shards := shardsOf(whole, 4, byHash(4))
	notRun := result.Test{ID: "crud/unified/b/x/late", File: "/c/source/crud/tests/unified/b/x.json", Description: "late"}
	earlier := result.Test{ID: "crud/unified/b-c/x/late", File: "/c/source/crud/tests/unified/b-c/x.json", Description: "late"}
	shards[1].Partial = &Partial{Reason: "--max-time 1m0s reached", NotRun: []result.Test{notRun}}
	shards[3].Partial = &Partial{Reason: "interrupted", NotRun: []result.Test{earlier}}

	m, err := Merge(shards[1], shards[3])
	if err != nil {
		t.Fatal(err)
	}
	if m.Partial == nil {
		t.Fatal("not partial")
	}
	if want := "shards 1/4, 3/4 missing; shard 2/4: --max-time 1m0s reached; shard 4/4: interrupted"; m.Partial.Reason != want {
		t.Errorf("reason = %q, want %q", m.Partial.Reason, want)
	}
	if got := resultIDs(m.Partial.NotRun); !reflect.DeepEqual(got, []string{earlier.ID, notRun.ID}) {
		t.Errorf("not run = %q (in run order)", got)
	}

	m, err = Merge(shards[0], shards[1], shards[3])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Partial.Reason, "shard 3/4 missing; ") {
		t.Errorf("reason = %q", m.Partial.Reason)
	}

	m, err = Merge(shards[2], shards[0])
	if err != nil {
		t.Fatal(err)
	}
	if m.Partial == nil || m.Partial.Reason != "shards 2/4, 4/4 missing" || len(m.Partial.NotRun) != 0 {
		t.Errorf("partial = %+v", m.Partial)
	}
}

func TestMergeRefuses(t *testing.T) {
	cases := []struct {
		name   string
		change func(shards []*Run) []*Run
		want   string
	}{
		{"nothing", func([]*Run) []*Run { return nil }, "merge: no reports"},
		{"not a shard", func(s []*Run) []*Run { s[1].Filters.Shard = Shard{}; return s },
			"merge: report 2: not a shard report (run without --shard)"},
		{"other count", func(s []*Run) []*Run { s[1].Filters.Shard = Shard{2, 3}; return s },
			"merge: report 2: shard 2/3 is not one of 2 like report 1 (1/2)"},
		{"same index twice", func(s []*Run) []*Run { return []*Run{s[0], s[1], s[0]} },
			"merge: report 3: shard 1/2 again (report 1 is shard 1/2 too)"},
		{"other server version", func(s []*Run) []*Run { s[1].Server.Version = "8.0.0"; return s },
			"merge: report 2: other server: 8.0.0, single, maxWireVersion 21, embedded; capabilities: failPoints no; report 1: 7.0.42, single, maxWireVersion 21, embedded; capabilities: failPoints no"},
		{"other capabilities", func(s []*Run) []*Run { s[1].Server.Capabilities = map[string]bool{"failPoints": true}; return s },
			"merge: report 2: other server"},
		{"not embedded", func(s []*Run) []*Run { s[1].Server.Embedded = false; return s }, "merge: report 2: other server"},
		{"other corpus commit", func(s []*Run) []*Run {
			s[1].Corpus[0].Identity = specifications.Identity{GitCommit: "bbbb"}
			return s
		}, "merge: report 2: other corpus roots: /c/source/crud/tests (git bbbb), /d/data/sessions (no identity); report 1: /c/source/crud/tests (git aaaa), /d/data/sessions (no identity)"},
		{"other root", func(s []*Run) []*Run { s[0].Corpus = s[0].Corpus[:1]; return s }, "merge: report 2: other corpus roots"},
		{"other skip", func(s []*Run) []*Run { s[1].Filters.Skip = ""; return s },
			"merge: report 2: other filters: (none); report 1: --skip slow"},
		{"other run", func(s []*Run) []*Run { s[0].Filters.Run = "crud"; return s },
			"merge: report 2: other filters: --skip slow; report 1: --run crud --skip slow"},
		{"other specrun", func(s []*Run) []*Run { s[1].SpecrunVersion = "v2"; return s },
			"merge: report 2: made by specrun v2, driver go.mongodb.org/mongo-driver/v2 v2.9.3; report 1 by specrun v1"},
		{"expectations in one", func(s []*Run) []*Run { s[0].Expect = &Evaluation{File: "e.yml"}; return s },
			"merge: report 2: no expectations file; report 1: expectations file e.yml"},
		{"other expectations file", func(s []*Run) []*Run {
			s[0].Expect = &Evaluation{File: "e.yml"}
			s[1].Expect = &Evaluation{File: "f.yml"}
			return s
		}, "merge: report 2: expectations file f.yml; report 1: expectations file e.yml"},
		{"overlap", func(s []*Run) []*Run { s[1].Tests = append(s[1].Tests, s[0].Tests[0]); return s },
			"is in shard 1/2 too: the shards overlap"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Merge(c.change(shardsOf(corpusRun(), 2, byHash(2)))...)
			var me *MergeError
			if !errors.As(err, &me) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want a MergeError with %q", err, c.want)
			}
		})
	}
}

func TestMergeExpectations(t *testing.T) {
	whole := corpusRun()
	exp := &Expectations{Path: "e.yml", Entries: []Entry{
		{ID: "crud/unified/b-c/x/0", Status: result.Fail, Reason: "r", Line: 1},
		{ID: "crud/unified/find/f", Status: result.Fail, Reason: "r", Line: 2},
		{Prefix: "gridfs/", Status: result.Unsupported, Reason: "r", Line: 3},
		{Prefix: "sessions/", Status: result.Pass, Reason: "r", Line: 4},
	}}
	want := exp.Evaluate(whole.Tests, nil)
	shards := shardsOf(whole, 2, func(f string) int { return b2i(strings.Contains(f, "/b")) })
	for _, s := range shards {
		// judged against its own tests only: every entry is stale in some shard
		ev := exp.Evaluate(s.Tests, nil)
		if len(ev.Stale) < 2 {
			t.Fatalf("shard %s: stale %+v; the test needs entries stale in one shard only", s.Filters.Shard, ev.Stale)
		}
		s.Expect = &ev
	}
	// only gridfs/ is stale in both
	m, err := Merge(shards...)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m.Expect.Verdicts, want.Verdicts) {
		t.Errorf("verdicts differ from the unsharded run's:\n got %+v\nwant %+v", m.Expect.Verdicts, want.Verdicts)
	}
	if len(m.Expect.Stale) != 1 || m.Expect.Stale[0].Prefix != "gridfs/" {
		t.Errorf("stale = %+v", m.Expect.Stale)
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, m); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	if back.Expect.OK() || back.Expect.Count(Regression) != 1 || back.Expect.Count(UnexpectedPass) != 1 {
		t.Errorf("merged verdict: ok %v, %d regressions, %d unexpected passes", back.Expect.OK(),
			back.Expect.Count(Regression), back.Expect.Count(UnexpectedPass))
	}
}
