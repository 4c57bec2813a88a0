package main

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/specrun/specrun/embedded"
	"github.com/specrun/specrun/interpreter"
	"github.com/specrun/specrun/report"
	"github.com/specrun/specrun/result"
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

As a release gate: --expect FILE says what the server is known to do (each entry with a
reason); the run fails only on departures from it. --update-expect FILE writes the file
this run satisfies. Ctrl-C or --max-time end the run after the current test; the
reports are still written, marked partial, with the tests that did not run.

Against a --uri server that holds databases the tests do not name, specrun refuses to
run without --allow-nonempty. Credentials never appear in its output or reports.

Exit status: 0 every test met its expectation (without --expect: no fail, no error),
1 some did not, or the run was partial, 2 usage error or nothing to run, 3 server
unreachable.

Flags:
`

// runOptions are the flags of specrun run.
type runOptions struct {
	uri, corpus, runRE, skipRE, shard string
	expectPath, updatePath            string
	reports                           reportFiles
	singleLB, multiLB                 string
	timeout, maxTime                  time.Duration
	allowNonempty, verbose            bool
}

func runCommand(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal ends the run after the current test, with reports; a second one
	// ends the process at once.
	context.AfterFunc(ctx, stop)
	return runTests(ctx, args, stdout, stderr)
}

var errMaxTime = errors.New("--max-time reached")

func runTests(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o runOptions
	fs := newFlags("run", runUsage, stderr)
	fs.StringVar(&o.uri, "uri", "", "server connection string (default $MONGODB_URI; neither: the embedded server)")
	fs.StringVar(&o.singleLB, "single-mongos-lb-uri", "", "load-balanced clusters: the load balancer fronting one mongos (default $SINGLE_MONGOS_LB_URI)")
	fs.StringVar(&o.multiLB, "multi-mongos-lb-uri", "", "load-balanced clusters: the load balancer fronting several mongoses (default $MULTI_MONGOS_LB_URI)")
	fs.StringVar(&o.corpus, "corpus", "", "corpus root for SPEC names (default $SPECRUN_CORPUS, ./specifications, the Debian package location)")
	fs.StringVar(&o.runRE, "run", "", "run only tests whose ID matches this regular expression")
	fs.StringVar(&o.skipRE, "skip", "", "skip tests whose ID matches this regular expression")
	fs.StringVar(&o.shard, "shard", "", "run shard `I/N`: a stable 1/N of the files (by file ID), for a CI matrix; join the reports with specrun merge")
	o.reports.register(fs, "")
	fs.StringVar(&o.expectPath, "expect", "", "expectations `file`: what the server is known to do; only departures fail the run")
	fs.StringVar(&o.updatePath, "update-expect", "", "write to this `file` the expectations this run satisfies, keeping the reasons of --expect\nand of the file's own entries; new entries get a TODO reason. A partial run writes nothing")
	fs.DurationVar(&o.timeout, "timeout", interpreter.DefaultTimeout, "time limit per test; a test that takes longer fails")
	fs.DurationVar(&o.maxTime, "max-time", 0, "time limit for the whole run (0: none); tests not started by then are reported as not run")
	fs.BoolVar(&o.allowNonempty, "allow-nonempty", false, "run against a --uri server that holds databases the tests do not name")
	fs.BoolVar(&o.verbose, "v", false, "print every test's verdict, not only failures")
	paths, exit, ok := parseArgs(fs, args)
	if !ok {
		return exit
	}
	if len(paths) == 0 {
		fs.Usage()
		return exitUsage
	}
	// The environment's URIs are read only now: as flag defaults, --help would print
	// their credentials.
	for p, env := range map[*string]string{&o.uri: "MONGODB_URI", &o.singleLB: "SINGLE_MONGOS_LB_URI", &o.multiLB: "MULTI_MONGOS_LB_URI"} {
		if *p == "" {
			*p = os.Getenv(env)
		}
	}
	// Nothing specrun prints or writes may carry the credentials of the URIs.
	redact := report.NewRedactor(o.uri, o.singleLB, o.multiLB)
	live := isTerminal(stderr)
	stdout, stderr = redact.Writer(stdout), redact.Writer(stderr)

	rep := &report.Run{Started: time.Now(), Filters: report.Filters{Run: o.runRE, Skip: o.skipRE}}
	filter, err := idFilter(o.runRE, o.skipRE)
	if err == nil && o.shard != "" {
		rep.Filters.Shard, err = report.ParseShard(o.shard)
	}
	if err == nil && o.maxTime < 0 {
		err = errors.New("--max-time must not be negative")
	}
	var expect *report.Expectations
	if err == nil && o.expectPath != "" {
		expect, err = report.LoadExpectations(o.expectPath)
	}
	var update *expectationsUpdate
	if err == nil && o.updatePath != "" {
		update, err = loadUpdate(o.updatePath, o.expectPath, expect)
	}
	if err != nil {
		fmt.Fprintln(stderr, "specrun:", err)
		return exitUsage
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
	known := testIDs(loads) // every test of the corpus given, for stale entries
	selected := inShard(loads, rep.Filters.Shard)
	rep.Corpus = corpusRoots(paths, o.corpus, selected)
	rep.SpecrunVersion, rep.Driver = versions()

	uri := o.uri
	var serverLog *embedded.LogTail
	if uri == "" {
		serverLog = embedded.NewLogTail(serverLogKept)
		srv, err := embedded.Start(ctx, embedded.Options{Logger: slog.New(serverLog.Handler())})
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
	if !rep.Server.Embedded && !o.allowNonempty {
		if err := checkEmpty(ctx, runner, loads); err != nil {
			fmt.Fprintf(stderr, "specrun: %s: %v\n", rep.Server.URI, err)
			return exitUsage
		}
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if o.maxTime > 0 {
		// A timer, not a context deadline: the driver would send the deadline as
		// maxTimeMS, and tests check the commands.
		defer time.AfterFunc(o.maxTime, func() { cancel(errMaxTime) }).Stop()
	}
	stopNotice := context.AfterFunc(ctx, func() {
		if context.Cause(ctx) != errMaxTime {
			fmt.Fprintln(stderr, "\nspecrun: interrupted: stopping after the current test and writing the reports (again to quit at once)")
		}
	})
	defer stopNotice()

	out := newProgress(stdout, stderr, o.verbose, live, countTests(selected))
	var ran []result.Test    // the tests that were judged (not filtered out)
	var notRun []result.Test // selected tests the run did not get to
	for _, lr := range selected {
		var fileResults []result.Test
		emit := func(res result.Test) {
			// Redacted once here: results go to the reports and the expectations file.
			res.Reason, res.Detail = redact.String(res.Reason), redact.String(res.Detail)
			rep.Tests = append(rep.Tests, res)
			if res.Status == result.Skip && res.Reason == filteredOut {
				return
			}
			ran = append(ran, res)
			fileResults = append(fileResults, res)
			out.test(res)
		}
		switch lr.Kind {
		case specifications.Rejected:
			emit(result.Test{ID: lr.Source.ID, FileID: lr.Source.ID, File: lr.Source.Path, Status: result.Error, Reason: oneLine(lr.Err.Error())})
		case specifications.Loaded:
			for i := range lr.File.Tests {
				t := &lr.File.Tests[i]
				if !filter(t.ID) {
					emit(result.Test{ID: t.ID, FileID: lr.File.ID, File: lr.File.Path, Description: t.Description,
						Status: result.Skip, Reason: filteredOut})
					continue
				}
				var res result.Test
				mark := serverLog.Mark()
				if ctx.Err() == nil {
					res = runner.RunTest(ctx, lr.File, i)
				}
				if ctx.Err() != nil { // not started, or cut short: not judged
					notRun = append(notRun, result.Test{ID: t.ID, FileID: lr.File.ID, File: lr.File.Path, Description: t.Description})
					continue
				}
				if res.Status == result.Fail || res.Status == result.Error {
					res.Detail = withServerLog(res.Detail, serverLog, mark)
				}
				emit(res)
			}
		}
		out.file(lr.Source.ID, fileResults)
	}
	rep.Duration = time.Since(rep.Started)
	out.done()
	if ctx.Err() != nil {
		reason := "interrupted"
		if context.Cause(ctx) == errMaxTime {
			reason = fmt.Sprintf("--max-time %s reached", o.maxTime)
		}
		rep.Partial = &report.Partial{Reason: reason, NotRun: notRun}
	}

	eval := expect.Evaluate(ran, known)
	if expect != nil {
		all := withFilteredOut(eval, rep.Tests)
		rep.Expect = &all
	}
	summary := report.Summarize(ran)
	fmt.Fprintf(stdout, "%d tests: %d pass, %d fail, %d skip, %d unsupported, %d error (%s)\n", summary.Total,
		summary.Pass, summary.Fail, summary.Skip, summary.Unsupported, summary.Error, rep.Duration.Round(time.Millisecond))
	if expect != nil {
		_ = eval.WriteSummary(stdout)
	}
	if rep.Partial != nil {
		fmt.Fprintf(stderr, "specrun: %s: the run is partial, %d selected test(s) did not run (the reports list them)\n", rep.Partial.Reason, len(notRun))
	}
	code := exitOK
	if update != nil {
		if rep.Partial != nil {
			fmt.Fprintf(stderr, "specrun: --update-expect: a partial run does not update %s; it is unchanged\n", o.updatePath)
			code = exitFail
		} else if err := update.write(ran, known, stderr); err != nil {
			fmt.Fprintln(stderr, "specrun:", err)
			code = exitFail
		}
	}
	redact.Run(rep)
	if err := o.reports.write(rep); err != nil {
		fmt.Fprintln(stderr, "specrun:", err)
		code = exitFail
	}
	switch {
	case rep.Partial != nil, !eval.OK():
		return exitFail
	case len(ran) == 0 && rep.Filters.Shard.Count > 1 && len(selected) == 0:
		fmt.Fprintf(stderr, "specrun: note: shard %s has no files\n", rep.Filters.Shard)
	case len(ran) == 0:
		fmt.Fprintln(stderr, "specrun: no test ran")
		return exitUsage
	}
	return code
}

// withFilteredOut gives the verdicts for the report's tests, which include the tests
// --run and --skip filtered out (as skip): the expectations file does not judge those,
// their verdict is ok with no entry.
func withFilteredOut(ev report.Evaluation, tests []result.Test) report.Evaluation {
	all := report.Evaluation{File: ev.File, Stale: ev.Stale}
	next := 0
	for _, t := range tests {
		if t.Status == result.Skip && t.Reason == filteredOut {
			all.Verdicts = append(all.Verdicts, report.Verdict{Result: t, Judgement: report.OK})
			continue
		}
		all.Verdicts = append(all.Verdicts, ev.Verdicts[next])
		next++
	}
	return all
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
		switch lr.Kind {
		case specifications.Loaded:
			n += len(lr.File.Tests)
		case specifications.Rejected:
			n++
		}
	}
	return n
}

// corpusRoots names the roots of the run for the report: each argument as resolved,
// with the number of files of the run under it and the corpus identity.
func corpusRoots(args []string, corpusFlag string, loads []specifications.LoadResult) []report.CorpusRoot {
	root, _ := specifications.CorpusRoot(corpusFlag)
	var out []report.CorpusRoot
	for _, a := range args {
		p, err := specifications.Resolve(a, root)
		if err != nil {
			p = a
		}
		c := report.CorpusRoot{Root: p, Identity: specifications.Identify(p)}
		for _, lr := range loads {
			if lr.Kind != specifications.OtherFormat && within(lr.Source.Path, p) {
				c.Files++
			}
		}
		out = append(out, c)
	}
	return out
}

func within(path, root string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// testIDs lists the IDs of every test of the loaded files.
func testIDs(loads []specifications.LoadResult) []string {
	var ids []string
	for _, lr := range loads {
		switch lr.Kind {
		case specifications.Loaded:
			for _, t := range lr.File.Tests {
				ids = append(ids, t.ID)
			}
		case specifications.Rejected:
			ids = append(ids, lr.Source.ID)
		}
	}
	return ids
}

// inShard keeps the files of the run's shard: a file belongs to shard
// 1 + fnv32a(file ID) mod N, which stays the same when other files come and go and on
// every machine. No shard keeps everything. Files of other formats are not run.
func inShard(loads []specifications.LoadResult, sh report.Shard) []specifications.LoadResult {
	var out []specifications.LoadResult
	for _, lr := range loads {
		if lr.Kind == specifications.OtherFormat {
			continue
		}
		if sh.Count > 1 {
			h := fnv.New32a()
			h.Write([]byte(lr.Source.ID))
			if int(h.Sum32()%uint32(sh.Count)) != sh.Index-1 {
				continue
			}
		}
		out = append(out, lr)
	}
	return out
}

// systemDatabases are on every server; a run never makes them "not empty".
var systemDatabases = []string{"admin", "config", "local"}

// checkEmpty refuses a server that holds databases the corpus does not name: specrun
// drops and fills collections in the databases its tests name, and a server with
// other data is probably not one set aside for the run.
func checkEmpty(ctx context.Context, runner *interpreter.Runner, loads []specifications.LoadResult) error {
	names, err := runner.DatabaseNames(ctx)
	if err != nil {
		return fmt.Errorf("cannot list its databases to check it holds no other data (%v); --allow-nonempty runs anyway", err)
	}
	named := map[string]bool{}
	for _, lr := range loads {
		if lr.Kind == specifications.Loaded {
			for _, n := range lr.File.DatabaseNames() {
				named[n] = true
			}
		}
	}
	var others []string
	for _, n := range names {
		if !named[n] && !slices.Contains(systemDatabases, n) {
			others = append(others, n)
		}
	}
	if len(others) == 0 {
		return nil
	}
	list := others
	if len(list) > 5 {
		list = append(list[:5:5], fmt.Sprintf("and %d more", len(others)-5))
	}
	return fmt.Errorf("the server holds databases these tests do not name (%s). The tests drop and create collections in their own databases only, "+
		"but a server with other data is probably not one set aside for testing: use an empty server, or pass --allow-nonempty", strings.Join(list, ", "))
}

// serverLogKept is how many of the embedded server's last log lines are kept;
// serverLogShown how many of them a failed test shows at most.
const (
	serverLogKept  = 500
	serverLogShown = 40
)

// withServerLog adds to a failed test's detail what the embedded server logged while
// the test ran.
func withServerLog(detail string, tail *embedded.LogTail, mark uint64) string {
	lines, dropped := tail.Since(mark)
	if len(lines) > serverLogShown {
		dropped += len(lines) - serverLogShown
		lines = lines[len(lines)-serverLogShown:]
	}
	if len(lines) == 0 {
		return detail
	}
	var b strings.Builder
	b.WriteString(strings.TrimRight(detail, "\n"))
	if detail != "" {
		b.WriteString("\n")
	}
	b.WriteString("server log (embedded FerretDB, while the test ran")
	if dropped > 0 {
		fmt.Fprintf(&b, "; %d earlier line(s) not shown", dropped)
	}
	b.WriteString("):")
	for _, l := range lines {
		b.WriteString("\n  " + l)
	}
	return b.String()
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
		if lr.Kind != specifications.Loaded {
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
