package interpreter

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/specrun/specrun/drivererr"
	"github.com/specrun/specrun/result"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"
)

// Probe is what the runner learned about the server before the first test: what
// runOnRequirements are checked against, and which test-infrastructure commands exist.
type Probe struct {
	Version        string  // buildInfo.version
	VersionArray   []int64 // buildInfo.versionArray, or parsed from Version
	Topology       string  // single, replicaset, sharded, load-balanced
	ShardedRS      bool    // sharded, and every shard is a replica set
	MaxWireVersion int32
	Auth           bool            // the connection string carries credentials
	Parameters     bson.Raw        // getParameter '*', nil if the server refused it
	Commands       map[string]bool // listCommands; nil if the server refused it
	// Capabilities: the commands the spec's test infrastructure needs, and what the
	// server does that whole spec folders depend on.
	FailPoints      bool // configureFailPoint
	KillAllSessions bool
	Transactions    bool     // see transactionsSupported
	ChangeStreams   bool     // a $changeStream aggregate on the cluster was accepted
	Notes           []string // what the probe could not learn, in words
}

// Capabilities names the capabilities for reports: DESIGN.md's failPoints,
// transactions and changeStreams, and killAllSessions.
func (s *Probe) Capabilities() map[string]bool {
	return map[string]bool{"failPoints": s.FailPoints, "killAllSessions": s.KillAllSessions,
		"transactions": s.Transactions, "changeStreams": s.ChangeStreams}
}

// probe asks the server who it is (buildInfo, hello, getParameter, listCommands);
// Probe.read reads the replies.
func probe(ctx context.Context, client *mongo.Client, uri string) (*Probe, error) {
	admin := client.Database("admin")
	s := &Probe{}
	for _, command := range []string{"buildInfo", "hello"} {
		reply, err := admin.RunCommand(ctx, bson.D{{Key: command, Value: 1}}).Raw()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", command, err)
		}
		if err := s.read(command, reply); err != nil {
			return nil, err
		}
	}
	if s.Topology == "sharded" {
		s.ShardedRS = shardsAreReplicaSets(ctx, client)
	}

	if cs, err := connstring.Parse(uri); err == nil {
		s.Auth = cs.Username != "" || cs.AuthMechanism == "MONGODB-X509"
	}

	params, err := admin.RunCommand(ctx, bson.D{{Key: "getParameter", Value: "*"}}).Raw()
	if err == nil {
		_ = s.read("getParameter", params) // notes only
	} else {
		s.Notes = append(s.Notes, "getParameter '*': "+result.OneLine(err.Error()))
	}

	cmds, err := admin.RunCommand(ctx, bson.D{{Key: "listCommands", Value: 1}}).Raw()
	if err == nil {
		_ = s.read("listCommands", cmds) // notes only
	} else {
		s.Notes = append(s.Notes, "listCommands: "+result.OneLine(err.Error()))
	}
	if s.Commands != nil {
		s.FailPoints, s.KillAllSessions = s.Commands["configureFailPoint"], s.Commands["killAllSessions"]
	} else {
		// no list of the commands: try those the tests need
		s.FailPoints = commandExists(ctx, admin, bson.D{{Key: "configureFailPoint", Value: "failCommand"}, {Key: "mode", Value: "off"}})
		s.KillAllSessions = commandExists(ctx, admin, bson.D{{Key: "killAllSessions", Value: bson.A{}}})
	}
	s.Transactions = transactionsSupported(s)
	s.ChangeStreams = changeStreamsSupported(ctx, admin)
	return s, nil
}

// transactionsSupported applies the Transactions spec's rule to what the probe saw:
// a replica set of wire version 7 (4.0) or later, or a sharded or load-balanced
// cluster of wire version 8 (4.2) or later; and, when the server lists its commands,
// commitTransaction among them.
func transactionsSupported(s *Probe) bool {
	var minWire int32
	switch s.Topology {
	case "replicaset":
		minWire = 7
	case "sharded", "load-balanced":
		minWire = 8
	default:
		return false
	}
	return s.MaxWireVersion >= minWire && (s.Commands == nil || s.Commands["commitTransaction"])
}

// changeStreamsSupported opens a change stream on the whole cluster (the spec's tests
// open them on clients, databases and collections) and closes it at once; a server
// that refuses the stage, as a standalone or a server without change streams does,
// has none.
func changeStreamsSupported(ctx context.Context, admin *mongo.Database) bool {
	reply, err := admin.RunCommand(ctx, bson.D{
		{Key: "aggregate", Value: 1},
		{Key: "pipeline", Value: bson.A{bson.D{{Key: "$changeStream", Value: bson.D{{Key: "allChangesForCluster", Value: true}}}}}},
		{Key: "cursor", Value: bson.D{{Key: "batchSize", Value: 0}}},
	}).Raw()
	if err != nil {
		return false
	}
	if id, ok := reply.Lookup("cursor", "id").AsInt64OK(); ok && id != 0 {
		_ = admin.RunCommand(ctx, bson.D{{Key: "killCursors", Value: "$cmd.aggregate"}, {Key: "cursors", Value: bson.A{id}}}).Err()
	}
	return true
}

// commandExists runs a harmless form of a command and says whether the server knows it.
func commandExists(ctx context.Context, db *mongo.Database, cmd bson.D) bool {
	return !drivererr.IsCommand(db.RunCommand(ctx, cmd).Err(), 59, "CommandNotFound")
}

func shardsAreReplicaSets(ctx context.Context, client *mongo.Client) bool {
	cur, err := client.Database("config").Collection("shards").Find(ctx, bson.D{})
	if err != nil {
		return false
	}
	defer cur.Close(ctx)
	any := false
	for cur.Next(ctx) {
		any = true
		if !strings.Contains(stringField(cur.Current, "host"), "/") {
			return false
		}
	}
	return any
}

func parseVersion(v string) []int64 {
	var out []int64
	for _, part := range strings.SplitN(v, ".", 3) {
		digits := part
		if i := strings.IndexFunc(part, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
			digits = part[:i]
		}
		n, err := strconv.ParseInt(digits, 10, 64)
		if err != nil {
			break
		}
		out = append(out, n)
	}
	return out
}

// compareVersions compares two versions component by component; a missing component
// counts as 0 ("4.2" equals "4.2.0").
func compareVersions(a, b []int64) int {
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y int64
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// stringField is a string field of doc, or "" when it is absent or not a string.
func stringField(doc bson.Raw, key string) string {
	s, _ := doc.Lookup(key).StringValueOK()
	return s
}
