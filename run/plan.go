// Package run orchestrates a run of spec tests: it takes a plan (the loaded files, the
// selection of tests, the shard, the time limits, the expectations) and a server,
// judges the selected tests through the interpreter, hands each result to the sinks as
// it comes, and returns the record of the run: the report, with the expectations'
// judgement. specrun run and the go test entry point (Tests) both run through it; the
// command line only parses flags, starts the embedded server, prints and writes files.
package run

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/specrun/specrun/report"
	"github.com/specrun/specrun/specifications"
)

// Plan is what to run and how.
type Plan struct {
	// Loads are the files given, as loaded: every test of a loaded file is known (an
	// expectations entry that names it is not stale), whether it runs or not. Files of
	// other formats are left out.
	Loads     []specifications.LoadResult
	Selection Selection
	// Grace is how long a server that went away may take to answer again before it
	// is lost (DefaultGrace when zero).
	Grace time.Duration
	// Timeout bounds one test (DefaultTimeout when zero); MaxTime the whole
	// run (no limit when zero), after which the tests not started are not run and the
	// record is partial.
	Timeout, MaxTime time.Duration
	// Expect is the expectations file, nil if none.
	Expect *report.Expectations
	// AllowNonempty runs against a server that holds collections no test of the files
	// names, and has the sinks that are Noticers told which of the server's
	// collections the run may drop; without it such a server is refused (a server of
	// the run's own never is: Target.Own).
	AllowNonempty bool
	// Corpus names the corpus roots in the report.
	Corpus []report.CorpusRoot
	// Redact removes credentials from every result before it reaches a sink or the
	// record; nil redacts nothing.
	Redact *report.Redactor
	// Nesting enters each file and each test; nil enters them inline (see Nesting).
	Nesting Nesting
	// Shuffle, when set, is the seed of a random order in which the files run
	// (--shuffle); nil runs them in their own order. The tests of a file keep theirs.
	Shuffle *int64
	// Durations are how long tests took in an earlier run, by test ID (--durations):
	// ExecuteJobs starts the longest files first. Nil orders them by size.
	Durations map[string]time.Duration
}

// Selection says which tests of the plan's files run: a test runs when its file is in
// the shard and its ID matches Run (if set) and not Skip (if set).
type Selection struct {
	Run, Skip *regexp.Regexp
	Shard     report.Shard
}

// NewSelection compiles the --run and --skip expressions and parses the --shard I/N
// ("" for each: no filter).
func NewSelection(runRE, skipRE, shard string) (Selection, error) {
	var sel Selection
	var err error
	if runRE != "" {
		if sel.Run, err = regexp.Compile(runRE); err != nil {
			return sel, fmt.Errorf("--run: %w", err)
		}
	}
	if skipRE != "" {
		if sel.Skip, err = regexp.Compile(skipRE); err != nil {
			return sel, fmt.Errorf("--skip: %w", err)
		}
	}
	if shard != "" {
		if sel.Shard, err = report.ParseShard(shard); err != nil {
			return sel, err
		}
	}
	return sel, nil
}

// Filters are the selection as the report records it.
func (s Selection) Filters() report.Filters {
	f := report.Filters{Shard: s.Shard}
	if s.Run != nil {
		f.Run = s.Run.String()
	}
	if s.Skip != nil {
		f.Skip = s.Skip.String()
	}
	return f
}

// selects says whether the test with this ID runs (its file being in the shard).
func (s Selection) selects(id string) bool {
	return (s.Run == nil || s.Run.MatchString(id)) && (s.Skip == nil || !s.Skip.MatchString(id))
}

// inShard says whether a file belongs to the shard: shard 1 + fnv32a(file ID) mod N,
// which stays the same when other files come and go and on every machine. No shard
// keeps everything.
func (s Selection) inShard(fileID string) bool {
	if s.Shard.Count <= 1 {
		return true
	}
	h := fnv.New32a()
	h.Write([]byte(fileID))
	return int(h.Sum32()%uint32(s.Shard.Count)) == s.Shard.Index-1
}

