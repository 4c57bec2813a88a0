package interpreter

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/result"
)

// PretendKillAllSessions makes r send killAllSessions as to a server that has it: the
// tests see when the runner sends it, because the embedded server refuses it.
func PretendKillAllSessions(r *Runner) { r.probe.KillAllSessions = true }

// RunNothing runs a test that is not there, which panics inside the test's goroutine.
func RunNothing(r *Runner) (result.Status, string, string) {
	return r.runWithTimeout(context.Background(), nil, nil)
}

// PretendFailPoints makes r set fail points as on a server that has configureFailPoint:
// the embedded server has none, and a test puts a proxy in front of it that answers it.
func PretendFailPoints(r *Runner) { r.probe.FailPoints = true }

// ReadProbeReply reads the reply to one of the probe's commands (buildInfo, hello,
// getParameter, listCommands) as the probe does.
func ReadProbeReply(command string, reply bson.Raw) (*Probe, error) {
	s := &Probe{}
	err := s.read(command, reply)
	return s, err
}

// UsesQueryableEncryption is usesQueryableEncryption, for the tests.
var UsesQueryableEncryption = usesQueryableEncryption
