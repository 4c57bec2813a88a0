package interpreter

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/specrun/specrun/drivererr"
	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
	"github.com/specrun/specrun/operations"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// operation follows "Executing an Operation": run it, then check its error or result
// and save what it asks to save. A non-nil verdict ends the test. raised is the error
// the operation raised (the driver's or the server's), whatever its expectations: in a
// withTransaction callback it ends the callback (Nested).
func (tr *testRun) operation(ctx context.Context, op *specifications.Operation) (v *result.Verdict, raised error) {
	where := op.Label
	if op.Object != operations.RunnerObject && (op.Name == "startTransaction" || op.Name == "withTransaction") {
		tr.startedTransaction.Store(true)
	}
	res, err := operations.Execute(ctx, &operations.Call{Entities: tr.entities, Harness: nestedIn{tr, op}, Op: op})
	if err != nil {
		return tr.withContext(judge(where, err), op), nil
	}
	return tr.judgeOutcome(where, op, res), res.Err
}

// judgeOutcome checks the error or result of an operation that ran, and saves what it
// asks to save.
func (tr *testRun) judgeOutcome(where string, op *specifications.Operation, res operations.Returned) *result.Verdict {
	if op.IgnoreResultAndError != nil && *op.IgnoreResultAndError {
		return nil
	}
	if want := tr.t.FirstError; want != nil && op.ExpectError == nil && res.Err != nil {
		// the first error ends the operations and is the one judged
		tr.raised = true
		if v := tr.checkError(op, want, &res); v != nil {
			v.Reason = where + ": " + firstErrorLabel(want) + ": " + v.Reason
			return tr.withContext(v, op)
		}
		return nil
	}
	if op.ExpectError != nil {
		if res.Err == nil {
			return tr.withContext(failed(where+": expected an error, got none", "result: "+relaxed(res.Value)), op)
		}
		if v := tr.checkError(op, op.ExpectError, &res); v != nil {
			v.Reason = where + ": " + v.Reason
			return tr.withContext(v, op)
		}
		return nil
	}
	if res.Err != nil {
		return tr.withContext(failed(where+": unexpected error: "+drivererr.Of(res.Err).String(), ""), op)
	}
	if op.ExpectResult.Type != 0 {
		if err := tr.matcher().Match(op.ExpectResult, res.Value, res.At); err != nil {
			v := judge(where+": "+cmp.Or(op.ResultLabel, "expectResult"), err)
			v.Detail = fmt.Sprintf("expected: %s\nactual:   %s", relaxed(op.ExpectResult), relaxed(res.Value))
			return tr.withContext(v, op)
		}
	}
	if op.SaveResultAsEntity != nil {
		var e entities.Entity = res.Entity
		if e == nil {
			if res.Value.Type == 0 {
				return &result.Verdict{Status: result.Error, Reason: where + ": saveResultAsEntity: the operation returned no result"}
			}
			e = &entities.Value{Value: res.Value}
		}
		if err := tr.entities.Add(*op.SaveResultAsEntity, e); err != nil {
			return &result.Verdict{Status: result.Error, Reason: where + ": saveResultAsEntity: " + err.Error()}
		}
	}
	return nil
}

// withContext adds to a verdict's detail the operation and the last command and reply of
// the client it went through.
func (tr *testRun) withContext(v *result.Verdict, op *specifications.Operation) *result.Verdict {
	var b strings.Builder
	fmt.Fprintf(&b, "operation %s on %s, arguments %s\n", op.Name, op.Object, relaxed(matchers.Doc(op.Arguments)))
	if v.Detail != "" {
		b.WriteString(v.Detail)
		b.WriteString("\n")
	}
	if e, err := tr.entities.Get(op.Object); err == nil {
		if c := entities.ClientOf(e); c != nil {
			started, ended := c.LastCommand()
			if started.CommandName != "" {
				fmt.Fprintf(&b, "last command of %s: %s\n", c.ID, relaxed(matchers.Doc(started.Command)))
				switch ended.Type {
				case entities.CommandSucceeded:
					fmt.Fprintf(&b, "reply: %s\n", relaxed(matchers.Doc(ended.Reply)))
				case entities.CommandFailed:
					fmt.Fprintf(&b, "failed: %s\n", result.OneLine(ended.Failure.Error()))
				}
			}
		}
	}
	v.Detail = strings.TrimRight(b.String(), "\n")
	return v
}

