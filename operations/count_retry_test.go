package operations

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/result"
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

// TestUnretriedCount: a count that failed where a driver would retry is unsupported
// only where the test set a fail point on count (which made the error); without one,
// or with one on other commands, the error is the server's, judged as it is; in a
// transaction, or with retryReads false, no driver retries.
func TestUnretriedCount(t *testing.T) {
	network := mongo.CommandError{Labels: []string{"NetworkError"}}
	retrying := &entities.Client{ID: "client0", RetryReads: true}
	for _, tt := range []struct {
		name   string
		h      Harness
		client *entities.Client
		inTxn  bool
		err    error
		want   bool
	}{
		{"fail point on count", blockingHarness{fails: []string{"count"}}, retrying, false, network, true},
		{"fail point on other commands", blockingHarness{fails: []string{"insert", "find"}}, retrying, false, network, false},
		{"no fail point", blockingHarness{}, retrying, false, network, false},
		{"no harness", nil, retrying, false, network, false},
		{"in a transaction", blockingHarness{fails: []string{"count"}}, retrying, true, network, false},
		{"retryReads false", blockingHarness{fails: []string{"count"}}, &entities.Client{ID: "client0"}, false, network, false},
		{"not retryable", blockingHarness{fails: []string{"count"}}, retrying, false, mongo.CommandError{Code: 2, Name: "BadValue"}, false},
	} {
		err := unretriedCount(tt.h, tt.client, tt.inTxn, tt.err)
		if got := err != nil && result.Is(err, result.Unsupported); got != tt.want {
			t.Errorf("%s: %v, want unsupported %v", tt.name, err, tt.want)
		}
	}
}
