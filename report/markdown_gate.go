package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/specrun/specrun/result"
)

const (
	// markdownRegressions is how many regressions the Markdown lists; the JSON report
	// has them all.
	markdownRegressions = 50
	// markdownPerCause is how many tests each cause lists.
	markdownPerCause = 5
)

// writeMarkdownGate writes the verdict of the expectations file, then its regressions,
// unexpected passes and stale entries, each section only when it has any.
func writeMarkdownGate(b *strings.Builder, ev *Evaluation) {
	verdict := "OK"
	if !ev.OK() {
		verdict = "FAIL"
	}
	fmt.Fprintf(b, "\n## Gate: %s\n\n", verdict)
	fmt.Fprintf(b, "%s.\n", mdText(ev.SummaryLine()))
	if vs := ev.Select(Regression); len(vs) > 0 {
		b.WriteString("\n## Regressions\n\n")
		for i, v := range vs {
			if i == markdownRegressions {
				fmt.Fprintf(b, "- … and %d more (the JSON report lists them all)\n", len(vs)-i)
				break
			}
			fmt.Fprintf(b, "- **%s** %s — %s: %s\n", v.Result.Status, mdText(v.Result.ID), mdText(ev.EntryText(v)),
				mdText(orUnknown(v.Result.Reason)))
		}
	}
	if vs := ev.Select(UnexpectedPass); len(vs) > 0 {
		b.WriteString("\n## Unexpected passes\n\n")
		for _, v := range vs {
			fmt.Fprintf(b, "- %s passes: %s\n", mdText(v.Result.ID), mdText(ev.UnexpectedPassAdvice(v)))
		}
	}
	if len(ev.Stale) > 0 {
		b.WriteString("\n## Stale entries\n\n")
		for _, e := range ev.Stale {
			fmt.Fprintf(b, "- %s\n", mdText(ev.StaleText(e)))
		}
	}
}

// writeMarkdownCauses writes the tests grouped by Cause: a table of causes with their
// counts, most first, then per cause its first tests (markdownPerCause) and how many
// more. note, if not empty, follows the title.
func writeMarkdownCauses(b *strings.Builder, title, note string, tests []result.Test) {
	fmt.Fprintf(b, "\n## %s\n\n", title)
	if len(tests) == 0 {
		b.WriteString("None.\n")
		return
	}
	if note != "" {
		fmt.Fprintf(b, "%s, %s.\n\n", plural(len(tests), "test", "tests"), note)
	}
	byCause := map[string][]result.Test{}
	var causes []string
	for _, t := range tests {
		c := Cause(t)
		if _, ok := byCause[c]; !ok {
			causes = append(causes, c)
		}
		byCause[c] = append(byCause[c], t)
	}
	slices.SortStableFunc(causes, func(a, c string) int {
		return cmp.Or(cmp.Compare(len(byCause[c]), len(byCause[a])), cmp.Compare(a, c))
	})
	b.WriteString("| Cause | Tests |\n|:------|------:|\n")
	for _, c := range causes {
		fmt.Fprintf(b, "| %s | %d |\n", mdText(c), len(byCause[c]))
	}
	for _, c := range causes {
		ts := byCause[c]
		fmt.Fprintf(b, "\n### %s (%d)\n\n", mdText(c), len(ts))
		for i, t := range ts {
			if i == markdownPerCause {
				fmt.Fprintf(b, "- … and %d more (the JSON report lists them all)\n", len(ts)-i)
				break
			}
			fmt.Fprintf(b, "- **%s** %s: %s\n", t.Status, mdText(t.ID), mdText(orUnknown(t.Reason)))
		}
	}
}

// ShellCommand writes a command line as a POSIX shell reads it back: each argument as
// it is when it holds nothing the shell would act on, else single-quoted.
func ShellCommand(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = shellQuote(a)
	}
	return strings.Join(quoted, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,@%+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
