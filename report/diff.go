package report

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// DiffResult is what changed between two reports of the same corpus, test by test.
type DiffResult struct {
	// Regressions: not failing before (pass, skip, unsupported), fail or error now.
	Regressions []Change
	// Fixes: fail or error before, pass now.
	Fixes []Change
	// StatusChanges: every other change of status, e.g. pass → unsupported (a test no
	// longer judged), fail → error, fail → skip.
	StatusChanges []Change
	// ReasonChanges: the same status other than pass, with another reason.
	ReasonChanges []Change
	// New and Removed: tests only in the new or only in the old report. A test that
	// a partial report lists as not run is neither.
	New, Removed []result.Test
	// KeyedByFile are IDs that occur more than once in a report (both corpus
	// layouts in one run): their tests are matched by ID and file, not by ID alone.
	KeyedByFile []string
	// Warnings say why the reports may not be comparable test for test.
	Warnings []string
}

// Change is one test in both reports.
type Change struct{ Old, New result.Test }

// Regressed reports whether any test regressed: the exit status of specrun diff.
func (d DiffResult) Regressed() bool { return len(d.Regressions) > 0 }

// Diff compares two reports. Tests are matched by ID, or by ID and file for an ID
// that occurs more than once in either report. Changes and new tests are in the new
// report's order, removed tests in the old report's.
func Diff(old, new *Run) DiffResult {
	var d DiffResult
	var key func(result.Test) string
	key, d.KeyedByFile = matchKeys(old, new)
	notRun := func(r *Run) map[string]bool { return notRunKeys(r, key) }
	oldNotRun, newNotRun := notRun(old), notRun(new)

	before := map[string]result.Test{}
	for _, t := range old.Tests {
		before[key(t)] = t
	}
	after := map[string]bool{}
	for _, n := range new.Tests {
		k := key(n)
		after[k] = true
		o, ok := before[k]
		switch {
		case !ok:
			if !oldNotRun[k] {
				d.New = append(d.New, n)
			}
		case o.Status == n.Status:
			if n.Status != result.Pass && !SameReason(o.Reason, n.Reason) {
				d.ReasonChanges = append(d.ReasonChanges, Change{o, n})
			}
		case !o.Status.Failing() && n.Status.Failing():
			d.Regressions = append(d.Regressions, Change{o, n})
		case o.Status.Failing() && n.Status == result.Pass:
			d.Fixes = append(d.Fixes, Change{o, n})
		default:
			d.StatusChanges = append(d.StatusChanges, Change{o, n})
		}
	}
	for _, o := range old.Tests {
		if k := key(o); !after[k] && !newNotRun[k] {
			d.Removed = append(d.Removed, o)
		}
	}
	d.Warnings = comparability(old, new)
	return d
}

// matchKeys gives the key that matches a test across reports (diff, compare): its ID,
// or its ID and file for an ID that occurs more than once in a report (both corpus
// layouts in one run); keyedByFile are those IDs, sorted.
func matchKeys(runs ...*Run) (key func(result.Test) string, keyedByFile []string) {
	dup := map[string]bool{}
	for _, r := range runs {
		seen := map[string]bool{}
		for _, t := range r.Tests {
			if seen[t.ID] && !dup[t.ID] {
				dup[t.ID] = true
				keyedByFile = append(keyedByFile, t.ID)
			}
			seen[t.ID] = true
		}
	}
	slices.Sort(keyedByFile)
	return func(t result.Test) string {
		if dup[t.ID] {
			return t.ID + "\x00" + t.File
		}
		return t.ID
	}, keyedByFile
}

// notRunKeys are the keys of the tests a partial report lists as not run: absent from
// it, but not gone from the corpus.
func notRunKeys(r *Run, key func(result.Test) string) map[string]bool {
	m := map[string]bool{}
	if r.Partial != nil {
		for _, t := range r.Partial.NotRun {
			m[key(t)] = true
		}
	}
	return m
}

