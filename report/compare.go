package report

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/specrun/specrun/result"
)

// Comparison is the reports of different servers on the same corpus, side by side
// (specrun compare): each server's counts per spec, and the tests whose status is not
// the same on every server.
type Comparison struct {
	// Servers heads the columns, one per report in the order given: the server's name
	// (server.name, from --server-name or the embedded server), else what the report
	// says of it (version, topology, embedded). Names that would repeat get the
	// report's number.
	Servers []string
	Specs   []SpecCounts // sorted by spec
	Total   []Summary    // one per server
	// Differences are the tests whose status differs between servers (or that some
	// report does not have), in the order of the first report that has them. A test
	// a partial report did not run is, as in Diff, no difference by that alone.
	Differences []Difference
	// Notes say why the reports may not be comparable test for test although their
	// corpus is the same (other filters, a partial run).
	Notes []string
}

// SpecCounts is one spec's counts, one per server.
type SpecCounts struct {
	Spec   string
	Counts []Summary
}

// Difference is one test whose status is not the same on every server.
type Difference struct {
	ID, File string
	// KeyedByFile: the ID occurs more than once in a report (both corpus layouts in one
	// run), so the test is matched by ID and file, and named with its file.
	KeyedByFile bool
	// Results has one entry per server: nil when that report does not have the test.
	Results []*result.Test
	// NotRun has one entry per server: true when that report is partial and lists the
	// test as not run (its Results entry is nil).
	NotRun []bool
}

// CompareError says why reports cannot be compared.
type CompareError struct{ Msg string }

func (e *CompareError) Error() string { return "compare: " + e.Msg }

// Compare puts reports of different servers side by side. They must be of the same
// corpus (the same roots' identities, or the same root paths where there is no
// identity), as diff's comparability says; anything else is a *CompareError that names
// the difference. Other filters and partial reports are notes: their tests are still
// compared, but a test a partial report did not run is, as in Diff, no difference by
// its absence alone.
func Compare(runs ...*Run) (*Comparison, error) {
	if len(runs) < 2 {
		return nil, &CompareError{fmt.Sprintf("want two reports or more, got %d", len(runs))}
	}
	c := &Comparison{Servers: columnNames(runs)}
	first := runs[0]
	for i, r := range runs[1:] {
		if d := corpusDifference(first.Corpus, r.Corpus, "report 1", fmt.Sprintf("report %d", i+2)); d != "" {
			return nil, &CompareError{fmt.Sprintf("report %d (%s) is not of the corpus of report 1 (%s): %s", i+2, c.Servers[i+1], c.Servers[0], d)}
		}
		if a, b := unorderedFilters(first.Filters), unorderedFilters(r.Filters); a != b {
			c.Notes = append(c.Notes, fmt.Sprintf("other filters: report 1 %s, report %d %s", orNone(a), i+2, orNone(b)))
		}
	}
	for i, r := range runs {
		if p := r.Partial; p != nil {
			c.Notes = append(c.Notes, fmt.Sprintf("report %d (%s) is partial (%s): %s did not run; a test it did not run is no difference by that alone", i+1, c.Servers[i],
				orUnknown(p.Reason), plural(len(p.NotRun), "selected test", "selected tests")))
		}
	}
	c.count(runs)
	c.differences(runs)
	return c, nil
}

// columnNames names each report's server; a name that two reports would share gets
// the report's number.
func columnNames(runs []*Run) []string {
	names := make([]string, len(runs))
	seen := map[string]int{}
	for i, r := range runs {
		names[i] = r.Server.Name
		if names[i] == "" {
			names[i] = serverLine(r.Server)
		}
		seen[names[i]]++
	}
	for i := range names {
		if seen[names[i]] > 1 {
			names[i] += fmt.Sprintf(" (report %d)", i+1)
		}
	}
	return names
}

func (c *Comparison) count(runs []*Run) {
	bySpec := map[string][]Summary{}
	for i, r := range runs {
		c.Total = append(c.Total, Summarize(r.Tests))
		for _, t := range r.Tests {
			s := specOf(t.ID)
			if bySpec[s] == nil {
				bySpec[s] = make([]Summary, len(runs))
			}
			bySpec[s][i].Total++
			if p := bySpec[s][i].count(t.Status); p != nil {
				*p++
			}
		}
	}
	for _, s := range slices.Sorted(maps.Keys(bySpec)) {
		c.Specs = append(c.Specs, SpecCounts{Spec: s, Counts: bySpec[s]})
	}
}

