package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/specrun/specrun/report"
)

const mergeUsage = `Usage: specrun merge A.json B.json... [--json F] [--junit F] [--markdown F]

Joins the JSON reports of the shards of one run (specrun run --shard I/N --json …)
into the report of the whole run: tests in the order an unsharded run gives them,
the expectations verdict of every shard, an entry stale only if stale in all.
The reports must be shards of the same N with distinct indices, against the same
server, corpus roots and --run/--skip filters. When shards are missing, the merged
report is partial and says which.

Exit status: 0 every test met its expectation (without an expectations file: no
fail, no error) and no shard is missing or partial; 1 otherwise; 2 usage error,
a report that cannot be read, or reports that are not shards of one run.

Example:
  specrun merge shard-*.json --json report.json --junit junit.xml --markdown report.md

Flags:
`

func merge(args []string, stdout, stderr io.Writer) int {
	raw := stdout // a report given as - goes there as it is
	// fixtures and reports may hold escape sequences
	stdout, stderr = terminal(stdout), terminal(stderr)
	var files reportFiles
	fs := newFlags("merge", mergeUsage, stdout, stderr)
	files.register(fs.FlagSet, "merged ")
	paths, exit, ok := parseArgs(fs, args)
	if !ok {
		return exit
	}
	if len(paths) == 0 {
		return fs.usageError("give the JSON reports of the shards")
	}
	files.stdout = raw
	if toStdout(files.outputs()) {
		stdout = stderr
	}
	if err := checkOutputs(files.outputs(), reportInputs(paths, "a report to merge")); err != nil {
		fmt.Fprintln(stderr, "specrun merge:", err)
		return exitUsage
	}
	runs, err := readReports(paths)
	if err != nil {
		fmt.Fprintln(stderr, "specrun merge:", err)
		return exitUsage
	}
	merged, err := report.Merge(runs...)
	if err != nil {
		var me *report.MergeError
		if errors.As(err, &me) && me.Input >= 0 {
			name := paths[me.Input]
			if sh := runs[me.Input].Filters.Shard; sh.Count != 0 {
				name += " (shard " + sh.String() + ")"
			}
			fmt.Fprintf(stderr, "specrun merge: %s: %s\n", name, me.Msg)
		} else {
			fmt.Fprintln(stderr, "specrun merge:", err)
		}
		return exitUsage
	}

	merged.Command = append([]string{"specrun", "merge"}, args...) // what makes the merged report again
	s := report.Summarize(merged.Tests)
	fmt.Fprintf(stdout, "merged %d reports: %s: %d pass, %d fail, %d skip, %d unsupported, %d error (%s)\n",
		len(runs), count(s.Total, "test"), s.Pass, s.Fail, s.Skip, s.Unsupported, s.Error, merged.Duration.Round(time.Millisecond))
	if merged.Expect != nil {
		_ = merged.Expect.WriteSummary(stdout)
	}
	if err := files.write(merged); err != nil {
		fmt.Fprintln(stderr, "specrun merge:", err)
		return exitFail
	}
	if p := merged.Partial; p != nil {
		fmt.Fprintf(stderr, "specrun merge: the merged report is partial: %s\n", p.Reason)
		return exitFail
	}
	if merged.Expect != nil {
		if !merged.Expect.OK() {
			return exitFail
		}
		return exitOK
	}
	if s.Fail > 0 || s.Error > 0 {
		return exitFail
	}
	return exitOK
}
