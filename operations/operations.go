// Package operations runs the operations of a unified test: one table from (entity
// kind, operation name) to an executor, strict argument decoding, and results converted
// to the BSON the matchers check.
package operations

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// Returned is what an operation produced: a value to match or save, an entity to save
// (a cursor), and the error the driver or server returned.
type Returned struct {
	Value bson.RawValue // Type 0: the operation returns nothing
	// At says how the matcher treats Value: Root for a result document, RootElements for
	// the documents of an iterated cursor, Nested otherwise.
	At     matchers.Position
	Entity entities.Entity
	Err    error
}

// Harness gives the testRunner operations what belongs to the run, not to one entity.
type Harness interface {
	// FailPoint sets a fail point through client and remembers it for cleanup; the
	// configureFailPoint command is kept out of the client's observed events.
	FailPoint(ctx context.Context, client *entities.Client, command bson.Raw) error
	// CreateEntities adds entities to the test's map.
	CreateEntities(ctx context.Context, list []specifications.Entity) error
	// Internal is the runner's own client, for assertions on the server's state.
	Internal() *mongo.Client
	// Nested runs the operations of a callback (withTransaction's callback, the
	// operation of runOnThread) as the test runs its own: each with its expectations
	// (expectResult, expectError, saveResultAsEntity…). The first that does not hold
	// ends them, and its verdict comes back as verdict, for the caller to return.
	// raised is the first error an operation raised (the driver's or the server's,
	// expected, ignored or not); with stopAtError it ends them too, as an error thrown
	// in a withTransaction callback ends the callback.
	Nested(ctx context.Context, ops []specifications.Operation, stopAtError bool) (raised, verdict error)
	// TargetedFailPoint sets a fail point on one server (host:port), through a client
	// connected to it alone, and remembers it to be turned off on that server.
	TargetedFailPoint(ctx context.Context, host string, command bson.Raw) error
}

// Call is one operation to run.
type Call struct {
	Entities *entities.Map
	Harness  Harness
	Op       *specifications.Operation
	// dry, set by Coverage alone, makes parse note what it would refuse and stop the
	// executor: nothing runs.
	dry *dryRun
	// timeoutMS, set by Execute, says the operation had a timeoutMS argument (now its
	// context's deadline, taken out of Op).
	timeoutMS bool
}

// RunnerObject is the object name of the special test operations.
const RunnerObject = "testRunner"

const kindRunner entities.Kind = "testRunner"

type key struct {
	kind entities.Kind
	name string
}

// executor runs one operation on its target entity (nil for testRunner).
type executor func(ctx context.Context, c *Call, target entities.Entity) (Returned, error)

// Supported says whether specrun has an executor for this operation on this kind.
func Supported(kind entities.Kind, name string) bool {
	_, ok := table[key{kind, name}]
	return ok
}

// Execute runs one operation. The returned error means the operation could not be run
// as written (unknown entity, operation or argument: the test file is at fault or
// specrun lacks something; a *result.Verdict: the driver cannot express it); the
// operation's own outcome, including a driver or server error, is in the Returned.
func Execute(ctx context.Context, c *Call) (Returned, error) {
	var (
		target entities.Entity
		kind   = kindRunner
	)
	if c.Op.Object != RunnerObject {
		e, err := c.Entities.Get(c.Op.Object)
		if err != nil {
			return Returned{}, err
		}
		target, kind = e, e.Kind()
	}
	fn, ok := table[key{kind, c.Op.Name}]
	if !ok {
		return Returned{}, result.CannotRun(c.Op.Name, string(kind))
	}
	op, timeout, err := operationTimeout(kind, c.Op)
	if err != nil {
		return Returned{}, err
	}
	if cl := entities.ClientOf(target); timeout == nil && cl != nil && socketBound(kind, c.Op) && timesOut(c.Harness, cl, commandsOf(kind, c.Op)) {
		return Returned{}, result.Unsupportedf("socketTimeoutMS of %s: the Go driver v2 reads it and never applies it (it has no socket timeout), "+
			"and a fail point of the test blocks the operation's command longer: the socket timeout the test relies on cannot happen", cl.ID)
	}
	if timeout != nil {
		if *timeout == noDeadline {
			if cl := entities.ClientOf(target); cl != nil && cl.Timeout != nil {
				return Returned{}, result.Unsupportedf("timeoutMS: 0 on an operation of a client with a timeout: the Go driver v2 cannot lift the client's timeout for one operation")
			}
		} else {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, *timeout)
			defer cancel()
		}
		call := *c
		call.Op, call.timeoutMS = op, true
		c = &call
	}
	res, err := fn(ctx, c, target)
	if err == nil && res.Err != nil && c.Op.ExpectError == nil && driverRefuses[res.Err.Error()] != "" {
		return Returned{}, result.Unsupportedf("%s", driverRefuses[res.Err.Error()])
	}
	return res, err
}

