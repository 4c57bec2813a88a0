package interpreter_test

import (
	"testing"

	"github.com/specrun/specrun/result"
)

// An operation's timeoutMS is the deadline of its context, from which the driver
// derives maxTimeMS; where the driver cannot apply it as CSOT says, the test is
// unsupported with the reason.
func TestOperationTimeoutMS(t *testing.T) {
	runCases(t, "csot.json", map[string]want{
		"timeoutMS becomes the deadline that maxTimeMS is derived from": {status: result.Pass},
		"timeoutMS on a cursor that outlives the operation": {result.Unsupported,
			"operation 0 (createFindCursor): timeoutMS on a cursor or change stream: its later iterations run outside the operation, and the Go driver v2 has no cursor timeouts", nil},
		"timeoutMS 0 under a client timeout": {result.Unsupported,
			"operation 0 (find): timeoutMS: 0 on an operation of a client with a timeout: the Go driver v2 cannot lift the client's timeout for one operation", nil},
		"timeoutMS 0 without a client timeout": {status: result.Pass},
	})
}
