package operations

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// Session operations (Unified Test Format "Session Operations"; the Driver Sessions,
// Transactions and Convenient API for Transactions specs).

// unsupportedMaxCommitTimeMS refuses maxCommitTimeMS, which the Go driver v2 removed
// from its transaction options.
var unsupportedMaxCommitTimeMS = unsupported("maxCommitTimeMS: the Go driver v2 has no per-transaction commit time limit")

// transactionFields are the TransactionOptions of startTransaction and withTransaction.
func transactionFields(o *options.TransactionOptionsBuilder) fields {
	return fields{
		"readConcern":     readConcern(o.SetReadConcern),
		"writeConcern":    writeConcern(o.SetWriteConcern),
		"readPreference":  readPreference(o.SetReadPreference),
		"maxCommitTimeMS": unsupportedMaxCommitTimeMS,
	}
}

func readConcern[R any](set func(*readconcern.ReadConcern) R) arg {
	return func(v bson.RawValue) error {
		d, ok := v.DocumentOK()
		if !ok {
			return typeError("a document", v)
		}
		rc, err := entities.ReadConcern(d)
		if err != nil {
			return err
		}
		set(rc)
		return nil
	}
}

func startTransaction(_ context.Context, c *Call, s *entities.Session) (Returned, error) {
	o := options.Transaction()
	if err := c.parse(transactionFields(o)); err != nil {
		return Returned{}, err
	}
	return done(bson.RawValue{}, matchers.Nested, s.Session.StartTransaction(o))
}

func commitTransaction(ctx context.Context, c *Call, s *entities.Session) (Returned, error) {
	if err := c.parse(fields{}); err != nil {
		return Returned{}, err
	}
	return done(bson.RawValue{}, matchers.Nested, s.Session.CommitTransaction(ctx))
}

func abortTransaction(ctx context.Context, c *Call, s *entities.Session) (Returned, error) {
	if err := c.parse(fields{}); err != nil {
		return Returned{}, err
	}
	return done(bson.RawValue{}, matchers.Nested, s.Session.AbortTransaction(ctx))
}

func endSession(ctx context.Context, c *Call, s *entities.Session) (Returned, error) {
	if err := c.parse(fields{}); err != nil {
		return Returned{}, err
	}
	s.Session.EndSession(ctx)
	return Returned{}, nil
}

// withTransaction runs the callback's operations through the driver's WithTransaction,
// which may run them more than once (it retries transient errors). The callback's
// operations are the test's own, with their expectations; the first error one of them
// raises, expected or ignored or not, ends the callback and is what the callback
// returns to the driver ("Test runners MUST allow any errors from the callback
// operation(s) to propagate to withTransaction"). An expectation of the callback that
// does not hold ends the test with its verdict.
func withTransaction(ctx context.Context, c *Call, s *entities.Session) (Returned, error) {
	var callback []specifications.Operation
	o := options.Transaction()
	fs := transactionFields(o)
	fs["callback"] = arg(func(v bson.RawValue) error {
		var err error
		callback, err = specifications.DecodeOperations("callback", v)
		return err
	})
	if err := c.parse(fs, "callback"); err != nil {
		return Returned{}, err
	}
	timed := c.timeoutMS || s.Client.Timeout != nil && *s.Client.Timeout > 0
	for _, op := range callback {
		session, _ := op.Arguments.Lookup("session").StringValueOK()
		if timed && session == c.Op.Object && op.Arguments.Lookup("timeoutMS").Type != 0 {
			// CSOT: drivers "MUST raise a validation error if an explicit session with a
			// timeout is used and the timeoutMS option is set at the operation level" in
			// the callback; specrun gives timeoutMS as a context deadline.
			return Returned{}, result.Unsupportedf("timeoutMS on %s in the callback: the Go driver v2 takes timeouts from contexts "+
				"and cannot tell one set inside withTransaction's callback, which CSOT has drivers refuse", op.Name)
		}
	}
	if to := s.Client.Timeout; to != nil && *to > 0 && !c.timeoutMS {
		// CSOT: the client's timeoutMS bounds withTransaction as a whole, callback
		// included; the Go driver v2 bounds only its retries by it, and each operation of
		// the callback would get a timeout of its own. As for an operation's timeoutMS,
		// the deadline goes on the context.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *to)
		defer cancel()
	}
	var verdict error
	_, err := s.Session.WithTransaction(ctx, func(ctx context.Context) (any, error) {
		// The driver binds the session to the callback's context; an operation of the
		// callback without a session argument runs outside it, as in every other
		// driver, so the binding is taken off. Each call of the callback (the driver
		// may retry it) returns the first error its own operations raised.
		raised, v := c.Harness.Nested(mongo.NewSessionContext(ctx, nil), callback, true)
		if v != nil {
			verdict = v
			return nil, v
		}
		return nil, raised
	}, o)
	if verdict != nil {
		return Returned{}, verdict
	}
	return done(bson.RawValue{}, matchers.Nested, err)
}

// getSnapshotTime returns the session's snapshot time. The Go driver returns a zero
// timestamp when there is none, which the Sessions spec calls undefined ("Drivers MUST
// either raise an error when the property is accessed or return an unset value"): the
// operation raises an error then, which says why there is none.
func getSnapshotTime(_ context.Context, c *Call, s *entities.Session) (Returned, error) {
	if err := c.parse(fields{}); err != nil {
		return Returned{}, err
	}
	st, err := readSessionState(s.Session)
	if err != nil {
		return Returned{}, err
	}
	switch {
	case !st.snapshot:
		return Returned{Err: errors.New("getSnapshotTime: not a snapshot session, it has no snapshot time")}, nil
	case !st.snapshotSet:
		return Returned{Err: errors.New("getSnapshotTime: the snapshot session has no snapshot time yet: no snapshot read has returned atClusterTime")}, nil
	}
	return Returned{Value: value(s.Session.SnapshotTime()), At: matchers.Nested}, nil
}
