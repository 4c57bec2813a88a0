package interpreter

import (
	"testing"
	"time"

	"github.com/specrun/specrun/entities"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestBlockTime: how long a fail point blocks the commands an ignored socketTimeoutMS
// would have ended; a fail point that blocks only the handshake's hello is bounded by
// connectTimeoutMS, which the Go driver applies (SDAM
// backpressure-network-timeout-fail-replicaset).
func TestBlockTime(t *testing.T) {
	fp := func(data bson.D) bson.Raw {
		raw, err := bson.Marshal(bson.D{{Key: "configureFailPoint", Value: "failCommand"}, {Key: "data", Value: data}})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	block := func(names ...any) bson.D {
		return bson.D{{Key: "failCommands", Value: bson.A(names)}, {Key: "blockConnection", Value: true}, {Key: "blockTimeMS", Value: 125}}
	}
	for _, tc := range []struct {
		name string
		data bson.D
		want time.Duration
	}{
		{"insert", block("insert"), 125 * time.Millisecond},
		{"hello and insert", block("hello", "insert"), 125 * time.Millisecond},
		{"the handshake alone", block("isMaster", "hello"), 0},
		{"no blockConnection", bson.D{{Key: "failCommands", Value: bson.A{"insert"}}, {Key: "blockTimeMS", Value: 125}}, 0},
		{"blockConnection false", bson.D{{Key: "failCommands", Value: bson.A{"insert"}}, {Key: "blockConnection", Value: false}, {Key: "blockTimeMS", Value: 125}}, 0},
	} {
		if got := blockTime(fp(tc.data)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestBlockedByCommand: a fail point blocks only the commands of its failCommands
// (transactions error-labels-blockConnection blocks commitTransaction for 150 ms, not
// the insert before it); the longest of those that name the command counts.
func TestBlockedByCommand(t *testing.T) {
	fp := func(ms int, names ...any) bson.Raw {
		raw, err := bson.Marshal(bson.D{{Key: "configureFailPoint", Value: "failCommand"}, {Key: "data",
			Value: bson.D{{Key: "failCommands", Value: bson.A(names)}, {Key: "blockConnection", Value: true}, {Key: "blockTimeMS", Value: ms}}}})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	tr := &testRun{}
	cl := &entities.Client{ID: "client0"}
	if tr.FailsCommand(cl, "insert") {
		t.Error("no fail point set, FailsCommand true")
	}
	for _, c := range []bson.Raw{fp(150, "commitTransaction"), fp(50, "insert", "commitTransaction"), fp(30, "insert")} {
		tr.failPoints = append(tr.failPoints, failPoint{name: "failCommand", failCommands: failCommands(c), blockTime: blockTime(c)})
	}
	for name, want := range map[string]time.Duration{"commitTransaction": 150 * time.Millisecond, "insert": 50 * time.Millisecond, "find": 0} {
		if got := tr.Blocked(cl, name); got != want {
			t.Errorf("Blocked(%s) = %s, want %s", name, got, want)
		}
	}
	if !tr.FailsCommand(cl, "insert") || tr.FailsCommand(cl, "find") {
		t.Error("fail points on commitTransaction and insert: FailsCommand wrong")
	}
	tr.failPoints = append(tr.failPoints, failPoint{name: "failGetMoreAfterCursorCheckout"})
	if !tr.FailsCommand(cl, "find") {
		t.Error("a fail point of another kind: FailsCommand false")
	}
}

// TestFailPointAppName: a fail point whose data names an appName acts only on the
// commands of clients with that appName (SDAM find-network-timeout-error blocks the
// find of the client with appname findNetworkTimeoutErrorTest, not the setup client's),
// for how long it blocks as for what it fails.
func TestFailPointAppName(t *testing.T) {
	command, err := bson.Marshal(bson.D{{Key: "configureFailPoint", Value: "failCommand"}, {Key: "data", Value: bson.D{
		{Key: "failCommands", Value: bson.A{"find"}}, {Key: "blockConnection", Value: true}, {Key: "blockTimeMS", Value: 500},
		{Key: "appName", Value: "findNetworkTimeoutErrorTest"}}}})
	if err != nil {
		t.Fatal(err)
	}
	tr := &testRun{failPoints: []failPoint{{name: "failCommand", failCommands: failCommands(command),
		blockTime: blockTime(command), appName: appName(command)}}}
	for _, tc := range []struct {
		client *entities.Client
		want   time.Duration
	}{
		{&entities.Client{ID: "client", AppName: "findNetworkTimeoutErrorTest"}, 500 * time.Millisecond},
		{&entities.Client{ID: "setupClient"}, 0},
		{&entities.Client{ID: "other", AppName: "findNetworkTimeoutErrorTest2"}, 0},
	} {
		if got := tr.Blocked(tc.client, "find"); got != tc.want {
			t.Errorf("%s (appName %q): Blocked %s, want %s", tc.client.ID, tc.client.AppName, got, tc.want)
		}
		if got := tr.FailsCommand(tc.client, "find"); got != (tc.want > 0) {
			t.Errorf("%s (appName %q): FailsCommand %v", tc.client.ID, tc.client.AppName, got)
		}
	}
	tr.failPoints = append(tr.failPoints, failPoint{name: "failGetMoreAfterCursorCheckout", appName: "x"})
	if tr.FailsCommand(&entities.Client{ID: "setupClient"}, "getMore") || !tr.FailsCommand(&entities.Client{ID: "c", AppName: "x"}, "getMore") {
		t.Error("a fail point of another kind with an appName: FailsCommand ignores the appName")
	}
}
