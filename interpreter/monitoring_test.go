package interpreter

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// recordedRun is a test run whose entity map holds client0, which has observed rec.
func recordedRun(t *testing.T, rec entities.Recording) *testRun {
	t.Helper()
	m := entities.NewMap()
	if err := m.Add("client0", entities.NewRecordedClient("client0", rec)); err != nil {
		t.Fatal(err)
	}
	return &testRun{entities: m, t: &specifications.Test{}}
}

func empty() *struct{} { return &struct{}{} }

// What a client observes for an insert on a new pool.
var insertCMAP = []entities.Event{
	{Name: "poolCreatedEvent"}, {Name: "poolReadyEvent"},
	{Name: "connectionCheckOutStartedEvent"}, {Name: "connectionCreatedEvent"}, {Name: "connectionReadyEvent"},
	{Name: "connectionCheckedOutEvent"}, {Name: "connectionCheckedInEvent"},
}

var (
	wantReady      = specifications.ExpectedEvent{ConnectionReadyEvent: empty()}
	wantCheckedOut = specifications.ExpectedEvent{ConnectionCheckedOutEvent: empty()}
	wantCheckedIn  = specifications.ExpectedEvent{ConnectionCheckedInEvent: empty()}
	wantPoolReady  = specifications.ExpectedEvent{PoolReadyEvent: empty()}
)

func TestExpectCMAPEvents(t *testing.T) {
	cleared := []entities.Event{
		{Name: "poolClearedEvent", InterruptInUseConnections: true},
		{Name: "connectionClosedEvent", Reason: "stale"},
		{Name: "connectionCheckOutFailedEvent", Reason: "connectionError"},
	}
	tests := []struct {
		name     string
		observed []entities.Event
		want     []specifications.ExpectedEvent
		extra    *bool
		reason   string // "" when the expectation holds
	}{
		{"all", insertCMAP[4:], []specifications.ExpectedEvent{wantReady, wantCheckedOut, wantCheckedIn}, nil, ""},
		{"prefix, ignoreExtraEvents", insertCMAP, []specifications.ExpectedEvent{{PoolCreatedEvent: empty()}, wantPoolReady}, ptr(true), ""},
		{"extra events", insertCMAP, []specifications.ExpectedEvent{{PoolCreatedEvent: empty()}, wantPoolReady}, nil,
			"expectEvents[0] (client0): expected 2 events, observed 7"},
		{"extra events, ignoreExtraEvents false", insertCMAP, []specifications.ExpectedEvent{{PoolCreatedEvent: empty()}, wantPoolReady}, ptr(false),
			"expected 2 events, observed 7"},
		{"missing event", insertCMAP[5:], []specifications.ExpectedEvent{wantReady, wantCheckedOut, wantCheckedIn}, ptr(true),
			"expected 3 events, observed 2"},
		{"wrong order", insertCMAP[4:], []specifications.ExpectedEvent{wantReady, wantCheckedIn, wantCheckedOut}, nil,
			"event 1: expected connectionCheckedInEvent, observed connectionCheckedOutEvent"},
		{"a prefix must start at the first event", insertCMAP, []specifications.ExpectedEvent{wantPoolReady}, ptr(true),
			"event 0: expected poolReadyEvent, observed poolCreatedEvent"},
		{"none expected, none observed", nil, []specifications.ExpectedEvent{}, nil, ""},
		{"none expected, some observed", insertCMAP, []specifications.ExpectedEvent{}, nil, "expected 0 events, observed 7"},
		{"fields", cleared, []specifications.ExpectedEvent{
			{PoolClearedEvent: &specifications.PoolClearedEvent{InterruptInUseConnections: ptr(true), HasServiceID: ptr(false)}},
			{ConnectionClosedEvent: &specifications.ConnectionReason{Reason: ptr("stale")}},
			{ConnectionCheckOutFailedEvent: &specifications.ConnectionReason{Reason: ptr("connectionError")}},
		}, nil, ""},
		{"interruptInUseConnections differs", cleared[:1], []specifications.ExpectedEvent{
			{PoolClearedEvent: &specifications.PoolClearedEvent{InterruptInUseConnections: ptr(false)}}}, nil,
			"event 0: interruptInUseConnections: expected false, observed true"},
		{"hasServiceId differs", cleared[:1], []specifications.ExpectedEvent{
			{PoolClearedEvent: &specifications.PoolClearedEvent{HasServiceID: ptr(true)}}}, nil, "event 0: hasServiceId: expected true"},
		{"reason differs", cleared[1:2], []specifications.ExpectedEvent{
			{ConnectionClosedEvent: &specifications.ConnectionReason{Reason: ptr("error")}}}, nil, "event 0: reason: expected error, observed stale"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := recordedRun(t, entities.Recording{CMAP: tt.observed, SDAM: clearedSDAMEvents})
			v := tr.expectEvents(0, &specifications.ExpectedEventsForClient{Client: "client0", EventType: "cmap", Events: tt.want, IgnoreExtraEvents: tt.extra})
			checkVerdict(t, v, result.Fail, tt.reason)
			if v != nil && !strings.Contains(v.Detail, "observed: [") {
				t.Errorf("detail does not list the observed events:\n%s", v.Detail)
			}
		})
	}
}

