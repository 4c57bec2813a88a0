package interpreter

import (
	"fmt"
	"math"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/internal/bsontext"
)

// The probe's replies are read here, apart from the round trips, so that what a server
// under development answers — a field missing, of another type, a reply that is not
// BSON — is an error naming the command and the field, or, where the probe can go on
// without the field, a note; never a panic, and never a silent zero.
//
// What a runner needs of each reply:
//   - buildInfo: version, a string (required), and the version as numbers, from
//     versionArray when present (an array of integers) or else from version, which must
//     then read as one;
//   - hello: maxWireVersion, an integer of 32 bits when present (0 when absent), and
//     the topology, from serviceId (an objectId: load-balanced), msg (a string:
//     "isdbgrid" is sharded) and setName (a string: a replica set);
//   - getParameter '*' (optional as a whole): authenticationMechanisms, when present,
//     an array of strings, else a note and no mechanism;
//   - listCommands (optional as a whole): commands, a document of the command names,
//     else a note, and the probe tries the commands it needs instead.

// read sets what the reply to command tells of the server, or says why it cannot.
func (s *Probe) read(command string, reply bson.Raw) error {
	if err := reply.Validate(); err != nil {
		if command == "getParameter" || command == "listCommands" {
			s.Notes = append(s.Notes, fmt.Sprintf("%s: the reply is not a BSON document: %v", command, err))
			return nil
		}
		return fmt.Errorf("%s: the reply is not a BSON document: %w", command, err)
	}
	switch command {
	case "buildInfo":
		v, arr, err := readBuildInfo(reply)
		if err != nil {
			return err
		}
		s.Version, s.VersionArray = v, arr
	case "hello":
		h, err := readHello(reply)
		if err != nil {
			return err
		}
		s.MaxWireVersion, s.Topology = h.maxWireVersion, h.topology
		s.Notes = append(s.Notes, h.notes...)
	case "getParameter":
		var note string
		s.Parameters, note = readGetParameter(reply)
		s.Notes = appendNote(s.Notes, note)
	case "listCommands":
		var note string
		s.Commands, note = readListCommands(reply)
		s.Notes = appendNote(s.Notes, note)
	default:
		return fmt.Errorf("%s: not a command of the probe", command)
	}
	return nil
}

func appendNote(notes []string, note string) []string {
	if note == "" {
		return notes
	}
	return append(notes, note)
}

// fieldError says that field of command's reply is not what it must be.
func fieldError(command, field, must string, got bson.RawValue) error {
	if got.Type == 0 {
		return fmt.Errorf("%s: %s: missing", command, field)
	}
	return fmt.Errorf("%s: %s: must be %s, not %s", command, field, must, bsontext.Describe(got))
}

// readBuildInfo reads buildInfo's version and the version as numbers (at most three:
// major, minor, patch). reply is valid BSON.
func readBuildInfo(reply bson.Raw) (string, []int64, error) {
	v := reply.Lookup("version")
	version, ok := v.StringValueOK()
	if !ok {
		return "", nil, fieldError("buildInfo", "version", "a string", v)
	}
	var numbers []int64
	switch arr := reply.Lookup("versionArray"); arr.Type {
	case 0:
	case bson.TypeArray:
		values, _ := arr.Array().Values()
		for i, el := range values {
			n, ok := integer(el)
			if !ok {
				return "", nil, fieldError("buildInfo", fmt.Sprintf("versionArray.%d", i), "an integer", el)
			}
			numbers = append(numbers, n)
		}
	default:
		return "", nil, fieldError("buildInfo", "versionArray", "an array of integers", arr)
	}
	if len(numbers) == 0 {
		numbers = parseVersion(version)
	}
	if len(numbers) == 0 {
		return "", nil, fmt.Errorf("buildInfo: version: %q is not a version number, and there is no versionArray", version)
	}
	if len(numbers) > 3 {
		numbers = numbers[:3]
	}
	return version, numbers, nil
}

// helloFields is what the probe reads of hello.
type helloFields struct {
	maxWireVersion int32
	topology       string
	notes          []string
}

// readHello reads hello's maxWireVersion and the topology. reply is valid BSON.
func readHello(reply bson.Raw) (helloFields, error) {
	var h helloFields
	switch w := reply.Lookup("maxWireVersion"); {
	case w.Type == 0:
		h.notes = append(h.notes, "hello: maxWireVersion: missing, taken as 0")
	default:
		n, ok := integer(w)
		if !ok {
			return h, fieldError("hello", "maxWireVersion", "an integer", w)
		}
		if n < math.MinInt32 || n > math.MaxInt32 {
			return h, fieldError("hello", "maxWireVersion", "an integer of 32 bits", w)
		}
		h.maxWireVersion = int32(n)
	}
	serviceID := reply.Lookup("serviceId")
	if serviceID.Type != 0 && serviceID.Type != bson.TypeObjectID {
		return h, fieldError("hello", "serviceId", "an objectId", serviceID)
	}
	msg, setName := reply.Lookup("msg"), reply.Lookup("setName")
	for _, f := range []struct {
		name string
		v    bson.RawValue
	}{{"msg", msg}, {"setName", setName}} {
		if f.v.Type != 0 && f.v.Type != bson.TypeString {
			return h, fieldError("hello", f.name, "a string", f.v)
		}
	}
	switch text, _ := msg.StringValueOK(); {
	case serviceID.Type != 0:
		h.topology = "load-balanced"
	case text == "isdbgrid":
		h.topology = "sharded"
	case setName.Type != 0:
		h.topology = "replicaset"
	default:
		h.topology = "single"
	}
	return h, nil
}

// readGetParameter keeps getParameter's reply, which requirements read (serverParameters,
// authMechanism), with a note when authenticationMechanisms cannot be read: then the
// server has none that the probe knows of. reply is valid BSON.
func readGetParameter(reply bson.Raw) (bson.Raw, string) {
	mechs := reply.Lookup("authenticationMechanisms")
	if mechs.Type == 0 {
		return reply, ""
	}
	arr, ok := mechs.ArrayOK()
	if !ok {
		return reply, fieldError("getParameter", "authenticationMechanisms", "an array of strings", mechs).Error() + ": no mechanism is known"
	}
	values, _ := arr.Values()
	for i, v := range values {
		if v.Type != bson.TypeString {
			return reply, fieldError("getParameter", fmt.Sprintf("authenticationMechanisms.%d", i), "a string", v).Error() + ": that mechanism is not known"
		}
	}
	return reply, ""
}

// readListCommands reads the names of listCommands' reply; a reply without its
// commands document gives none (nil: the probe tries the commands instead) and a note
// that says so. reply is valid BSON.
func readListCommands(reply bson.Raw) (map[string]bool, string) {
	cmds := reply.Lookup("commands")
	list, ok := cmds.DocumentOK()
	if !ok {
		return nil, fieldError("listCommands", "commands", "a document", cmds).Error()
	}
	out := map[string]bool{}
	elems, _ := list.Elements()
	for _, el := range elems {
		out[el.Key()] = true
	}
	return out, ""
}

// integer is the value of an int32, an int64, or a double without a fraction (as the
// driver decodes integers).
func integer(v bson.RawValue) (int64, bool) {
	switch v.Type {
	case bson.TypeInt32:
		n, ok := v.Int32OK()
		return int64(n), ok
	case bson.TypeInt64:
		return v.Int64OK()
	case bson.TypeDouble:
		f, ok := v.DoubleOK()
		if !ok || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
			return 0, false
		}
		return int64(f), true
	}
	return 0, false
}
