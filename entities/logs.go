package entities

import (
	"fmt"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/specrun/specrun/specifications"
)

// LogMessage is one log message a client emitted, as the Unified Test Format matches
// it: its severity, its component and its data as a document (the structured fields
// the driver logs, "message" first).
type LogMessage struct {
	// Level is "info" or "debug": the Go driver logs at these two levels only, and
	// emits the spec's other levels at the closest one (Logging spec, "Log Severity
	// Levels"); DriverLevel maps a spec level the same way.
	Level     string
	Component string // command, topology, serverSelection or connection; "" when unknown
	Data      bson.Raw
}

// DriverLevel is the Go driver's level for a spec severity level: debug and trace are
// debug, the more severe levels info (the driver has no others).
func DriverLevel(level string) string {
	switch strings.ToLower(level) {
	case "debug", "trace":
		return "debug"
	case "off":
		return "off"
	}
	return "info"
}

// logComponents are the components of observeLogMessages and the driver's names.
var logComponents = []struct {
	name   string
	driver options.LogComponent
	level  func(*specifications.ObserveLogMessages) string
}{
	{"command", options.LogComponentCommand, func(o *specifications.ObserveLogMessages) string { return o.Command }},
	{"topology", options.LogComponentTopology, func(o *specifications.ObserveLogMessages) string { return o.Topology }},
	{"serverSelection", options.LogComponentServerSelection, func(o *specifications.ObserveLogMessages) string { return o.ServerSelection }},
	{"connection", options.LogComponentConnection, func(o *specifications.ObserveLogMessages) string { return o.Connection }},
}

// logDocumentLength is the maximum length of a document in the log messages of a
// client entity: larger than any command or reply (16 MiB of BSON, as Extended JSON).
// The logging spec's default, 1000, truncates a replica set's hello reply, and a
// truncated document is no Extended JSON: $$matchAsDocument could not judge it. The
// unified tests assert no truncation (prose tests do), and the Go driver's own runner
// raises the limit for the same reason.
const logDocumentLength = 1 << 30

// logRecorder is a client's log sink: it keeps, in order, the messages of the
// components observeLogMessages names at the levels it allows.
type logRecorder struct {
	observe map[string]string // component → the driver level observed ("info" or "debug")
	signal  *signal

	mu       sync.Mutex
	paused   bool
	stopped  bool
	messages []LogMessage
}

// newLogRecorder returns the recorder and the driver's logger options for o. Every
// component gets a level, off where o has none, so that the MONGODB_LOG_*
// environment variables cannot add messages the test did not ask for. Documents are
// logged whole (logDocumentLength).
func newLogRecorder(o *specifications.ObserveLogMessages, s *signal) (*logRecorder, *options.LoggerOptions) {
	r := &logRecorder{observe: map[string]string{}, signal: s}
	opts := options.Logger().SetSink(r).SetMaxDocumentLength(logDocumentLength)
	for _, c := range logComponents {
		level := c.level(o)
		switch DriverLevel(level) {
		case "debug":
			opts.SetComponentLevel(c.driver, options.LogLevelDebug)
			r.observe[c.name] = "debug"
		case "info":
			if level != "" {
				opts.SetComponentLevel(c.driver, options.LogLevelInfo)
				r.observe[c.name] = "info"
				continue
			}
			opts.SetComponentLevel(c.driver, options.LogLevel(0))
		}
	}
	return r, opts
}

// Info implements the driver's LogSink. The driver passes level 0 for info and 1 for
// debug, and does not say which component a message belongs to: the message tells.
func (r *logRecorder) Info(level int, msg string, keysAndValues ...any) {
	name := "info"
	if level >= 1 {
		name = "debug"
	}
	r.record(name, msg, keysAndValues)
}

// Error implements the driver's LogSink; the Go driver does not call it today. Its
// message is kept at info level (the driver's most severe) with the error.
func (r *logRecorder) Error(err error, msg string, keysAndValues ...any) {
	kv := append(append([]any(nil), keysAndValues...), "error", err)
	r.record("info", msg, kv)
}

func (r *logRecorder) record(level, msg string, kv []any) {
	m := LogMessage{Level: level, Data: logData(msg, kv)}
	m.Component = logComponent(msg, m.Data)
	r.mu.Lock()
	observed, ok := r.observe[m.Component]
	keep := !r.paused && !r.stopped && (m.Component == "" || ok && (observed == "debug" || level == "info"))
	if keep {
		r.messages = append(r.messages, m)
	}
	r.mu.Unlock()
	if keep {
		r.signal.fire()
	}
}

// logComponent says which component a message of the Go driver belongs to, by its
// message (the specs name them) or, for others, by the fields each component's
// messages carry; "" when neither tells.
func logComponent(msg string, data bson.Raw) string {
	switch {
	case strings.HasPrefix(msg, "Command "):
		return "command"
	case strings.HasPrefix(msg, "Connection "):
		return "connection"
	case strings.HasPrefix(msg, "Server selection "), msg == "Waiting for suitable server to become available":
		return "serverSelection"
	case strings.HasPrefix(msg, "Server heartbeat "), strings.HasSuffix(msg, " monitoring"), msg == "Topology description changed":
		return "topology"
	case data.Lookup("selector").Type != 0:
		return "serverSelection"
	case data.Lookup("topologyId").Type != 0:
		return "topology"
	case data.Lookup("commandName").Type != 0:
		return "command"
	}
	return ""
}

// logData is a message's key-value pairs as a document, with "message" first when
// the driver did not give it among them.
func logData(msg string, kv []any) bson.Raw {
	d := bson.D{}
	hasMessage := false
	for i := 0; i < len(kv); i += 2 {
		key := fmt.Sprint(kv[i])
		var v any
		if i+1 < len(kv) {
			v = logValue(kv[i+1])
		}
		hasMessage = hasMessage || key == "message"
		d = append(d, bson.E{Key: key, Value: v})
	}
	if !hasMessage {
		d = append(bson.D{{Key: "message", Value: msg}}, d...)
	}
	raw, err := bson.Marshal(d)
	if err != nil {
		raw, _ = bson.Marshal(bson.D{{Key: "message", Value: msg}, {Key: "specrunError", Value: err.Error()}})
	}
	return raw
}

// logValue converts a logged value to one BSON keeps: numbers, strings and booleans as
// they are, errors and other values as their text.
func logValue(v any) any {
	switch v := v.(type) {
	case nil, string, bool, int32, int64, float64, bson.ObjectID:
		return v
	case int:
		return int64(v)
	case int8:
		return int32(v)
	case int16:
		return int32(v)
	case uint8:
		return int32(v)
	case uint16:
		return int32(v)
	case uint32:
		return int64(v)
	case uint64:
		if v <= 1<<63-1 {
			return int64(v)
		}
		return float64(v)
	case uint:
		return logValue(uint64(v))
	case float32:
		return float64(v)
	case error:
		return v.Error()
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}
