package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/specrun/specrun/internal/logtail"
	"github.com/specrun/specrun/report"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/run"
	"github.com/specrun/specrun/serverproc"
	"github.com/specrun/specrun/specifications"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"
)

const exitUnreachable = 3

const runUsage = `Usage: specrun [run] [flags] PATH|SPEC...

Runs the spec test files under the paths against a server and prints a verdict per
test: pass, fail, skip, unsupported (the server lacks a test capability such as
fail points, or the driver cannot express the operation) or error (specrun could not
judge: an invalid file, an operation specrun does not run).

With no --uri and no $MONGODB_URI, specrun starts an embedded FerretDB 1.24.2
(SQLite, temporary data) for the run. --server-cmd CMD starts the server under test
instead: {port} in CMD is a free loopback port, {dir} a fresh temporary folder; specrun
waits until it answers hello, shows its last output with each failure, and starts it
again when it crashes (the test that was running fails, saying so).

A server that goes away during the run is pinged; one that does not answer within 10s
is lost: the test that was running fails, the tests still to come are errors that say
so, the reports are written, and the exit status is 3.

As a release gate: --expect FILE says what the server is known to do (each entry with a
reason); the run fails only on departures from it. --update-expect FILE writes the file
this run satisfies. Ctrl-C or --max-time end the run after the current test; the
reports are still written, marked partial, with the tests that did not run.

--jobs N runs N files at once, each worker on a server of its own (N embedded servers,
N --server-cmd processes, or N --uri values); the output shows whole files, and the
reports and verdicts are those of a serial run.

Against a --uri server that holds collections the tests do not name, specrun refuses
to run without --allow-nonempty (which says which of the server's collections the run
may drop). Credentials never appear in its output or reports.

Exit status: 0 every test met its expectation (without --expect: no fail, no error),
1 some did not, or the run was partial, 2 usage error, nothing to run, a server that
refused the credentials or holds other data, 3 a server unreachable, lost, or that
did not start (the reports are still written).

Examples:
  specrun crud                                      the embedded server, the corpus's CRUD tests
  specrun --uri mongodb://localhost:27017 crud --update-expect expect.yml
  specrun --uri mongodb://localhost:27017 crud --expect expect.yml --junit junit.xml
  specrun --run 'find/Find with filter$' -v crud    one test, with its verdict
  specrun crud --json - | jq .summary               the JSON report on stdout

Flags:
`

// runOptions are the flags of specrun run.
type runOptions struct {
	uri, corpus, runRE, skipRE, shard string
	shuffle                           string
	expectPath, updatePath            string
	reports                           reportFiles
	singleLB, multiLB                 string
	serverCmd, serverName             string
	color                             string
	timeout, maxTime                  time.Duration
	allowNonempty, verbose            bool
	// uris are the --uri values (uri is the first); jobs the workers (--jobs), each
	// on a server of its own.
	uris          uriList
	jobs          int
	durationsPath string
	jobsSet       bool
	// corpusUsed is the corpus spec names were found in (nil: only paths were given).
	corpusUsed *specifications.Corpus
}

func runCommand(args []string, stdout, stderr io.Writer) int {
	// Ctrl-C, SIGTERM and SIGHUP (the terminal closed) end the run after the current
	// test, with reports and temporary folders removed; a second one ends the process
	// at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	context.AfterFunc(ctx, stop)
	// SIGPIPE (the reader of the output went away) ends the run the same way, but stays
	// caught: every later write to that output raises it again, and must only fail.
	broken := make(chan os.Signal, 1)
	signal.Notify(broken, syscall.SIGPIPE)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-broken:
			cancel()
		case <-ctx.Done():
		}
	}()
	return runTests(ctx, args, stdout, stderr)
}