// checkError evaluates every assertion of an expectedError on the error op raised. An
// assertion the Go driver's error cannot answer (errorResponse against a bulk write's
// error) makes the test unsupported, but only once every other assertion holds: one
// that does not still fails it.
func (tr *testRun) checkError(op *specifications.Operation, want *specifications.ExpectedError, res *operations.Returned) *result.Verdict {
	d := drivererr.Of(res.Err)
	if v := tr.selectedBeforeRefused(op, want, d); v != nil {
		return v
	}
	if v := checkErrorKind(want, d, res.Err); v != nil {
		return v
	}
	m := tr.matcher()
	var unjudged *result.Verdict
	if want.ErrorResponse != nil {
		switch {
		case d.Reply != nil:
			if e := m.Match(matchers.Doc(want.ErrorResponse), matchers.Doc(d.Reply), matchers.Root); e != nil {
				return judgeMatch("errorResponse", e, matchers.Doc(want.ErrorResponse), matchers.Doc(d.Reply))
			}
		case d.Aggregate != "":
			// The Unified Test Format, expectedError.errorResponse: "Note that some
			// drivers may not be able to evaluate errorResponse for write commands (i.e.
			// insert, update, delete) and bulk write operations. For example, a
			// BulkWriteException is derived from potentially multiple server responses
			// and may not provide direct access to a single response. Tests SHOULD avoid
			// using errorResponse for such operations if possible; otherwise, affected
			// drivers SHOULD skip such tests if necessary."
			unjudged = &result.Verdict{Status: result.Unsupported, Reason: "errorResponse: the Go driver's " + d.Aggregate +
				" keeps none of the server's replies whole (it gathers their write errors), and the spec lets a runner skip a test that asserts on one"}
		default:
			return failed("expected a server response in the error, got: "+d.String(), "error: "+d.String())
		}
	}
	if want.WriteErrors != nil || want.WriteConcernErrors != nil {
		if d.ClientBulk == nil {
			return failed("expected a client bulk write error, got: "+d.String(), "error: "+d.String())
		}
		if want.WriteErrors != nil {
			if v := tr.checkWriteErrors(want.WriteErrors, d.ClientBulk.WriteErrors); v != nil {
				return v
			}
		}
		if want.WriteConcernErrors != nil {
			if v := tr.checkWriteConcernErrors(want.WriteConcernErrors, d.ClientBulk.WriteConcernErrors); v != nil {
				return v
			}
		}
	}
	if want.ExpectResult.Type != 0 {
		if v := checkErrorResult(m, op, want, res); v != nil {
			return v
		}
	}
	return unjudged
}

// selectedBeforeRefused makes unsupported an operation whose server selection failed
// in a transaction that reads from other than the primary: the Go driver v2 selects a
// server by the transaction's read preference before it refuses that preference with
// the spec's client error ("read preference in a transaction must be primary"), so on a
// deployment with no secondary (a single-node replica set) the selection times out and
// the error the test expects never comes. Only where the test expects that client error
// (isClientError, or errorContains about read preference in a transaction): any other
// selection error (a server that went away mid-test) is judged as any other error.
func (tr *testRun) selectedBeforeRefused(op *specifications.Operation, want *specifications.ExpectedError, d drivererr.Details) *result.Verdict {
	name, ok := op.Arguments.Lookup("session").StringValueOK()
	if !d.ServerSelection || !ok || !expectsReadPrefRefusal(want) {
		return nil
	}
	sess, err := entities.Lookup[*entities.Session](tr.entities, name)
	if err != nil {
		return nil
	}
	mode, running, err := operations.TransactionReadMode(sess.Session)
	if err != nil || !running || mode == readpref.PrimaryMode {
		return nil
	}
	return &result.Verdict{Status: result.Unsupported, Detail: "error: " + d.String(),
		Reason: fmt.Sprintf("the Go driver v2 selects a server by the transaction's read preference (%s) before it refuses one that is not primary, "+
			"and no server of the deployment has that mode: the selection failed where the spec has a client error", mode)}
}

// expectsReadPrefRefusal says whether want is the client error the spec gives for a
// read preference other than primary in a transaction.
func expectsReadPrefRefusal(want *specifications.ExpectedError) bool {
	if want == nil {
		return false
	}
	if want.IsClientError != nil && *want.IsClientError {
		return true
	}
	return want.ErrorContains != nil && strings.Contains(strings.ToLower(*want.ErrorContains), "read preference in a transaction")
}

// checkErrorResult matches the result that goes with an operation's error. Where the
// Go driver computed it otherwise than the spec (a departure of the registry), the
// test is unsupported when undoing that makes it match, and otherwise fails on what
// still differs once it is undone.
func checkErrorResult(m *matchers.Matcher, op *specifications.Operation, want *specifications.ExpectedError, res *operations.Returned) *result.Verdict {
	where := cmp.Or(want.ResultLabel, "expectError.expectResult")
	e := m.Match(want.ExpectResult, res.Value, res.At)
	if e == nil {
		return nil
	}
	reason, corrected, undone := departedErrorResult(m, op, want.ExpectResult, res.Value, e)
	switch {
	case reason != "":
		return &result.Verdict{Status: result.Unsupported, Reason: where + ": " + reason}
	case corrected != nil:
		// a departure's result is a root document (departedErrorResult), and does not
		// match once undone
		v := judgeMatch(where, m.Match(want.ExpectResult, matchers.Doc(corrected), matchers.Root), want.ExpectResult, matchers.Doc(corrected))
		v.Detail += fmt.Sprintf("\n(actual: %s;\n the driver gave %s)", undone, relaxed(res.Value))
		return v
	}
	return judgeMatch(where, e, want.ExpectResult, res.Value)
}

