package interpreter

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/matchers"
	"github.com/specrun/specrun/operations"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// expectEvents compares one client's observed events of the list's eventType (command,
// cmap or sdam) with the expected list: same number and order, or a prefix when
// ignoreExtraEvents is true.
func (tr *testRun) expectEvents(i int, want *specifications.ExpectedEventsForClient) *result.Verdict {
	where := want.Label
	if where == "" {
		where = fmt.Sprintf("expectEvents[%d] (%s)", i, want.Client)
	}
	client, err := entities.Lookup[*entities.Client](tr.entities, want.Client)
	if err != nil {
		return judge(where, err)
	}
	var (
		observed []string
		// onCursorOf, for the observed find at g: by observed event, whether it is a
		// getMore or killCursors on the cursor the find left open
		onCursorOf func(g int) []bool
		match      func(w, g int) error
	)
	switch want.Family() {
	case "command":
		got := client.CommandEvents()
		observed = commandNames(got)
		onCursorOf = func(g int) []bool { return onCursor(got, client.FindCursor(got[g].RequestID)) }
		m := tr.matcher()
		match = func(w, g int) error { return operations.MatchCommandEvent(m, &want.Events[w], &got[g]) }
	case "cmap", "sdam":
		got := client.CMAPEvents()
		if want.Family() == "sdam" {
			got = client.SDAMEvents()
		}
		observed = eventNames(got)
		match = func(w, g int) error { return operations.MatchEvent(&want.Events[w], &got[g]) }
	}
	names := func() string {
		return "expected: " + expectedNames(want.Events) + "\nobserved: [" + strings.Join(observed, ", ") + "]"
	}
	extraOK := want.IgnoreExtraEvents != nil && *want.IgnoreExtraEvents
	if len(observed) < len(want.Events) || (!extraOK && len(observed) > len(want.Events)) {
		countFailed := failed(fmt.Sprintf("%s: expected %d events, observed %d", where, len(want.Events), len(observed)), names())
		// batchSize = limit (a driver departure) can leave the cursor of a find open
		// where limit + 1 has the server close it; the Go driver then sends a getMore
		// or a killCursors on it. With those events dropped, the rest must match, that
		// find departed, for the test not to be judged.
		j, ok := tr.batchSizeDeparted(len(observed), len(want.Events), match)
		if !ok {
			return countFailed
		}
		kept := keptWithoutCursor(j, len(observed)-len(want.Events), onCursorOf(j))
		if kept == nil {
			return countFailed
		}
		v := tr.compareEvents(where, len(want.Events), func(w int) int { return kept[w] }, match, names)
		if v != nil && v.Status == result.Unsupported {
			v.Reason = fmt.Sprintf("%s (the %d events observed, where %d were expected, follow from it)",
				v.Reason, len(observed), len(want.Events))
		}
		return v
	}
	return tr.compareEvents(where, len(want.Events), func(w int) int { return w }, match, names)
}

// compareEvents matches the n expected events with the observed ones at
// observedAt(expected index). A command that differs only by a driver departure does
// not end the comparison: the test is unsupported when every other event matches, and
// fails on the first other event that does not.
func (tr *testRun) compareEvents(where string, n int, observedAt func(int) int, match func(w, g int) error, names func() string) *result.Verdict {
	var departed *result.Verdict
	for w := range n {
		err := match(w, observedAt(w))
		if err == nil {
			continue
		}
		v := tr.departedCommand(err)
		if v != nil {
			if departed == nil {
				departed = v
				departed.Reason = fmt.Sprintf("%s: event %d: %s", where, w, v.Reason)
			}
			continue
		}
		v = eventVerdict(err)
		v.Reason = fmt.Sprintf("%s: event %d: %s", where, w, v.Reason)
		v.Detail = strings.TrimSpace(v.Detail + "\n" + names())
		return v
	}
	if departed != nil {
		departed.Detail = strings.TrimSpace(departed.Detail + "\n" + names())
	}
	return departed
}

// batchSizeDeparted returns the index of the first event where the lists differ, when
// that is a find that departs by batchSize = limit and nothing else.
func (tr *testRun) batchSizeDeparted(observed, expected int, match func(w, g int) error) (int, bool) {
	if observed <= expected {
		return 0, false
	}
	for j := range expected {
		err := match(j, j)
		if err == nil {
			continue
		}
		var em *operations.EventMismatch
		if !errors.As(err, &em) || em.Field != "command" {
			return 0, false
		}
		want, _ := em.Expected.DocumentOK()
		got, _ := em.Actual.DocumentOK()
		undone, ok := undoBatchSizeIsLimit(want, got)
		return j, ok && commandMismatch(want, undone).matches(tr.matcher())
	}
	return 0, false
}

