package report

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/specrun/specrun/result"
)

func TestCause(t *testing.T) {
	for _, c := range []struct {
		status       result.Status
		reason, want string
	}{
		{F, `operation 0 (aggregate): unexpected error: server error 238 (NotImplemented): $merge is not implemented yet`, "server error 238 (NotImplemented)"},
		{F, `operation 0 (aggregate): server error 59 (CommandNotFound): no such command: '$out'`, "server error 59 (CommandNotFound)"},
		{F, `operation 1 (insertOne): unexpected error: write error 2 at index 0: invalid key: "a.b"`, "write error 2"},
		{F, `operations.0 (mapReduce): unexpected error: network error: incomplete read of message header`, "network error"},
		{F, `server crashed during this test (signal: killed)`, "server crashed or lost"},
		{F, `operation 2 (find): expected an error, got none`, "no error where the test expects one"},
		{F, `result.error: expected an error, got none`, "no error where the test expects one"},
		{F, `operation 0 (aggregate): unexpected error: database response does not contain a cursor`, "unexpected error"},
		{F, `operation 1 (find): expectResult: 0.x: expected int32 1, got int32 2`, "expectResult mismatch"},
		{F, `operation (bulkWrite): outcome.result: upsertedIds.3: expected int32 3, got missing`, "outcome mismatch"},
		{F, `expectEvents[0] (client): event 2: awaited: expected true, observed false`, "expectEvents mismatch"},
		{F, `something else entirely`, "other"},
		// a format drivererr does not write is no server error: a test's data may say it
		{F, `operation 0 (find): expectResult: 0.msg: expected string "server error: (CommandNotFound) 59", got string ""`, "expectResult mismatch"},
		{E, `specrun cannot run operation frobnicate on a collection`, "specrun could not judge (error)"},
		// a test a lost server left unrun is not specrun's gap
		{E, `not run: server unreachable: the server did not start: the server command ended (exit status 7)`, "not run: the server was lost or unreachable"},
		{E, `not run: server lost: connection refused`, "not run: the server was lost or unreachable"},
		{F, `not run: an earlier failure`, "other"}, // not an error: not the lost server's
	} {
		assert.Equal(t, c.want, Cause(result.Test{Status: c.status, Reason: c.reason}), c.reason)
	}
}
