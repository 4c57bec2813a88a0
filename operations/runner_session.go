package operations

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/result"
)

// Special test operations on sessions: targetedFailPoint and the assertions on a
// session's state, and on the lsid of the commands a client sent.

// runnerTargetedFailPoint sets a fail point on the mongos the session is pinned to. The
// spec has the runner raise an error when the session is not pinned.
func runnerTargetedFailPoint(ctx context.Context, c *Call) error {
	var (
		name string
		cmd  bson.Raw
	)
	err := c.parse(fields{
		"session":   stringVar(&name),
		"failPoint": into(&cmd),
	}, "session", "failPoint")
	if err != nil {
		return err
	}
	st, err := sessionArgState(c, name)
	if err != nil {
		return err
	}
	switch {
	case st.pinnedAddr != "":
		return c.Harness.TargetedFailPoint(ctx, st.pinnedAddr, cmd)
	case st.pinnedConn:
		return fmt.Errorf("session %q is pinned to a connection through a load balancer, not to a mongos a fail point can target", name)
	}
	return fmt.Errorf("session %q is not pinned to a mongos", name)
}

// sessionArgState reads the state of the session entity named by the session argument.
func sessionArgState(c *Call, name string) (sessionState, error) {
	s, err := entities.Lookup[*entities.Session](c.Entities, name)
	if err != nil {
		return sessionState{}, &InvalidArgument{"session", err}
	}
	return readSessionState(s.Session)
}

// sessionArg reads the one argument of the session assertions, and the session's state.
func sessionArg(c *Call) (string, sessionState, error) {
	var name string
	if err := c.parse(fields{"session": stringVar(&name)}, "session"); err != nil {
		return "", sessionState{}, err
	}
	st, err := sessionArgState(c, name)
	return name, st, err
}

func assertSessionTransactionState(_ context.Context, c *Call) error {
	var name, want string
	err := c.parse(fields{
		"session": stringVar(&name),
		"state": arg(func(v bson.RawValue) error {
			s, ok := v.StringValueOK()
			if !ok {
				return typeError("a string", v)
			}
			if !slices.Contains([]string{"none", "starting", "in_progress", "committed", "aborted"}, s) {
				return fmt.Errorf("%q is not a transaction state: none, starting, in_progress, committed or aborted", s)
			}
			want = s
			return nil
		}),
	}, "session", "state")
	if err != nil {
		return err
	}
	st, err := sessionArgState(c, name)
	if err != nil {
		return err
	}
	if st.transaction != want {
		return result.Failedf("session %q: transaction state is %s, expected %s", name, st.transaction, want)
	}
	return nil
}

// assertSessionPinned checks that the session is pinned (pinned true) or not: to a
// mongos, or in load-balanced mode to a connection.
func assertSessionPinned(pinned bool) func(context.Context, *Call) error {
	return func(_ context.Context, c *Call) error {
		name, st, err := sessionArg(c)
		if err != nil {
			return err
		}
		switch is := st.pinnedAddr != "" || st.pinnedConn; {
		case pinned && !is:
			return result.Failedf("session %q is not pinned", name)
		case !pinned && is:
			to := "a connection"
			if st.pinnedAddr != "" {
				to = st.pinnedAddr
			}
			return result.Failedf("session %q is pinned to %s", name, to)
		}
		return nil
	}
}

// assertSessionDirty checks that the session's server session is marked dirty (dirty
// true) or not.
func assertSessionDirty(dirty bool) func(context.Context, *Call) error {
	return func(_ context.Context, c *Call) error {
		name, st, err := sessionArg(c)
		if err != nil {
			return err
		}
		switch {
		case dirty && !st.dirty:
			return result.Failedf("session %q is not dirty", name)
		case !dirty && st.dirty:
			return result.Failedf("session %q is dirty", name)
		}
		return nil
	}
}

// assertLsidOnLastTwoCommands compares the lsid of the last two CommandStartedEvents
// the client observed: the same (same true) or different. Fewer than two events, or a
// command without an lsid, fail the assertion, as the spec requires.
func assertLsidOnLastTwoCommands(same bool) func(context.Context, *Call) error {
	return func(_ context.Context, c *Call) error {
		var name string
		if err := c.parse(fields{"client": stringVar(&name)}, "client"); err != nil {
			return err
		}
		client, err := entities.Lookup[*entities.Client](c.Entities, name)
		if err != nil {
			return &InvalidArgument{"client", err}
		}
		var started []entities.CommandEvent
		for _, e := range client.CommandEvents() {
			if e.Type == entities.CommandStarted {
				started = append(started, e)
			}
		}
		if len(started) < 2 {
			return result.Failedf("client %q observed %s, the assertion needs two", name, [2]string{"no CommandStartedEvent", "one CommandStartedEvent"}[len(started)])
		}
		last := started[len(started)-2:]
		var lsids [2]bson.Raw
		for i, e := range last {
			lsid, ok := e.Command.Lookup("lsid").DocumentOK()
			if !ok {
				return result.Failedf("client %q: the %s command (%s of the last two) has no lsid", name, e.CommandName, [2]string{"first", "second"}[i])
			}
			lsids[i] = lsid
		}
		// The lsids are random: the message names the commands only, so that a reason
		// stays the same from run to run (expectations files pin reasons).
		switch equal := bytes.Equal(lsids[0], lsids[1]); {
		case same && !equal:
			return result.Failedf("client %q: the last two commands (%s, %s) have different lsids",
				name, last[0].CommandName, last[1].CommandName)
		case !same && equal:
			return result.Failedf("client %q: the last two commands (%s, %s) have the same lsid",
				name, last[0].CommandName, last[1].CommandName)
		}
		return nil
	}
}
