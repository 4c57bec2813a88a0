package matchers

import (
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/internal/bsontext"
)

// Mismatch reports that the actual value does not satisfy the expected one.
// Its message is one line, e.g.
//
//	command.cursor.batchSize: expected int32 2, got int64 3
type Mismatch struct {
	// Path leads from the matched value to the offending one: keys and array
	// indexes joined by dots (documents.0.x); empty for the matched value.
	Path string
	// Expected is the expected value or operator; zero for a key that was not
	// expected at all.
	Expected bson.RawValue
	// Actual is the actual value; zero when it is missing.
	Actual bson.RawValue
	// Reason explains what the values alone do not, or is empty.
	Reason string
}

func (m *Mismatch) Error() string {
	msg := "expected " + bsontext.Describe(m.Expected) + ", got " + bsontext.Describe(m.Actual)
	if m.Reason != "" {
		msg += ": " + m.Reason
	}
	return withPath(m.Path, msg)
}

// InvalidExpectation reports an expected value the matcher cannot evaluate:
// an unknown or malformed operator, an undefined entity, malformed BSON. It
// is a fault of the test, not of the driver.
type InvalidExpectation struct {
	Path     string        // as in Mismatch
	Expected bson.RawValue // the value that cannot be evaluated
	Err      error
}

func (e *InvalidExpectation) Error() string {
	return withPath(e.Path, "invalid expectation "+bsontext.Describe(e.Expected)+": "+e.Err.Error())
}

func (e *InvalidExpectation) Unwrap() error { return e.Err }

func withPath(path, msg string) string {
	if path == "" {
		return msg
	}
	return path + ": " + msg
}
