package main

import (
	"fmt"
	"io"
	"os"

	"github.com/specrun/specrun/report"
)

const diffUsage = `Usage: specrun diff [--json FILE] OLD.json NEW.json

Compares two JSON reports of specrun run (--json) test by test and prints
regressions (not failing before, fail or error now), fixes (fail or error before,
pass now), other status changes, changed failure reasons, new and removed tests,
and warnings when the reports are not comparable (other corpus, server or filters,
or a partial run).

Exit status: 0 no regression, 1 some test regressed, 2 usage error or a report
that cannot be read.

Example:
  specrun diff last-release.json report.json

Flags:
`

func diff(args []string, stdout, stderr io.Writer) int {
	raw := stdout // a report given as - goes there as it is
	// fixtures and reports may hold escape sequences
	stdout, stderr = terminal(stdout), terminal(stderr)
	var jsonPath string
	fs := newFlags("diff", diffUsage, stdout, stderr)
	fs.StringVar(&jsonPath, "json", "", "also write the diff as JSON to this `file` (-: stdout, and the text to stderr)")
	paths, exit, ok := parseArgs(fs, args)
	if !ok {
		return exit
	}
	if len(paths) != 2 {
		return fs.usageError("want two reports, OLD.json and NEW.json; got %d", len(paths))
	}
	if err := checkOutputs([]output{{"--json", jsonPath}}, reportInputs(paths, "a report to compare")); err != nil {
		fmt.Fprintln(stderr, "specrun diff:", err)
		return exitUsage
	}
	runs, err := readReports(paths)
	if err != nil {
		fmt.Fprintln(stderr, "specrun diff:", err)
		return exitUsage
	}
	d := report.Diff(runs[0], runs[1])
	if jsonPath == stdoutPath {
		stdout = stderr
	}
	if err := d.WriteText(stdout); err != nil {
		fmt.Fprintln(stderr, "specrun diff:", err)
		return exitUsage
	}
	if jsonPath != "" {
		if err := writeOutput(jsonPath, raw, d.WriteJSON); err != nil {
			fmt.Fprintln(stderr, "specrun diff:", err)
			return exitUsage
		}
	}
	if d.Regressed() {
		return exitFail
	}
	return exitOK
}

// reportInputs are the reports a command reads, as inputs no output may overwrite.
func reportInputs(paths []string, what string) []input {
	ins := make([]input, len(paths))
	for i, p := range paths {
		ins[i] = input{what, p, ""}
	}
	return ins
}

// readReports reads JSON reports; an error names the file.
func readReports(paths []string) ([]*report.Run, error) {
	var runs []*report.Run
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		r, err := report.ReadJSON(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		runs = append(runs, r)
	}
	return runs, nil
}
