package interpreter

import (
	"errors"

	"github.com/specrun/specrun/drivererr"
	"github.com/specrun/specrun/matchers"
	"github.com/specrun/specrun/result"
)

func failed(reason, detail string) *result.Verdict {
	return &result.Verdict{Status: result.Fail, Reason: reason, Detail: detail}
}

// judge turns an error met while preparing or running a step into a verdict: whose
// fault it is decides the status (DESIGN.md, "Statuses").
func judge(where string, err error) *result.Verdict {
	var (
		v    *result.Verdict
		mism *matchers.Mismatch
	)
	switch {
	case errors.As(err, &v):
		// The verdict's own reason: it says what it is about, and the context wrapped
		// around it on the way up (the entity being created, say) is not repeated.
		return &result.Verdict{Status: v.Status, Reason: where + ": " + v.Reason, Detail: v.Detail}
	case errors.As(err, &mism):
		return &result.Verdict{Status: result.Fail, Reason: where + ": " + result.OneLine(err.Error())}
	case drivererr.Of(err).Server:
		return &result.Verdict{Status: result.Fail, Reason: where + ": " + drivererr.Of(err).String()}
	}
	// Everything else is the file asking for something specrun cannot do (an unknown
	// argument or entity, an invalid expectation) or specrun's own failure.
	return &result.Verdict{Status: result.Error, Reason: where + ": " + result.OneLine(err.Error())}
}

func isInvalid(err error) bool {
	var invalid *matchers.InvalidExpectation
	return errors.As(err, &invalid)
}