// Files are the files of the plan that run: loaded or rejected (a rejected file is one
// error result), in the shard, in the order they run: their own, or the random order
// of Shuffle's seed (the same seed, the same order). Files of other formats never run.
func (p *Plan) Files() []specifications.LoadResult {
	var out []specifications.LoadResult
	for _, lr := range p.Loads {
		if lr.Kind != specifications.OtherFormat && p.Selection.inShard(lr.Source.ID) {
			out = append(out, lr)
		}
	}
	if p.Shuffle != nil {
		rand.New(rand.NewPCG(uint64(*p.Shuffle), 0)).Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	}
	return out
}

// FilesToRun is how many of Files need a server: those that loaded and have a test
// the selection keeps.
func (p *Plan) FilesToRun() int {
	n := 0
	for _, lr := range p.Files() {
		if p.runs(lr) {
			n++
		}
	}
	return n
}

// runs says whether the file runs on the server: it loaded, and the selection keeps
// one of its tests.
func (p *Plan) runs(lr specifications.LoadResult) bool {
	return lr.Kind == specifications.Loaded && slices.ContainsFunc(lr.File.Tests, func(t specifications.Test) bool { return p.Selection.selects(t.ID) })
}

// ParseShuffle reads --shuffle as go test reads -shuffle: "off" (or "") runs the files
// in their own order, "on" in a random one whose seed is now's nanoseconds, an integer
// in the random order of that seed. The seed is returned, for the run to print and
// record; nil when off.
func ParseShuffle(s string, now func() time.Time) (*int64, error) {
	switch s {
	case "", "off":
		return nil, nil
	case "on":
		seed := now().UnixNano()
		return &seed, nil
	}
	seed, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("--shuffle %q: want on, off or an integer seed", s)
	}
	return &seed, nil
}

// shuffleFilter is the seed as the report records it ("" when the files ran in their
// own order).
func (p *Plan) shuffleFilter() string {
	if p.Shuffle == nil {
		return ""
	}
	return strconv.FormatInt(*p.Shuffle, 10)
}

// TestCount is the number of results the plan's files give, filtered-out tests
// included: one per test of a loaded file, one per rejected file.
func (p *Plan) TestCount() int {
	n := 0
	for _, lr := range p.Files() {
		n += resultsOf(lr)
	}
	return n
}

// SelectedCount is the number of tests the run judges if it is not cut short: the
// tests of the plan's files that the selection keeps, and one per rejected file.
func (p *Plan) SelectedCount() int {
	n := 0
	for _, lr := range p.Files() {
		switch lr.Kind {
		case specifications.Loaded:
			for _, t := range lr.File.Tests {
				if p.Selection.selects(t.ID) {
					n++
				}
			}
		case specifications.Rejected:
			n++
		}
	}
	return n
}

func resultsOf(lr specifications.LoadResult) int {
	switch lr.Kind {
	case specifications.Loaded:
		return len(lr.File.Tests)
	case specifications.Rejected:
		return 1
	}
	return 0
}

// KnownIDs are the IDs of every test of the plan's files, in or out of the shard and
// selected or not: an expectations entry that names one of them is not stale.
func (p *Plan) KnownIDs() []string {
	var ids []string
	for _, lr := range p.Loads {
		switch lr.Kind {
		case specifications.Loaded:
			for _, t := range lr.File.Tests {
				ids = append(ids, t.ID)
			}
		case specifications.Rejected:
			ids = append(ids, lr.Source.ID)
		}
	}
	return ids
}

// SharedIDs counts the loaded files whose ID another loaded file has too, as when both
// corpus layouts are given (the same spec file gives the same ID in both), and
// describes the first such pair: reports and expectations cannot tell their tests apart.
func (p *Plan) SharedIDs() (int, string) {
	first := map[string]string{}
	n, example := 0, ""
	for _, lr := range p.Loads {
		if lr.Kind != specifications.Loaded {
			continue
		}
		other, seen := first[lr.Source.ID]
		if !seen {
			first[lr.Source.ID] = lr.Source.Path
			continue
		}
		if n++; example == "" {
			example = fmt.Sprintf("%s: %s and %s", lr.Source.ID, other, lr.Source.Path)
		}
	}
	return n, example
}