// keptWithoutCursor returns the indexes of the observed events without those after event
// j (the departed find) that are on its cursor (onCursor), or nil when the surplus is
// not exactly such events.
func keptWithoutCursor(j, surplus int, onCursor []bool) []int {
	var kept []int
	for g, on := range onCursor {
		if g > j && on {
			surplus--
			continue
		}
		kept = append(kept, g)
	}
	if surplus != 0 {
		return nil
	}
	return kept
}

// onCursor says, by command event, whether it is a getMore or a killCursors on the
// cursor id (a succeeded or failed event by its started one's request id); none is on
// cursor 0.
func onCursor(events []entities.CommandEvent, id int64) []bool {
	out := make([]bool, len(events))
	byRequest := map[int64]bool{}
	for g, e := range events {
		if id == 0 || e.CommandName != "getMore" && e.CommandName != "killCursors" {
			continue
		}
		if e.Type == entities.CommandStarted {
			byRequest[e.RequestID] = namesCursor(e.Command, id)
		}
		out[g] = byRequest[e.RequestID]
	}
	return out
}

// namesCursor says whether a getMore or killCursors command is on cursor id: getMore's
// own value, or one of killCursors' cursors.
func namesCursor(command bson.Raw, id int64) bool {
	if n, ok := command.Lookup("getMore").AsInt64OK(); ok {
		return n == id
	}
	list, _ := command.Lookup("cursors").ArrayOK()
	values, _ := list.Values()
	return slices.ContainsFunc(values, func(v bson.RawValue) bool {
		n, ok := v.AsInt64OK()
		return ok && n == id
	})
}

// departedCommand is the verdict of a command that differs from the expected one only
// by a known driver departure (departures.go); nil otherwise.
func (tr *testRun) departedCommand(err error) *result.Verdict {
	var em *operations.EventMismatch
	if !errors.As(err, &em) || em.Field != "command" {
		return nil
	}
	expected, _ := em.Expected.DocumentOK()
	actual, _ := em.Actual.DocumentOK()
	if reason := departureOf(tr.matcher(), commandMismatch(expected, actual)); reason != "" {
		return &result.Verdict{Status: result.Unsupported, Reason: "command: " + reason}
	}
	return nil
}

// eventVerdict turns an event mismatch into a verdict: a document field that does not
// match fails (or is an error when the expectation cannot be evaluated), another
// field fails.
func eventVerdict(err error) *result.Verdict {
	var em *operations.EventMismatch
	if errors.As(err, &em) && em.Err != nil {
		return judgeMatch(em.Field, em.Err, em.Expected, em.Actual)
	}
	if em != nil {
		return failed(em.Reason, "")
	}
	return judge("event", err)
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
		case e.Family() == "command":
		default:
			parts = append(parts, e.Name())
			continue
		}
		parts = append(parts, strings.TrimSuffix(e.Name(), "Event")+"("+name+")")
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func commandNames(events []entities.CommandEvent) []string {
	var parts []string
	for _, e := range events {
		parts = append(parts, strings.TrimSuffix(string(e.Type), "Event")+"("+e.CommandName+")")
	}
	return parts
}

// eventNames lists CMAP or SDAM events with what tells them apart in a report.
func eventNames(events []entities.Event) []string {
	var parts []string
	for _, e := range events {
		s := e.Name
		switch {
		case e.Reason != "":
			s += "(" + e.Reason + ")"
		case e.PreviousType != "" || e.NewType != "":
			s += "(" + e.PreviousType + "→" + e.NewType + ")"
		}
		parts = append(parts, s)
	}
	return parts
}

