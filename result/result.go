// Package result is the vocabulary of verdicts shared by the engine, the run
// orchestration and the reports: the five statuses of DESIGN.md, the result of one
// test, and Verdict, the error that decides a test's status. It depends on nothing of
// specrun's, so that reports can be read and written without the engine.
package result

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

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

// Known says whether s is one of the five statuses.
func (s Status) Known() bool {
	for _, st := range Statuses {
		if s == st {
			return true
		}
	}
	return false
}

// Failing says whether s is a status that fails a run without an expectations file:
// fail or error.
func (s Status) Failing() bool { return s == Fail || s == Error }

// Test is the verdict on one test.
type Test struct {
	ID          string // <file ID>/<description>
	FileID      string // <spec>/<path in the tests folder, no extension>
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

// Verdict is an error that decides the status of the test it ends: a step that cannot
// go on returns one (wrapped or not), and the engine reports its status and reason,
// prefixed with where in the test it happened. Errors that are not verdicts are judged
// by whose fault they are (a server's reply fails the test; anything else is an error).
type Verdict struct {
	Status Status
	Reason string // one line
	Detail string // multi-line, may be empty
}

func (v *Verdict) Error() string { return v.Reason }

// Unsupportedf is the verdict of a test that cannot be judged here: the server lacks a
// test capability, the Go driver cannot express what the test asks, or this build of
// specrun lacks it (client-side encryption).
func Unsupportedf(format string, args ...any) *Verdict {
	return &Verdict{Status: Unsupported, Reason: fmt.Sprintf(format, args...)}
}

// Failedf is the verdict of a test whose condition the server did not meet: an
// assertion of the testRunner that does not hold, a pool that never filled.
func Failedf(format string, args ...any) *Verdict {
	return &Verdict{Status: Fail, Reason: fmt.Sprintf(format, args...)}
}

// NotImplemented is the verdict of a test that needs a part of the specifications that
// specrun does not run yet (what names it): an error, specrun's gap.
func NotImplemented(what string) *Verdict {
	return &Verdict{Status: Error, Reason: what + " is not implemented by specrun yet"}
}

// CannotRun is the verdict of an operation specrun has no executor for: an error.
func CannotRun(operation, kind string) *Verdict {
	return &Verdict{Status: Error, Reason: fmt.Sprintf("specrun cannot run operation %s on a %s", operation, kind)}
}

// notRunPrefix begins the reason of a test that a lost server left unrun.
const notRunPrefix = "not run: "

// NotRunReason is the reason of a test that a lost server left unrun (an error): why
// the server is gone.
func NotRunReason(why string) string { return notRunPrefix + why }

// LeftByLostServer says whether t is a test that a lost server left unrun (an error
// that says so), rather than one the server was asked.
func LeftByLostServer(t Test) bool {
	return t.Status == Error && strings.HasPrefix(t.Reason, notRunPrefix)
}

// OneLine puts a text on one line, as a reason must be: its runs of white space become
// one space each.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Is says whether err is, or wraps, a verdict of status st.
func Is(err error, st Status) bool {
	var v *Verdict
	return errors.As(err, &v) && v.Status == st
}
