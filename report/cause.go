package report

import (
	"regexp"
	"strings"

	"github.com/specrun/specrun/result"
)

// Failures are grouped by cause for triage: the server's error code, or the kind of
// mismatch, so that 52 tests failing on one unimplemented feature read as one line.

var (
	// "server error 238 (NotImplemented)", as drivererr writes a server's error.
	causeServerError = regexp.MustCompile(`server error (\d+) \(([A-Za-z0-9_]+)\)`)
	causeWriteError  = regexp.MustCompile(`write error (\d+)`)
	// Where in the test a reason says it happened: "operation 0 (find): ",
	// "operations.1 (failPoint): ", "operation (bulkWrite): ".
	causeWhere = regexp.MustCompile(`^(?:operations?(?:\.| )?\d* ?\([^)]*\): )+`)
	// The assertion that did not hold: expectResult: 0.x: …, expectEvents[0] (client): …
	causeAssertion = regexp.MustCompile(`^(expectResult|expectError|expectEvents|expectLogMessages|expectations|outcome|assert\.data|assert[A-Za-z]+)\b`)
)

// Cause is what a failure comes from, for grouping: the server's error ("server error
// 238 (NotImplemented)"), a write error's code, a network error, the server lost or
// crashed, a test that timed out, an error expected but none given, the assertion that
// did not hold ("expectResult mismatch"); a test a lost server left unrun says so; any
// other error status is specrun's gap ("specrun could not judge"). Anything else is
// "other".
func Cause(t result.Test) string {
	r := t.Reason
	if result.LeftByLostServer(t) {
		return "not run: the server was lost or unreachable"
	}
	if t.Status == result.Error {
		return "specrun could not judge (error)"
	}
	if m := causeServerError.FindStringSubmatch(r); m != nil {
		return "server error " + m[1] + " (" + m[2] + ")"
	}
	if m := causeWriteError.FindStringSubmatch(r); m != nil {
		return "write error " + m[1]
	}
	switch {
	case strings.Contains(r, "network error"):
		return "network error"
	case strings.HasPrefix(r, "server crashed") || strings.HasPrefix(r, "server lost"):
		return "server crashed or lost"
	case strings.Contains(r, "timed out") || strings.Contains(r, "context deadline exceeded"):
		return "timed out"
	}
	rest := causeWhere.ReplaceAllString(r, "")
	switch {
	// at an operation, or at the test (a legacy fixture's "result.error: …")
	case strings.HasPrefix(rest, "expected an error, got none") || strings.Contains(rest, ": expected an error, got none"):
		return "no error where the test expects one"
	case strings.HasPrefix(rest, "unexpected error"):
		return "unexpected error"
	}
	if m := causeAssertion.FindStringSubmatch(rest); m != nil {
		return m[1] + " mismatch"
	}
	return "other"
}
