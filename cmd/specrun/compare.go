package main

import (
	"fmt"
	"io"

	"github.com/specrun/specrun/report"
)

const compareUsage = `Usage: specrun compare A.json B.json... [--json F] [--markdown F]

Puts the JSON reports of runs against different servers on the same corpus side by
side: per spec, each server's pass/fail/skip/unsupported/error, then every test whose
status differs between servers, with each server's status and reason. Each column is
headed by the server's name: server.name of the report (specrun run --server-name,
or the embedded server's), else what the report says of the server (version,
topology, embedded). Reports of different corpora are refused, naming the difference;
other filters and partial runs are noted.

Exit status: 0 the reports were compared; 2 usage error, a report that cannot be
read, or reports of different corpora.

Example:
  specrun compare mongod.json myserver.json --markdown compare.md

Flags:
`

func compare(args []string, stdout, stderr io.Writer) int {
	raw := stdout // a report given as - goes there as it is
	// fixtures and reports may hold escape sequences
	stdout, stderr = terminal(stdout), terminal(stderr)
	var jsonPath, mdPath string
	fs := newFlags("compare", compareUsage, stdout, stderr)
	fs.StringVar(&jsonPath, "json", "", "also write the comparison as JSON to this `file` (-: stdout, and the text to stderr)")
	fs.StringVar(&mdPath, "markdown", "", "also write the comparison as Markdown to this `file` (-: stdout, and the text to stderr)")
	paths, exit, ok := parseArgs(fs, args)
	if !ok {
		return exit
	}
	if len(paths) < 2 {
		return fs.usageError("want two reports or more; got %d", len(paths))
	}
	outs := []output{{"--json", jsonPath}, {"--markdown", mdPath}}
	if err := checkOutputs(outs, reportInputs(paths, "a report to compare")); err != nil {
		fmt.Fprintln(stderr, "specrun compare:", err)
		return exitUsage
	}
	runs, err := readReports(paths)
	if err != nil {
		fmt.Fprintln(stderr, "specrun compare:", err)
		return exitUsage
	}
	c, err := report.Compare(runs...)
	if err != nil {
		fmt.Fprintln(stderr, "specrun", err)
		return exitUsage
	}
	if toStdout(outs) {
		stdout = stderr
	}
	if err := c.WriteText(stdout); err != nil {
		fmt.Fprintln(stderr, "specrun compare:", err)
		return exitUsage
	}
	for _, out := range []struct {
		path  string
		write func(io.Writer) error
	}{{jsonPath, c.WriteJSON}, {mdPath, c.WriteMarkdown}} {
		if out.path == "" {
			continue
		}
		if err := writeOutput(out.path, raw, out.write); err != nil {
			fmt.Fprintln(stderr, "specrun compare:", err)
			return exitUsage
		}
	}
	return exitOK
}