// expectLogMessages compares one client's log messages with the expected list, after
// dropping those that match an entry of ignoreMessages: same number and order, or a
// prefix when ignoreExtraMessages is true.
func (tr *testRun) expectLogMessages(i int, want *specifications.ExpectedLogMessagesForClient) *result.Verdict {
	where := fmt.Sprintf("expectLogMessages[%d] (%s)", i, want.Client)
	client, err := entities.Lookup[*entities.Client](tr.entities, want.Client)
	if err != nil {
		return judge(where, err)
	}
	var got []entities.LogMessage
	for _, m := range client.LogMessages() {
		ignored := false
		for k := range want.IgnoreMessages {
			v := tr.matchLogMessage(&want.IgnoreMessages[k], &m)
			if v != nil && v.Status != result.Fail {
				v.Reason = fmt.Sprintf("%s: ignoreMessages[%d]: %s", where, k, v.Reason)
				return v
			}
			if v == nil {
				ignored = true
				break
			}
		}
		if !ignored {
			got = append(got, m)
		}
	}
	names := func() string {
		return "expected: " + expectedMessages(want.Messages) + "\nobserved: " + observedMessages(got)
	}
	extraOK := want.IgnoreExtraMessages != nil && *want.IgnoreExtraMessages
	if len(got) < len(want.Messages) || (!extraOK && len(got) > len(want.Messages)) {
		return failed(fmt.Sprintf("%s: expected %d log messages, observed %d", where, len(want.Messages), len(got)), names())
	}
	for j := range want.Messages {
		if v := tr.matchLogMessage(&want.Messages[j], &got[j]); v != nil {
			v.Reason = fmt.Sprintf("%s: message %d: %s", where, j, v.Reason)
			v.Detail = strings.TrimSpace(v.Detail + "\n" + names())
			return v
		}
	}
	return nil
}

// matchLogMessage checks one log message against an expectedLogMessage: component,
// level (as the driver maps the spec's levels), data as a root-level document, and
// failureIsRedacted.
func (tr *testRun) matchLogMessage(want *specifications.ExpectedLogMessage, got *entities.LogMessage) *result.Verdict {
	if want.Component != got.Component {
		return failed(fmt.Sprintf("component: expected %s, observed %s (%s)", want.Component, orUnknown(got.Component), logMessageText(got)), "")
	}
	if entities.DriverLevel(want.Level) != got.Level {
		return failed(fmt.Sprintf("level: expected %s (the driver's %s), observed %s (%s)",
			want.Level, entities.DriverLevel(want.Level), got.Level, logMessageText(got)), "")
	}
	if err := tr.matcher().Match(matchers.Doc(want.Data), matchers.Doc(got.Data), matchers.Root); err != nil {
		return judgeMatch("data", err, matchers.Doc(want.Data), matchers.Doc(got.Data))
	}
	if want.FailureIsRedacted != nil {
		failure := got.Data.Lookup("failure")
		switch redacted := isRedacted(failure); {
		case failure.Type == 0:
			return failed("failureIsRedacted: the message has no failure", "data: "+relaxed(matchers.Doc(got.Data)))
		case *want.FailureIsRedacted && !redacted:
			// Redaction is the driver's alone, and the Go driver logs the failures of
			// sensitive commands as they are.
			return &result.Verdict{Status: result.Unsupported, Reason: "failureIsRedacted: the Go driver v2 does not redact the failure of a sensitive command in its log message (logged: " + result.OneLine(relaxed(failure)) + ")"}
		case !*want.FailureIsRedacted && redacted:
			return failed("failureIsRedacted: expected the failure not to be redacted, observed "+relaxed(failure), "")
		}
	}
	return nil
}

// isRedacted says whether a logged failure has been redacted as the Command Logging
// and Monitoring spec allows a driver to: replaced by a null, an empty string or an
// empty document, or with its text replaced by "REDACTED". A server error reduced to
// code, codeName and errorLabels is a document without errmsg.
func isRedacted(failure bson.RawValue) bool {
	switch failure.Type {
	case bson.TypeNull:
		return true
	case bson.TypeString:
		s := failure.StringValue()
		return s == "" || strings.Contains(s, "REDACTED")
	case bson.TypeEmbeddedDocument:
		d := failure.Document()
		elems, _ := d.Elements()
		if len(elems) == 0 {
			return true
		}
		for _, el := range elems {
			switch el.Key() {
			case "code", "codeName", "errorLabels":
			default:
				return false
			}
		}
		return true
	}
	return false
}

func orUnknown(component string) string {
	if component == "" {
		return "(unknown)"
	}
	return component
}

func logMessageText(m *entities.LogMessage) string {
	s, _ := m.Data.Lookup("message").StringValueOK()
	return fmt.Sprintf("%q", s)
}

func expectedMessages(ms []specifications.ExpectedLogMessage) string {
	var parts []string
	for _, m := range ms {
		s, _ := m.Data.Lookup("message").StringValueOK()
		parts = append(parts, fmt.Sprintf("%s/%s %q", m.Component, m.Level, s))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func observedMessages(ms []entities.LogMessage) string {
	var parts []string
	for i := range ms {
		parts = append(parts, fmt.Sprintf("%s/%s %s", orUnknown(ms[i].Component), ms[i].Level, logMessageText(&ms[i])))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
