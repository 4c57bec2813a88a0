package specifications

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLine(t *testing.T) {
	const json = `{
  "description": "x",
  "tests": [
    {
      "description": "first",
      "operations": [{"name": "find", "object": "c"}]
    },
    {"description": "second",
     "operations": [
       {"name": "find", "object": "c"},
       {"name": "insertOne", "object": "c",
	"arguments": {"document": {"_id": 1}}}
     ],
     "expectEvents": [{"client": "c", "events": []}]}
  ]
}`
	const yml = `description: x
tests:
  - description: first
    operations:
      - name: find
        object: c
  - description: second
    operations:
      - {name: find, object: c}
      - name: insertOne
        object: c
`
	for _, tc := range []struct {
		place       string
		json, yamlL int
	}{
		{"", 1, 1},
		{"tests", 3, 2},
		{"tests.0", 4, 3},
		{"tests.1", 8, 7},
		{"tests.1.operations.0", 10, 9},
		{"tests.1.operations.1", 11, 10},
		{"tests.1.operations.1.arguments.document", 12, 0},
		{"tests.1.expectEvents.0", 14, 0},
		{"tests.2", 0, 0},
		{"tests.x", 0, 0},
		{"description.0", 0, 0},
	} {
		assert.Equal(t, tc.json, Line([]byte(json), tc.place), "JSON %q", tc.place)
		assert.Equal(t, tc.yamlL, Line([]byte(yml), tc.place), "YAML %q", tc.place)
	}
	assert.Equal(t, 0, Line([]byte("{"), "tests"), "does not parse")
}
