package specifications

import (
	"bytes"
	"fmt"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/internal/bsontext"
)

// TwinDifference is one place where a YAML file and its JSON twin decode to different
// BSON. The loader reports these as notes: the corpus, not the loader, differs.
type TwinDifference struct {
	Path string // field path, e.g. tests.0.expectations.1.command_succeeded_event.reply.ok
	YAML string // the YAML side as bsontext.Describe gives it: `int32 1`, `{"a":1}`, "missing"
	JSON string // the JSON side, likewise
}

func (d TwinDifference) String() string {
	return fmt.Sprintf("%s: YAML has %s, JSON has %s", d.Path, d.YAML, d.JSON)
}

// CompareTwins lists every place where two decoded documents differ in key order,
// type or value.
func CompareTwins(yamlDoc, jsonDoc bson.Raw) []TwinDifference {
	var diffs []TwinDifference
	compareValues("", bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: yamlDoc},
		bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: jsonDoc}, &diffs)
	return diffs
}

func compareValues(path string, y, j bson.RawValue, diffs *[]TwinDifference) {
	if y.Type != j.Type || !(y.Type == bson.TypeEmbeddedDocument || y.Type == bson.TypeArray) {
		if y.Type != j.Type || !bytes.Equal(y.Value, j.Value) {
			*diffs = append(*diffs, TwinDifference{pathOrRoot(path), bsontext.Describe(y), bsontext.Describe(j)})
		}
		return
	}
	ye, _ := bson.Raw(y.Value).Elements()
	je, _ := bson.Raw(j.Value).Elements()
	for i := 0; i < len(ye) || i < len(je); i++ {
		var yk, jk string
		var yv, jv bson.RawValue
		if i < len(ye) {
			yk, yv = ye[i].Key(), ye[i].Value()
		}
		if i < len(je) {
			jk, jv = je[i].Key(), je[i].Value()
		}
		if i >= len(ye) || i >= len(je) {
			key := yk + jk // the side that has an element
			*diffs = append(*diffs, TwinDifference{joinPath(path, key), bsontext.Describe(yv), bsontext.Describe(jv)})
			continue
		}
		if yk != jk {
			*diffs = append(*diffs, TwinDifference{pathOrRoot(path),
				fmt.Sprintf("key %q at position %d", yk, i), fmt.Sprintf("key %q", jk)})
			return
		}
		compareValues(joinPath(path, yk), yv, jv, diffs)
	}
}

func pathOrRoot(path string) string {
	if path == "" {
		return "(document)"
	}
	return path
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	if key == "" {
		return path
	}
	return path + "." + key
}

func indexPath(path string, i int) string { return joinPath(path, strconv.Itoa(i)) }
