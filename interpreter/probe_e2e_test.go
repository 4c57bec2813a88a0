package interpreter_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/specrun/specrun/internal/wireproxy"
	"github.com/specrun/specrun/interpreter"
)

// probeCommands are the commands whose replies the probe reads.
var probeCommands = []string{"buildInfo", "hello", "getParameter", "listCommands"}

// setField rewrites a reply with key set to value (added when absent).
func setField(key string, value any) func(bson.Raw) bson.Raw {
	return func(reply bson.Raw) bson.Raw {
		var d bson.D
		if err := bson.Unmarshal(reply, &d); err != nil {
			panic(err)
		}
		i := slices.IndexFunc(d, func(e bson.E) bool { return e.Key == key })
		if i < 0 {
			d = append(d, bson.E{Key: key, Value: value})
		} else {
			d[i].Value = value
		}
		out, err := bson.Marshal(d)
		if err != nil {
			panic(err)
		}
		return out
	}
}

// A server that answers the probe with a malformed reply is refused with the command
// and the field named, or, where the probe can do without the field, noted; it is
// neither a panic nor "server unreachable".
func TestProbeMalformedReplies(t *testing.T) {
	tests := []struct {
		command string
		rewrite func(bson.Raw) bson.Raw
		err     string // New's error; "" when New succeeds
		note    string // then, a note of the probe
	}{
		{"buildInfo", setField("version", int32(5)), "buildInfo: version: must be a string, not int32 5", ""},
		{"buildInfo", setField("versionArray", bson.A{"7", 0}), `buildInfo: versionArray.0: must be an integer, not string "7"`, ""},
		{"hello", setField("maxWireVersion", "21"), `hello: maxWireVersion: must be an integer, not string "21"`, ""},
		{"hello", setField("setName", int32(1)), "hello: setName: must be a string, not int32 1", ""},
		{"hello", setField("serviceId", "lb"), `hello: serviceId: must be an objectId, not string "lb"`, ""},
		{"listCommands", setField("commands", "all"), "", `listCommands: commands: must be a document, not string "all"`},
		{"getParameter", setField("authenticationMechanisms", int32(5)), "", "getParameter: authenticationMechanisms: must be an array of strings, not int32 5: no mechanism is known"},
	}
	for _, tt := range tests {
		t.Run(fieldOf(tt.err+tt.note), func(t *testing.T) {
			proxy := wireproxy.Start(t, serverAddr(t))
			proxy.On(tt.command, wireproxy.Rewrite(tt.rewrite))
			r, err := interpreter.New(context.Background(), interpreter.Config{URI: proxy.URI()})
			if r != nil {
				defer r.Close()
			}
			if tt.err != "" {
				if err == nil || err.Error() != tt.err || errors.Is(err, interpreter.ErrUnreachable) {
					t.Fatalf("New: %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if !slices.Contains(r.Probe().Notes, tt.note) {
				t.Errorf("notes %q, want %q among them", r.Probe().Notes, tt.note)
			}
		})
	}
}

// A listCommands reply without its commands is as a refused listCommands: the probe
// tries the commands the tests need instead.
func TestProbeTriesCommandsWithoutAList(t *testing.T) {
	proxy := wireproxy.Start(t, serverAddr(t))
	proxy.On("listCommands", wireproxy.Rewrite(setField("commands", bson.A{})))
	proxy.On("configureFailPoint", wireproxy.Reply(bson.D{{Key: "ok", Value: 1.0}}))
	r, err := interpreter.New(context.Background(), interpreter.Config{URI: proxy.URI()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if p := r.Probe(); p.Commands != nil || !p.FailPoints {
		t.Errorf("commands %v, fail points %t; want no list, and fail points as configureFailPoint answered", p.Commands, p.FailPoints)
	}
}

// fieldOf is the command and field a probe's message names: "hello: setName: …" is
// hello.setName.
func fieldOf(message string) string {
	parts := strings.SplitN(message, ": ", 3)
	return parts[0] + "." + parts[1]
}

// FuzzProbeReplies feeds the probe's reply readers random replies, seeded with the
// embedded server's own and malformed ones: they never panic, and an error or a note
// always names the command.
func FuzzProbeReplies(f *testing.F) {
	client, err := mongo.Connect(options.Client().ApplyURI(serverURI))
	if err != nil {
		f.Fatal(err)
	}
	for i, command := range probeCommands {
		var arg any = 1
		if command == "getParameter" {
			arg = "*"
		}
		reply, err := client.Database("admin").RunCommand(context.Background(), bson.D{{Key: command, Value: arg}}).Raw()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), []byte(reply))
		for _, key := range []string{"version", "versionArray", "maxWireVersion", "setName", "commands", "authenticationMechanisms"} {
			f.Add(uint8(i), []byte(setField(key, "x")(reply)))
		}
		f.Add(uint8(i), []byte{})
		f.Add(uint8(i), []byte(reply[:len(reply)/2]))
	}
	if err := client.Disconnect(context.Background()); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, which uint8, reply []byte) {
		command := probeCommands[int(which)%len(probeCommands)]
		s, err := interpreter.ReadProbeReply(command, reply)
		if err != nil {
			if !strings.HasPrefix(err.Error(), command+": ") {
				t.Errorf("the error %q does not name %s", err, command)
			}
			return
		}
		for _, note := range s.Notes {
			if !strings.HasPrefix(note, command+": ") {
				t.Errorf("the note %q does not name %s", note, command)
			}
		}
		switch command {
		case "buildInfo":
			if n := len(s.VersionArray); n == 0 || n > 3 {
				t.Errorf("buildInfo read without error, version %q as %v", s.Version, s.VersionArray)
			}
		case "hello":
			if !slices.Contains([]string{"single", "replicaset", "sharded", "load-balanced"}, s.Topology) {
				t.Errorf("hello read without error, topology %q", s.Topology)
			}
		}
	})
}
