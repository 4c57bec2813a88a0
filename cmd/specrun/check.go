package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/specrun/specrun/operations"
	"github.com/specrun/specrun/specifications"
)

// check loads and validates fixture files without a server. It prints one line per
// rejected file (file: field.path: message) and one per operation, argument or entity
// kind specrun cannot run (file: path: message), notes where a YAML twin differs from
// its JSON file, and one summary line. Exit 0 when nothing was rejected, 1 otherwise:
// what specrun cannot run is specrun's gap, not the files' fault (a run reports those
// tests as errors).
const checkUsage = `Usage: specrun check [flags] PATH|SPEC...

Loads every fixture file under the paths, with no server, and reports the files
that specrun would refuse, each as file: field.path: message, and every operation,
argument and entity kind that specrun cannot run, each as file: path: message.
Summary: N files: L loaded (T tests), O other format, R rejected, U unsupported
(U counts the lines of what specrun cannot run; a file with only those still loads).
Exit status: 1 if any file was rejected, else 0 (what specrun cannot run does not
change it); 2 for usage errors.

Examples:
  specrun check crud                        the CRUD fixtures of the corpus
  specrun check -v ./specifications/source  a checkout's, with every note

Flags:
`

func check(args []string, stdout, stderr io.Writer) int {
	stdout, stderr = terminal(stdout), terminal(stderr) // fixtures and reports may hold escape sequences
	fs := newFlags("check", checkUsage, stdout, stderr)
	corpus := fs.String("corpus", "", corpusFlagUsage)
	verbose := fs.Bool("v", false, "also list files of other formats, every twin difference, and every argument or option the Go driver cannot express")
	paths, exit, ok := parseArgs(fs, args)
	if !ok {
		return exit
	}
	if len(paths) == 0 {
		return fs.usageError("give the PATH or SPEC to check")
	}
	sources, used, err := discover(paths, *corpus)
	if err != nil {
		fmt.Fprintln(stderr, "specrun check:", err)
		return exitUsage
	}
	if used != nil {
		fmt.Fprintln(stderr, "specrun check: corpus:", used)
	}
	defer lessGC()()
	var (
		loaded, tests, other, rejected int
		gaps                           gapCounter
	)
	checkEach(sources, func(c checked) {
		r := c.LoadResult
		switch r.Kind {
		case specifications.Loaded:
			loaded++
			tests += len(r.File.Tests)
			if r.File.Unsupported != "" {
				fmt.Fprintf(stdout, "note: %s: schemaVersion: %s; its tests will be reported as errors\n", r.Source.Path, r.File.Unsupported)
			} else {
				gaps.file(stdout, r.Source.Path, c.gaps, *verbose)
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
	})
	gaps.summarize(stdout, *verbose)
	fmt.Fprintf(stdout, "%s: %d loaded (%s), %d other format, %d rejected, %d unsupported\n",
		count(len(sources), "file"), loaded, count(tests, "test"), other, rejected, gaps.lines)
	if rejected > 0 {
		return exitFail
	}
	return exitOK
}

// gapCounter prints the coverage gaps of the files as they load and counts the lines
// of what specrun cannot run. Gaps that are not specrun's are gathered: an entity the
// build cannot create (client-side encryption) is one line per reason for the whole
// run, and the arguments and client options the Go driver cannot express are one note
// (-v lists them).
type gapCounter struct {
	lines         int
	entityFiles   map[string]map[string]bool // reason → files
	entityReasons []string                   // in the order first met
	inexpressible int
	inexpFiles    int
}

func (g *gapCounter) file(w io.Writer, path string, gaps []operations.Gap, verbose bool) {
	var inexpressible int
	for _, gap := range gaps {
		switch gap.Kind {
		case operations.Missing:
			g.lines++
			fmt.Fprintf(w, "%s: %s: %s\n", path, gap.Path, gap.Message)
		case operations.Inexpressible:
			inexpressible++
			if verbose {
				fmt.Fprintf(w, "driver cannot express: %s: %s: %s\n", path, gap.Path, gap.Message)
			}
		case operations.UnsupportedEntity:
			if g.entityFiles == nil {
				g.entityFiles = map[string]map[string]bool{}
			}
			if g.entityFiles[gap.Message] == nil {
				g.entityFiles[gap.Message] = map[string]bool{}
				g.entityReasons = append(g.entityReasons, gap.Message)
			}
			g.entityFiles[gap.Message][path] = true
			if verbose {
				fmt.Fprintf(w, "unsupported: %s: %s: %s\n", path, gap.Path, gap.Message)
			}
		}
	}
	if inexpressible > 0 {
		g.inexpressible += inexpressible
		g.inexpFiles++
	}
}

func (g *gapCounter) summarize(w io.Writer, verbose bool) {
	for _, reason := range g.entityReasons {
		g.lines++
		fmt.Fprintf(w, "%s; used by %s, whose tests will be unsupported\n", reason, count(len(g.entityFiles[reason]), "file"))
	}
	if g.inexpressible > 0 && !verbose {
		fmt.Fprintf(w, "note: arguments and options the Go driver cannot express: %d, in %s; their tests will be unsupported (-v lists them)\n",
			g.inexpressible, count(g.inexpFiles, "file"))
	}
}

// count is "1 file", "2 files", "0 entries".
func count(n int, noun string) string {
	switch {
	case n == 1:
		return "1 " + noun
	case strings.HasSuffix(noun, "y") && !strings.HasSuffix(noun, "ey"):
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
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
// used is the corpus that spec names were found in (nil when every argument is a path).
func discover(args []string, corpusFlag string) (sources []specifications.Source, used *specifications.Corpus, err error) {
	return specifications.Find(args, specifications.DefaultLocations(corpusFlag))
}

// lessGC lets the garbage collector wait for the heap to grow four times between
// collections instead of twice (GOGC=400), unless $GOGC says otherwise, until the
// function returned is called: check reads the whole corpus in a short burst of
// short-lived garbage, and collecting a quarter as often takes about a fifth less CPU
// for some 50 MB more.
func lessGC() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(400)
	return func() { debug.SetGCPercent(old) }
}