// runTests is specrun run: the flags become a plan, run.Execute judges it, and what
// it records is printed and written.
func runTests(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// A flag's error quotes its value, which may be a connection string given to the
	// wrong flag: until the URIs are known, every argument is taken for one.
	o, paths, exit, ok := parseRunFlags(args, stdout, report.NewRedactor(args...).Writer(terminal(stderr)))
	if !ok {
		return exit
	}
	// A report on stdout ("-") has stdout to itself: what specrun says goes to stderr.
	o.reports.stdout = stdout
	if toStdout(append(o.reports.outputs(), output{"--update-expect", o.updatePath})) {
		stdout = stderr
	}
	// Nothing specrun prints or writes may carry the credentials of the URIs, whether
	// they parse or not.
	redact := report.NewRedactor(append([]string{o.singleLB, o.multiLB}, o.uris...)...)
	var tty io.Writer
	if isTerminal(stderr) {
		tty = stderr
	}
	rawStdout := stdout
	// What fixtures and servers say is made visible and bounded (terminal).
	stdout, stderr = redact.Writer(terminal(stdout)), redact.Writer(terminal(stderr))
	paint, err := o.palette(rawStdout)
	if err != nil {
		return usageFailure(stderr, flagValueError{err})
	}
	plan, update, err := o.plan(paths, redact)
	if err != nil {
		return usageFailure(stderr, err)
	}
	if o.corpusUsed != nil {
		fmt.Fprintln(stderr, "specrun: corpus:", o.corpusUsed)
	}
	if plan.Shuffle != nil {
		fmt.Fprintf(stderr, "specrun: --shuffle %d: the files run in a random order, which this seed repeats\n", *plan.Shuffle)
	}
	if n, example := plan.SharedIDs(); n > 0 {
		fmt.Fprintf(stderr, "specrun: note: %s the ID of another file given (%s); reports and expectations cannot tell their tests apart\n", haveIDs(n), example)
	}
	srvs, stopServer, err := o.servers(ctx, stderr, plan.FilesToRun())
	if err != nil {
		if errors.As(err, new(flagValueError)) || errors.Is(err, errNoEmbedded) {
			return usageFailure(stderr, err)
		}
		fmt.Fprintln(stderr, "specrun:", err)
		return exitUnreachable
	}
	defer stopServer()
	stopNotice := context.AfterFunc(ctx, func() {
		fmt.Fprintln(stderr, "\nspecrun: interrupted: stopping after the current test and writing the reports (again to quit at once)")
	})
	out := newProgress(stdout, stderr, tty, o.verbose, plan.SelectedCount())
	out.gate, out.several = gate{expect: plan.Expect, ev: report.Evaluation{File: o.expectPath}, paint: paint}, len(srvs) > 1
	rec, err := run.ExecuteJobs(ctx, plan, srvs, out)
	stopNotice()
	out.done()
	uri := report.RedactURI(srvs[0].URI)
	if rec == nil {
		return refused(stderr, err)
	}
	for _, n := range rec.ServerNotes {
		fmt.Fprintf(stderr, "specrun: note: %s: %s\n", uri, n)
	}
	for _, a := range append([]string{"specrun"}, args...) {
		rec.Report.Command = append(rec.Report.Command, redact.String(a))
	}
	code := o.finish(rec, &plan, update, stdout, stderr)
	writeEnd(stdout, paint, rec, plan.Expect != nil)
	return lostExit(stderr, uri, rec, err, code)
}

// lostExit says, last, that the server was unreachable from the start (err: the whole
// error, a server's output too) or lost, naming it, and gives the exit status: code
// when neither.
func lostExit(stderr io.Writer, uri string, rec *run.Record, err error, code int) int {
	if rec.Lost != nil {
		uri = rec.Lost.Server // under --jobs, the one of several that was lost
	}
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "specrun: %s: %v\n", uri, err)
	case rec.Lost != nil:
		fmt.Fprintf(stderr, "specrun: %s: %s\n", uri, rec.Lost.Reason)
	default:
		return code
	}
	return exitUnreachable
}

