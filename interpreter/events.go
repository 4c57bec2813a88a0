package interpreter

import (
	"fmt"
	"strings"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
	"github.com/specrun/specrun/specifications"
)

// expectEvents compares one client's observed events with the expected list: same
// number and order, or a prefix when ignoreExtraEvents is true.
func (tr *testRun) expectEvents(i int, want *specifications.ExpectedEventsForClient) *verdict {
	where := fmt.Sprintf("expectEvents[%d] (%s)", i, want.Client)
	if l := tr.t.Labels; l != nil && l.Events != "" {
		where = l.Events
	}
	if fam := want.Family(); fam != "command" {
		return &verdict{Error, where + ": " + fam + " events are not implemented by specrun yet", ""}
	}
	client, err := entities.Lookup[*entities.Client](tr.entities, want.Client)
	if err != nil {
		return judge(where, err)
	}
	got := client.CommandEvents()
	extraOK := want.IgnoreExtraEvents != nil && *want.IgnoreExtraEvents
	if len(got) < len(want.Events) || (!extraOK && len(got) > len(want.Events)) {
		return failed(fmt.Sprintf("%s: expected %d events, observed %d", where, len(want.Events), len(got)),
			"expected: "+expectedNames(want.Events)+"\nobserved: "+observedNames(got))
	}
	for j := range want.Events {
		if v := tr.matchEvent(&want.Events[j], &got[j]); v != nil {
			v.reason = fmt.Sprintf("%s: event %d: %s", where, j, v.reason)
			v.detail = strings.TrimSpace(v.detail + "\nexpected: " + expectedNames(want.Events) + "\nobserved: " + observedNames(got))
			return v
		}
	}
	return nil
}

// matchEvent checks one expected command event against the observed one.
func (tr *testRun) matchEvent(want *specifications.ExpectedEvent, got *entities.CommandEvent) *verdict {
	var (
		name, db            *string
		service, connection *bool
	)
	kind := entities.CommandEventType(want.Name())
	if kind != got.Type {
		return failed(fmt.Sprintf("expected %s, observed %s for %s", kind, got.Type, got.CommandName), "")
	}
	switch {
	case want.CommandStartedEvent != nil:
		e := want.CommandStartedEvent
		name, db, service, connection = e.CommandName, e.DatabaseName, e.HasServiceID, e.HasServerConnectionID
		if e.Command != nil {
			if err := tr.matcher().Match(matchers.Doc(e.Command), matchers.Doc(got.Command), matchers.Root); err != nil {
				if reason := tr.departureOf(e.Command, got.Command); reason != "" {
					return &verdict{Unsupported, "command: " + reason, ""}
				}
				return judgeMatch("command", err, matchers.Doc(e.Command), matchers.Doc(got.Command))
			}
		}
	case want.CommandSucceededEvent != nil:
		e := want.CommandSucceededEvent
		name, db, service, connection = e.CommandName, e.DatabaseName, e.HasServiceID, e.HasServerConnectionID
		if e.Reply != nil {
			if err := tr.matcher().Match(matchers.Doc(e.Reply), matchers.Doc(got.Reply), matchers.Root); err != nil {
				return judgeMatch("reply", err, matchers.Doc(e.Reply), matchers.Doc(got.Reply))
			}
		}
	case want.CommandFailedEvent != nil:
		e := want.CommandFailedEvent
		name, db, service, connection = e.CommandName, e.DatabaseName, e.HasServiceID, e.HasServerConnectionID
	}
	if name != nil && *name != got.CommandName {
		return failed(fmt.Sprintf("commandName: expected %s, observed %s", *name, got.CommandName), "")
	}
	if db != nil && *db != got.DatabaseName {
		return failed(fmt.Sprintf("databaseName: expected %s, observed %s", *db, got.DatabaseName), "")
	}
	// The spec's "set": a non-empty ObjectId, a positive connection ID.
	if service != nil && *service != (got.ServiceID != nil && !got.ServiceID.IsZero()) {
		return failed(fmt.Sprintf("hasServiceId: expected %t", *service), "")
	}
	if connection != nil && *connection != (got.ServerConnectionID != nil && *got.ServerConnectionID > 0) {
		return failed(fmt.Sprintf("hasServerConnectionId: expected %t", *connection), "")
	}
	return nil
}

func expectedNames(events []specifications.ExpectedEvent) string {
	var parts []string
	for i := range events {
		e := &events[i]
		name := ""
		switch {
		case e.CommandStartedEvent != nil && e.CommandStartedEvent.CommandName != nil:
			name = *e.CommandStartedEvent.CommandName
		case e.CommandStartedEvent != nil && e.CommandStartedEvent.Command != nil:
			if elems, err := e.CommandStartedEvent.Command.Elements(); err == nil && len(elems) > 0 {
				name = elems[0].Key()
			}
		case e.CommandSucceededEvent != nil && e.CommandSucceededEvent.CommandName != nil:
			name = *e.CommandSucceededEvent.CommandName
		case e.CommandFailedEvent != nil && e.CommandFailedEvent.CommandName != nil:
			name = *e.CommandFailedEvent.CommandName
		}
		parts = append(parts, strings.TrimSuffix(e.Name(), "Event")+"("+name+")")
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func observedNames(events []entities.CommandEvent) string {
	var parts []string
	for _, e := range events {
		parts = append(parts, strings.TrimSuffix(string(e.Type), "Event")+"("+e.CommandName+")")
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
