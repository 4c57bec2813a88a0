package interpreter

import (
	"github.com/specrun/specrun/entities"
	"github.com/specrun/specrun/operations"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
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
// file creates; no entity of the file that cannot be created here; and nothing in the
// set-up before it that a server may fail on its own (initialData's createOptions, a
// client's awaitMinPoolSizeMS), whose failure would decide the test instead.
func (tr *testRun) failPointArguments(args bson.Raw) bool {
	elems, err := args.Elements()
	if err != nil {
		return false
	}
	for _, cd := range tr.f.InitialData {
		if cd.CreateOptions != nil {
			return false // a server may refuse the options (capped, ...): that would fail the test first
		}
	}
	kinds := map[string]string{}
	for i := range tr.f.CreateEntities {
		e := &tr.f.CreateEntities[i]
		if entities.Uncreatable(e) != nil {
			return false // createEntities would end the test first, saying why
		}
		if e.Client != nil && e.Client.AwaitMinPoolSizeMS != nil {
			return false // a pool that does not fill in time would fail the test first
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

// usesQueryableEncryption says whether a file may make a queryable-encryption
// collection, whose state collections (enxcol_.<name>.esc and .ecoc) a plain drop of
// the collection leaves behind: initialData that creates one (createOptions with
// encryptedFields), an operation given encryptedFields (createCollection creates the
// state collections itself), or automatic encryption or a clientEncryption entity.
// Only such a file's initialData drops the state collections too: the Unified Test
// Format asks only that each collection be dropped, and the state collections are
// there only where encryption made them.
func usesQueryableEncryption(f *specifications.File) bool {
	for _, cd := range f.InitialData {
		if hasKey(cd.CreateOptions, "encryptedFields") {
			return true
		}
	}
	for i := range f.CreateEntities {
		if e := &f.CreateEntities[i]; e.ClientEncryption != nil || (e.Client != nil && e.Client.AutoEncryptOpts != nil) {
			return true
		}
	}
	for i := range f.Tests {
		if operationsUse(f.Tests[i].Operations, "encryptedFields", "autoEncryptOpts", "clientEncryption") {
			return true
		}
	}
	return false
}

func operationsUse(ops []specifications.Operation, keys ...string) bool {
	for i := range ops {
		for _, k := range keys {
			if hasKey(ops[i].Arguments, k) {
				return true
			}
		}
	}
	return false
}

// hasKey says whether a document has the key at any depth (nested operations of
// withTransaction and runOnThread, entities of createEntities included).
func hasKey(doc bson.Raw, key string) bool {
	elems, err := doc.Elements()
	if err != nil {
		return false
	}
	for _, el := range elems {
		if el.Key() == key {
			return true
		}
		switch v := el.Value(); v.Type {
		case bson.TypeEmbeddedDocument, bson.TypeArray:
			if hasKey(v.Value, key) {
				return true
			}
		}
	}
	return false
}