// parseRunFlags parses run's flags; the URIs of the environment are read only then: as
// flag defaults, --help would print their credentials.
func parseRunFlags(args []string, stdout, stderr io.Writer) (o runOptions, paths []string, exit int, ok bool) {
	fs := newFlags("run", runUsage, stdout, stderr)
	fs.Var(&o.uris, "uri", "the server's connection string `URI` (default $MONGODB_URI; neither: the embedded server); with\n--jobs N, give it N times, a server per worker")
	fs.StringVar(&o.singleLB, "single-mongos-lb-uri", "", "load-balanced clusters: the `URI` of the load balancer fronting one mongos (default $SINGLE_MONGOS_LB_URI)")
	fs.StringVar(&o.multiLB, "multi-mongos-lb-uri", "", "load-balanced clusters: the `URI` of the load balancer fronting several mongoses (default $MULTI_MONGOS_LB_URI)")
	fs.StringVar(&o.corpus, "corpus", "", corpusFlagUsage)
	fs.StringVar(&o.runRE, "run", "", "run only tests whose ID matches this regular expression (`REGEXP`)")
	fs.StringVar(&o.skipRE, "skip", "", "skip tests whose ID matches this regular expression (`REGEXP`)")
	fs.StringVar(&o.shard, "shard", "", "run shard `I/N`: a stable 1/N of the files (by file ID), for a CI matrix; join the reports with specrun merge")
	fs.StringVar(&o.shuffle, "shuffle", "off", "run the files in the random order of seed `SEED|on` (on: a seed from the clock), printed to repeat the order; the tests of a file keep theirs")
	o.reports.register(fs.FlagSet, "")
	fs.StringVar(&o.expectPath, "expect", "", "expectations `file`: what the server is known to do; only departures fail the run")
	fs.StringVar(&o.updatePath, "update-expect", "", "write to this `file` the expectations this run satisfies, keeping the reasons of --expect\nand of the file's own entries; new entries get a TODO reason. A partial run writes nothing. -: stdout")
	fs.DurationVar(&o.timeout, "timeout", run.DefaultTimeout, "time limit per test; a test that takes longer fails")
	fs.DurationVar(&o.maxTime, "max-time", 0, "time limit for the whole run (0: none); tests not started by then are reported as not run")
	fs.StringVar(&o.serverCmd, "server-cmd", "", "start the server under test with this shell `command` ({port}: a free port, {dir}: a fresh folder),\nrestarted when it crashes; --uri, if given, says how to connect ({port} filled in)")
	fs.StringVar(&o.serverName, "server-name", "", "the product's `name` in the reports (JSON server.name, the Markdown header; specrun compare\nheads its columns with it); default: the embedded server's, else none")
	fs.BoolVar(&o.allowNonempty, "allow-nonempty", false, "run against a --uri server that holds collections the tests do not name, saying which\nof the server's collections the run may drop")
	fs.BoolVar(&o.verbose, "v", false, "print every test's verdict, not only failures")
	fs.StringVar(&o.color, "color", "auto", colorUsage)
	jobsUsage := "run the files on `N` workers at once, each on a server of its own: its own embedded server or\n--server-cmd process, or one --uri each; the reports are those of a serial run"
	fs.IntVar(&o.jobs, "jobs", 1, jobsUsage)
	fs.IntVar(&o.jobs, "j", 1, "short for --jobs `N`")
	fs.StringVar(&o.durationsPath, "durations", "", "with --jobs, start the files that took longest in the JSON report of an earlier run, this `file`\n(without it: the largest files first)")
	paths, exit, ok = parseArgs(fs, args)
	fs.Visit(func(f *flag.Flag) { o.jobsSet = o.jobsSet || f.Name == "jobs" || f.Name == "j" })
	if len(o.uris) > 0 {
		o.uri = o.uris[0]
	}
	if ok && len(paths) == 0 {
		return o, nil, fs.usageError("give the PATH or SPEC to run"), false
	}
	for _, v := range []struct {
		flag *string
		env  string
	}{{&o.uri, "MONGODB_URI"}, {&o.singleLB, "SINGLE_MONGOS_LB_URI"}, {&o.multiLB, "MULTI_MONGOS_LB_URI"}} {
		if *v.flag == "" {
			*v.flag = os.Getenv(v.env)
		}
	}
	if len(o.uris) == 0 && o.uri != "" {
		o.uris = uriList{o.uri}
	}
	return o, paths, exit, ok
}

// flagValueError is a flag whose value cannot be: its message is followed by where
// the help is.
type flagValueError struct{ error }

// usageFailure prints a usage error of run, and returns its exit status.
func usageFailure(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, "specrun:", err)
	if errors.As(err, new(flagValueError)) {
		fmt.Fprintln(stderr, "Run 'specrun help run' for usage.")
	}
	return exitUsage
}

// flagValues checks the values of the flags and puts in the plan what they select.
func (o *runOptions) flagValues(plan *run.Plan) error {
	var err error
	if plan.Selection, err = run.NewSelection(o.runRE, o.skipRE, o.shard); err != nil {
		return err
	}
	if plan.Shuffle, err = run.ParseShuffle(o.shuffle, time.Now); err != nil {
		return err
	}
	switch {
	case o.maxTime < 0:
		return errors.New("--max-time must not be negative")
	case o.timeout <= 0:
		return errors.New("--timeout must be more than 0")
	}
	if err := o.checkJobs(o.jobsSet); err != nil {
		return err
	}
	uris := []struct{ flag, uri string }{{"--single-mongos-lb-uri", o.singleLB}, {"--multi-mongos-lb-uri", o.multiLB}}
	for _, u := range o.uris {
		uris = append(uris, struct{ flag, uri string }{"--uri", u})
	}
	for _, u := range uris {
		// {port} stands for the port of a --server-cmd server
		if _, err := connstring.Parse(strings.ReplaceAll(u.uri, "{port}", "1")); u.uri != "" && err != nil {
			return fmt.Errorf("%s: not a connection string: %w", u.flag, err)
		}
	}
	return nil
}

