package specifications

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/specrun/specrun/internal/testcorpus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// sameAsDriver fails t when fastExtJSON reads text and its document is not the
// driver's, and says whether it read it.
func sameAsDriver(t *testing.T, name string, text []byte) bool {
	t.Helper()
	fast, ok := fastExtJSON(text)
	if !ok {
		return false
	}
	var driver bson.Raw
	if err := bson.UnmarshalExtJSON(text, false, &driver); err != nil {
		t.Fatalf("%s: fastExtJSON read what the driver refuses (%v):\n%.300s", name, err, text)
	}
	if !bytes.Equal(fast, driver) {
		t.Fatalf("%s: fastExtJSON and the driver differ:\n%.300s\nfast   %v\ndriver %v", name, text, bson.Raw(fast), driver)
	}
	return true
}

// On every JSON file of the three corpora, and on the Extended JSON of every YAML
// file, fastExtJSON reads what the driver reads.
func TestFastExtJSONOnTheCorpora(t *testing.T) {
	eachCorpus(t, func(t *testing.T, each func(func(path string, data []byte))) {
		var texts, read int
		each(func(path string, data []byte) {
			if isYAML(path) {
				text, err := yamlExtJSON(data)
				if err != nil {
					return
				}
				data = text
			} else if checkJSON(data) != nil {
				return
			}
			texts++
			if sameAsDriver(t, path, data) {
				read++
			}
		})
		t.Logf("fastExtJSON read %d of %d texts", read, texts)
		assert.Greater(t, texts, 500)
		assert.Equal(t, texts, read, "fastExtJSON leaves a valid text to the driver")
	})
}

// eachCorpus runs test on each of the three corpora, with a function that calls its
// argument with every JSON and YAML file of the corpus.
func eachCorpus(t *testing.T, test func(t *testing.T, each func(func(path string, data []byte)))) {
	for _, c := range []struct {
		name string
		root func(testing.TB) string
	}{{"shared", testcorpus.Shared}, {"debian", testcorpus.Debian}, {"gomodule", testcorpus.GoModule}} {
		t.Run(c.name, func(t *testing.T) {
			root := c.root(t)
			test(t, func(use func(path string, data []byte)) {
				err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
					if err != nil || d.IsDir() || !isYAML(path) && !strings.HasSuffix(path, ".json") {
						return err
					}
					data, err := os.ReadFile(path)
					if err == nil {
						use(path, data)
					}
					return err
				})
				require.NoError(t, err)
			})
		})
	}
}

func isYAML(path string) bool {
	return strings.HasSuffix(path, ".yml") || strings.HasSuffix(path, ".yaml")
}

// Every kind of value, wrappers among them, and what is left to the driver.
func TestFastExtJSON(t *testing.T) {
	reads := []string{
		`{}`,
		` {"a": 1, "b": -1, "c": 2147483647, "d": 2147483648, "e": -2147483649, "f": -0, "g": 9223372036854775807}`,
		`{"a": 1.0, "b": -0.0, "c": 1e2, "d": 1E-2, "e": 0.1, "f": 1.7976931348623157e308}`,
		`{"a": "x", "b": "", "c": "\"\\\/\b\f\n\r\t", "d": "\u00e9\u20ac\ud83d\ude00", "e": "é€😀", "f": "\u0000"}`,
		`{"a": true, "b": false, "c": null, "d": [], "e": {}, "f": [[1, [2]], {"g": [3]}]}`,
		`{"a": {"$numberLong": "1"}, "b": {"$numberInt": "1"}, "c": {"$numberDouble": "-0.0"}, "d": {"$date": {"$numberLong": "1"}}}`,
		`{"a": {"$binary": {"base64": "AQ==", "subType": "04"}}, "b": {"$uuid": "00000000-0000-0000-0000-000000000000"}}`,
		`{"a": {"$binary": "AQ==", "$type": "00"}, "b": {"$type": "string"}, "c": {"$regex": "x", "$options": "i"}, "d": {"$regex": "x"}}`,
		`{"a": {"$code": "f", "$scope": {}}, "b": {"$ref": "c", "$id": 1}, "c": {"$set": {"x": {"$numberLong": "2"}}}, "d": {"$$exists": true}}`,
		`{"a": {"x": 1, "$numberLong": "1"}, "$numberLong": "1"}`,
		`{"a": [{"$oid": "000000000000000000000001"}, {"$minKey": 1}, {"$timestamp": {"t": 1, "i": 2}}]}`,
		"{\n\t\"a\" : [ 1 ,\r\n 2 ] }\n",
		// a wrapper key written with an escape is a wrapper key
		`{"a": {"\u0024numberLong": "1"}, "b": {"\u0024date": {"$numberLong": "0"}}, "c": {"\u0061": 1}, "d": {"\u0024set": 1}}`,
	}
	for _, text := range reads {
		if !sameAsDriver(t, "reads", []byte(text)) {
			t.Errorf("left to the driver: %s", text)
		}
	}
	leaves := []string{
		``, `[]`, `{`, `{"a": 1`, `{"a": 1} x`, `{"a" 1}`, `{"a": 1,}`, `{"a": [1,]}`, `{"a": tru}`,
		`{"a": 9223372036854775808}`, `{"a": 1e400}`, `{"a": "\ud800"}`, `{"a": "\x"}`, `{"a\u0000": 1}`,
		`{"a": {"$numberLong": 1}}`, "{\"a\": \"\x01\"}", `{"a": 01}`, `{"a": 1.}`, `{"a": .1}`, `{"a": 1e}`, `{"a": -}`,
	}
	for _, text := range leaves {
		if sameAsDriver(t, "leaves", []byte(text)) {
			t.Errorf("read, not left to the driver: %s", text)
		}
	}
}

// Wherever fastExtJSON reads a text that checkJSON lets through (its contract), the
// driver reads it alike.
func FuzzFastExtJSON(f *testing.F) {
	for _, seed := range []string{
		`{"a": 1, "b": [1.5, "x", true, null, {"c": -2147483649}]}`,
		`{"a": {"$numberLong": "1"}, "b": {"$set": {"$binary": {"base64": "AQ==", "subType": "00"}}}}`,
		`{"a": "\u00e9\ud83d\ude00\n", "b": {"x": 1, "$date": 1}}`,
		`{"a": {"\u0024oid": "000000000000000000000001"}, "\u0024b": {"\"": [-0, 1E+2]}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if checkJSON(data) == nil {
			sameAsDriver(t, "fuzz", data)
		}
	})
}
