package specifications

// Some parts of the model arrive inside operation arguments (createEntities' entities,
// the callback of withTransaction, the operation of runOnThread); the runner decodes them
// with the same strict rules as the file itself.

import (
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// DecodeEntities decodes a list of entity definitions; path names it in errors.
func DecodeEntities(path string, v bson.RawValue) ([]Entity, error) {
	var out []Entity
	if err := decodeValue(path, v, reflectOf(&out), fieldTag{nonempty: true}); err != nil {
		return nil, err
	}
	return out, nil
}

// DecodeOperations decodes a list of operations; path names it in errors, and each
// operation is placed in it (path.0, "operation 0 (name)", …).
func DecodeOperations(path string, v bson.RawValue) ([]Operation, error) {
	var out []Operation
	if err := decodeValue(path, v, reflectOf(&out), fieldTag{}); err != nil {
		return nil, err
	}
	placeList(path, out)
	return out, nil
}

// DecodeOperation decodes one operation (runOnThread's operation); path names it in
// errors and is its Path. It runs as a list of its own, whose operation 0 it is.
func DecodeOperation(path string, v bson.RawValue) (*Operation, error) {
	var out Operation
	if err := decodeValue(path, v, reflectOf(&out), fieldTag{}); err != nil {
		return nil, err
	}
	out.place(path, "operation 0")
	return &out, nil
}

// placeList places the operations of a list at path: the Unified Test Format names
// each by its index in the list.
func placeList(path string, ops []Operation) {
	for i := range ops {
		ops[i].place(indexPath(path, i), fmt.Sprintf("operation %d", i))
	}
}

// DecodeExpectedEvent decodes one expectedEvent (the event of waitForEvent and
// assertEventCount); path names it in errors.
func DecodeExpectedEvent(path string, v bson.RawValue) (*ExpectedEvent, error) {
	var out ExpectedEvent
	if err := decodeValue(path, v, reflectOf(&out), fieldTag{}); err != nil {
		return nil, err
	}
	return &out, nil
}