// plan turns the options and paths into the run's plan, and --update-expect into the
// update to write afterwards (nil without it), once the outputs are known to be
// writable (checkOutputs). Its errors are usage errors.
func (o *runOptions) plan(paths []string, redact *report.Redactor) (run.Plan, *expectationsUpdate, error) {
	plan := run.Plan{Timeout: o.timeout, MaxTime: o.maxTime, AllowNonempty: o.allowNonempty, Redact: redact}
	if err := o.flagValues(&plan); err != nil {
		return plan, nil, flagValueError{err}
	}
	var err error
	if plan.Durations, err = o.durations(); err != nil {
		return plan, nil, err
	}
	if o.expectPath != "" {
		if plan.Expect, err = report.LoadExpectations(o.expectPath); err != nil {
			return plan, nil, err
		}
	}
	sources, used, err := discover(paths, o.corpus)
	if err != nil {
		return plan, nil, err
	}
	o.corpusUsed = used
	plan.Loads = specifications.LoadAll(sources, false)
	plan.Corpus = corpusRoots(paths, used, plan.Files())
	if err := o.checkOutputs(plan.Loads); err != nil {
		return plan, nil, err
	}
	var update *expectationsUpdate
	if o.updatePath != "" {
		if update, err = loadUpdate(o.updatePath, o.expectPath, plan.Expect); err != nil {
			return plan, nil, err
		}
		update.stdout = o.reports.stdout
	}
	return plan, update, nil
}

// checkOutputs checks, before the run, that the reports and --update-expect can be
// written and overwrite no input: the --expect file (which --update-expect may
// rewrite), a fixture of the run or its YAML twin, another output.
func (o *runOptions) checkOutputs(loads []specifications.LoadResult) error {
	outs := append(o.reports.outputs(), output{"--update-expect", o.updatePath})
	var ins []input
	if o.expectPath != "" {
		ins = append(ins, input{"the --expect file", o.expectPath, "--update-expect"})
	}
	for _, lr := range loads {
		what := "a fixture of this run (" + lr.Source.ID + ")"
		ins = append(ins, input{what, lr.Source.Path, ""})
		if lr.Source.Twin != "" {
			ins = append(ins, input{"the YAML twin of " + what, lr.Source.Twin, ""})
		}
	}
	return checkOutputs(outs, ins)
}

// serverLogKept is how many of the embedded server's last log lines are kept.
const serverLogKept = 500

// server is the server of the run: --uri, or the embedded server started for the run
// (stopped by the function returned).
func (o *runOptions) server(ctx context.Context, stderr io.Writer) (run.Target, func(), error) {
	srv := run.Target{URI: o.uri, SingleMongosLBURI: o.singleLB, MultiMongosLBURI: o.multiLB, Product: o.serverName}
	switch {
	case o.serverCmd != "":
		srv, stop, err := o.serverProcess(srv)
		if err == nil {
			fmt.Fprintf(stderr, "specrun: --server-cmd: starting the server under test at %s\n", srv.URI)
		}
		return srv, stop, err
	case o.uri != "":
		return srv, func() {}, nil
	}
	srv, stop, err := o.embeddedServer(ctx, srv)
	if err == nil {
		fmt.Fprintf(stderr, "specrun: no --uri or $MONGODB_URI: running against embedded %s (SQLite, temporary data) at %s\n", srv.Product, srv.URI)
	}
	return srv, stop, err
}

// embeddedServer starts an embedded server for the run (stopped by the function
// returned).
func (o *runOptions) embeddedServer(ctx context.Context, srv run.Target) (run.Target, func(), error) {
	tail := logtail.New(serverLogKept)
	e, err := startEmbedded(ctx, "", slog.New(tail.Handler()))
	if err != nil {
		return srv, nil, err
	}
	srv.URI, srv.Embedded, srv.Own, srv.Name, srv.Log = e.URI(), true, true, "embedded FerretDB", tail
	if srv.Product == "" {
		srv.Product = e.Version()
	}
	return srv, func() { e.Close() }, nil
}

// serverProcess is the server --server-cmd starts: run.Execute starts it (and again
// after a crash); the function returned stops it.
func (o *runOptions) serverProcess(srv run.Target) (run.Target, func(), error) {
	tail := logtail.New(serverLogKept)
	proc, err := serverproc.New(serverproc.Options{Command: o.serverCmd, URI: o.uri, Log: tail})
	if err != nil {
		return srv, nil, flagValueError{err} // a --server-cmd that cannot be run as given
	}
	srv.URI, srv.Name, srv.Log, srv.Process = proc.URI(), "the server of --server-cmd", tail, proc
	srv.Own = true
	return srv, func() { _ = proc.Stop() }, nil
}

