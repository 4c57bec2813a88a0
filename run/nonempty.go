package run

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/specrun/specrun/interpreter"
	"github.com/specrun/specrun/specifications"
)

// NonemptyError refuses a server that holds databases the files do not name: specrun
// drops and fills collections in the databases its tests name, and a server with
// other data is probably not one set aside for the run.
type NonemptyError struct {
	Others []string // the databases no file names
	Err    error    // the server could not list its databases
}

func (e *NonemptyError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("cannot list its databases to check it holds no other data (%v)", e.Err)
	}
	list := e.Others
	if len(list) > 5 {
		list = append(list[:5:5], fmt.Sprintf("and %d more", len(e.Others)-5))
	}
	return fmt.Sprintf("the server holds databases these tests do not name (%s). The tests drop and create collections in their own databases only, "+
		"but a server with other data is probably not one set aside for testing: use an empty server", strings.Join(list, ", "))
}

// systemDatabases are on every server; a run never makes them "not empty".
var systemDatabases = []string{"admin", "config", "local"}

func checkEmpty(ctx context.Context, runner *interpreter.Runner, loads []specifications.LoadResult) error {
	names, err := runner.DatabaseNames(ctx)
	if err != nil {
		return &NonemptyError{Err: err}
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
	return &NonemptyError{Others: others}
}
