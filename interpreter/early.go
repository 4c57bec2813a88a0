package interpreter

import (
	"strconv"
	"strings"

	"github.com/specrun/specrun/operations"
	"github.com/specrun/specrun/specifications"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// dataless says whether the test is run without setting up its data (the drops and
// initialData): its first operation sets a fail point, on a server that has none, so
// the test ends there whatever the data. The entities are still created and the
// operation still run, so the test ends with the verdict it would reach anyway: the
// operation's refusal, or what comes before it (an entity that cannot be created, an
// argument the operation refuses). That holds as long as the server would have taken
// the data; so the data must be plain (plainData): no createOptions, which a server
// may refuse (a validator, capped), and documents any server stores as given.
func (tr *testRun) dataless() bool {
	if tr.r.probe.FailPoints || len(tr.t.Operations) == 0 {
		return false
	}
	op := &tr.t.Operations[0]
	if op.Object != operations.RunnerObject || op.Name != "failPoint" {
		return false
	}
	// Without expectations, the operation's refusal ends the test (see steps).
	if op.ExpectError != nil || op.ExpectResult.Type != 0 || op.IgnoreResultAndError != nil || op.SaveResultAsEntity != nil {
		return false
	}
	for _, cd := range tr.f.InitialData {
		if cd.CreateOptions != nil || !plainData(cd.Documents) {
			return false
		}
	}
	return true
}

// plainData says whether documents are ones any MongoDB-compatible server stores as
// given: distinct _ids of a plain type, keys that neither start with $ nor hold a dot,
// and values of the common types only (no decimal, regular expression, code, …, which
// a server may refuse or lack).
func plainData(docs []bson.Raw) bool {
	ids := map[string]bool{}
	for _, d := range docs {
		if !plainDocument(d) {
			return false
		}
		if id, err := d.LookupErr("_id"); err == nil {
			var key string // numbers of any width are one _id if equal
			switch id.Type {
			case bson.TypeInt32, bson.TypeInt64, bson.TypeDouble:
				f, _ := id.AsFloat64OK()
				key = "number " + strconv.FormatFloat(f, 'g', -1, 64)
			case bson.TypeString, bson.TypeObjectID:
				key = id.Type.String() + " " + string(id.Value)
			default:
				return false
			}
			if ids[key] {
				return false
			}
			ids[key] = true
		}
	}
	return true
}

func plainDocument(doc bson.Raw) bool {
	elems, err := doc.Elements()
	if err != nil {
		return false
	}
	for _, el := range elems {
		if k := el.Key(); k == "" || k[0] == '$' || strings.Contains(k, ".") || !plainValue(el.Value()) {
			return false
		}
	}
	return true
}

func plainValue(v bson.RawValue) bool {
	switch v.Type {
	case bson.TypeDouble, bson.TypeString, bson.TypeBoolean, bson.TypeNull, bson.TypeInt32, bson.TypeInt64,
		bson.TypeObjectID, bson.TypeDateTime:
		return true
	case bson.TypeEmbeddedDocument:
		return plainDocument(v.Document())
	case bson.TypeArray:
		vals, err := v.Array().Values()
		if err != nil {
			return false
		}
		for _, e := range vals {
			if !plainValue(e) {
				return false
			}
		}
		return true
	}
	return false
}

// usesQueryableEncryption says whether a file may make a queryable-encryption
// collection, whose state collections (enxcol_.<name>.esc and .ecoc) a plain drop of
// the collection leaves behind: initialData that creates one (createOptions with
// encryptedFields), an operation given encryptedFields (createCollection creates the
// state collections itself), or automatic encryption or a clientEncryption entity.
// The Unified Test Format has initialData drop the state collections with each
// collection ("must also drop"), so that the server's __safeContent__ counts start
// afresh. specrun drops them once they may exist (Runner.encrypted): from the start
// when the server already holds one (or cannot list its collections), else once such
// a file has run; before, the drops would be two of every three a run sends.
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
