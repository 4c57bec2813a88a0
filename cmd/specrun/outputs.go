package main

import (
	"flag"
	"io"

	"github.com/specrun/specrun/report"
)

// reportFiles are the report flags run and merge share: one file per format.
type reportFiles struct{ json, junit, markdown string }

func (f *reportFiles) register(fs *flag.FlagSet, what string) {
	fs.StringVar(&f.json, "json", "", "write the "+what+"JSON report to this `file`")
	fs.StringVar(&f.junit, "junit", "", "write the "+what+"JUnit XML report (one testsuite per fixture file) to this `file`")
	fs.StringVar(&f.markdown, "markdown", "", "write the "+what+"Markdown report (a table per spec, every failure) to this `file`")
}

// write writes every report asked for; it goes on after a failure and returns the first.
func (f *reportFiles) write(r *report.Run) error {
	var first error
	for _, out := range []struct {
		path  string
		write func(io.Writer, *report.Run) error
	}{{f.json, report.WriteJSON}, {f.junit, report.WriteJUnit}, {f.markdown, report.WriteMarkdown}} {
		if out.path == "" {
			continue
		}
		if err := writeFile(out.path, func(w io.Writer) error { return out.write(w, r) }); err != nil && first == nil {
			first = err
		}
	}
	return first
}