// differences matches the tests as Diff does (matchKeys). A test that a partial
// report lists as not run is, as in Diff, no difference by its absence: the row
// counts only the reports that ran it, and shows it in the others as not run.
func (c *Comparison) differences(runs []*Run) {
	key, keyedByFile := matchKeys(runs...)
	notRun := make([]map[string]bool, len(runs))
	for i, r := range runs {
		notRun[i] = notRunKeys(r, key)
	}
	index := map[string]int{} // key → its row
	var rows []Difference
	for i, r := range runs {
		for j := range r.Tests {
			t := &r.Tests[j]
			k := key(*t)
			at, ok := index[k]
			if !ok {
				at = len(rows)
				index[k] = at
				d := Difference{ID: t.ID, File: t.File, KeyedByFile: slices.Contains(keyedByFile, t.ID),
					Results: make([]*result.Test, len(runs)), NotRun: make([]bool, len(runs))}
				for n := range runs {
					d.NotRun[n] = notRun[n][k]
				}
				rows = append(rows, d)
			}
			rows[at].Results[i] = t
		}
	}
	for _, d := range rows {
		if d.differs() {
			c.Differences = append(c.Differences, d)
		}
	}
}

// differs says whether the reports that ran the test (all but a partial report's
// not-run) do not all have it with the same status.
func (d Difference) differs() bool {
	var first *result.Test
	seen := false
	for i, t := range d.Results {
		switch {
		case t == nil && d.NotRun[i]:
			continue
		case !seen:
			first, seen = t, true
		case t == nil || first == nil || t.Status != first.Status:
			return true
		}
	}
	return false
}

// name is the test's ID, with its file when the ID alone does not say which test.
func (d Difference) name() string {
	if d.KeyedByFile {
		return d.ID + " [" + d.File + "]"
	}
	return d.ID
}

// statusCounts is a Summary as "pass/fail/skip/unsupported/error".
func statusCounts(s Summary) string {
	return fmt.Sprintf("%d/%d/%d/%d/%d", s.Pass, s.Fail, s.Skip, s.Unsupported, s.Error)
}

