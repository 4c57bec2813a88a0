package interpreter

// PretendFailPoints makes r set fail points as on a server that has configureFailPoint:
// the embedded server has none, and a test puts a proxy in front of it that answers it.
func PretendFailPoints(r *Runner) { r.server.FailPoints = true }
