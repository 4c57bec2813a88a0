package operations

import (
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
	"github.com/specrun/specrun/specifications"
)

// The rules of expectedEvent ("expectedCommandEvent", "expectedCmapEvent",
// "expectedSdamEvent"): whether one observed event is the expected one. expectEvents,
// waitForEvent and assertEventCount all use them.

// EventMismatch says why an observed event is not the expected one. For a document
// field (command, reply) Err is the matcher's error, a *matchers.Mismatch or a
// *matchers.InvalidExpectation, with the two documents.
type EventMismatch struct {
	Field            string // "" when the event's type differs
	Reason           string
	Err              error
	Expected, Actual bson.RawValue
}

func (e *EventMismatch) Error() string {
	if e.Err != nil {
		return e.Field + ": " + e.Err.Error()
	}
	return e.Reason
}

func (e *EventMismatch) Unwrap() error { return e.Err }

func fieldMismatch(field, format string, args ...any) *EventMismatch {
	return &EventMismatch{Field: field, Reason: field + ": " + fmt.Sprintf(format, args...)}
}

// MatchCommandEvent checks an observed command event against an expected one.
func MatchCommandEvent(m *matchers.Matcher, want *specifications.ExpectedEvent, got *entities.CommandEvent) error {
	var (
		name, db            *string
		service, connection *bool
	)
	kind := entities.CommandEventType(want.Name())
	if kind != got.Type {
		return &EventMismatch{Reason: fmt.Sprintf("expected %s, observed %s for %s", kind, got.Type, got.CommandName)}
	}
	matchDoc := func(field string, want, got bson.Raw) error {
		if want == nil {
			return nil
		}
		if err := m.Match(matchers.Doc(want), matchers.Doc(got), matchers.Root); err != nil {
			return &EventMismatch{Field: field, Err: err, Expected: matchers.Doc(want), Actual: matchers.Doc(got)}
		}
		return nil
	}
	switch {
	case want.CommandStartedEvent != nil:
		e := want.CommandStartedEvent
		name, db, service, connection = e.CommandName, e.DatabaseName, e.HasServiceID, e.HasServerConnectionID
		if err := matchDoc("command", e.Command, got.Command); err != nil {
			return err
		}
	case want.CommandSucceededEvent != nil:
		e := want.CommandSucceededEvent
		name, db, service, connection = e.CommandName, e.DatabaseName, e.HasServiceID, e.HasServerConnectionID
		if err := matchDoc("reply", e.Reply, got.Reply); err != nil {
			return err
		}
	case want.CommandFailedEvent != nil:
		e := want.CommandFailedEvent
		name, db, service, connection = e.CommandName, e.DatabaseName, e.HasServiceID, e.HasServerConnectionID
	}
	if name != nil && *name != got.CommandName {
		return fieldMismatch("commandName", "expected %s, observed %s", *name, got.CommandName)
	}
	if db != nil && *db != got.DatabaseName {
		return fieldMismatch("databaseName", "expected %s, observed %s", *db, got.DatabaseName)
	}
	if err := hasServiceID(service, got.ServiceID); err != nil {
		return err
	}
	// The spec's "set": a positive connection ID.
	if connection != nil && *connection != (got.ServerConnectionID != nil && *got.ServerConnectionID > 0) {
		return fieldMismatch("hasServerConnectionId", "expected %t", *connection)
	}
	return nil
}

// hasServiceID checks hasServiceId: set means a non-empty ObjectId.
func hasServiceID(want *bool, got *bson.ObjectID) error {
	if want != nil && *want != (got != nil && !got.IsZero()) {
		return fieldMismatch("hasServiceId", "expected %t", *want)
	}
	return nil
}