// checkErrorKind evaluates the assertions of an expectedError on what kind of error it
// is: GridFS, client or server, timeout, message, codes, code name, labels.
func checkErrorKind(want *specifications.ExpectedError, d drivererr.Details, err error) *result.Verdict {
	got := d.String()
	fail := func(format string, args ...any) *result.Verdict {
		return failed(fmt.Sprintf(format, args...), "error: "+got)
	}
	if want.GridFSError != "" && !operations.IsGridFSError(err, want.GridFSError) {
		return fail("expected the GridFS error %s, got: %s", want.GridFSError, got)
	}
	if want.IsClientError != nil && *want.IsClientError != !d.Server {
		if *want.IsClientError {
			return fail("expected a client error, got a server error: %s", got)
		}
		return fail("expected a server error, got a client error: %s", got)
	}
	if want.IsTimeoutError != nil && *want.IsTimeoutError != d.Timeout {
		if *want.IsTimeoutError {
			return fail("expected a timeout error, got: %s", got)
		}
		return fail("expected an error that is not a timeout, got: %s", got)
	}
	if want.ErrorContains != nil && !strings.Contains(strings.ToLower(d.Message), strings.ToLower(*want.ErrorContains)) {
		return fail("expected an error containing %q, got: %s", *want.ErrorContains, got)
	}
	if want.ErrorCode != nil && !d.HasCode(int(*want.ErrorCode)) {
		return fail("expected server error code %d, got: %s", *want.ErrorCode, got)
	}
	if want.ErrorCodeName != nil {
		switch has, err := d.HasCodeName(*want.ErrorCodeName); {
		case err != nil:
			return &result.Verdict{Status: result.Error, Reason: "errorCodeName: " + err.Error(), Detail: "error: " + got}
		case !has && len(d.UnnamedCodes) > 0:
			code, _ := drivererr.CodeOf(*want.ErrorCodeName)
			return fail("expected error code name %s (code %d; the write errors carry codes only), got: %s", *want.ErrorCodeName, code, got)
		case !has:
			return fail("expected error code name %s, got: %s", *want.ErrorCodeName, got)
		}
	}
	for _, l := range want.ErrorLabelsContain {
		if !d.HasLabel(l) {
			return fail("expected error label %s, got: %s (labels %v)", l, got, d.Labels)
		}
	}
	for _, l := range want.ErrorLabelsOmit {
		if d.HasLabel(l) {
			return fail("expected no error label %s, got: %s", l, got)
		}
	}
	return nil
}

func judgeMatch(where string, err error, expected, actual bson.RawValue) *result.Verdict {
	v := judge(where, err)
	v.Detail = fmt.Sprintf("expected: %s\nactual:   %s", relaxed(expected), relaxed(actual))
	return v
}

func (tr *testRun) checkWriteErrors(want bson.Raw, got map[int]bson.Raw) *result.Verdict {
	elems, _ := want.Elements()
	if len(elems) != len(got) {
		return failed(fmt.Sprintf("expected %d write errors, got %d", len(elems), len(got)), "")
	}
	for _, el := range elems {
		idx, err := strconv.Atoi(el.Key())
		we, ok := got[idx]
		if err != nil || !ok {
			return failed(fmt.Sprintf("expected a write error at index %s, got none", el.Key()), "")
		}
		if e := tr.matcher().Match(el.Value(), matchers.Doc(we), matchers.Root); e != nil {
			return judge("writeErrors."+el.Key(), e)
		}
	}
	return nil
}

func (tr *testRun) checkWriteConcernErrors(want []bson.Raw, got []bson.Raw) *result.Verdict {
	if len(want) != len(got) {
		return failed(fmt.Sprintf("expected %d write concern errors, got %d", len(want), len(got)), "")
	}
	for i, w := range want {
		if e := tr.matcher().Match(matchers.Doc(w), matchers.Doc(got[i]), matchers.Root); e != nil {
			return judge(fmt.Sprintf("writeConcernErrors[%d]", i), e)
		}
	}
	return nil
}

// firstErrorLabel names a FirstError test's expected error in messages.
func firstErrorLabel(want *specifications.ExpectedError) string {
	return cmp.Or(want.Label, "expected error")
}