// WriteText writes the comparison for people: the servers, a line per spec with each
// server's counts, then each test whose status differs with each server's status and
// reason.
//
//	servers: 1 = FerretDB 1.24.2, 2 = SecantusDB 0.7.0b3
//	counts: pass/fail/skip/unsupported/error
//	spec   FerretDB 1.24.2   SecantusDB 0.7.0b3
//	crud   137/148/160/42/0  340/8/103/36/0
//	Total  …
//	2 tests differ:
//	crud/unified/find/a
//	    FerretDB 1.24.2: fail: expected 1, got 2
//	    SecantusDB 0.7.0b3: pass
func (c *Comparison) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, n := range c.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	var servers []string
	for i, s := range c.Servers {
		servers = append(servers, fmt.Sprintf("%d = %s", i+1, s))
	}
	fmt.Fprintf(&b, "servers: %s\ncounts: pass/fail/skip/unsupported/error\n", strings.Join(servers, ", "))
	table := [][]string{append([]string{"spec"}, c.Servers...)}
	for _, s := range c.Specs {
		row := []string{s.Spec}
		for _, n := range s.Counts {
			row = append(row, statusCounts(n))
		}
		table = append(table, row)
	}
	total := []string{"Total"}
	for _, n := range c.Total {
		total = append(total, statusCounts(n))
	}
	writeColumns(&b, append(table, total))
	fmt.Fprintf(&b, "%s:\n", plural(len(c.Differences), "test differs", "tests differ"))
	for _, d := range c.Differences {
		b.WriteString(d.name() + "\n")
		for i := range d.Results {
			fmt.Fprintf(&b, "    %s: %s\n", c.Servers[i], d.resultText(i, firstLine))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// resultText is server i's result: "not run (partial report)" for a test its partial
// report did not run, else as resultText.
func (d Difference) resultText(i int, reason func(string) string) string {
	if d.Results[i] == nil && d.NotRun[i] {
		return "not run (partial report)"
	}
	return resultText(d.Results[i], reason)
}

// resultText is a test's status and reason, "not in this report" when it is absent.
func resultText(t *result.Test, reason func(string) string) string {
	switch {
	case t == nil:
		return "not in this report"
	case t.Status == result.Pass || t.Reason == "":
		return string(t.Status)
	}
	return string(t.Status) + ": " + reason(t.Reason)
}

// writeColumns writes rows with their cells padded to each column's width.
func writeColumns(b *strings.Builder, rows [][]string) {
	var width []int
	for _, row := range rows {
		for i, cell := range row {
			if i == len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], len([]rune(cell)))
		}
	}
	for _, row := range rows {
		var line strings.Builder
		for i, cell := range row {
			line.WriteString(cell)
			if i < len(row)-1 {
				line.WriteString(strings.Repeat(" ", width[i]-len([]rune(cell))+2))
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}

// WriteMarkdown writes the comparison as Markdown: a table of counts per spec with a
// column per server, then a table of the tests whose status differs, a column per
// server with its status and reason.
func (c *Comparison) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# specrun comparison\n\n")
	for i, s := range c.Servers {
		fmt.Fprintf(&b, "- **Server %d:** %s\n", i+1, mdText(s))
	}
	for _, n := range c.Notes {
		fmt.Fprintf(&b, "- **Note:** %s\n", mdText(n))
	}
	b.WriteString("\n## Results by spec\n\nEach cell: pass / fail / skip / unsupported / error.\n\n")
	header := func(first string) {
		b.WriteString("| " + first + " |")
		for _, s := range c.Servers {
			b.WriteString(" " + mdText(s) + " |")
		}
		b.WriteString("\n|:--|" + strings.Repeat(":--|", len(c.Servers)) + "\n")
	}
	header("Spec")
	cells := func(name string, counts []Summary) {
		b.WriteString("| " + name + " |")
		for _, n := range counts {
			b.WriteString(" " + strings.ReplaceAll(statusCounts(n), "/", " / ") + " |")
		}
		b.WriteByte('\n')
	}
	for _, s := range c.Specs {
		cells(mdText(s.Spec), s.Counts)
	}
	cells("**Total**", c.Total)
	fmt.Fprintf(&b, "\n## Tests whose status differs (%d)\n\n", len(c.Differences))
	if len(c.Differences) == 0 {
		b.WriteString("None.\n")
	} else {
		header("Test")
		for _, d := range c.Differences {
			b.WriteString("| " + mdText(d.name()) + " |")
			for i := range d.Results {
				b.WriteString(" " + mdText(d.resultText(i, firstLine)) + " |")
			}
			b.WriteByte('\n')
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// The JSON form of a comparison (specrun compare --json).
type (
	jsonComparison struct {
		Servers     []string         `json:"servers"`
		Notes       []string         `json:"notes"`
		Specs       []jsonSpecCounts `json:"specs"`
		Total       []Summary        `json:"total"`
		Differences []jsonDifference `json:"differences"`
	}
	jsonSpecCounts struct {
		Spec   string    `json:"spec"`
		Counts []Summary `json:"counts"`
	}
	jsonDifference struct {
		ID      string           `json:"id"`
		File    string           `json:"file"`
		Results []*jsonDiffState `json:"results"` // null where the report lacks the test
		// true where that report is partial and lists the test as not run (its result
		// null): absent when none is
		NotRun []bool `json:"notRun,omitempty"`
	}
)

// WriteJSON writes the comparison as JSON: the servers, the counts per spec and in
// total (one per server, in the servers' order), and the differing tests, each with
// one result per server (null where that report lacks the test), and, if a partial
// report lists it as not run, which (notRun).
func (c *Comparison) WriteJSON(w io.Writer) error {
	j := jsonComparison{Servers: c.Servers, Notes: append([]string{}, c.Notes...), Total: c.Total,
		Specs: []jsonSpecCounts{}, Differences: []jsonDifference{}}
	for _, s := range c.Specs {
		j.Specs = append(j.Specs, jsonSpecCounts(s))
	}
	for _, d := range c.Differences {
		jd := jsonDifference{ID: d.ID, File: d.File}
		if slices.Contains(d.NotRun, true) {
			jd.NotRun = d.NotRun
		}
		for _, t := range d.Results {
			if t == nil {
				jd.Results = append(jd.Results, nil)
				continue
			}
			jd.Results = append(jd.Results, &jsonDiffState{string(t.Status), t.Reason})
		}
		j.Differences = append(j.Differences, jd)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(&j)
}