// comparability says why two reports may not be comparable test for test.
func comparability(old, new *Run) []string {
	var w []string
	if c := corpusDifference(old.Corpus, new.Corpus, "OLD", "NEW"); c != "" {
		w = append(w, c)
	}
	if o, n := serverLine(old.Server), serverLine(new.Server); o != n {
		w = append(w, fmt.Sprintf("other server: OLD %s, NEW %s", o, n))
	}
	if o, n := unorderedFilters(old.Filters), unorderedFilters(new.Filters); o != n {
		w = append(w, fmt.Sprintf("other filters: OLD %s, NEW %s", orNone(o), orNone(n)))
	}
	for _, x := range []struct {
		name string
		r    *Run
	}{{"OLD", old}, {"NEW", new}} {
		if p := x.r.Partial; p != nil {
			w = append(w, fmt.Sprintf("%s is partial (%s): %s did not run; a partial report's not-run tests are neither new nor removed",
				x.name, orUnknown(p.Reason), plural(len(p.NotRun), "selected test", "selected tests")))
		}
	}
	return w
}

// serverLine is what identifies a server for a comparison: version, topology and
// whether it is the embedded one (not its URI: the embedded server's port changes).
func serverLine(s ServerInfo) string {
	line := orUnknown(s.Version) + " " + orUnknown(s.Topology)
	if s.Embedded {
		line += " (embedded)"
	}
	return line
}

// unorderedFilters is the filters as flags but the order the files ran in, which is no
// difference: verdicts must not depend on it.
func unorderedFilters(f Filters) string {
	f.Shuffle = ""
	return filtersString(f)
}

// corpusDifference says how the corpora of two reports, called oldName and newName,
// differ, or "".
func corpusDifference(old, new []CorpusRoot, oldName, newName string) string {
	other := fmt.Sprintf("other corpus: %s %s, %s %s", oldName, rootsString(old), newName, rootsString(new))
	if len(old) != len(new) {
		return other
	}
	for i := range old {
		o, n := old[i].Identity, new[i].Identity
		switch {
		case !sameIdentity(o, n):
			return other
		case o.Empty() && old[i].Root != new[i].Root:
			return fmt.Sprintf("corpus roots differ and carry no identity, it may be another corpus: %s %s, %s %s",
				oldName, rootsString(old), newName, rootsString(new))
		}
	}
	return ""
}

