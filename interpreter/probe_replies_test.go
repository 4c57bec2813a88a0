package interpreter

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestReadBuildInfo(t *testing.T) {
	ferret := bson.A{int32(7), int32(0), int32(42), int32(0)}
	tests := []struct {
		reply   bson.D
		version string
		numbers []int64
		err     string
	}{
		// well formed
		{bson.D{{Key: "version", Value: "7.0.42"}, {Key: "versionArray", Value: ferret}}, "7.0.42", []int64{7, 0, 42}, ""},
		{bson.D{{Key: "version", Value: "8.0.0-rc1"}}, "8.0.0-rc1", []int64{8, 0, 0}, ""},
		{bson.D{{Key: "version", Value: "4.4.1"}, {Key: "versionArray", Value: bson.A{}}}, "4.4.1", []int64{4, 4, 1}, ""},
		{bson.D{{Key: "version", Value: "x"}, {Key: "versionArray", Value: bson.A{int64(4), 4.0, int32(1)}}}, "x", []int64{4, 4, 1}, ""},
		// malformed
		{bson.D{{Key: "ok", Value: 1.0}}, "", nil, "buildInfo: version: missing"},
		{bson.D{{Key: "version", Value: int32(5)}}, "", nil, "buildInfo: version: must be a string, not int32 5"},
		{bson.D{{Key: "version", Value: nil}}, "", nil, "buildInfo: version: must be a string, not null"},
		{bson.D{{Key: "version", Value: "unknown"}}, "", nil, `buildInfo: version: "unknown" is not a version number, and there is no versionArray`},
		{bson.D{{Key: "version", Value: ""}, {Key: "versionArray", Value: bson.A{}}}, "", nil, `buildInfo: version: "" is not a version number, and there is no versionArray`},
		{bson.D{{Key: "version", Value: "7.0.42"}, {Key: "versionArray", Value: "7.0.42"}}, "", nil, `buildInfo: versionArray: must be an array of integers, not string "7.0.42"`},
		{bson.D{{Key: "version", Value: "7.0.42"}, {Key: "versionArray", Value: nil}}, "", nil, "buildInfo: versionArray: must be an array of integers, not null"},
		{bson.D{{Key: "version", Value: "7.0.42"}, {Key: "versionArray", Value: bson.A{int32(7), "0"}}}, "", nil, `buildInfo: versionArray.1: must be an integer, not string "0"`},
		{bson.D{{Key: "version", Value: "7.0.42"}, {Key: "versionArray", Value: bson.A{7.5}}}, "", nil, "buildInfo: versionArray.0: must be an integer, not double 7.5"},
		{bson.D{{Key: "version", Value: "7.0.42"}, {Key: "versionArray", Value: bson.A{true}}}, "", nil, "buildInfo: versionArray.0: must be an integer, not bool true"},
	}
	for _, tt := range tests {
		version, numbers, err := readBuildInfo(marshal(tt.reply))
		if version != tt.version || !reflect.DeepEqual(numbers, tt.numbers) || errText(err) != tt.err {
			t.Errorf("%v:\n got %q %v, error %q\nwant %q %v, error %q", tt.reply, version, numbers, errText(err), tt.version, tt.numbers, tt.err)
		}
	}
}

func TestReadHello(t *testing.T) {
	oid := bson.NewObjectID()
	wire := func(v any) bson.E { return bson.E{Key: "maxWireVersion", Value: v} }
	tests := []struct {
		reply    bson.D
		wire     int32
		topology string
		notes    []string
		err      string
	}{
		// well formed
		{bson.D{{Key: "isWritablePrimary", Value: true}, wire(int32(21)), {Key: "ok", Value: 1.0}}, 21, "single", nil, ""},
		{bson.D{wire(int64(17)), {Key: "setName", Value: "rs0"}}, 17, "replicaset", nil, ""},
		{bson.D{wire(21.0), {Key: "msg", Value: "isdbgrid"}}, 21, "sharded", nil, ""},
		{bson.D{wire(int32(13)), {Key: "msg", Value: "isdbgrid"}, {Key: "serviceId", Value: oid}}, 13, "load-balanced", nil, ""},
		{bson.D{wire(int32(8)), {Key: "msg", Value: "other"}}, 8, "single", nil, ""},
		{bson.D{{Key: "ok", Value: 1.0}}, 0, "single", []string{"hello: maxWireVersion: missing, taken as 0"}, ""},
		// malformed
		{bson.D{wire("21")}, 0, "", nil, `hello: maxWireVersion: must be an integer, not string "21"`},
		{bson.D{wire(21.5)}, 0, "", nil, "hello: maxWireVersion: must be an integer, not double 21.5"},
		{bson.D{wire(int64(1) << 40)}, 0, "", nil, "hello: maxWireVersion: must be an integer of 32 bits, not int64 1099511627776"},
		{bson.D{wire(nil)}, 0, "", nil, "hello: maxWireVersion: must be an integer, not null"},
		{bson.D{wire(int32(21)), {Key: "setName", Value: int32(1)}}, 0, "", nil, "hello: setName: must be a string, not int32 1"},
		{bson.D{wire(int32(21)), {Key: "msg", Value: true}}, 0, "", nil, "hello: msg: must be a string, not bool true"},
		{bson.D{wire(int32(21)), {Key: "serviceId", Value: "x"}}, 0, "", nil, `hello: serviceId: must be an objectId, not string "x"`},
		{bson.D{wire(int32(21)), {Key: "serviceId", Value: nil}}, 0, "", nil, "hello: serviceId: must be an objectId, not null"},
	}
	for _, tt := range tests {
		h, err := readHello(marshal(tt.reply))
		if err != nil {
			h = helloFields{}
		}
		if h.maxWireVersion != tt.wire || h.topology != tt.topology || !slices.Equal(h.notes, tt.notes) || errText(err) != tt.err {
			t.Errorf("%v:\n got %d %q %q, error %q\nwant %d %q %q, error %q", tt.reply, h.maxWireVersion, h.topology, h.notes, errText(err), tt.wire, tt.topology, tt.notes, tt.err)
		}
	}
}

