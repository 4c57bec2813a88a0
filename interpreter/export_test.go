package interpreter

import (
	"context"

	"github.com/specrun/specrun/result"
)

// PretendKillAllSessions makes r send killAllSessions as to a server that has it: the
// tests see when the runner sends it, because the embedded server refuses it.
func PretendKillAllSessions(r *Runner) { r.probe.KillAllSessions = true }

// RunNothing runs a test that is not there, which panics inside the test's goroutine.
func RunNothing(r *Runner) (result.Status, string, string) {
	return r.runWithTimeout(context.Background(), nil, nil)
}
