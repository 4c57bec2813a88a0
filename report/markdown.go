package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/specrun/specrun/result"
)

// WriteMarkdown writes r as the Markdown report of DESIGN.md: a header saying what
// ran against what, a table with a row per spec, every failure and error grouped by
// file, and the verdict of the expectations file when the run had one. Everything
// that comes from tests or the command line is escaped, so no description or reason
// can break the table or the lists.
func WriteMarkdown(w io.Writer, r *Run) error {
	var b strings.Builder
	b.WriteString("# specrun report\n\n")
	if p := r.Partial; p != nil {
		fmt.Fprintf(&b, "> **PARTIAL RUN:** %s did not run (%s). The counts below cover only the tests that ran.\n\n",
			plural(len(p.NotRun), "selected test", "selected tests"), mdText(orUnknown(p.Reason)))
	}
	writeMarkdownHeader(&b, r)

	b.WriteString("\n## Results by spec\n\n")
	b.WriteString("| Spec | Pass | Fail | Skip | Unsupported | Error | Total | Pass rate |\n")
	b.WriteString("|:-----|-----:|-----:|-----:|------------:|------:|------:|----------:|\n")
	var specs []string
	bySpec := map[string][]result.Test{}
	for _, t := range r.Tests {
		s := specOf(t.ID)
		if _, ok := bySpec[s]; !ok {
			specs = append(specs, s)
		}
		bySpec[s] = append(bySpec[s], t)
	}
	slices.Sort(specs)
	row := func(name string, s Summary) {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d | %s |\n", name,
			s.Pass, s.Fail, s.Skip, s.Unsupported, s.Error, s.Total, passRate(s))
	}
	for _, s := range specs {
		row(mdText(s), Summarize(bySpec[s]))
	}
	row("**Total**", Summarize(r.Tests))
	b.WriteString("\nPass rate = pass / (pass + fail + error), rounded down to 0.1%; — when no test was judged.\n")

	writeMarkdownFailures(&b, r.Tests)
	if r.Expect != nil {
		writeMarkdownExpectations(&b, r.Expect)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeMarkdownHeader(b *strings.Builder, r *Run) {
	item := func(name, value string) { fmt.Fprintf(b, "- **%s:** %s\n", name, value) }
	if !r.Started.IsZero() {
		item("Date", r.Started.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	item("specrun", mdText(orUnknown(r.SpecrunVersion))+", driver "+mdText(orUnknown(r.Driver)))
	if r.Server.Name != "" {
		item("Server name", mdText(r.Server.Name))
	}
	item("Server", mdText(serverIdentity(r.Server)))
	if len(r.Corpus) == 0 {
		item("Corpus", "(none recorded)")
	}
	for _, c := range r.Corpus {
		id := c.Identity.String()
		if id == "" {
			id = "no identity"
		}
		item("Corpus", fmt.Sprintf("%s (%s, %s)", mdText(c.Root), plural(c.Files, "file", "files"), mdText(id)))
	}
	item("Duration", r.Duration.Round(time.Millisecond).String())
	if f := filtersString(r.Filters); f != "" {
		item("Filters", mdText(f))
	}
	if p := r.Partial; p != nil {
		item("Partial", fmt.Sprintf("%s (%s)", plural(len(p.NotRun), "selected test did not run", "selected tests did not run"),
			mdText(orUnknown(p.Reason))))
	}
}

func writeMarkdownFailures(b *strings.Builder, tests []result.Test) {
	var files []string
	byFile := map[string][]result.Test{}
	for _, t := range tests {
		if t.Status != result.Fail && t.Status != result.Error {
			continue
		}
		if _, ok := byFile[t.File]; !ok {
			files = append(files, t.File)
		}
		byFile[t.File] = append(byFile[t.File], t)
	}
	b.WriteString("\n## Failures and errors\n\n")
	if len(files) == 0 {
		b.WriteString("None.\n")
		return
	}
	for _, f := range files {
		ts := byFile[f]
		fmt.Fprintf(b, "### %s\n\n", mdText(FileID(ts[0])))
		if f != "" {
			fmt.Fprintf(b, "File: %s\n\n", mdText(f))
		}
		for _, t := range ts {
			name := t.Description
			if name == "" {
				name = "(the file)"
			}
			fmt.Fprintf(b, "- **%s** %s: %s\n", t.Status, mdText(name), mdText(orUnknown(t.Reason)))
		}
		b.WriteByte('\n')
	}
}

func writeMarkdownExpectations(b *strings.Builder, ev *Evaluation) {
	name := ev.File
	if name == "" {
		name = "(none)"
	}
	verdict := "OK"
	if !ev.OK() {
		verdict = "FAIL"
	}
	fmt.Fprintf(b, "\n## Expectations (%s): %s\n\n", mdText(name), verdict)
	fmt.Fprintf(b, "%d met (%d by an entry), %s, %s, %s.\n",
		ev.Count(OK)+ev.Count(Expected), ev.Count(Expected),
		plural(ev.Count(Regression), "regression", "regressions"),
		plural(ev.Count(UnexpectedPass), "unexpected pass", "unexpected passes"),
		plural(len(ev.Stale), "stale entry", "stale entries"))
	if vs := ev.Select(Regression); len(vs) > 0 {
		b.WriteString("\n### Regressions\n\n")
		for _, v := range vs {
			expects := "no entry"
			if v.Entry != nil {
				expects = fmt.Sprintf("%s (%s) expects %s", ev.where(v.Entry), v.Entry.Pattern(), v.Entry.Status)
			}
			fmt.Fprintf(b, "- %s: **%s**, %s: %s\n", mdText(v.Result.ID), v.Result.Status, mdText(expects),
				mdText(orUnknown(v.Result.Reason)))
		}
	}
	if vs := ev.Select(UnexpectedPass); len(vs) > 0 {
		b.WriteString("\n### Unexpected passes\n\n")
		for _, v := range vs {
			fmt.Fprintf(b, "- %s: passes; %s (%s) expects %s\n", mdText(v.Result.ID),
				mdText(ev.where(v.Entry)), mdText(v.Entry.Pattern()), v.Entry.Status)
		}
	}
	if len(ev.Stale) > 0 {
		b.WriteString("\n### Stale entries\n\n")
		for _, e := range ev.Stale {
			fmt.Fprintf(b, "- %s: %s (%s) decides no test\n", mdText(ev.where(e)), mdText(e.Pattern()), e.Status)
		}
	}
}

// passRate is pass / (pass + fail + error) rounded down to 0.1%, "—" when no test
// was judged.
func passRate(s Summary) string {
	den := s.Pass + s.Fail + s.Error
	if den == 0 {
		return "—"
	}
	permille := s.Pass * 1000 / den
	return fmt.Sprintf("%d.%d%%", permille/10, permille%10)
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