var clearedSDAMEvents = []entities.Event{
	{Name: "topologyOpeningEvent"},
	{Name: "topologyDescriptionChangedEvent", PreviousType: "Unknown", NewType: "Unknown"},
	{Name: "serverDescriptionChangedEvent", PreviousType: "Unknown", NewType: "Standalone"},
	{Name: "topologyDescriptionChangedEvent", PreviousType: "Unknown", NewType: "Single"},
	{Name: "serverHeartbeatSucceededEvent", Awaited: true},
	{Name: "topologyClosedEvent"},
}

func sdType(prev, next string) specifications.ExpectedEvent {
	e := &specifications.ServerDescriptionChange{}
	if prev != "" {
		e.PreviousDescription = &specifications.ServerDescription{Type: prev}
	}
	if next != "" {
		e.NewDescription = &specifications.ServerDescription{Type: next}
	}
	return specifications.ExpectedEvent{ServerDescriptionChangedEvent: e}
}

func tdType(prev, next string) specifications.ExpectedEvent {
	e := &specifications.TopologyDescriptionChange{}
	if prev != "" {
		e.PreviousDescription = &specifications.TopologyDescription{Type: prev}
	}
	if next != "" {
		e.NewDescription = &specifications.TopologyDescription{Type: next}
	}
	return specifications.ExpectedEvent{TopologyDescriptionChangedEvent: e}
}

func TestExpectSDAMEvents(t *testing.T) {
	all := []specifications.ExpectedEvent{
		{TopologyOpeningEvent: empty()}, tdType("Unknown", "Unknown"), sdType("Unknown", "Standalone"), tdType("Unknown", "Single"),
		{ServerHeartbeatSucceededEvent: &specifications.HeartbeatEvent{Awaited: ptr(true)}}, {TopologyClosedEvent: empty()},
	}
	replace := func(i int, e specifications.ExpectedEvent) []specifications.ExpectedEvent {
		out := append([]specifications.ExpectedEvent(nil), all...)
		out[i] = e
		return out
	}
	tests := []struct {
		name   string
		want   []specifications.ExpectedEvent
		extra  *bool
		reason string
	}{
		{"all", all, nil, ""},
		{"types not asserted", replace(1, tdType("", "")), nil, ""},
		{"prefix", all[:4], ptr(true), ""},
		{"prefix without ignoreExtraEvents", all[:4], nil, "expected 4 events, observed 6"},
		{"topology new type", replace(3, tdType("Unknown", "ReplicaSetNoPrimary")), nil, "event 3: newDescription.type: expected ReplicaSetNoPrimary, observed Single"},
		{"topology previous type", replace(1, tdType("Single", "")), nil, "event 1: previousDescription.type: expected Single, observed Unknown"},
		{"server new type", replace(2, sdType("", "Unknown")), nil, "event 2: newDescription.type: expected Unknown, observed Standalone"},
		{"awaited", replace(4, specifications.ExpectedEvent{ServerHeartbeatSucceededEvent: &specifications.HeartbeatEvent{Awaited: ptr(false)}}), nil,
			"event 4: awaited: expected false, observed true"},
		{"heartbeat kind", replace(4, specifications.ExpectedEvent{ServerHeartbeatFailedEvent: &specifications.HeartbeatEvent{}}), nil,
			"event 4: expected serverHeartbeatFailedEvent, observed serverHeartbeatSucceededEvent"},
		{"closed before opened", replace(0, specifications.ExpectedEvent{TopologyClosedEvent: empty()}), nil,
			"event 0: expected topologyClosedEvent, observed topologyOpeningEvent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := recordedRun(t, entities.Recording{CMAP: insertCMAP, SDAM: clearedSDAMEvents})
			v := tr.expectEvents(0, &specifications.ExpectedEventsForClient{Client: "client0", EventType: "sdam", Events: tt.want, IgnoreExtraEvents: tt.extra})
			checkVerdict(t, v, result.Fail, tt.reason)
		})
	}
}

