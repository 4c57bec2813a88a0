package result

import (
	"errors"
	"fmt"
	"testing"
)

func TestStatusKnownAndFailing(t *testing.T) {
	for _, tt := range []struct {
		status         Status
		known, failing bool
	}{
		{Pass, true, false},
		{Fail, true, true},
		{Skip, true, false},
		{Unsupported, true, false},
		{Error, true, true},
		{"", false, false},
		{"FAIL", false, false},
		{"expected", false, false},
	} {
		if got := tt.status.Known(); got != tt.known {
			t.Errorf("%q.Known() = %t", tt.status, got)
		}
		if got := tt.status.Failing(); got != tt.failing {
			t.Errorf("%q.Failing() = %t", tt.status, got)
		}
	}
}

func TestVerdicts(t *testing.T) {
	for _, tt := range []struct {
		v      *Verdict
		status Status
		reason string
	}{
		{Unsupportedf("no %s", "fail points"), Unsupported, "no fail points"},
		{Failedf("collection %q does not exist", "db.c"), Fail, `collection "db.c" does not exist`},
		{NotImplemented("thread entities"), Error, "thread entities is not implemented by specrun yet"},
		{CannotRun("frobnicate", "collection"), Error, "specrun cannot run operation frobnicate on a collection"},
	} {
		if tt.v.Status != tt.status || tt.v.Reason != tt.reason || tt.v.Error() != tt.reason {
			t.Errorf("got %+v, want %s %q", tt.v, tt.status, tt.reason)
		}
	}
}

func TestIs(t *testing.T) {
	wrapped := fmt.Errorf("client client0: %w", Unsupportedf("no CSFLE"))
	for _, tt := range []struct {
		err    error
		status Status
		want   bool
	}{
		{wrapped, Unsupported, true},
		{wrapped, Fail, false},
		{Failedf("x"), Fail, true},
		{errors.New("unsupported"), Unsupported, false},
		{nil, Unsupported, false},
	} {
		if got := Is(tt.err, tt.status); got != tt.want {
			t.Errorf("Is(%v, %s) = %t", tt.err, tt.status, got)
		}
	}
}
