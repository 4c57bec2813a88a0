package operations

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// The special test operations on events, threads and topology descriptions.

// waitTimeout is how long waitForEvent, waitForThread and waitForPrimaryChange (by
// default) wait: 10 seconds, as the spec says. Tests shorten it.
var waitTimeout = 10 * time.Second

// clientArg resolves the client argument to a client entity.
func clientArg(m *entities.Map, client **entities.Client) arg {
	return func(v bson.RawValue) error {
		name, ok := v.StringValueOK()
		if !ok {
			return typeError("a client entity name", v)
		}
		c, err := entities.Lookup[*entities.Client](m, name)
		if err != nil {
			return err
		}
		*client = c
		return nil
	}
}

// eventArgs reads the arguments of waitForEvent and assertEventCount.
func eventArgs(c *Call) (*entities.Client, *specifications.ExpectedEvent, int64, error) {
	var (
		client *entities.Client
		want   *specifications.ExpectedEvent
		count  int64
	)
	err := c.parse(fields{
		"client": clientArg(c.Entities, &client),
		"event": arg(func(v bson.RawValue) error {
			var err error
			want, err = specifications.DecodeExpectedEvent("event", v)
			return err
		}),
		"count": int64Arg(func(n int64) any { count = n; return nil }),
	}, "client", "event", "count")
	return client, want, count, err
}