// blockReporter is a Harness that knows how long the test's fail points block a
// client's command (by its name, one of their failCommands).
type blockReporter interface {
	Blocked(client *entities.Client, command string) time.Duration
}

// failPointReporter is a Harness that knows which commands of a client the test's fail
// points fail.
type failPointReporter interface {
	FailsCommand(client *entities.Client, name string) bool
}

// timesOut says whether the client's ignored socket timeout (0: none) would end one of
// commands, the commands of the operation, that a fail point of the test blocks.
func timesOut(h Harness, client *entities.Client, commands []string) bool {
	b, ok := h.(blockReporter)
	d := client.IgnoredSocketTimeout
	return d > 0 && ok && slices.ContainsFunc(commands, func(name string) bool { return b.Blocked(client, name) >= d })
}

// failPointFails says whether a fail point the test set may fail the client's command.
func failPointFails(h Harness, client *entities.Client, command string) bool {
	f, ok := h.(failPointReporter)
	return ok && f.FailsCommand(client, command)
}

// socketBound says whether op sends commands a socket timeout would bound: every
// operation of a client, database, collection or bucket, and the commit and abort of a
// session (a session has no timeout of its own: defaultTimeoutMS is unsupported).
func socketBound(kind entities.Kind, op *specifications.Operation) bool {
	switch kind {
	case entities.KindClient, entities.KindDatabase, entities.KindCollection, entities.KindBucket:
		return true
	case entities.KindSession:
		return op.Name == "commitTransaction" || op.Name == "abortTransaction" || op.Name == "withTransaction"
	}
	return false
}

// driverRefuses maps errors the Go driver raises for what the specs allow to the reason
// the test cannot be judged: the driver, not the server, refuses the operation. Where
// the test expects an error, the driver's error is judged as any other.
var driverRefuses = map[string]string{
	"the 'hint' command parameter cannot be used with unacknowledged writes": "the Go driver v2 refuses hint with unacknowledged writes, which the spec allows on servers 4.4 and later",
}

// UnknownArgument is an argument the operation does not take.
type UnknownArgument struct{ Name string }

func (e *UnknownArgument) Error() string { return fmt.Sprintf("unsupported argument %q", e.Name) }

// InvalidArgument is an argument with a value the operation cannot use.
type InvalidArgument struct {
	Name string
	Err  error
}

func (e *InvalidArgument) Error() string { return fmt.Sprintf("argument %s: %v", e.Name, e.Err) }
func (e *InvalidArgument) Unwrap() error { return e.Err }

// value marshals a Go value (a result model converted to bson.D, a count...) to BSON.
func value(v any) bson.RawValue {
	t, data, err := bson.MarshalValue(v)
	if err != nil {
		panic(fmt.Sprintf("operations: cannot marshal %T: %v", v, err))
	}
	return bson.RawValue{Type: t, Value: data}
}

// done wraps an operation's outcome: its result (converted by the caller) or its error.
func done(v bson.RawValue, at matchers.Position, err error) (Returned, error) {
	if err != nil {
		return Returned{Err: err}, nil
	}
	return Returned{Value: v, At: at}, nil
}
