package interpreter_test

import (
	"testing"

	"github.com/specrun/specrun/interpreter"
	"github.com/specrun/specrun/result"
)

// CMAP and SDAM events, log messages and threads against the embedded server.
func TestRunEventsFile(t *testing.T) {
	r := newRunner(t, interpreter.Config{})
	results := runFile(t, r, loadFixture(t, "events.json"))
	cases := map[string]want{
		"cmap events of a find": {status: result.Pass},
		"cmap events differ": {result.Fail, "expectEvents[0] (client0): event 2: expected connectionCheckedOutEvent, observed connectionCheckOutStartedEvent", []string{
			"expected: [poolCreatedEvent, poolReadyEvent, connectionCheckedOutEvent]",
			"observed: [poolCreatedEvent, poolReadyEvent, connectionCheckOutStartedEvent, connectionCreatedEvent, connectionReadyEvent, connectionCheckedOutEvent, connectionCheckedInEvent]",
		}},
		"waitForEvent and assertEventCount": {result.Fail, "operation 6 (assertEventCount): assertEventCount: client0 observed 2 matching connectionCheckedInEvent, expected 1", nil},
		"assertNumberConnectionsCheckedOut differs": {result.Fail,
			"operation 1 (assertNumberConnectionsCheckedOut): assertNumberConnectionsCheckedOut: client0 has 0 connections checked out, expected 1", nil},
		"sdam events of a client's life": {status: result.Pass},
		"assertTopologyType differs":     {result.Fail, "operation 2 (assertTopologyType): assertTopologyType: the topology is Single, expected ReplicaSetWithPrimary", nil},
		"command log messages":           {status: result.Pass},
		"log messages differ": {result.Fail, `expectLogMessages[0] (client2): message 0: data: commandName: expected string "hello", got string "ping"`, []string{
			`expected: [command/debug "Command succeeded"]`, `observed: [command/debug "Command succeeded"]`,
		}},
		"operations on threads":             {status: result.Pass},
		"a thread's failure fails the test": {result.Fail, "operation 2 (waitForThread): operation 0 (find): expectResult: 0.x: expected int32 12, got int32 11", nil},
		"storeEventsAsEntities":             {result.Error, `operation 2 (createEntities): thread events3: entity "events3" is already defined`, nil},
	}
	checkAll(t, results, cases)
}