// waitForEvent waits until the client has observed count events that match, the
// events before the operation included.
func waitForEvent(ctx context.Context, c *Call) error {
	client, want, count, err := eventArgs(c)
	if err != nil {
		return err
	}
	m := matchers.Unified(c.Entities)
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	for {
		changed := client.Changed()
		n, err := countMatching(m, client, want)
		if err != nil {
			return err
		}
		if int64(n) >= count {
			return nil
		}
		select {
		case <-changed:
		case <-timer.C:
			return result.Failedf("waitForEvent: %s observed %d matching %s within %s, expected %d",
				client.ID, n, want.Name(), waitTimeout, count)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// assertEventCount checks the number of matching events the client has observed so far.
func assertEventCount(_ context.Context, c *Call) error {
	client, want, count, err := eventArgs(c)
	if err != nil {
		return err
	}
	n, err := countMatching(matchers.Unified(c.Entities), client, want)
	if err != nil {
		return err
	}
	if int64(n) != count {
		return result.Failedf("assertEventCount: %s observed %d matching %s, expected %d", client.ID, n, want.Name(), count)
	}
	return nil
}

// assertNumberConnectionsCheckedOut compares the client's checked-out connections
// (CMAP checked-out less checked-in events) with connections.
func assertNumberConnectionsCheckedOut(_ context.Context, c *Call) error {
	var (
		client *entities.Client
		want   int64
	)
	err := c.parse(fields{
		"client":      clientArg(c.Entities, &client),
		"connections": int64Arg(func(n int64) any { want = n; return nil }),
	}, "client", "connections")
	if err != nil {
		return err
	}
	if got := client.ConnectionsCheckedOut(); int64(got) != want {
		return result.Failedf("assertNumberConnectionsCheckedOut: %s has %d connections checked out, expected %d", client.ID, got, want)
	}
	return nil
}

// recordTopologyDescription saves the client's current topology description.
func recordTopologyDescription(_ context.Context, c *Call) error {
	var (
		client *entities.Client
		id     string
	)
	err := c.parse(fields{
		"client": clientArg(c.Entities, &client),
		"id":     stringVar(&id),
	}, "client", "id")
	if err != nil {
		return err
	}
	desc, ok := client.Topology()
	if !ok {
		// No change published yet: the description is still the initial one.
		desc.Kind = "Unknown"
	}
	return c.Entities.Add(id, &entities.TopologyDescription{Description: desc})
}

func topologyArg(m *entities.Map, desc **entities.TopologyDescription) arg {
	return func(v bson.RawValue) error {
		name, ok := v.StringValueOK()
		if !ok {
			return typeError("a topologyDescription entity name", v)
		}
		d, err := entities.Lookup[*entities.TopologyDescription](m, name)
		if err != nil {
			return err
		}
		*desc = d
		return nil
	}
}

// assertTopologyType checks the TopologyType of a recorded topology description.
func assertTopologyType(_ context.Context, c *Call) error {
	var (
		desc *entities.TopologyDescription
		want string
	)
	err := c.parse(fields{
		"topologyDescription": topologyArg(c.Entities, &desc),
		"topologyType":        stringVar(&want),
	}, "topologyDescription", "topologyType")
	if err != nil {
		return err
	}
	if got := desc.Description.Kind; got != want {
		return result.Failedf("assertTopologyType: the topology is %s, expected %s", got, want)
	}
	return nil
}

// waitForPrimaryChange waits until the client knows a primary other than the prior
// description's (any primary when that had none).
func waitForPrimaryChange(ctx context.Context, c *Call) error {
	var (
		client *entities.Client
		prior  *entities.TopologyDescription
		ms     int64 = -1
	)
	err := c.parse(fields{
		"client":                   clientArg(c.Entities, &client),
		"priorTopologyDescription": topologyArg(c.Entities, &prior),
		"timeoutMS":                int64Arg(func(n int64) any { ms = n; return nil }),
	}, "client", "priorTopologyDescription")
	if err != nil {
		return err
	}
	timeout := waitTimeout
	if ms >= 0 {
		timeout = time.Duration(ms) * time.Millisecond
	}
	old := prior.Primary()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		changed := client.Changed()
		if desc, ok := client.Topology(); ok {
			now := (&entities.TopologyDescription{Description: desc}).Primary()
			if now != "" && now != old {
				return nil
			}
		}
		select {
		case <-changed:
		case <-timer.C:
			if old == "" {
				return result.Failedf("waitForPrimaryChange: %s discovered no primary within %s", client.ID, timeout)
			}
			return result.Failedf("waitForPrimaryChange: %s discovered no primary other than %s within %s", client.ID, old, timeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// wait sleeps for ms milliseconds.
func wait(ctx context.Context, c *Call) error {
	var ms int64
	err := c.parse(fields{
		"ms": int64Arg(func(n int64) any { ms = n; return nil }),
	}, "ms")
	if err != nil {
		return err
	}
	timer := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func threadArg(m *entities.Map, thread **entities.Thread) arg {
	return func(v bson.RawValue) error {
		name, ok := v.StringValueOK()
		if !ok {
			return typeError("a thread entity name", v)
		}
		t, err := entities.Lookup[*entities.Thread](m, name)
		if err != nil {
			return err
		}
		*thread = t
		return nil
	}
}

// runOnThread schedules the operation on the thread and returns at once; the
// operation runs as the test's own (Harness.Nested), after those scheduled before it.
// An error it raised is judged by its expectations alone: only a verdict fails the
// thread.
func runOnThread(ctx context.Context, c *Call) error {
	var (
		thread *entities.Thread
		op     *specifications.Operation
	)
	err := c.parse(fields{
		"thread": threadArg(c.Entities, &thread),
		"operation": arg(func(v bson.RawValue) error {
			var err error
			op, err = specifications.DecodeOperation("operation", v)
			return err
		}),
	}, "thread", "operation")
	if err != nil {
		return err
	}
	ops := []specifications.Operation{*op}
	return thread.Run(ctx, func(ctx context.Context) error {
		_, verdict := c.Harness.Nested(ctx, ops, false)
		return verdict
	})
}

// waitForThread waits for the operations scheduled on the thread and returns the
// first one's failure as it is (a verdict of Harness.Nested).
func waitForThread(ctx context.Context, c *Call) error {
	var thread *entities.Thread
	if err := c.parse(fields{"thread": threadArg(c.Entities, &thread)}, "thread"); err != nil {
		return err
	}
	finished, err := thread.Wait(ctx, waitTimeout)
	if !finished && err == nil {
		return result.Failedf("waitForThread: %s did not finish its operations within %s", thread.ID, waitTimeout)
	}
	return err
}
