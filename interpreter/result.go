package interpreter

import "time"

// Status is a test's verdict, as DESIGN.md defines the five of them.
type Status string

const (
	Pass        Status = "pass"
	Fail        Status = "fail"
	Skip        Status = "skip"
	Unsupported Status = "unsupported"
	Error       Status = "error"
)

// Statuses lists every status in report order.
var Statuses = []Status{Pass, Fail, Skip, Unsupported, Error}

// Result is the verdict on one test.
type Result struct {
	ID          string // <spec>/<path in the tests folder>/<description>
	File        string // the fixture file, as given on the command line or found under it
	Description string
	Status      Status
	// Reason is one line: why the test did not pass (empty for pass).
	Reason string
	// Detail is multi-line: the operation (index and name), expected vs actual at the key
	// path, and the last command and reply of that client.
	Detail   string
	Duration time.Duration
}
