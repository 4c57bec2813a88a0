package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/term"

	"github.com/specrun/specrun/corpusget"
	"github.com/specrun/specrun/specifications"
)

// corpusFlagUsage is the help of --corpus, for run and check.
const corpusFlagUsage = "the corpus root `DIR` for SPEC names (default $SPECRUN_CORPUS, the corpus fetched last by specrun corpus get,\n./specifications, the Go driver 1.x module's test data in the Go module cache, the Debian package location)"

const corpusUsage = `Usage:
  specrun corpus list [--corpus DIR] [SPEC...]
  specrun corpus get [REF] [--from URL|FILE] [--sha256 HEX]

list shows the corpora found, in the order SPEC names are looked up; get fetches
mongodb/specifications' test data into the user cache. 'specrun help corpus list'
and 'specrun help corpus get' say more.

Examples:
  specrun corpus list crud         every corpus, and where crud resolves
  specrun corpus get               the corpus specrun's own tests pass on
`

const corpusListUsage = `Usage: specrun corpus list [--corpus DIR] [SPEC...]

Shows every corpus found, in the order SPEC names are looked up (the first that
exists is used): --corpus, $SPECRUN_CORPUS, the corpora fetched by corpus get (the
one fetched last first), ./specifications, the Go driver 1.x module's test data in
the Go module cache (which building specrun downloads), the Debian package
location. For each: origin, version or commit, root, files and schema versions.
With SPEC names, says where each resolves (exit 1 when one does not).

Example:
  specrun corpus list crud/unified command-monitoring

Flags:
`

const corpusGetUsage = `Usage: specrun corpus get [REF] [--from URL|FILE] [--sha256 HEX]

Fetches mongodb/specifications at REF (a commit, tag or branch; default
` + corpusget.DefaultRef + `, the commit specrun's own tests pass on)
as GitHub's tarball, or from --from: a mirror's URL or a local tarball. Its size
must be the size announced, and its sha256 the one given by --sha256 or written
beside it (URL.sha256, as sha256sum writes it); either way the sha256 is recorded.
The commit is the one git archive writes in the tarball (for a branch or tag, the
commit it pointed to then). Only the test data and schemas are kept
(source/*/tests/**, source/unified-test-format/schema-*.json), in
` + "<user cache>/specrun/specifications/<commit>" + `, written whole or not at all; a
commit fetched before is not downloaded again. The corpus fetched last is the one
SPEC names resolve in.

Examples:
  specrun corpus get master
  specrun corpus get --from specifications.tar.gz 92b3c0b9287b

Flags:
`

// corpusCommand is specrun corpus list|get.
func corpusCommand(args []string, stdout, stderr io.Writer) int {
	stdout, stderr = terminal(stdout), terminal(stderr)
	if len(args) > 0 {
		switch args[0] {
		case "list":
			return corpusList(args[1:], specifications.DefaultLocations, stdout, stderr)
		case "get":
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
			defer stop()
			return corpusGet(ctx, args[1:], progressTerminal(), stdout, stderr)
		case "-h", "-help", "--help":
			fmt.Fprint(stdout, corpusUsage)
			return exitOK
		}
		if s := closest(args[0], []string{"list", "get"}); s != "" {
			fmt.Fprintf(stderr, "specrun corpus: %s: no such command; did you mean %s?\n", args[0], s)
		} else {
			fmt.Fprintf(stderr, "specrun corpus: %s: no such command; list or get\n", args[0])
		}
	} else {
		fmt.Fprintln(stderr, "specrun corpus: list or get?")
	}
	fmt.Fprintln(stderr, "Run 'specrun help corpus' for usage.")
	return exitUsage
}

// progressTerminal is stderr when it is a terminal (for the download's progress bar).
func progressTerminal() io.Writer {
	if term.IsTerminal(int(os.Stderr.Fd())) {
		return os.Stderr
	}
	return nil
}

// corpusList prints the corpora locate finds, and where each SPEC resolves.
func corpusList(args []string, locate func(string) specifications.Locations, stdout, stderr io.Writer) int {
	fs := newFlags("corpus list", corpusListUsage, stdout, stderr)
	flagCorpus := fs.String("corpus", "", "a corpus root to put first, as run's --corpus does")
	specs, exit, ok := parseArgs(fs, args)
	if !ok {
		return exit
	}
	locations := locate(*flagCorpus)
	corpora := locations.Corpora()
	if len(corpora) == 0 {
		_, err := locations.First()
		fmt.Fprintln(stderr, "specrun corpus list:", err)
		return exitFail
	}
	fmt.Fprintln(stdout, "SPEC names resolve in the first corpus (--corpus or $SPECRUN_CORPUS puts one before the others).")
	for i, c := range corpora {
		printCorpus(stdout, i+1, c)
	}
	code := exitOK
	for _, spec := range specs {
		if !printResolution(stdout, spec, corpora) {
			code = exitFail
		}
	}
	return code
}

