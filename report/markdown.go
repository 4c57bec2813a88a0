package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// WriteMarkdown writes r as the Markdown report of DESIGN.md, release-note material: a
// header saying what ran against what (one line per corpus with its provenance, paths
// below the corpus root, the server by its product name) and the command that makes
// the report again; with an expectations file, the gate's verdict, its regressions,
// unexpected passes and stale entries; a table with a row per spec, each pass rate
// beside how many tests it judged; then the failures grouped by cause (with an
// expectations file, the known failures: regressions are above), with counts and a
// capped list of tests. Everything that comes from tests or the command line is
// escaped, so no description or reason can break the table or the lists.
func WriteMarkdown(w io.Writer, r *Run) error {
	var b strings.Builder
	b.WriteString("# specrun report\n\n")
	if p := r.Partial; p != nil {
		fmt.Fprintf(&b, "> **PARTIAL RUN:** %s did not run (%s). The counts below cover only the tests that ran.\n\n",
			plural(len(p.NotRun), "selected test", "selected tests"), mdText(orUnknown(p.Reason)))
	}
	writeMarkdownHeader(&b, r)
	if r.Expect != nil {
		writeMarkdownGate(&b, r.Expect)
	}
	writeMarkdownTable(&b, r.Tests)
	if r.Expect != nil {
		var known []result.Test
		for _, v := range r.Expect.Verdicts {
			if v.Judgement == Expected && v.Result.Status.Failing() {
				known = append(known, v.Result)
			}
		}
		writeMarkdownCauses(&b, "Known failures by cause", "expected by "+mdText(orNone(r.Expect.File)), known)
	} else {
		var failing []result.Test
		for _, t := range r.Tests {
			if t.Status.Failing() {
				failing = append(failing, t)
			}
		}
		writeMarkdownCauses(&b, "Failures by cause", "", failing)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeMarkdownTable(b *strings.Builder, tests []result.Test) {
	b.WriteString("\n## Results by spec\n\n")
	b.WriteString("| Spec | Pass | Fail | Skip | Unsupported | Error | Total | Pass rate |\n")
	b.WriteString("|:-----|-----:|-----:|-----:|------------:|------:|------:|----------:|\n")
	var specs []string
	bySpec := map[string][]result.Test{}
	for _, t := range tests {
		s := specOf(t.ID)
		if _, ok := bySpec[s]; !ok {
			specs = append(specs, s)
		}
		bySpec[s] = append(bySpec[s], t)
	}
	slices.Sort(specs)
	row := func(name string, s Summary) {
		fmt.Fprintf(b, "| %s | %d | %d | %d | %d | %d | %d | %s |\n", name,
			s.Pass, s.Fail, s.Skip, s.Unsupported, s.Error, s.Total, passRate(s))
	}
	for _, s := range specs {
		row(mdText(s), Summarize(bySpec[s]))
	}
	row("**Total**", Summarize(tests))
	b.WriteString("\nPass rate = pass / (pass + fail + error), rounded down to 0.1%, judged of all tests beside it " +
		"(the others were skipped or unsupported); — when no test was judged.\n")
}

func writeMarkdownHeader(b *strings.Builder, r *Run) {
	item := func(name, value string) { fmt.Fprintf(b, "- **%s:** %s\n", name, value) }
	if !r.Started.IsZero() {
		item("Date", r.Started.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	item("specrun", mdText(orUnknown(r.SpecrunVersion))+", driver "+mdText(orUnknown(r.Driver)))
	item("Server", mdText(serverNamed(r.Server)))
	if len(r.Corpus) == 0 {
		item("Corpus", "(none recorded)")
	}
	for _, c := range corpusLines(r.Corpus) {
		item("Corpus", mdText(c))
	}
	item("Duration", r.Duration.Round(time.Millisecond).String())
	if f := filtersString(r.Filters); f != "" {
		item("Filters", mdText(f))
	}
	if p := r.Partial; p != nil {
		item("Partial", fmt.Sprintf("%s (%s)", plural(len(p.NotRun), "selected test did not run", "selected tests did not run"),
			mdText(orUnknown(p.Reason))))
	}
	if len(r.Command) > 0 {
		cmd := ShellCommand(r.Command)
		fence := "```"
		for strings.Contains(cmd, fence) {
			fence += "`"
		}
		fmt.Fprintf(b, "\nThe command that made this report:\n\n%ssh\n%s\n%s\n", fence, cmd, fence)
	}
}

// serverNamed names the server: its product name when the run was told it
// (--server-name), then what the server says of itself.
func serverNamed(s ServerInfo) string {
	id := s
	if s.Embedded {
		id.URI = "" // a random port of this machine's
	}
	if s.Name == "" {
		return serverIdentity(id)
	}
	return s.Name + " (version " + serverIdentity(id) + ")"
}

// corpusLines are the header's corpus lines: one per corpus (root and identity), with
// its provenance and the folders of the run below its root, each with its files. Only
// a corpus in neither known layout is named by its path.
func corpusLines(roots []CorpusRoot) []string {
	type group struct {
		label   string
		folders []string
	}
	var order []string
	groups := map[string]*group{}
	for _, c := range roots {
		base, rel, ok := specifications.SplitCorpusPath(c.Root)
		if !ok {
			base, rel = c.Root, ""
		}
		id := c.Identity.String()
		key := base + "\x00" + id
		g := groups[key]
		if g == nil {
			label := id
			if label == "" {
				label = "a corpus without identity at " + base
			}
			g = &group{label: label}
			groups[key] = g
			order = append(order, key)
		}
		if rel == "" {
			rel = "the whole corpus"
		}
		g.folders = append(g.folders, fmt.Sprintf("%s (%s)", rel, plural(c.Files, "file", "files")))
	}
	var out []string
	for _, k := range order {
		g := groups[k]
		out = append(out, g.label+": "+strings.Join(g.folders, ", "))
	}
	return out
}

// passRate is pass / (pass + fail + error) rounded down to 0.1%, "—" when no test
// was judged, with how many of all were judged beside it.
func passRate(s Summary) string {
	den := s.Pass + s.Fail + s.Error
	switch {
	case den == 0 && s.Total == 0:
		return "—"
	case den == 0:
		return fmt.Sprintf("— (judged 0 of %d)", s.Total)
	}
	permille := s.Pass * 1000 / den
	return fmt.Sprintf("%d.%d%% (judged %d of %d)", permille/10, permille%10, den, s.Total)
}

// serverIdentity is one line: version, topology, wire version, embedded or not,
// URI and capabilities.
func serverIdentity(s ServerInfo) string {
	parts := []string{orUnknown(s.Version), orUnknown(s.Topology), fmt.Sprintf("maxWireVersion %d", s.MaxWireVersion)}
	if s.Embedded {
		parts = append(parts, "embedded")
	}
	if s.URI != "" {
		parts = append(parts, s.URI)
	}
	line := strings.Join(parts, ", ")
	if len(s.Capabilities) > 0 {
		var caps []string
		for _, k := range slices.Sorted(maps.Keys(s.Capabilities)) {
			v := "no"
			if s.Capabilities[k] {
				v = "yes"
			}
			caps = append(caps, k+" "+v)
		}
		line += "; capabilities: " + strings.Join(caps, ", ")
	}
	return line
}

// filtersString is the filters as command-line flags, "" when there are none.
func filtersString(f Filters) string {
	var parts []string
	if f.Run != "" {
		parts = append(parts, "--run "+f.Run)
	}
	if f.Skip != "" {
		parts = append(parts, "--skip "+f.Skip)
	}
	if f.Shard.Count != 0 {
		parts = append(parts, "--shard "+f.Shard.String())
	}
	if f.Shuffle != "" {
		parts = append(parts, "--shuffle "+f.Shuffle)
	}
	return strings.Join(parts, " ")
}

func orUnknown(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(unknown)"
	}
	return s
}

// mdSpecial are the characters that can start or end Markdown markup in the middle
// of a line: code spans, emphasis, links and images, raw HTML and autolinks, table
// cells, strikethrough, entities, closing heading sequences, and the escape itself.
const mdSpecial = "\\`*_[]<>|~&#"

// mdText escapes s for Markdown inline text, in a table cell as well as in a list
// item or heading: every character with a Markdown meaning gets a backslash, line
// breaks become spaces (a table row is one line) and invalid UTF-8 becomes U+FFFD.
func mdText(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\r' || r == '\n' || r == '\u2028' || r == '\u2029':
			b.WriteByte(' ')
		case strings.ContainsRune(mdSpecial, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