// getParameter is optional: a reply that cannot be read is kept, with a note.
func TestReadGetParameter(t *testing.T) {
	tests := []struct {
		reply bson.D
		note  string
	}{
		{bson.D{{Key: "authenticationMechanisms", Value: bson.A{"SCRAM-SHA-1", "SCRAM-SHA-256"}}, {Key: "ok", Value: 1.0}}, ""},
		{bson.D{{Key: "ok", Value: 1.0}}, ""},
		{bson.D{{Key: "authenticationMechanisms", Value: "SCRAM-SHA-1"}}, `getParameter: authenticationMechanisms: must be an array of strings, not string "SCRAM-SHA-1": no mechanism is known`},
		{bson.D{{Key: "authenticationMechanisms", Value: bson.A{"PLAIN", int32(1)}}}, "getParameter: authenticationMechanisms.1: must be a string, not int32 1: that mechanism is not known"},
	}
	for _, tt := range tests {
		reply := marshal(tt.reply)
		params, note := readGetParameter(reply)
		if !slices.Equal(params, reply) || note != tt.note {
			t.Errorf("%v: %v, note %q; want the reply, note %q", tt.reply, params, note, tt.note)
		}
	}
}

// listCommands is optional: a reply without its commands document gives no list (the
// probe tries the commands instead) and a note.
func TestReadListCommands(t *testing.T) {
	tests := []struct {
		reply bson.D
		names []string // nil: no list
		note  string
	}{
		{bson.D{{Key: "commands", Value: bson.D{{Key: "find", Value: bson.D{}}, {Key: "configureFailPoint", Value: bson.D{}}}}, {Key: "ok", Value: 1.0}}, []string{"configureFailPoint", "find"}, ""},
		{bson.D{{Key: "commands", Value: bson.D{}}}, []string{}, ""},
		{bson.D{{Key: "ok", Value: 1.0}}, nil, "listCommands: commands: missing"},
		{bson.D{{Key: "commands", Value: bson.A{"find"}}}, nil, `listCommands: commands: must be a document, not ["find"]`},
	}
	for _, tt := range tests {
		cmds, note := readListCommands(marshal(tt.reply))
		var names []string
		if cmds != nil {
			names = []string{}
			for name := range cmds {
				names = append(names, name)
			}
			slices.Sort(names)
		}
		if !reflect.DeepEqual(names, tt.names) || note != tt.note {
			t.Errorf("%v: %v, note %q; want %v, note %q", tt.reply, names, note, tt.names, tt.note)
		}
	}
}

// A reply that is not BSON is an error for the replies the probe needs, a note for the
// optional ones.
func TestReadRepliesNotBSON(t *testing.T) {
	notBSON := bson.Raw{0x0c, 0, 0, 0, 0x02, 'v', 0, 0xff, 0xff, 0xff, 0x7f, 0}
	for _, tt := range []struct {
		command  string
		required bool
	}{{"buildInfo", true}, {"hello", true}, {"getParameter", false}, {"listCommands", false}} {
		s := &Probe{}
		err := s.read(tt.command, notBSON)
		problem := errText(err)
		if !tt.required && len(s.Notes) == 1 {
			problem = s.Notes[0]
		}
		if (err != nil) != tt.required || !strings.HasPrefix(problem, tt.command+": the reply is not a BSON document: ") {
			t.Errorf("%s: error %v, notes %q", tt.command, err, s.Notes)
		}
		if s.Parameters != nil || s.Commands != nil {
			t.Errorf("%s: parameters %v, commands %v from a reply that is not BSON", tt.command, s.Parameters, s.Commands)
		}
	}
}
