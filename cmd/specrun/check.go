package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/specrun/specrun/specifications"
)

// check loads and validates fixture files without a server. It prints one line per
// rejected file (file: field.path: message), notes where a YAML twin differs from its
// JSON file, and one summary line. Exit 0 when nothing was rejected, 1 otherwise.
func check(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	corpus := fs.String("corpus", "", "corpus root for SPEC names (default $SPECRUN_CORPUS, ./specifications, the Debian package location)")
	verbose := fs.Bool("v", false, "also list files of other formats, and every twin difference")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: specrun check [flags] PATH|SPEC...\n\nLoads every fixture file under the paths, with no server, and reports the files\nthat specrun would refuse, each as file: field.path: message.\n\nFlags:")
		fs.PrintDefaults()
	}
	paths, err := parseFlags(fs, args)
	if err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	if len(paths) == 0 {
		fs.Usage()
		return exitUsage
	}
	sources, err := discover(paths, *corpus)
	if err != nil {
		fmt.Fprintln(stderr, "specrun check:", err)
		return exitUsage
	}
	var loaded, tests, other, rejected int
	for _, r := range specifications.LoadAll(sources, true) {
		switch r.Outcome {
		case specifications.Loaded:
			loaded++
			tests += len(r.File.Tests)
			if r.File.Unsupported != "" {
				fmt.Fprintf(stdout, "note: %s: schemaVersion: %s; its tests will be reported as errors\n", r.Source.Path, r.File.Unsupported)
			}
		case specifications.OtherFormat:
			other++
			if *verbose {
				fmt.Fprintf(stdout, "other format: %s (%s)\n", r.Source.Path, r.Format)
			}
		case specifications.Rejected:
			rejected++
			fmt.Fprintln(stdout, r.Err)
		}
		printNotes(stdout, r, *verbose)
	}
	fmt.Fprintf(stdout, "%d files: %d loaded (%d tests), %d other format, %d rejected\n", len(sources), loaded, tests, other, rejected)
	if rejected > 0 {
		return exitFail
	}
	return exitOK
}

// printNotes prints a file's notes: all of them with -v, else the first and a count.
func printNotes(w io.Writer, r specifications.LoadResult, verbose bool) {
	notes := r.Notes
	if len(notes) == 0 {
		return
	}
	if !verbose && len(notes) > 1 {
		notes = []string{fmt.Sprintf("%s (and %d more like it; -v lists them)", notes[0], len(notes)-1)}
	}
	for _, n := range notes {
		fmt.Fprintf(w, "note: %s: %s\n", r.Source.Path, n)
	}
}

// discover resolves the arguments (paths or spec names) and lists their fixture files.
func discover(args []string, corpusFlag string) ([]specifications.Source, error) {
	root, rootErr := specifications.CorpusRoot(corpusFlag)
	paths := make([]string, len(args))
	for i, arg := range args {
		p, err := specifications.Resolve(arg, root)
		if err != nil {
			if rootErr != nil {
				return nil, fmt.Errorf("%v (%v)", err, rootErr)
			}
			return nil, err
		}
		paths[i] = p
	}
	return specifications.Discover(paths)
}
