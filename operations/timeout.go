package operations

import (
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// Per-operation timeouts, CSOT's timeoutMS argument. The Go driver v2 takes an
// operation's timeout from the deadline of its context, which overrides the client's
// timeoutMS too, as CSOT says an operation's timeoutMS does. So Execute turns the
// argument into a deadline on the operation's context and takes it out of the
// arguments before the executor reads them: one mechanism for every operation.
//
// Not for operations whose result outlives them (cursors, change streams): their later
// iterations run with contexts of their own, and the cursor timeout modes of CSOT are
// beyond the driver; their executors refuse timeoutMS as unsupported.
var timeoutOutlivesOperation = map[string]bool{
	"createFindCursor":    true,
	"createCommandCursor": true,
	"createChangeStream":  true,
}

// noDeadline is the timeout of timeoutMS: 0, which CSOT reads as no timeout at all.
const noDeadline = time.Duration(-1)

// operationTimeout takes the timeoutMS argument out of op: the operation for the
// executor and the timeout (nil when there is none to apply here; noDeadline for 0).
func operationTimeout(kind entities.Kind, op *specifications.Operation) (*specifications.Operation, *time.Duration, error) {
	if kind == kindRunner || timeoutOutlivesOperation[op.Name] {
		return op, nil, nil
	}
	v, err := op.Arguments.LookupErr("timeoutMS")
	if err != nil {
		return op, nil, nil
	}
	ms, ok := v.AsInt64OK()
	if !ok || ms < 0 {
		return nil, nil, &InvalidArgument{"timeoutMS", typeError("a number of milliseconds, 0 or more", v)}
	}
	if wait, ok := op.Arguments.Lookup("maxAwaitTimeMS").AsInt64OK(); ok && ms > 0 && wait >= ms {
		// CSOT requires a client error before anything is sent; the driver checks only
		// when it iterates (getMore), so the verdict would turn on timing.
		return nil, nil, result.Unsupportedf("maxAwaitTimeMS not below timeoutMS: the Go driver v2 refuses it only when it iterates the cursor, not when the operation starts")
	}
	stripped, err := withoutArgument(op, "timeoutMS")
	if err != nil {
		return nil, nil, err
	}
	timeout := time.Duration(ms) * time.Millisecond
	if ms == 0 {
		timeout = noDeadline
	}
	return stripped, &timeout, nil
}

// withoutArgument is op without one of its arguments (op itself is not changed).
func withoutArgument(op *specifications.Operation, name string) (*specifications.Operation, error) {
	rest := bson.D{}
	elems, _ := op.Arguments.Elements()
	for _, e := range elems {
		if e.Key() != name {
			rest = append(rest, bson.E{Key: e.Key(), Value: e.Value()})
		}
	}
	args, err := bson.Marshal(rest)
	if err != nil {
		return nil, err
	}
	out := *op
	out.Arguments = args
	return &out, nil
}
