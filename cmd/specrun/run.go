package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/specrun/specrun/embedded"
	"github.com/specrun/specrun/interpreter"
	"github.com/specrun/specrun/report"
	"github.com/specrun/specrun/specifications"
)

const exitUnreachable = 3

const runUsage = `Usage: specrun [run] [flags] PATH|SPEC...

Runs the spec test files under the paths against a server and prints a verdict per
test: pass, fail, skip, unsupported (the server lacks a test capability such as
fail points, or the driver cannot express the operation) or error (specrun could not
judge: an invalid file, an operation specrun does not run).

With no --uri and no $MONGODB_URI, specrun starts an embedded FerretDB 1.24.2
(SQLite, temporary data) for the run.

Exit status: 0 every test met its expectation (without --expect: no fail, no error),
1 some did not, 2 usage error or nothing to run, 3 server unreachable.

Flags:
`

// runOptions are the flags of specrun run.
type runOptions struct {
	uri, corpus, runRE, skipRE, jsonPath, expectPath string
	singleLB, multiLB                                string
	timeout                                          time.Duration
	verbose                                          bool
}

func runCommand(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runTests(ctx, args, stdout, stderr)
}

func runTests(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o runOptions
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.uri, "uri", os.Getenv("MONGODB_URI"), "server connection string (default $MONGODB_URI; neither: the embedded server)")
	fs.StringVar(&o.singleLB, "single-mongos-lb-uri", os.Getenv("SINGLE_MONGOS_LB_URI"), "load-balanced clusters: the load balancer fronting one mongos (default $SINGLE_MONGOS_LB_URI)")
	fs.StringVar(&o.multiLB, "multi-mongos-lb-uri", os.Getenv("MULTI_MONGOS_LB_URI"), "load-balanced clusters: the load balancer fronting several mongoses (default $MULTI_MONGOS_LB_URI)")
	fs.StringVar(&o.corpus, "corpus", "", "corpus root for SPEC names (default $SPECRUN_CORPUS, ./specifications, the Debian package location)")
	fs.StringVar(&o.runRE, "run", "", "run only tests whose ID matches this regular expression")
	fs.StringVar(&o.skipRE, "skip", "", "skip tests whose ID matches this regular expression")
	fs.StringVar(&o.jsonPath, "json", "", "write the JSON report to this file")
	fs.StringVar(&o.expectPath, "expect", "", "expectations file: what the server is known to do; only departures fail the run")
	fs.DurationVar(&o.timeout, "timeout", interpreter.DefaultTimeout, "time limit per test; a test that takes longer fails")
	fs.BoolVar(&o.verbose, "v", false, "print every test's verdict, not only failures")
	fs.Usage = func() {
		fmt.Fprint(stderr, runUsage)
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
	filter, err := idFilter(o.runRE, o.skipRE)
	if err != nil {
		fmt.Fprintln(stderr, "specrun:", err)
		return exitUsage
	}
	var expect *report.Expectations
	if o.expectPath != "" {
		if expect, err = report.LoadExpectations(o.expectPath); err != nil {
			fmt.Fprintln(stderr, "specrun:", err)
			return exitUsage
		}
	}
	sources, err := discover(paths, o.corpus)
	if err != nil {
		fmt.Fprintln(stderr, "specrun:", err)
		return exitUsage
	}
	loads := specifications.LoadAll(sources, false)
	if n, example := sharedIDs(loads); n > 0 {
		fmt.Fprintf(stderr, "specrun: note: %d file(s) have the ID of another file given (%s); reports and expectations cannot tell their tests apart\n", n, example)
	}

	rep := &report.Run{Started: time.Now(), Corpus: corpusRoots(paths, o.corpus, len(sources))}
	rep.SpecrunVersion, rep.Driver = versions()
	uri := o.uri
	if uri == "" {
		srv, err := embedded.Start(ctx, embedded.Options{})
		if err != nil {
			fmt.Fprintln(stderr, "specrun: cannot start the embedded server:", err)
			return exitUnreachable
		}
		defer srv.Close()
		uri = srv.URI()
		rep.Server.Embedded = true
		fmt.Fprintf(stderr, "specrun: no --uri or $MONGODB_URI: running against embedded %s (SQLite, temporary data) at %s\n", srv.Version(), uri)
	}
	rep.Server.URI = report.RedactURI(uri)
	runner, err := interpreter.New(ctx, interpreter.Config{URI: uri, SingleMongosLBURI: o.singleLB, MultiMongosLBURI: o.multiLB, Timeout: o.timeout})
	if err != nil {
		fmt.Fprintf(stderr, "specrun: %s: %v\n", rep.Server.URI, err)
		if errors.Is(err, interpreter.ErrUnreachable) {
			return exitUnreachable
		}
		return exitFail
	}
	defer runner.Close(context.Background())
	server := runner.Server()
	rep.Server.Version, rep.Server.Topology, rep.Server.MaxWireVersion = server.Version, server.Topology, server.MaxWireVersion
	rep.Server.Capabilities = server.Capabilities()

	out := newProgress(stdout, stderr, o.verbose, countTests(loads))
	var ran []interpreter.Result // the tests that were judged (not filtered out)
	var known []string           // IDs of every loaded test, for stale entries
	for _, lr := range loads {
		if ctx.Err() != nil {
			break
		}
		var fileResults []interpreter.Result
		emit := func(res interpreter.Result) {
			known = append(known, res.ID)
			rep.Tests = append(rep.Tests, res)
			if res.Status == interpreter.Skip && res.Reason == filteredOut {
				return
			}
			ran = append(ran, res)
			fileResults = append(fileResults, res)
			out.test(res)
		}
		switch lr.Outcome {
		case specifications.OtherFormat:
			continue
		case specifications.Rejected:
			emit(interpreter.Result{ID: lr.Source.ID, File: lr.Source.Path, Status: interpreter.Error, Reason: oneLine(lr.Err.Error())})
		case specifications.Loaded:
			for i := range lr.File.Tests {
				if ctx.Err() != nil {
					break
				}
				if !filter(lr.File.Tests[i].ID) {
					emit(interpreter.Result{ID: lr.File.Tests[i].ID, File: lr.File.Path, Description: lr.File.Tests[i].Description,
						Status: interpreter.Skip, Reason: filteredOut})
					continue
				}
				emit(runner.RunTest(ctx, lr.File, i))
			}
		}
		out.file(lr.Source.ID, fileResults)
	}
	rep.Duration = time.Since(rep.Started)
	out.done()

	eval := expect.Evaluate(ran, known)
	if expect != nil {
		rep.Expect = &eval
	}
	summary := report.Summarize(ran)
	fmt.Fprintf(stdout, "%d tests: %d pass, %d fail, %d skip, %d unsupported, %d error (%s)\n", summary.Total,
		summary.Pass, summary.Fail, summary.Skip, summary.Unsupported, summary.Error, rep.Duration.Round(time.Millisecond))
	if expect != nil {
		_ = eval.WriteSummary(stdout)
	}
	if o.jsonPath != "" {
		if err := writeFile(o.jsonPath, func(w io.Writer) error { return report.WriteJSON(w, rep) }); err != nil {
			fmt.Fprintln(stderr, "specrun:", err)
			return exitFail
		}
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "specrun: interrupted; the run is incomplete")
		return exitFail
	}
	if len(ran) == 0 {
		fmt.Fprintln(stderr, "specrun: no test ran")
		return exitUsage
	}
	if !eval.OK() {
		return exitFail
	}
	return exitOK
}

