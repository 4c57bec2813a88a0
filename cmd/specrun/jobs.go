package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/specrun/specrun/report"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/run"
)

// uriList is --uri, which may be given once per --jobs worker.
type uriList []string

func (l *uriList) String() string { return "" } // no default to show

func (l *uriList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// checkJobs checks --jobs against the servers given: every worker has a server of its
// own (tests name fixed databases), and several --uri without --jobs give one worker
// each. Its errors are usage errors.
func (o *runOptions) checkJobs(jobsSet bool) error {
	if len(o.uris) > 1 && !jobsSet {
		o.jobs = len(o.uris)
	}
	switch {
	case o.jobs < 1:
		return errors.New("--jobs must be at least 1")
	case len(o.uris) > 1 && o.serverCmd != "":
		return errors.New("--server-cmd takes one --uri, the template of every worker's server ({port} filled in)")
	case len(o.uris) > 1 && len(o.uris) != o.jobs:
		return fmt.Errorf("--jobs %d with %d --uri: give one --uri per worker", o.jobs, len(o.uris))
	case o.jobs > 1 && o.serverCmd == "" && len(o.uris) == 1:
		return fmt.Errorf("--jobs %d against --uri needs %d servers, one per worker (tests name fixed databases, so two workers never share one): give --uri once per worker", o.jobs, o.jobs)
	case o.jobs > 1 && o.serverCmd != "" && len(o.uris) == 1 && !strings.Contains(o.uris[0], "{port}"):
		return fmt.Errorf("--jobs %d with --server-cmd: the --uri must have {port}, or every worker would connect to the same server (tests name fixed databases)", o.jobs)
	case duplicateURI(o.uris) != "":
		return fmt.Errorf("--uri %s is given twice: two workers would share one server (tests name fixed databases)", report.RedactURI(duplicateURI(o.uris)))
	case o.jobs > 1 && (o.singleLB != "" || o.multiLB != ""):
		return errors.New("--jobs with load-balancer URIs is not supported: the workers would share the load balancers")
	}
	return nil
}

// duplicateURI is a URI given more than once, "" if none is.
func duplicateURI(uris []string) string {
	for i, u := range uris {
		if slices.Contains(uris[:i], u) {
			return u
		}
	}
	return ""
}

// durations reads --durations, a JSON report of an earlier run: how long each test it
// ran took, for --jobs to start the longest files first. Nil without the flag.
func (o *runOptions) durations() (map[string]time.Duration, error) {
	if o.durationsPath == "" {
		return nil, nil
	}
	f, err := os.Open(o.durationsPath)
	if err != nil {
		return nil, fmt.Errorf("--durations: %w", err)
	}
	defer f.Close()
	rep, err := report.ReadJSON(f)
	if err != nil {
		return nil, fmt.Errorf("--durations %s: %w", o.durationsPath, err)
	}
	out := make(map[string]time.Duration, len(rep.Tests))
	for _, t := range rep.Tests {
		// a test that report filtered out, or that its lost server left, took no
		// time there: it says nothing of how long it takes
		if t.Reason != run.FilteredOut && !result.LeftByLostServer(t) {
			out[t.ID] += t.Duration
		}
	}
	return out, nil
}

// servers are the servers of the run, one per --jobs worker: the --uri servers, or
// as many --server-cmd processes or embedded servers (stopped by the function
// returned), but no more of those than there are files to run (files: those with a
// selected test): a worker without a file would only start a server.
func (o *runOptions) servers(ctx context.Context, stderr io.Writer, files int) ([]run.Target, func(), error) {
	jobs := o.jobs
	if jobs > 1 && len(o.uris) <= 1 && files < jobs {
		jobs = max(files, 1)
		fmt.Fprintf(stderr, "specrun: --jobs %d: no more workers than files to run (%d)\n", o.jobs, files)
	}
	if jobs <= 1 {
		srv, stop, err := o.server(ctx, stderr)
		return []run.Target{srv}, stop, err
	}
	var srvs []run.Target
	var stops []func()
	stopAll := func() {
		for _, stop := range stops {
			stop()
		}
	}
	what := "embedded FerretDB servers (SQLite, temporary data)"
	for i := range jobs {
		base := run.Target{Product: o.serverName}
		srv, stop, err := base, func() {}, error(nil)
		switch {
		case o.serverCmd != "":
			what = "--server-cmd servers"
			srv, stop, err = o.serverProcess(base)
		case len(o.uris) > 0:
			what = "--uri servers"
			srv.URI = o.uris[i]
		default:
			srv, stop, err = o.embeddedServer(ctx, base)
		}
		if err != nil {
			stopAll()
			return nil, nil, err
		}
		srvs, stops = append(srvs, srv), append(stops, stop)
	}
	uris := make([]string, len(srvs))
	for i, s := range srvs {
		uris[i] = s.URI
	}
	fmt.Fprintf(stderr, "specrun: --jobs %d: the files run on %d %s, one per worker: %s\n", o.jobs, jobs, what, strings.Join(uris, " "))
	return srvs, stopAll, nil
}