// logMsg is an observed log message with the given data.
func logMsg(t *testing.T, component, level string, data bson.D) entities.LogMessage {
	t.Helper()
	return entities.LogMessage{Component: component, Level: level, Data: marshal(data)}
}

func wantLog(component, level string, data bson.D) specifications.ExpectedLogMessage {
	return specifications.ExpectedLogMessage{Component: component, Level: level, Data: marshal(data)}
}

func TestExpectLogMessages(t *testing.T) {
	started := bson.D{{Key: "message", Value: "Command started"}, {Key: "commandName", Value: "ping"},
		{Key: "command", Value: `{"ping": 1, "$db": "admin"}`}, {Key: "requestId", Value: int64(5)}, {Key: "serverPort", Value: int64(27017)}}
	succeeded := bson.D{{Key: "message", Value: "Command succeeded"}, {Key: "commandName", Value: "ping"},
		{Key: "durationMS", Value: int64(1)}, {Key: "reply", Value: `{"ok": 1}`}}
	failedMsg := func(failure any) bson.D {
		return bson.D{{Key: "message", Value: "Command failed"}, {Key: "commandName", Value: "saslStart"}, {Key: "failure", Value: failure}}
	}
	heartbeat := bson.D{{Key: "message", Value: "Server heartbeat started"}, {Key: "awaited", Value: false}}
	observed := []entities.LogMessage{
		logMsg(t, "topology", "debug", heartbeat),
		logMsg(t, "command", "debug", started),
		logMsg(t, "topology", "debug", heartbeat),
		logMsg(t, "command", "debug", succeeded),
	}
	wantStartedMsg := wantLog("command", "debug", bson.D{{Key: "message", Value: "Command started"}, {Key: "commandName", Value: "ping"},
		{Key: "command", Value: bson.D{{Key: "$$matchAsDocument", Value: bson.D{{Key: "$$matchAsRoot", Value: bson.D{{Key: "ping", Value: 1}}}}}}},
		{Key: "requestId", Value: bson.D{{Key: "$$type", Value: bson.A{"int", "long"}}}}})
	wantSucceededMsg := wantLog("command", "debug", bson.D{{Key: "message", Value: "Command succeeded"}, {Key: "commandName", Value: "ping"},
		{Key: "reply", Value: bson.D{{Key: "$$matchAsDocument", Value: bson.D{{Key: "$$matchAsRoot", Value: bson.D{{Key: "ok", Value: 1}}}}}}}})
	ignoreHeartbeats := []specifications.ExpectedLogMessage{wantLog("topology", "debug", bson.D{{Key: "message", Value: "Server heartbeat started"}})}

	tests := []struct {
		name     string
		observed []entities.LogMessage
		want     specifications.ExpectedLogMessagesForClient
		status   result.Status
		reason   string // "" when the expectation holds
	}{
		{"ignoreMessages drops them wherever they are", observed, specifications.ExpectedLogMessagesForClient{
			Messages: []specifications.ExpectedLogMessage{wantStartedMsg, wantSucceededMsg}, IgnoreMessages: ignoreHeartbeats}, result.Fail, ""},
		{"without ignoreMessages they count", observed, specifications.ExpectedLogMessagesForClient{
			Messages: []specifications.ExpectedLogMessage{wantStartedMsg, wantSucceededMsg}}, result.Fail,
			"expectLogMessages[0] (client0): expected 2 log messages, observed 4"},
		{"nor does ignoreExtraMessages skip them", observed, specifications.ExpectedLogMessagesForClient{
			Messages: []specifications.ExpectedLogMessage{wantStartedMsg, wantSucceededMsg}, IgnoreExtraMessages: ptr(true)}, result.Fail,
			`message 0: component: expected command, observed topology ("Server heartbeat started")`},
		{"ignoreMessages matches level too", observed, specifications.ExpectedLogMessagesForClient{
			Messages:       []specifications.ExpectedLogMessage{wantStartedMsg, wantSucceededMsg},
			IgnoreMessages: []specifications.ExpectedLogMessage{wantLog("topology", "info", bson.D{{Key: "message", Value: "Server heartbeat started"}})}}, result.Fail,
			"expected 2 log messages, observed 4"},
		{"extra message", observed, specifications.ExpectedLogMessagesForClient{
			Messages: []specifications.ExpectedLogMessage{wantStartedMsg}, IgnoreMessages: ignoreHeartbeats}, result.Fail,
			"expected 1 log messages, observed 2"},
		{"extra message, ignoreExtraMessages", observed, specifications.ExpectedLogMessagesForClient{
			Messages: []specifications.ExpectedLogMessage{wantStartedMsg}, IgnoreMessages: ignoreHeartbeats, IgnoreExtraMessages: ptr(true)}, result.Fail, ""},
		{"missing message", observed[:2], specifications.ExpectedLogMessagesForClient{
			Messages: []specifications.ExpectedLogMessage{wantStartedMsg, wantSucceededMsg}, IgnoreMessages: ignoreHeartbeats, IgnoreExtraMessages: ptr(true)}, result.Fail,
			"expected 2 log messages, observed 1"},
		{"wrong order", observed, specifications.ExpectedLogMessagesForClient{
			Messages: []specifications.ExpectedLogMessage{wantSucceededMsg, wantStartedMsg}, IgnoreMessages: ignoreHeartbeats}, result.Fail,
			"message 0: data: message: expected"},
		{"no messages expected", nil, specifications.ExpectedLogMessagesForClient{Messages: []specifications.ExpectedLogMessage{}}, result.Fail, ""},
		{"no messages expected, some observed", observed, specifications.ExpectedLogMessagesForClient{Messages: []specifications.ExpectedLogMessage{}}, result.Fail,
			"expected 0 log messages, observed 4"},
		{"level", observed[1:2], specifications.ExpectedLogMessagesForClient{Messages: []specifications.ExpectedLogMessage{
			wantLog("command", "info", bson.D{{Key: "message", Value: "Command started"}})}}, result.Fail,
			`message 0: level: expected info (the driver's info), observed debug ("Command started")`},
		{"trace is the driver's debug", observed[1:2], specifications.ExpectedLogMessagesForClient{Messages: []specifications.ExpectedLogMessage{
			wantLog("command", "trace", bson.D{{Key: "message", Value: "Command started"}})}}, result.Fail, ""},
		{"data is a root document: extra fields allowed", observed[1:2], specifications.ExpectedLogMessagesForClient{Messages: []specifications.ExpectedLogMessage{
			wantLog("command", "debug", bson.D{{Key: "commandName", Value: "ping"}})}}, result.Fail, ""},
		{"data value differs", observed[1:2], specifications.ExpectedLogMessagesForClient{Messages: []specifications.ExpectedLogMessage{
			wantLog("command", "debug", bson.D{{Key: "commandName", Value: "find"}})}}, result.Fail, "message 0: data: commandName: expected"},
		{"data field missing", observed[1:2], specifications.ExpectedLogMessagesForClient{Messages: []specifications.ExpectedLogMessage{
			wantLog("command", "debug", bson.D{{Key: "serviceId", Value: bson.D{{Key: "$$exists", Value: true}}}})}}, result.Fail, "message 0: data: serviceId"},
		{"document in a string", observed[1:2], specifications.ExpectedLogMessagesForClient{Messages: []specifications.ExpectedLogMessage{
			wantLog("command", "debug", bson.D{{Key: "command", Value: bson.D{{Key: "$$matchAsDocument", Value: bson.D{{Key: "$$matchAsRoot", Value: bson.D{{Key: "ping", Value: 2}}}}}}}})}}, result.Fail,
			"message 0: data: command"},
		{"invalid expectation in ignoreMessages", observed, specifications.ExpectedLogMessagesForClient{
			Messages:       []specifications.ExpectedLogMessage{},
			IgnoreMessages: []specifications.ExpectedLogMessage{wantLog("topology", "debug", bson.D{{Key: "message", Value: bson.D{{Key: "$$bogus", Value: 1}}}})}}, result.Error,
			"expectLogMessages[0] (client0): ignoreMessages[0]: data"},
	}
	redaction := []struct {
		name     string
		failure  any
		redacted bool
		status   result.Status
		reason   string
	}{
		{"unredacted, not expected redacted", "(AuthenticationFailed) Authentication failed.", false, result.Fail, ""},
		{"empty, not expected redacted", "", false, result.Fail, "failureIsRedacted: expected the failure not to be redacted"},
		{"empty, expected redacted", "", true, result.Fail, ""},
		{"REDACTED, expected redacted", "(AuthenticationFailed) REDACTED", true, result.Fail, ""},
		{"code only, expected redacted", bson.D{{Key: "code", Value: 18}, {Key: "codeName", Value: "AuthenticationFailed"}}, true, result.Fail, ""},
		{"document with errmsg, not expected redacted", bson.D{{Key: "code", Value: 18}, {Key: "errmsg", Value: "no"}}, false, result.Fail, ""},
		{"null, expected redacted", nil, true, result.Fail, ""},
		// The Go driver logs failures as they are: it cannot meet failureIsRedacted.
		{"unredacted, expected redacted", "(AuthenticationFailed) Authentication failed.", true, result.Unsupported,
			"failureIsRedacted: the Go driver v2 does not redact the failure of a sensitive command"},
	}
	for _, r := range redaction {
		w := wantLog("command", "debug", bson.D{{Key: "message", Value: "Command failed"}, {Key: "failure", Value: bson.D{{Key: "$$exists", Value: true}}}})
		w.FailureIsRedacted = ptr(r.redacted)
		tests = append(tests, struct {
			name     string
			observed []entities.LogMessage
			want     specifications.ExpectedLogMessagesForClient
			status   result.Status
			reason   string
		}{"failureIsRedacted: " + r.name, []entities.LogMessage{logMsg(t, "command", "debug", failedMsg(r.failure))},
			specifications.ExpectedLogMessagesForClient{Messages: []specifications.ExpectedLogMessage{w}}, r.status, r.reason})
	}
	noFailure := wantLog("command", "debug", bson.D{{Key: "message", Value: "Command started"}})
	noFailure.FailureIsRedacted = ptr(false)
	tests = append(tests, struct {
		name     string
		observed []entities.LogMessage
		want     specifications.ExpectedLogMessagesForClient
		status   result.Status
		reason   string
	}{"failureIsRedacted without a failure", observed[1:2], specifications.ExpectedLogMessagesForClient{Messages: []specifications.ExpectedLogMessage{noFailure}},
		result.Fail, "message 0: failureIsRedacted: the message has no failure"})

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := recordedRun(t, entities.Recording{Logs: tt.observed})
			tt.want.Client = "client0"
			v := tr.expectLogMessages(0, &tt.want)
			checkVerdict(t, v, tt.status, tt.reason)
			if v != nil && v.Status == result.Fail && !strings.Contains(v.Reason, "failureIsRedacted") && !strings.Contains(v.Detail, "observed: [") {
				t.Errorf("detail does not list the observed messages:\n%s", v.Detail)
			}
		})
	}
}