const filteredOut = "filtered out by --run/--skip"

// idFilter builds the test filter of --run and --skip.
func idFilter(runRE, skipRE string) (func(string) bool, error) {
	var run, skip *regexp.Regexp
	var err error
	if runRE != "" {
		if run, err = regexp.Compile(runRE); err != nil {
			return nil, fmt.Errorf("--run: %w", err)
		}
	}
	if skipRE != "" {
		if skip, err = regexp.Compile(skipRE); err != nil {
			return nil, fmt.Errorf("--skip: %w", err)
		}
	}
	return func(id string) bool {
		return (run == nil || run.MatchString(id)) && (skip == nil || !skip.MatchString(id))
	}, nil
}

func countTests(loads []specifications.LoadResult) int {
	n := 0
	for _, lr := range loads {
		switch lr.Outcome {
		case specifications.Loaded:
			n += len(lr.File.Tests)
		case specifications.Rejected:
			n++
		}
	}
	return n
}

// corpusRoots names the roots of the run for the report: each argument as resolved.
func corpusRoots(args []string, corpusFlag string, files int) []report.CorpusRoot {
	root, _ := specifications.CorpusRoot(corpusFlag)
	var out []report.CorpusRoot
	for _, a := range args {
		p, err := specifications.Resolve(a, root)
		if err != nil {
			p = a
		}
		out = append(out, report.CorpusRoot{Root: p})
	}
	if len(out) == 1 {
		out[0].Files = files
	}
	return out
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// sharedIDs counts the loaded files whose ID another loaded file has too, as when both
// corpus layouts are given (the same spec file gives the same ID in both), and
// describes the first such pair.
func sharedIDs(loads []specifications.LoadResult) (int, string) {
	first := map[string]string{}
	n, example := 0, ""
	for _, lr := range loads {
		if lr.Outcome != specifications.Loaded {
			continue
		}
		other, seen := first[lr.Source.ID]
		if !seen {
			first[lr.Source.ID] = lr.Source.Path
			continue
		}
		if n++; example == "" {
			example = fmt.Sprintf("%s: %s and %s", lr.Source.ID, other, lr.Source.Path)
		}
	}
	return n, example
}
