package specifications

import (
	"go.mongodb.org/mongo-driver/v2/bson"
)

// The testRunner operations of the legacy transactions-style format: the transactions,
// sessions and SDAM integration READMEs' assertions and operations.

// legacyEvents maps the event names of waitForEvent and assertEventCount (SDAM README)
// to the unified expected event and the observeEvents name it needs.
var legacyEvents = map[string]struct {
	event   bson.D
	observe string
}{
	"PoolClearedEvent": {bson.D{{Key: "poolClearedEvent", Value: bson.D{}}}, "poolClearedEvent"},
	"PoolReadyEvent":   {bson.D{{Key: "poolReadyEvent", Value: bson.D{}}}, "poolReadyEvent"},
	// "a ServerDescriptionChangedEvent where newDescription.type is Unknown"
	"ServerMarkedUnknownEvent": {bson.D{{Key: "serverDescriptionChangedEvent", Value: bson.D{{Key: "newDescription", Value: bson.D{{Key: "type", Value: "Unknown"}}}}}}, "serverDescriptionChangedEvent"},
}

// runnerOperation translates a testRunner operation: the transactions and sessions
// READMEs' assertions, and the SDAM integration README's operations.
func (tt *txnTranslation) runnerOperation(path string, in *txnOperation, ents *testEntities) (string, bson.Raw, *FieldError) {
	argsPath := joinPath(path, "arguments")
	if in.CommandName != "" && in.Name != "runAdminCommand" {
		return "", nil, fieldErrorf(joinPath(path, "command_name"), "only runCommand and runAdminCommand have command_name")
	}
	// rename maps legacy argument names onto unified ones; every argument must be named.
	rename := func(names map[string]string, extra ...bson.E) (bson.Raw, *FieldError) {
		out := bson.D{}
		elems, _ := in.Arguments.Elements()
		for _, e := range elems {
			n, ok := names[e.Key()]
			if !ok {
				return nil, fieldErrorf(joinPath(argsPath, e.Key()), "unknown argument of %s", in.Name)
			}
			out = append(out, bson.E{Key: n, Value: e.Value()})
		}
		return mustMarshal(append(out, extra...)), nil
	}
	client := bson.E{Key: "client", Value: LegacyClient}
	var (
		args bson.Raw
		err  *FieldError
		name = in.Name
	)
	switch in.Name {
	case "targetedFailPoint":
		args, err = rename(map[string]string{"session": "session", "failPoint": "failPoint"})
	case "assertSessionPinned", "assertSessionUnpinned", "assertSessionDirty", "assertSessionNotDirty":
		args, err = rename(map[string]string{"session": "session"})
	case "assertSessionTransactionState":
		args, err = rename(map[string]string{"session": "session", "state": "state"})
	case "assertCollectionExists", "assertCollectionNotExists":
		args, err = rename(map[string]string{"database": "databaseName", "collection": "collectionName"})
	case "assertIndexExists", "assertIndexNotExists":
		args, err = rename(map[string]string{"database": "databaseName", "collection": "collectionName", "index": "indexName"})
	case "assertDifferentLsidOnLastTwoCommands", "assertSameLsidOnLastTwoCommands":
		args, err = rename(nil, client)
	case "configureFailPoint":
		// through the test's client, whose observed events leave it out
		name = "failPoint"
		args, err = rename(map[string]string{"failPoint": "failPoint"}, client)
	case "wait":
		args, err = rename(map[string]string{"ms": "ms"})
	case "waitForEvent", "assertEventCount":
		return tt.eventOperation(argsPath, in, ents)
	case "recordPrimary":
		name = "recordTopologyDescription"
		args, err = rename(nil, client, bson.E{Key: "id", Value: LegacyPrimary})
	case "waitForPrimaryChange":
		args, err = rename(map[string]string{"timeoutMS": "timeoutMS"}, client, bson.E{Key: "priorTopologyDescription", Value: LegacyPrimary})
	case "runAdminCommand":
		ents.adminUsed = true
		op := *in
		op.Name, op.Object = "runCommand", "database"
		name, args, err = tt.arguments(path, &op, ents)
		return name, args, err
	case "startThread":
		name = "createEntities"
		var thread string
		thread, err = threadName(argsPath, in.Arguments)
		if err == nil {
			args = mustMarshal(bson.D{{Key: "entities", Value: bson.A{bson.D{{Key: "thread", Value: bson.D{{Key: "id", Value: thread}}}}}}})
		}
	case "waitForThread":
		args, err = rename(map[string]string{"name": "thread"})
	case "runOnThread":
		return tt.runOnThread(argsPath, in, ents)
	default:
		return "", nil, fieldErrorf(joinPath(path, "name"), "unknown testRunner operation %q", in.Name)
	}
	return name, args, err
}

func threadName(path string, args bson.Raw) (string, *FieldError) {
	var in struct {
		Name string `spec:"name,required"`
	}
	if err := decodeDocument(path, args, &in); err != nil {
		return "", err
	}
	return in.Name, nil
}

// eventOperation translates waitForEvent and assertEventCount, and has client0
// observe the event.
func (tt *txnTranslation) eventOperation(path string, in *txnOperation, ents *testEntities) (string, bson.Raw, *FieldError) {
	var args struct {
		Event string `spec:"event,required,enum=PoolClearedEvent|PoolReadyEvent|ServerMarkedUnknownEvent"`
		Count int64  `spec:"count,required"`
	}
	if err := decodeDocument(path, in.Arguments, &args); err != nil {
		return "", nil, err
	}
	e := legacyEvents[args.Event]
	if !contains(ents.observe, e.observe) {
		ents.observe = append(ents.observe, e.observe)
	}
	return in.Name, mustMarshal(bson.D{{Key: "client", Value: LegacyClient}, {Key: "event", Value: e.event}, {Key: "count", Value: args.Count}}), nil
}

func (tt *txnTranslation) runOnThread(path string, in *txnOperation, ents *testEntities) (string, bson.Raw, *FieldError) {
	var args struct {
		Name      string       `spec:"name,required"`
		Operation txnOperation `spec:"operation,required"`
	}
	if err := decodeDocument(path, in.Arguments, &args); err != nil {
		return "", nil, err
	}
	op, err := tt.operation(joinPath(path, "operation"), &args.Operation, ents)
	if err != nil {
		return "", nil, err
	}
	return in.Name, mustMarshal(bson.D{{Key: "thread", Value: args.Name}, {Key: "operation", Value: operationDocument(&op)}}), nil
}