func printCorpus(w io.Writer, n int, c specifications.Corpus) {
	fmt.Fprintf(w, "\n%d. %s\n", n, c.Origin)
	fmt.Fprintf(w, "   version: %s\n", orUnknown(c.Version))
	fmt.Fprintf(w, "   root:    %s\n", c.Root)
	s, err := specifications.SurveyCorpus(c.Root)
	if err != nil {
		fmt.Fprintf(w, "   files:   none (%v)\n", err)
	} else {
		fmt.Fprintf(w, "   files:   %d; %s\n", s.Files, schemaVersions(s))
	}
	if r := c.Fetch; r != nil {
		checked := "no checksum to check against; recorded"
		if r.Checksum != "" {
			checked = "checked against " + r.Checksum
		}
		fmt.Fprintf(w, "   fetched: %s from %s\n", r.Fetched.UTC().Format("2006-01-02 15:04 MST"), r.URL)
		fmt.Fprintf(w, "            %d bytes, sha256 %s (%s); commit of %s\n", r.Size, r.SHA256, checked, r.CommitTime.UTC().Format("2006-01-02 15:04 MST"))
	}
}

// schemaVersions is "schema versions 1.0 to 1.28 (23 versions, 798 files)", or the few
// there are, or none.
func schemaVersions(s specifications.Survey) string {
	v := s.Versions()
	files := 0
	for _, n := range s.SchemaVersions {
		files += n
	}
	switch {
	case len(v) == 0:
		return "no schemaVersion (legacy formats only)"
	case len(v) <= 3:
		return fmt.Sprintf("schema versions %s (%s)", strings.Join(v, ", "), count(files, "file"))
	}
	return fmt.Sprintf("schema versions %s to %s (%d versions, %s)", v[0], v[len(v)-1], len(v), count(files, "file"))
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// printResolution says where spec resolves: in the first corpus, or not, and then
// which corpora have it. It reports whether a run finds it.
func printResolution(w io.Writer, spec string, corpora []specifications.Corpus) bool {
	var in []string
	found := false
	for i, c := range corpora {
		p, err := specifications.Resolve(spec, c.Root)
		if err != nil || !specifications.Within(p, c.Root) {
			continue
		}
		if i == 0 {
			fmt.Fprintf(w, "\n%s: resolves in 1 (%s): %s\n", spec, c.Origin, p)
			return true
		}
		in = append(in, fmt.Sprintf("%d (%s, --corpus %s)", i+1, c.Origin, c.Root))
		found = true
	}
	if !found {
		fmt.Fprintf(w, "\n%s: in no corpus\n", spec)
		return false
	}
	fmt.Fprintf(w, "\n%s: not in 1 (%s), so a run does not find it; in %s\n", spec, corpora[0].Origin, strings.Join(in, ", "))
	return false
}

// corpusGet is specrun corpus get: progress, when set, is the terminal for the bar.
func corpusGet(ctx context.Context, args []string, progress io.Writer, stdout, stderr io.Writer) int {
	fs := newFlags("corpus get", corpusGetUsage, stdout, stderr)
	from := fs.String("from", "", "a mirror's `URL` or a local tarball `FILE` of mongodb/specifications at REF (default GitHub's tarball)")
	sum := fs.String("sha256", "", "the tarball's expected sha256 (`HEX`; default: the one beside it, URL.sha256, if any)")
	refs, exit, ok := parseArgs(fs, args)
	if !ok {
		return exit
	}
	if len(refs) > 1 {
		return fs.usageError("one REF at most, not %d", len(refs))
	}
	o := corpusget.Options{From: *from, SHA256: *sum, Progress: progress}
	if len(refs) == 1 {
		o.Ref = refs[0]
	}
	var err error
	if o.Dir, err = specifications.FetchedDir(); err != nil {
		fmt.Fprintln(stderr, "specrun corpus get: no user cache folder:", err)
		return exitFail
	}
	res, err := corpusget.Get(ctx, o)
	if err != nil {
		fmt.Fprintln(stderr, "specrun corpus get:", err)
		return exitFail
	}
	r := res.Record
	what := fmt.Sprintf("%s %s", r.Repository, r.Commit)
	if r.Ref != r.Commit {
		what += " (" + r.Ref + ")"
	}
	if res.Reused {
		fmt.Fprintf(stdout, "specrun corpus get: %s was fetched before: %s, now the corpus fetched last\n", what, res.Root)
	} else {
		fmt.Fprintf(stdout, "specrun corpus get: %s: %s extracted in %s\n", what, count(r.Files, "file"), res.Root)
		fmt.Fprintf(stdout, "specrun corpus get: from %s: %d bytes, sha256 %s\n", r.URL, r.Size, r.SHA256)
	}
	if env := os.Getenv("SPECRUN_CORPUS"); env != "" {
		fmt.Fprintf(stdout, "specrun corpus get: note: $SPECRUN_CORPUS (%s) still comes first\n", filepath.Clean(env))
	}
	return exitOK
}
