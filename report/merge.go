package report

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/specrun/specrun/result"
)

// MergeError says why reports cannot be merged. Input is the position of the report
// it is about (counted from 0), -1 when it is about none in particular.
type MergeError struct {
	Input int
	Msg   string
}

func (e *MergeError) Error() string {
	if e.Input < 0 {
		return "merge: " + e.Msg
	}
	return fmt.Sprintf("merge: report %d: %s", e.Input+1, e.Msg)
}

// Merge joins the reports of the shards of one run (specrun run --shard I/N) into
// the report the unsharded run would have given. The inputs must be shards of the
// same N with distinct indices, made by the same specrun and driver against the
// same server (version, topology, wire version, embedded, capabilities; not the
// URI: the embedded server's port changes), on the same corpus roots (path and
// identity) with the same --run and --skip, all with or all without the same
// expectations file; anything else is a *MergeError.
//
// The merged report is not a shard (Filters.Shard is zero). It started when the
// first shard started and took as long as the longest (shards run in parallel);
// its corpus roots count the files of every shard; its tests are in the order of
// the unsharded run (see runOrder), whatever order the shards ran their files in
// (--shuffle): it keeps the shards' seed when they all had the same, which repeats
// each shard's order. When shards are missing, or some shard is partial, the merged
// report is partial: the reason names the missing shards and the partial ones,
// NotRun is the union of the shards' (the tests of a missing shard are unknown).
// With expectations, the verdicts are the shards'; an entry is stale only if it is
// stale in every shard, since each shard judged staleness against the whole corpus.
func Merge(runs ...*Run) (*Run, error) {
	if len(runs) == 0 {
		return nil, &MergeError{-1, "no reports"}
	}
	first := runs[0]
	count := first.Filters.Shard.Count
	byIndex := map[int]int{}
	for i, r := range runs {
		fail := func(format string, args ...any) (*Run, error) {
			return nil, &MergeError{i, fmt.Sprintf(format, args...)}
		}
		sh := r.Filters.Shard
		switch {
		case sh.Count == 0:
			return fail("not a shard report (run without --shard)")
		case sh.Count != count:
			return fail("shard %s is not one of %d like report 1 (%s)", sh, count, first.Filters.Shard)
		case byIndex[sh.Index] != 0:
			return fail("shard %s again (report %d is shard %s too)", sh, byIndex[sh.Index], sh)
		}
		byIndex[sh.Index] = i + 1
		if i == 0 {
			continue
		}
		if r.SpecrunVersion != first.SpecrunVersion || r.Driver != first.Driver {
			return fail("made by specrun %s, driver %s; report 1 by specrun %s, driver %s",
				r.SpecrunVersion, r.Driver, first.SpecrunVersion, first.Driver)
		}
		if !sameServer(r.Server, first.Server) {
			return fail("other server: %s; report 1: %s", serverIdentityNoURI(r.Server), serverIdentityNoURI(first.Server))
		}
		if !sameRoots(r.Corpus, first.Corpus) {
			return fail("other corpus roots: %s; report 1: %s", rootsString(r.Corpus), rootsString(first.Corpus))
		}
		if r.Filters.Run != first.Filters.Run || r.Filters.Skip != first.Filters.Skip {
			return fail("other filters: %s; report 1: %s",
				orNone(filtersString(Filters{Run: r.Filters.Run, Skip: r.Filters.Skip})),
				orNone(filtersString(Filters{Run: first.Filters.Run, Skip: first.Filters.Skip})))
		}
		switch {
		case (r.Expect == nil) != (first.Expect == nil) || r.Expect != nil && r.Expect.File != first.Expect.File:
			return fail("%s; report 1: %s", expectationsFile(r.Expect), expectationsFile(first.Expect))
		}
	}

	m := &Run{
		SpecrunVersion: first.SpecrunVersion,
		Driver:         first.Driver,
		Server:         first.Server,
		Started:        first.Started,
		Filters:        Filters{Run: first.Filters.Run, Skip: first.Filters.Skip},
	}
	if !slices.ContainsFunc(runs, func(r *Run) bool { return r.Filters.Shuffle != first.Filters.Shuffle }) {
		m.Filters.Shuffle = first.Filters.Shuffle
	}
	m.Server.Capabilities = maps.Clone(first.Server.Capabilities)
	for _, c := range first.Corpus {
		c.Identity.ProvenanceCommits = slices.Clone(c.Identity.ProvenanceCommits)
		c.Files = 0
		m.Corpus = append(m.Corpus, c)
	}

	type entry struct {
		test    result.Test
		verdict Verdict
		shard   Shard
	}
	var tests []entry
	var notRun []result.Test
	var partial []string
	seen := map[[2]string]Shard{}
	for i, r := range runs {
		sh := r.Filters.Shard
		if r.Started.Before(m.Started) {
			m.Started = r.Started
		}
		m.Duration = max(m.Duration, r.Duration)
		for j := range r.Corpus {
			m.Corpus[j].Files += r.Corpus[j].Files
		}
		if r.Expect != nil && len(r.Expect.Verdicts) != len(r.Tests) {
			return nil, &MergeError{i, fmt.Sprintf("%d verdicts for %d tests", len(r.Expect.Verdicts), len(r.Tests))}
		}
		for j, t := range r.Tests {
			k := [2]string{t.ID, t.File}
			if other, dup := seen[k]; dup {
				return nil, &MergeError{i, fmt.Sprintf("test %q of %s is in shard %s too: the shards overlap", t.ID, t.File, other)}
			}
			seen[k] = sh
			e := entry{test: t, shard: sh}
			if r.Expect != nil {
				e.verdict = r.Expect.Verdicts[j]
			}
			tests = append(tests, e)
		}
		if p := r.Partial; p != nil {
			partial = append(partial, fmt.Sprintf("shard %s: %s", sh, orUnknown(p.Reason)))
			notRun = append(notRun, p.NotRun...)
		}
	}

	order := runOrder(m.Corpus)
	sort.SliceStable(tests, func(i, j int) bool { return order(tests[i].test, tests[j].test) < 0 })
	sort.SliceStable(notRun, func(i, j int) bool { return order(notRun[i], notRun[j]) < 0 })
	for _, e := range tests {
		m.Tests = append(m.Tests, e.test)
	}

	if first.Expect != nil {
		ev := &Evaluation{File: first.Expect.File}
		for _, e := range tests {
			ev.Verdicts = append(ev.Verdicts, e.verdict)
		}
		for _, s := range first.Expect.Stale {
			everywhere := true
			for _, r := range runs[1:] {
				if !slices.ContainsFunc(r.Expect.Stale, func(o *Entry) bool { return *o == *s }) {
					everywhere = false
					break
				}
			}
			if everywhere {
				e := *s
				ev.Stale = append(ev.Stale, &e)
			}
		}
		m.Expect = ev
	}

	var missing []string
	for i := 1; i <= count; i++ {
		if byIndex[i] == 0 {
			missing = append(missing, Shard{i, count}.String())
		}
	}
	var reasons []string
	switch len(missing) {
	case 0:
	case 1:
		reasons = append(reasons, "shard "+missing[0]+" missing")
	default:
		reasons = append(reasons, "shards "+strings.Join(missing, ", ")+" missing")
	}
	reasons = append(reasons, partial...)
	if len(reasons) > 0 {
		m.Partial = &Partial{Reason: strings.Join(reasons, "; "), NotRun: notRun}
	}
	return m, nil
}

