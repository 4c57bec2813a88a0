package interpreter

// PretendKillAllSessions makes r send killAllSessions as to a server that has it: the
// tests see when the runner sends it, because the embedded server refuses it.
func PretendKillAllSessions(r *Runner) { r.probe.KillAllSessions = true }
