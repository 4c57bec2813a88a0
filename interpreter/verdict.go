package interpreter

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"

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
		return &result.Verdict{Status: result.Fail, Reason: where + ": " + oneLine(err)}
	case isServerError(err):
		return &result.Verdict{Status: result.Fail, Reason: where + ": " + describeError(err)}
	}
	// Everything else is the file asking for something specrun cannot do (an unknown
	// argument or entity, an invalid expectation) or specrun's own failure.
	return &result.Verdict{Status: result.Error, Reason: where + ": " + oneLine(err)}
}

// isServerError says whether err carries a server response (the spec's opposite of a
// client error: "not derived from a server response").
func isServerError(err error) bool {
	var (
		ce   mongo.CommandError
		we   mongo.WriteException
		bwe  mongo.BulkWriteException
		cbwe mongo.ClientBulkWriteException
	)
	switch {
	case errors.As(err, &ce):
		return ce.Code != 0 || len(ce.Raw) > 0
	case errors.As(err, &we):
		return len(we.WriteErrors) > 0 || we.WriteConcernError != nil || len(we.Raw) > 0
	case errors.As(err, &bwe):
		return len(bwe.WriteErrors) > 0 || bwe.WriteConcernError != nil
	case errors.As(err, &cbwe):
		return cbwe.WriteError != nil || len(cbwe.WriteErrors) > 0 || len(cbwe.WriteConcernErrors) > 0
	}
	return false
}

// describeError says what the server answered, with code and code name where there are.
func describeError(err error) string {
	var (
		ce   mongo.CommandError
		we   mongo.WriteException
		bwe  mongo.BulkWriteException
		cbwe mongo.ClientBulkWriteException
	)
	switch {
	case mongo.IsNetworkError(err):
		// The driver names the connection (address and a counter); what matters is that
		// the server closed it or did not answer.
		return "network error: " + connectionRE.ReplaceAllString(oneLine(err), "")
	case errors.As(err, &ce) && ce.Code != 0:
		return fmt.Sprintf("server error %d (%s): %s", ce.Code, ce.Name, oneLineString(ce.Message))
	case errors.As(err, &we):
		return describeWrite(writeErrorsOf(we.WriteErrors), we.WriteConcernError, err)
	case errors.As(err, &bwe):
		var wes []mongo.WriteError
		for _, e := range bwe.WriteErrors {
			wes = append(wes, e.WriteError)
		}
		return describeWrite(wes, bwe.WriteConcernError, err)
	case errors.As(err, &cbwe):
		var wes []mongo.WriteError
		if cbwe.WriteError != nil {
			wes = append(wes, *cbwe.WriteError)
		}
		for _, e := range cbwe.WriteErrors {
			wes = append(wes, e)
		}
		var wce *mongo.WriteConcernError
		if len(cbwe.WriteConcernErrors) > 0 {
			wce = &cbwe.WriteConcernErrors[0]
		}
		return describeWrite(wes, wce, err)
	}
	return oneLine(err)
}

func writeErrorsOf(wes mongo.WriteErrors) []mongo.WriteError { return wes }

func describeWrite(wes []mongo.WriteError, wce *mongo.WriteConcernError, err error) string {
	var parts []string
	for _, e := range wes {
		parts = append(parts, fmt.Sprintf("write error %d at index %d: %s", e.Code, e.Index, oneLineString(e.Message)))
	}
	if wce != nil {
		parts = append(parts, fmt.Sprintf("write concern error %d (%s): %s", wce.Code, wce.Name, oneLineString(wce.Message)))
	}
	if len(parts) == 0 {
		return oneLine(err)
	}
	return strings.Join(parts, "; ")
}

var connectionRE = regexp.MustCompile(`connection\([^)]*\)\s*`)

func oneLineString(s string) string { return strings.Join(strings.Fields(s), " ") }

func isInvalid(err error) bool {
	var invalid *matchers.InvalidExpectation
	return errors.As(err, &invalid)
}
