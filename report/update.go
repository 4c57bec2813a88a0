package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/specrun/specrun/result"
)

// TODOReason starts the reason of every entry --update-expect adds or changes: a
// person has to say why the server does this. What follows is specrun's own reason
// for the test's status, as a start.
const TODOReason = "TODO: say why. specrun: "

// Update is what UpdateExpectations changed, for the message after writing.
type Update struct {
	Expectations *Expectations
	Added        []Entry // new entries (reason marked TODO unless one was found)
	Changed      []Entry // id entries whose status changed (reason marked TODO)
	Removed      []Entry // entries that decide no test any more, or whose test now passes
}

// UpdateExpectations returns the expectations that the run satisfies, starting from
// base (nil for none) and changing as little as possible:
//
//   - an entry that decides no test (of results or of known, as in Evaluate) goes;
//   - an id entry whose test now ends with another status takes that status, or goes
//     when the test passes (unless a prefix entry would then decide it);
//   - a prefix entry that none of its tests meets any more goes, unless it decides
//     tests that did not run;
//   - every test that is still not met gets an id entry with its status.
//
// Entries keep their reasons. A new or changed entry takes the reason of an entry
// with the same id and status in one of reasons (e.g. the file being rewritten, when
// base came from --expect), else a TODOReason. Entries come out sorted by id or
// prefix, so that the file diffs well from one release to the next.
func UpdateExpectations(base *Expectations, results []result.Test, known []string, reasons ...*Expectations) Update {
	var up Update
	exp := &Expectations{}
	if base != nil {
		exp.Path = base.Path
		exp.Entries = append(exp.Entries, base.Entries...)
	}
	for i := range exp.Entries {
		exp.Entries[i].Line = 0
	}
	reasonFor := func(e Entry, r result.Test) string {
		for _, other := range reasons {
			if other == nil {
				continue
			}
			for _, o := range other.Entries {
				if o.ID == e.ID && o.Prefix == e.Prefix && o.Status == e.Status {
					return o.Reason
				}
			}
		}
		reason := result.OneLine(r.Reason)
		if reason == "" {
			reason = string(r.Status)
		}
		return TODOReason + reason
	}
	ran := map[string]bool{}
	for _, r := range results {
		ran[r.ID] = true
	}
	notRun := func(e *Entry) bool { // decides a known test that did not run
		for _, id := range known {
			if !ran[id] && decides(exp, e, id) {
				return true
			}
		}
		return false
	}

	// 1. Stale entries go.
	up.Removed = append(up.Removed, exp.removeStale(results, known)...)

	// 2. Id entries follow their test.
	for _, r := range results {
		e, ok := exp.Lookup(r.ID)
		if !ok || e.Prefix != "" || e.Status == r.Status {
			continue
		}
		if r.Status != result.Pass {
			e.Status = r.Status
			e.Reason = reasonFor(*e, r)
			up.Changed = append(up.Changed, *e)
			continue
		}
		removed := *e
		exp.remove(e)
		if other, ok := exp.Lookup(r.ID); ok && other.Status != result.Pass {
			// A prefix entry would decide it now: keep the id entry, as a pass.
			removed.Status, removed.Reason = result.Pass, reasonFor(Entry{ID: r.ID, Status: result.Pass}, r)
			exp.Entries = append(exp.Entries, removed)
			up.Changed = append(up.Changed, removed)
			continue
		}
		up.Removed = append(up.Removed, removed)
	}

	// 3. Prefix entries that no test meets go.
	for i := 0; i < len(exp.Entries); i++ {
		e := &exp.Entries[i]
		if e.Prefix == "" {
			continue
		}
		met := false
		for _, r := range results {
			if r.Status == e.Status && decides(exp, e, r.ID) {
				met = true
				break
			}
		}
		if !met && !notRun(e) {
			up.Removed = append(up.Removed, *e)
			exp.remove(e)
			i--
		}
	}

	// 4. Every test not met gets its own entry.
	for _, r := range results {
		e, _ := exp.Lookup(r.ID)
		if o := judge(r.Status, e); o == OK || o == Expected {
			continue
		}
		n := Entry{ID: r.ID, Status: r.Status}
		n.Reason = reasonFor(n, r)
		exp.Entries = append(exp.Entries, n)
		up.Added = append(up.Added, n)
	}

	// 5. Prefix entries every test of which now has its own entry decide nothing.
	up.Removed = append(up.Removed, exp.removeStale(results, known)...)

	sort.SliceStable(exp.Entries, func(i, j int) bool { return exp.Entries[i].key() < exp.Entries[j].key() })
	up.Expectations = exp
	return up
}

func (e *Entry) key() string {
	if e.Prefix != "" {
		return e.Prefix
	}
	return e.ID
}

// decides reports whether Lookup gives e for the test id.
func decides(exp *Expectations, e *Entry, id string) bool {
	got, ok := exp.Lookup(id)
	return ok && got.identity() == e.identity()
}

func (exp *Expectations) remove(e *Entry) {
	for i := range exp.Entries {
		if exp.Entries[i].identity() == e.identity() {
			exp.Entries = append(exp.Entries[:i], exp.Entries[i+1:]...)
			return
		}
	}
}

func (exp *Expectations) removeStale(results []result.Test, known []string) []Entry {
	stale := exp.Evaluate(results, known).Stale
	var removed []Entry
	for _, s := range stale {
		removed = append(removed, *s)
	}
	kept := exp.Entries[:0]
	for i := range exp.Entries {
		isStale := false
		for _, s := range stale {
			if s.identity() == exp.Entries[i].identity() {
				isStale = true
			}
		}
		if !isStale {
			kept = append(kept, exp.Entries[i])
		}
	}
	exp.Entries = kept
	return removed
}

// DefaultExpectationsHeader opens a file that --update-expect writes from scratch.
const DefaultExpectationsHeader = `# What this server is known to do today: specrun --expect FILE fails the run only on
# departures from it. Every entry says why; entries whose reason starts with "TODO:"
# were written by specrun --update-expect and wait for a person to say why.
`

// WriteExpectations writes exp as an expectations file that LoadExpectations reads
// back to the same entries: header (comment lines, kept as given) then the entries.
func WriteExpectations(w io.Writer, header string, exp *Expectations) error {
	var b bytes.Buffer
	b.WriteString(header)
	if len(exp.Entries) == 0 {
		b.WriteString("tests: []\n")
	} else {
		b.WriteString("tests:\n")
	}
	for _, e := range exp.Entries {
		if e.Prefix != "" {
			fmt.Fprintf(&b, "  - prefix: %s\n", yamlString(e.Prefix))
		} else {
			fmt.Fprintf(&b, "  - id: %s\n", yamlString(e.ID))
		}
		fmt.Fprintf(&b, "    status: %s\n    reason: %s\n", e.Status, yamlString(e.Reason))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// yamlString quotes s as a YAML double-quoted scalar: a JSON string is one.
func yamlString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// HeaderComment returns the comment lines an expectations file starts with (and the
// blank lines among them), to keep them when the file is rewritten.
func HeaderComment(data []byte) string {
	var b strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") {
			break
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}
