package interpreter

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/specifications"
)

func TestSetsFailPoint(t *testing.T) {
	for _, c := range []struct {
		name, ops string
		want      bool
	}{
		{"none", `[{"name": "find", "object": "collection0", "arguments": {"filter": {}}}]`, false},
		{"failPoint", `[{"name": "failPoint", "object": "testRunner", "arguments": {"client": "c", "failPoint": {"configureFailPoint": "failCommand"}}}]`, true},
		{"targetedFailPoint", `[{"name": "targetedFailPoint", "object": "testRunner", "arguments": {"session": "s", "failPoint": {}}}]`, true},
		{"in a withTransaction callback", `[{"name": "withTransaction", "object": "session0", "arguments": {"callback": [
			{"name": "failPoint", "object": "testRunner", "arguments": {"client": "c", "failPoint": {}}}]}}]`, true},
		{"in runOnThread", `[{"name": "runOnThread", "object": "testRunner", "arguments": {"thread": "t",
			"operation": {"name": "failPoint", "object": "testRunner", "arguments": {}}}}]`, true},
		{"a collection named failPoint is not one", `[{"name": "insertOne", "object": "collection0", "arguments": {"document": {"name": "failPoint", "object": "x"}}}]`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var v bson.RawValue
			require.NoError(t, bson.UnmarshalExtJSON([]byte(`{"ops": `+c.ops+`}`), false, &struct {
				Ops *bson.RawValue `bson:"ops"`
			}{&v}))
			ops, err := specifications.DecodeOperations("operations", v)
			require.NoError(t, err)
			assert.Equal(t, c.want, setsFailPoint(ops))
		})
	}
}
