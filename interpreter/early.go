package interpreter

import (
	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/operations"
	"github.com/specrun/specrun/result"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// unsupportedFirst is the verdict of a test whose first operation sets a fail point on
// a server that has none, found from the file and the probe before anything touches
// the server: the verdict the test would end with once its data and entities were set
// up, with the same reason and detail. It applies only where that operation is sure to
// reach the server's refusal: a failPoint whose arguments are the spec's, naming a
// client (and a session, if any) that the file's createEntities declares. Nil otherwise:
// the test runs and meets the refusal (or what comes before it) as it goes.
func (tr *testRun) unsupportedFirst() *result.Verdict {
	if tr.r.probe.FailPoints || len(tr.t.Operations) == 0 {
		return nil
	}
	op := &tr.t.Operations[0]
	if op.Object != operations.RunnerObject || op.Name != "failPoint" || !tr.failPointArguments(op.Arguments) {
		return nil
	}
	v := &result.Verdict{Status: result.Unsupported, Reason: op.Label + ": the server has no configureFailPoint command"}
	return tr.withContext(v, op)
}

// failPointArguments says whether a failPoint's arguments are sure to pass the
// operation's own checks (operations' runnerFailPoint): client and failPoint given,
// session optional, nothing else, each naming an entity of the right kind that the
// file creates; and no entity of the file that cannot be created here.
func (tr *testRun) failPointArguments(args bson.Raw) bool {
	elems, err := args.Elements()
	if err != nil {
		return false
	}
	kinds := map[string]string{}
	for i := range tr.f.CreateEntities {
		e := &tr.f.CreateEntities[i]
		if entities.Uncreatable(e) != nil {
			return false // createEntities would end the test first, saying why
		}
		kinds[e.ID()] = e.Kind()
	}
	var client, failPoint bool
	for _, el := range elems {
		v := el.Value()
		switch el.Key() {
		case "client":
			name, ok := v.StringValueOK()
			client = ok && kinds[name] == "client"
		case "failPoint":
			failPoint = v.Type == bson.TypeEmbeddedDocument
		case "session":
			if name, ok := v.StringValueOK(); !ok || kinds[name] != "session" {
				return false
			}
		default:
			return false
		}
	}
	return client && failPoint
}
