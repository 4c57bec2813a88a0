package interpreter

import (
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/operations"
	"github.com/specrun/specrun/specifications"
)

// setsFailPoint says whether operations may set a fail point: a failPoint or
// targetedFailPoint operation of the test runner among them or nested in their
// arguments (withTransaction's callback, runOnThread's operation, loop operations).
func setsFailPoint(ops []specifications.Operation) bool {
	for i := range ops {
		if ops[i].Object == operations.RunnerObject && isFailPointOp(ops[i].Name) || rawSetsFailPoint(ops[i].Arguments) {
			return true
		}
	}
	return false
}

func isFailPointOp(name string) bool { return name == "failPoint" || name == "targetedFailPoint" }

// rawSetsFailPoint looks for a nested operation {name: failPoint|targetedFailPoint,
// object: testRunner} in a document and the documents and arrays it holds.
func rawSetsFailPoint(doc bson.Raw) bool {
	if name, ok := doc.Lookup("name").StringValueOK(); ok && isFailPointOp(name) {
		if object, _ := doc.Lookup("object").StringValueOK(); object == operations.RunnerObject {
			return true
		}
	}
	values, _ := doc.Values()
	for _, v := range values {
		switch v.Type {
		case bson.TypeEmbeddedDocument, bson.TypeArray:
			if rawSetsFailPoint(bson.Raw(v.Value)) {
				return true
			}
		}
	}
	return false
}
