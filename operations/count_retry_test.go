package operations

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// TestRetryableRead: the errors after which the Retryable Reads spec retries count,
// which specrun sends with RunCommand (never retried): a network error and the codes
// of its "Retryable Error" table, wrapped or not, before the operation's deadline; no
// other error.
func TestRetryableRead(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{mongo.CommandError{Code: 10107, Name: "NotWritablePrimary"}, true},
		{mongo.CommandError{Code: 11600, Name: "InterruptedAtShutdown"}, true},
		{mongo.CommandError{Code: 9001, Name: "SocketException"}, true},
		{mongo.CommandError{Code: 134, Name: "ReadConcernMajorityNotAvailableYet"}, true},
		{fmt.Errorf("wrapped: %w", mongo.CommandError{Code: 189}), true},
		{mongo.CommandError{Labels: []string{"NetworkError"}}, true},
		{mongo.CommandError{Code: 11000, Name: "DuplicateKey"}, false},
		{mongo.CommandError{Code: 2, Name: "BadValue"}, false},
		{mongo.CommandError{Code: 50, Name: "MaxTimeMSExpired"}, false},
		{errors.New("count reply has no n field"), false},
		// a network error at the deadline: the operation's time is up (CSOT
		// global-timeoutMS 'count on collection' expects that timeout)
		{mongo.CommandError{Labels: []string{"NetworkError"}, Wrapped: context.DeadlineExceeded}, false},
	}
	for _, tt := range tests {
		if got := retryableRead(tt.err); got != tt.want {
			t.Errorf("retryableRead(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