// sameIdentity reports whether two identities name the same corpus version. The
// PROVENANCE file's path is not compared: the same file may be checked out elsewhere.
func sameIdentity(a, b specifications.Identity) bool {
	return a.GitCommit == b.GitCommit && a.ProvenanceSHA256 == b.ProvenanceSHA256 &&
		slices.Equal(a.ProvenanceCommits, b.ProvenanceCommits) && a.GoModule == b.GoModule &&
		a.DebianPackage == b.DebianPackage && a.DebianVersion == b.DebianVersion
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// WriteText writes the diff for people: warnings, a line of counts, then one line
// per test.
//
//	warning: other server: OLD 7.0.42 single (embedded), NEW 8.0.4 replicaset
//	2 regressions, 1 fix, 1 other status change, 0 changed reasons, 3 new tests, 0 removed tests
//	regression: crud/unified/find/a: pass → fail: expected 1, got 2
//	fix: crud/unified/find/b: fail → pass
//	status: crud/unified/find/c: pass → unsupported: no fail points
//	reason: crud/unified/find/d (fail):
//	    was: x
//	    now: y
//	new: crud/unified/find/e (pass)
//	removed: crud/unified/find/f (fail)
func (d DiffResult) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, warning := range d.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", warning)
	}
	if len(d.KeyedByFile) > 0 {
		fmt.Fprintf(&b, "note: %s occurring more than once in a report, matched by ID and file: %s\n",
			plural(len(d.KeyedByFile), "ID", "IDs"), strings.Join(d.KeyedByFile, ", "))
	}
	fmt.Fprintf(&b, "%s, %s, %s, %s, %s, %s\n",
		plural(len(d.Regressions), "regression", "regressions"),
		plural(len(d.Fixes), "fix", "fixes"),
		plural(len(d.StatusChanges), "other status change", "other status changes"),
		plural(len(d.ReasonChanges), "changed reason", "changed reasons"),
		plural(len(d.New), "new test", "new tests"),
		plural(len(d.Removed), "removed test", "removed tests"))
	name := func(t result.Test) string {
		if len(d.KeyedByFile) > 0 && slices.Contains(d.KeyedByFile, t.ID) {
			return t.ID + " [" + t.File + "]"
		}
		return t.ID
	}
	change := func(kind string, c Change) {
		fmt.Fprintf(&b, "%s: %s: %s → %s", kind, name(c.New), c.Old.Status, c.New.Status)
		if r := firstLine(c.New.Reason); r != "" {
			fmt.Fprintf(&b, ": %s", r)
		}
		b.WriteByte('\n')
	}
	for _, c := range d.Regressions {
		change("regression", c)
	}
	for _, c := range d.Fixes {
		change("fix", c)
	}
	for _, c := range d.StatusChanges {
		change("status", c)
	}
	for _, c := range d.ReasonChanges {
		fmt.Fprintf(&b, "reason: %s (%s):\n    was: %s\n    now: %s\n", name(c.New), c.New.Status,
			firstLine(c.Old.Reason), firstLine(c.New.Reason))
	}
	for _, t := range d.New {
		fmt.Fprintf(&b, "new: %s (%s)\n", name(t), t.Status)
	}
	for _, t := range d.Removed {
		fmt.Fprintf(&b, "removed: %s (%s)\n", name(t), t.Status)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// The JSON form of a diff (specrun diff --json).
type (
	jsonDiff struct {
		Regressed     bool             `json:"regressed"`
		Warnings      []string         `json:"warnings"`
		KeyedByFile   []string         `json:"keyedByFile"`
		Regressions   []jsonChange     `json:"regressions"`
		Fixes         []jsonChange     `json:"fixes"`
		StatusChanges []jsonChange     `json:"statusChanges"`
		ReasonChanges []jsonChange     `json:"reasonChanges"`
		New           []jsonDiffResult `json:"new"`
		Removed       []jsonDiffResult `json:"removed"`
	}
	jsonChange struct {
		ID   string        `json:"id"`
		File string        `json:"file"`
		Old  jsonDiffState `json:"old"`
		New  jsonDiffState `json:"new"`
	}
	jsonDiffState struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
	jsonDiffResult struct {
		ID     string `json:"id"`
		File   string `json:"file"`
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
)

// WriteJSON writes the diff as JSON: every list present (empty rather than null),
// each change with the test's ID and new file and the old and new status and reason.
func (d DiffResult) WriteJSON(w io.Writer) error {
	changes := func(cs []Change) []jsonChange {
		out := make([]jsonChange, 0, len(cs))
		for _, c := range cs {
			out = append(out, jsonChange{ID: c.New.ID, File: c.New.File,
				Old: jsonDiffState{string(c.Old.Status), c.Old.Reason}, New: jsonDiffState{string(c.New.Status), c.New.Reason}})
		}
		return out
	}
	results := func(rs []result.Test) []jsonDiffResult {
		out := make([]jsonDiffResult, 0, len(rs))
		for _, r := range rs {
			out = append(out, jsonDiffResult{r.ID, r.File, string(r.Status), r.Reason})
		}
		return out
	}
	j := jsonDiff{
		Regressed:     d.Regressed(),
		Warnings:      append([]string{}, d.Warnings...),
		KeyedByFile:   append([]string{}, d.KeyedByFile...),
		Regressions:   changes(d.Regressions),
		Fixes:         changes(d.Fixes),
		StatusChanges: changes(d.StatusChanges),
		ReasonChanges: changes(d.ReasonChanges),
		New:           results(d.New),
		Removed:       results(d.Removed),
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(&j)
}
