package entities

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/specrun/specrun/specifications"
)

func TestLogRecorderComponentsAndLevels(t *testing.T) {
	r, opts := newLogRecorder(&specifications.ObserveLogMessages{Command: "debug", Topology: "info"}, newSignal())
	// Every component has a level; those not observed are off, whatever the
	// environment says.
	want := map[options.LogComponent]options.LogLevel{
		options.LogComponentCommand: options.LogLevelDebug, options.LogComponentTopology: options.LogLevelInfo,
		options.LogComponentServerSelection: 0, options.LogComponentConnection: 0,
	}
	if !reflect.DeepEqual(opts.ComponentLevels, want) {
		t.Errorf("component levels %v, want %v", opts.ComponentLevels, want)
	}
	if opts.Sink != r {
		t.Error("the recorder is not the sink")
	}
	r.Info(1, "Command started", "commandName", "ping", "message", "Command started")
	r.Info(1, "Server heartbeat started", "topologyId", "x") // topology at debug: below info
	r.Info(0, "Starting topology monitoring", "topologyId", "x")
	r.Info(1, "Connection created", "message", "Connection created") // connection not observed
	r.Info(0, "Waiting for suitable server to become available", "selector", "x")
	r.Info(1, "Command succeeded", "commandName", "ping", "message", "Command succeeded")
	c := &Client{logs: r, events: &commandRecorder{}, monitor: newMonitorRecorder(r.signal)}
	var got []string
	for _, m := range c.LogMessages() {
		msg, _ := m.Data.Lookup("message").StringValueOK()
		got = append(got, m.Component+"/"+m.Level+" "+msg)
	}
	wantMsgs := []string{"command/debug Command started", "topology/info Starting topology monitoring", "command/debug Command succeeded"}
	if !reflect.DeepEqual(got, wantMsgs) {
		t.Errorf("recorded %v, want %v", got, wantMsgs)
	}

	// Error (which the driver does not call today) keeps the error with the message.
	kv := make([]any, 2, 4)
	kv[0], kv[1] = "commandName", "ping"
	r.Error(errors.New("boom"), "Command failed", kv...)
	last := c.LogMessages()[3]
	if last.Component != "command" || last.Level != "info" || last.Data.Lookup("error").StringValue() != "boom" || kv[:cap(kv)][2] != nil {
		t.Errorf("Error recorded %s %s %s", last.Component, last.Level, last.Data)
	}

	c.StopObserving()
	r.Info(1, "Command started", "commandName", "ping")
	if n := len(c.LogMessages()); n != 4 {
		t.Errorf("%d messages after the collector stopped", n)
	}
}

func TestLogComponent(t *testing.T) {
	for msg, want := range map[string]string{
		"Command started": "command", "Command succeeded": "command", "Command failed": "command",
		"Connection pool created": "connection", "Connection checkout failed": "connection", "Connection checked in": "connection",
		"Server selection started": "serverSelection", "Server selection failed": "serverSelection",
		"Waiting for suitable server to become available": "serverSelection",
		"Starting topology monitoring":                    "topology", "Stopped topology monitoring": "topology",
		"Starting server monitoring": "topology", "Stopped server monitoring": "topology",
		"Topology description changed": "topology", "Server heartbeat failed": "topology",
		"Something else": "",
	} {
		if got := logComponent(msg, logData(msg, nil)); got != want {
			t.Errorf("%q: %q, want %q", msg, got, want)
		}
	}
	// A message the specs do not name is placed by its fields.
	if got := logComponent("You appear to be connected to a CosmosDB cluster", logData("x", []any{"topologyId", "1"})); got != "topology" {
		t.Errorf("third-party notice: %q", got)
	}
}

type stringer struct{}

func (stringer) String() string { return "described" }

func TestLogData(t *testing.T) {
	d := logData("Command failed", []any{
		"commandName", "find", "durationMS", int64(3), "serverPort", int64(27017), "operationId", int32(2),
		"driverConnectionId", uint64(4), "awaited", true, "count", 7, "failure", errors.New("boom"),
		"selector", stringer{}, "ratio", 0.5,
	})
	want := bson.D{
		{Key: "message", Value: "Command failed"}, {Key: "commandName", Value: "find"}, {Key: "durationMS", Value: int64(3)},
		{Key: "serverPort", Value: int64(27017)}, {Key: "operationId", Value: int32(2)}, {Key: "driverConnectionId", Value: int64(4)},
		{Key: "awaited", Value: true}, {Key: "count", Value: int64(7)}, {Key: "failure", Value: "boom"},
		{Key: "selector", Value: "described"}, {Key: "ratio", Value: 0.5},
	}
	if !reflect.DeepEqual(d, mustRaw(t, want)) {
		t.Errorf("data %s, want %s", d, mustRaw(t, want))
	}
	// The driver's own "message" is kept where it is, not repeated.
	d = logData("Command started", []any{"commandName", "ping", "message", "Command started"})
	if elems, _ := d.Elements(); len(elems) != 2 || elems[0].Key() != "commandName" {
		t.Errorf("data %s", d)
	}
}

func TestDriverLevel(t *testing.T) {
	for level, want := range map[string]string{
		"emergency": "info", "alert": "info", "critical": "info", "error": "info", "warning": "info",
		"notice": "info", "info": "info", "debug": "debug", "trace": "debug",
	} {
		if got := DriverLevel(level); got != want {
			t.Errorf("%s: %s, want %s", level, got, want)
		}
	}
}

// A client on a port where no server listens logs its topology's start: the sink is
// wired into the driver.
func TestClientCollectsDriverLogs(t *testing.T) {
	c, err := NewClient(context.Background(), &specifications.ClientEntity{
		ID: "client0", ObserveLogMessages: &specifications.ObserveLogMessages{Topology: "debug"},
	}, ClientConfig{URI: "mongodb://127.0.0.1:1/"})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(c.LogMessages()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	c.close(context.Background())
	msgs := c.LogMessages()
	if len(msgs) < 2 {
		t.Fatalf("%d messages", len(msgs))
	}
	first := msgs[0]
	if msg, _ := first.Data.Lookup("message").StringValueOK(); msg != "Starting topology monitoring" || first.Component != "topology" || first.Level != "debug" {
		t.Errorf("first message %s %s %s", first.Component, first.Level, first.Data)
	}
	for _, m := range msgs {
		if m.Component != "topology" {
			t.Errorf("unobserved component: %s %s", m.Component, m.Data)
		}
		if strings.HasPrefix(m.Data.Lookup("message").StringValue(), "Command") {
			t.Errorf("command message: %s", m.Data)
		}
	}
}
