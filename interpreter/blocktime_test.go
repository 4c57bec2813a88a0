package interpreter

import (
	"testing"
	"time"

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
	if tr.FailsCommand("insert") {
		t.Error("no fail point set, FailsCommand true")
	}
	for _, c := range []bson.Raw{fp(150, "commitTransaction"), fp(50, "insert", "commitTransaction"), fp(30, "insert")} {
		tr.failPoints = append(tr.failPoints, failPoint{name: "failCommand", failCommands: failCommands(c), blockTime: blockTime(c)})
	}
	for name, want := range map[string]time.Duration{"commitTransaction": 150 * time.Millisecond, "insert": 50 * time.Millisecond, "find": 0} {
		if got := tr.Blocked(name); got != want {
			t.Errorf("Blocked(%s) = %s, want %s", name, got, want)
		}
	}
	if !tr.FailsCommand("insert") || tr.FailsCommand("find") {
		t.Error("fail points on commitTransaction and insert: FailsCommand wrong")
	}
	tr.failPoints = append(tr.failPoints, failPoint{name: "failGetMoreAfterCursorCheckout"})
	if !tr.FailsCommand("find") {
		t.Error("a fail point of another kind: FailsCommand false")
	}
}