func expectationsFile(ev *Evaluation) string {
	if ev == nil {
		return "no expectations file"
	}
	return "expectations file " + orNone(ev.File)
}

func sameServer(a, b ServerInfo) bool {
	return a.Name == b.Name && a.Version == b.Version && a.Topology == b.Topology && a.Embedded == b.Embedded &&
		a.MaxWireVersion == b.MaxWireVersion && maps.Equal(a.Capabilities, b.Capabilities)
}

func serverIdentityNoURI(s ServerInfo) string {
	s.URI = ""
	return serverIdentity(s)
}

func sameRoots(a, b []CorpusRoot) bool {
	return slices.EqualFunc(a, b, func(x, y CorpusRoot) bool {
		return x.Root == y.Root && sameIdentity(x.Identity, y.Identity)
	})
}

func rootsString(roots []CorpusRoot) string {
	var parts []string
	for _, c := range roots {
		id := c.Identity.String()
		if id == "" {
			id = "no identity"
		}
		parts = append(parts, c.Root+" ("+id+")")
	}
	return orNone(strings.Join(parts, ", "))
}

// runOrder compares two results by the place of their files in an unsharded run:
// specrun runs the corpus roots in argument order, and the files of a root in the
// order specifications.Discover gives (their paths sorted as strings; a test in
// report_test pins this against Discover). A file under none of the roots comes
// last. Tests of one file compare equal: a stable sort keeps them in run order.
func runOrder(roots []CorpusRoot) func(a, b result.Test) int {
	clean := make([]string, len(roots))
	for i, c := range roots {
		clean[i] = filepath.Clean(c.Root)
	}
	rootOf := func(file string) int {
		file = filepath.Clean(file)
		for i, r := range clean {
			if file == r || strings.HasPrefix(file, r+string(filepath.Separator)) || r == "." && !filepath.IsAbs(file) {
				return i
			}
		}
		return len(roots)
	}
	return func(a, b result.Test) int {
		if ra, rb := rootOf(a.File), rootOf(b.File); ra != rb {
			return ra - rb
		}
		return strings.Compare(filepath.Clean(a.File), filepath.Clean(b.File))
	}
}