// palette is the colours of the run's output (--color, NO_COLOR), to stdout.
func (o *runOptions) palette(stdout io.Writer) (palette, error) {
	on, err := useColor(o.color, stdout, os.Getenv)
	if !on {
		return palette{}, err
	}
	return palette{raw: stdout}, nil
}

// refused says why the server could not be used, with its exit status.
func refused(stderr io.Writer, err error) int {
	var nonempty *run.NonemptyError
	var by *run.RefusedError
	uri := "the server"
	if errors.As(err, &by) {
		uri = by.Server
	}
	switch {
	case errors.As(err, &nonempty) && nonempty.Err != nil:
		fmt.Fprintf(stderr, "specrun: %s: %v; --allow-nonempty runs anyway\n", uri, err)
		return exitUsage
	case errors.As(err, &nonempty):
		fmt.Fprintf(stderr, "specrun: %s: %v, or pass --allow-nonempty\n", uri, err)
		return exitUsage
	case errors.Is(err, run.ErrAuthentication):
		fmt.Fprintf(stderr, "specrun: %s: %v\n", uri, err)
		return exitUsage
	case errors.Is(err, run.ErrUnreachable):
		fmt.Fprintf(stderr, "specrun: %s: %v\n", uri, err)
		return exitUnreachable
	}
	fmt.Fprintf(stderr, "specrun: %s: %v\n", uri, err)
	return exitFail
}

// finish writes --update-expect and the reports, and gives the exit status; the end
// of the output (writeEnd) follows.
func (o *runOptions) finish(rec *run.Record, plan *run.Plan, update *expectationsUpdate, stdout, stderr io.Writer) int {
	rep := rec.Report
	if rep.Partial != nil {
		fmt.Fprintf(stderr, "specrun: %s: the run is partial, %s did not run (the reports list them)\n", rep.Partial.Reason, count(len(rep.Partial.NotRun), "selected test"))
	}
	code := exitOK
	if update != nil {
		switch {
		case rep.Partial != nil:
			fmt.Fprintf(stderr, "specrun: --update-expect: a partial run does not update %s; it is unchanged\n", o.updatePath)
			code = exitFail
		case rec.Lost != nil:
			fmt.Fprintf(stderr, "specrun: --update-expect: a run that lost its server does not update %s; it is unchanged\n", o.updatePath)
			code = exitFail
		default:
			if err := update.write(rec.Judged, plan.KnownIDs(), stderr); err != nil {
				fmt.Fprintln(stderr, "specrun:", err)
				code = exitFail
			}
		}
	}
	if err := o.reports.write(rep); err != nil {
		fmt.Fprintln(stderr, "specrun:", err)
		code = exitFail
	}
	switch {
	case !rec.OK():
		return exitFail
	case len(rec.Judged) == 0 && rep.Filters.Shard.Count > 1 && len(plan.Files()) == 0:
		fmt.Fprintf(stderr, "specrun: note: shard %s has no files\n", rep.Filters.Shard)
	case len(rec.Judged) == 0:
		fmt.Fprintln(stderr, "specrun: no test ran")
		return exitUsage
	}
	return code
}

// corpusRoots names the roots of the run for the report: each argument as resolved,
// with the number of files of the run under it and the corpus identity.
func corpusRoots(args []string, used *specifications.Corpus, loads []specifications.LoadResult) []report.CorpusRoot {
	root := "" // the corpus discover found the spec names in, if any: the same again
	if used != nil {
		root = used.Root
	}
	var out []report.CorpusRoot
	for _, a := range args {
		p, err := specifications.Resolve(a, root)
		if err != nil {
			p = a
		}
		c := report.CorpusRoot{Root: p, Identity: specifications.Identify(p)}
		for _, lr := range loads {
			if lr.Kind != specifications.OtherFormat && specifications.Within(lr.Source.Path, p) {
				c.Files++
			}
		}
		out = append(out, c)
	}
	return out
}

// filteredOut is " (N filtered out)" for the skips --run and --skip made, "" if none.
func filteredOut(tests []result.Test) string {
	n := 0
	for _, t := range tests {
		if t.Status == result.Skip && t.Reason == run.FilteredOut {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d filtered out)", n)
}

// haveIDs is "1 file has", "2 files have".
func haveIDs(n int) string {
	if n == 1 {
		return "1 file has"
	}
	return count(n, "file") + " have"
}
