package run

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/specrun/specrun/interpreter"
	"github.com/specrun/specrun/report"
	"github.com/specrun/specrun/specifications"
)

// NonemptyError refuses a server that holds collections no test of the files names
// (specifications.Namespaces says what a file names): each test drops and fills the
// collections it names, some drop whole databases, and a server with other data is
// probably not one set aside for the run.
type NonemptyError struct {
	Others []specifications.Namespace // the collections no test names
	Err    error                      // the server could not list its collections
}

// shownOthers is how many of the others an error or a notice names.
const shownOthers = 5

func (e *NonemptyError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("cannot list its collections to check it holds no other data (%v)", e.Err)
	}
	return fmt.Sprintf("the server holds collections these tests do not name: %s; a run drops and fills the collections its tests name, "+
		"and some tests drop whole databases: use a server set aside for testing", listed(e.Others, nil))
}

// listed names the first few namespaces, then says how many more there are; those in
// foreign are marked so.
func listed(list []specifications.Namespace, foreign map[specifications.Namespace]bool) string {
	var parts []string
	for i, ns := range list {
		if i == shownOthers {
			parts = append(parts, fmt.Sprintf("and %d more", len(list)-shownOthers))
			break
		}
		part := ns.String()
		if foreign[ns] {
			part += " (no test names it)"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, ", ")
}

// Noticer is a Sink told, in one line each, what the run says before its first test:
// with AllowNonempty, which of the server's collections it may drop.
type Noticer interface {
	Notice(line string)
}

// systemDatabases are on every server; a run never makes them "not empty".
var systemDatabases = []string{"admin", "config", "local"}

// checkData lists the collections of the server (but the system databases and the
// server's own system.* collections): a collection that no test of the plan's files
// names refuses the server, unless the plan allows it; then the sinks are told which
// of the server's collections the run may drop.
func (e *execution) checkData(ctx context.Context, runner *interpreter.Runner) error {
	existing, err := serverCollections(ctx, runner)
	if err != nil && !e.plan.AllowNonempty {
		return &NonemptyError{Err: err}
	}
	named := map[specifications.Namespace]bool{}
	for _, lr := range e.plan.Loads {
		if lr.Kind == specifications.Loaded {
			for _, ns := range lr.File.Namespaces().Collections {
				named[ns] = true
			}
		}
	}
	foreign := map[specifications.Namespace]bool{}
	var others []specifications.Namespace
	for _, ns := range existing {
		if !named[ns] {
			foreign[ns] = true
			others = append(others, ns)
		}
	}
	var line string
	switch {
	case !e.plan.AllowNonempty && len(others) > 0:
		return &NonemptyError{Others: others}
	case !e.plan.AllowNonempty:
		return nil
	case err != nil:
		line = fmt.Sprintf("cannot list the server's collections (%v); the run may drop any collection its tests name, "+
			"and the databases some drop whole", err)
	default:
		line = e.atRisk(existing, foreign)
	}
	prefix := "--allow-nonempty: "
	if e.oneOfSeveral {
		prefix += report.RedactURI(e.srv.URI) + ": "
	}
	line = prefix + line
	for _, s := range e.sinks {
		if n, ok := s.(Noticer); ok {
			n.Notice(line)
		}
	}
	return nil
}

// atRisk says, in one line, which of the server's collections the files that run (those with a
// selected test in the shard) may drop: those they drop or replace, and every one of
// the databases they drop whole; those no test names first.
func (e *execution) atRisk(existing []specifications.Namespace, foreign map[specifications.Namespace]bool) string {
	dropped, wholeDB := map[specifications.Namespace]bool{}, map[string]bool{}
	for _, lr := range e.plan.Files() {
		if !e.plan.runs(lr) {
			continue
		}
		ns := lr.File.Namespaces()
		for _, c := range ns.Dropped {
			dropped[c] = true
		}
		for _, db := range ns.DroppedDatabases {
			wholeDB[db] = true
		}
	}
	var risk []specifications.Namespace
	for _, ns := range existing {
		if dropped[ns] || wholeDB[ns.Database] {
			risk = append(risk, ns)
		}
	}
	if len(risk) == 0 {
		return "this run drops none of the server's collections"
	}
	slices.SortStableFunc(risk, func(a, b specifications.Namespace) int {
		switch {
		case foreign[a] == foreign[b]:
			return 0
		case foreign[a]:
			return -1
		}
		return 1
	})
	return fmt.Sprintf("this run may drop %d of the server's collections: %s", len(risk), listed(risk, foreign))
}

// serverCollections lists every collection of the server, sorted, but the system
// databases' and the server's own system.* collections.
func serverCollections(ctx context.Context, runner *interpreter.Runner) ([]specifications.Namespace, error) {
	dbs, err := runner.DatabaseNames(ctx)
	if err != nil {
		return nil, err
	}
	slices.Sort(dbs)
	var out []specifications.Namespace
	for _, db := range dbs {
		if slices.Contains(systemDatabases, db) {
			continue
		}
		colls, err := runner.CollectionNames(ctx, db)
		if err != nil {
			return nil, fmt.Errorf("database %s: %w", db, err)
		}
		slices.Sort(colls)
		for _, c := range colls {
			if !strings.HasPrefix(c, "system.") {
				out = append(out, specifications.Namespace{Database: db, Collection: c})
			}
		}
	}
	return out, nil
}