func TestExpectLogMessagesOtherClients(t *testing.T) {
	tr := recordedRun(t, entities.Recording{})
	v := tr.expectLogMessages(1, &specifications.ExpectedLogMessagesForClient{Client: "nobody", Messages: []specifications.ExpectedLogMessage{}})
	checkVerdict(t, v, result.Error, `expectLogMessages[1] (nobody): entity "nobody" is not defined`)
	v = tr.expectLogMessages(0, &specifications.ExpectedLogMessagesForClient{Client: "client0", Messages: []specifications.ExpectedLogMessage{}})
	checkVerdict(t, v, result.Pass, "")
}

// A thread's failure fails the test even when no waitForThread reported it.
func TestThreadFailureWithoutWaitForThread(t *testing.T) {
	tr := recordedRun(t, entities.Recording{})
	th := entities.NewThread("thread0")
	if err := tr.entities.Add("thread0", th); err != nil {
		t.Fatal(err)
	}
	defer tr.entities.Close(context.Background())
	if v := tr.threadFailure(); v != nil {
		t.Errorf("an idle thread fails the test: %s", v.Reason)
	}
	_ = th.Run(context.Background(), func(context.Context) error {
		return &result.Verdict{Status: result.Fail, Reason: "operation 0 (find): expectResult: 0.x: expected int32 12, got int32 11", Detail: "detail"}
	})
	if finished, _ := th.Wait(context.Background(), 5*time.Second); !finished {
		t.Fatal("the job did not finish")
	}
	v := tr.threadFailure()
	checkVerdict(t, v, result.Fail, "thread thread0: operation 0 (find): expectResult: 0.x: expected int32 12, got int32 11")
}