// MatchEvent checks an observed CMAP or SDAM event against an expected one. The events
// whose expectation must be an empty document (poolCreatedEvent…) match on their type.
func MatchEvent(want *specifications.ExpectedEvent, got *entities.Event) error {
	if name := want.Name(); name != got.Name {
		return &EventMismatch{Reason: fmt.Sprintf("expected %s, observed %s", name, got.Name)}
	}
	switch {
	case want.PoolClearedEvent != nil:
		e := want.PoolClearedEvent
		if err := hasServiceID(e.HasServiceID, got.ServiceID); err != nil {
			return err
		}
		if e.InterruptInUseConnections != nil && *e.InterruptInUseConnections != got.InterruptInUseConnections {
			return fieldMismatch("interruptInUseConnections", "expected %t, observed %t", *e.InterruptInUseConnections, got.InterruptInUseConnections)
		}
	case want.ConnectionClosedEvent != nil:
		return matchReason(want.ConnectionClosedEvent, got)
	case want.ConnectionCheckOutFailedEvent != nil:
		return matchReason(want.ConnectionCheckOutFailedEvent, got)
	case want.ServerDescriptionChangedEvent != nil:
		e := want.ServerDescriptionChangedEvent
		var prev, next *string
		if e.PreviousDescription != nil {
			prev = &e.PreviousDescription.Type
		}
		if e.NewDescription != nil {
			next = &e.NewDescription.Type
		}
		return matchTypes(prev, next, got)
	case want.TopologyDescriptionChangedEvent != nil:
		e := want.TopologyDescriptionChangedEvent
		var prev, next *string
		if e.PreviousDescription != nil {
			prev = &e.PreviousDescription.Type
		}
		if e.NewDescription != nil {
			next = &e.NewDescription.Type
		}
		return matchTypes(prev, next, got)
	case want.ServerHeartbeatStartedEvent != nil:
		return matchAwaited(want.ServerHeartbeatStartedEvent, got)
	case want.ServerHeartbeatSucceededEvent != nil:
		return matchAwaited(want.ServerHeartbeatSucceededEvent, got)
	case want.ServerHeartbeatFailedEvent != nil:
		return matchAwaited(want.ServerHeartbeatFailedEvent, got)
	}
	return nil
}

func matchReason(want *specifications.ConnectionReason, got *entities.Event) error {
	if want.Reason != nil && *want.Reason != got.Reason {
		return fieldMismatch("reason", "expected %s, observed %s", *want.Reason, got.Reason)
	}
	return nil
}

// matchTypes checks the type of previousDescription and newDescription; an empty
// expected type (the description given as {}) asserts nothing.
func matchTypes(prev, next *string, got *entities.Event) error {
	if prev != nil && *prev != "" && *prev != got.PreviousType {
		return fieldMismatch("previousDescription.type", "expected %s, observed %s", *prev, got.PreviousType)
	}
	if next != nil && *next != "" && *next != got.NewType {
		return fieldMismatch("newDescription.type", "expected %s, observed %s", *next, got.NewType)
	}
	return nil
}

func matchAwaited(want *specifications.HeartbeatEvent, got *entities.Event) error {
	if want.Awaited != nil && *want.Awaited != got.Awaited {
		return fieldMismatch("awaited", "expected %t, observed %t", *want.Awaited, got.Awaited)
	}
	return nil
}

// countMatching counts the client's observed events that match want, in the stream
// of want's family. An expectation that cannot be evaluated is an error.
func countMatching(m *matchers.Matcher, client *entities.Client, want *specifications.ExpectedEvent) (int, error) {
	n := 0
	count := func(err error) error {
		var invalid *matchers.InvalidExpectation
		switch {
		case err == nil:
			n++
		case errors.As(err, &invalid):
			return err
		}
		return nil
	}
	switch want.Family() {
	case "command":
		for _, e := range client.CommandEvents() {
			if err := count(MatchCommandEvent(m, want, &e)); err != nil {
				return 0, err
			}
		}
	case "cmap":
		for _, e := range client.CMAPEvents() {
			_ = count(MatchEvent(want, &e))
		}
	default:
		for _, e := range client.SDAMEvents() {
			_ = count(MatchEvent(want, &e))
		}
	}
	return n, nil
}
