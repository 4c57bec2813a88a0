package specifications

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// deepPath is the path of the value n levels of arrays below key "a".
func deepPath(n int) string { return "a" + strings.Repeat(".0", n) }

// TestReadingRules: every rule of reading, in JSON and in YAML, with the exact error:
// line:column (YAML syntax errors: the line), the path, the message.
func TestReadingRules(t *testing.T) {
	exponential := "a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n" +
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n" +
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]"
	tests := []struct {
		rule, file, data, want string
	}{
		// invalid UTF-8
		{"UTF-8 in a string", "f.json", "{\"description\": \"caf\xe9\"}", "1:21: description: invalid UTF-8"},
		{"UTF-8 in a key", "f.json", "{\n  \"tests\": [\n    {\"d\xffx\": 1}\n  ]\n}", "3:8: tests.0: invalid UTF-8"},
		{"UTF-8 outside strings", "f.json", "{\"a\": 1,\xff \"b\": 2}", "1:9: invalid UTF-8"},
		{"UTF-8 in a YAML string", "f.yml", "description: \"caf\xe9\"\n", "1:18: description: invalid UTF-8"},
		{"UTF-8 in a YAML plain scalar", "f.yml", "tests:\n  - description: caf\xe9\n", "2:21: tests.0.description: invalid UTF-8"},
		{"UTF-8 in a YAML key", "f.yml", "a:\n  b\xff: 1\n", "2:4: a.b\uFFFD: invalid UTF-8"},

		// data after the document
		{"text after the document", "f.json", `{"a": 1} x`, "1:10: data after the end of the document"},
		{"a second document", "f.json", "{\"a\": 1}\n{\"b\": 2}\n", "2:1: data after the end of the document"},
		{"a second YAML document", "f.yml", "a: 1\n---\nb: 2\n", "2:1: a second YAML document after the first"},
		{"an empty second YAML document", "f.yml", "a: 1\n---\n", "2:1: a second YAML document after the first"},

		// control characters
		{"tab in a string", "f.json", "{\"a\": \"x\ty\"}", "1:9: a: control character U+0009 in a string: JSON requires it escaped"},
		{"escape in a key", "f.json", "{\"a\x1b[31m\": 1}", "1:4: control character U+001B in a string: JSON requires it escaped"},
		{"escape in a YAML string", "f.yml", "a: \"x\x1b[31my\"", "1:6: a: control character U+001B: YAML allows it only escaped, in a double-quoted string"},
		{"NUL in a YAML plain scalar", "f.yml", "a:\n  - x\x00", "2:6: a.0: control character U+0000: YAML allows it only escaped, in a double-quoted string"},

		// duplicate keys
		{"duplicate key", "f.json", `{"a": 1, "b": {"c": 1, "c": 2}}`, `1:24: b.c: duplicate key "c" in a document`},
		{"duplicate key, escaped", "f.json", `{"a": 1, "\u0061": 2}`, `1:10: a: duplicate key "a" in a document`},
		{"duplicate YAML key", "f.yml", "a: 1\nb: {c: 1, c: 2}", `2:11: b.c: duplicate key "c" in a document`},
		{"duplicate YAML key, block", "f.yml", "a: 1\nb:\n  c: 1\n  c: 2\n", `4:3: b.c: duplicate key "c" in a document`},
		{"duplicate key among many", "f.json", `{"k1":1,"k2":1,"k3":1,"k4":1,"k5":1,"k6":1,"k7":1,"k8":1,"k9":1,"k10":1,"k11":1,"k12":1,"k13":1,"k14":1,"k15":1,"k16":1,"k17":1,"k18":1,"k2":2}`,
			`1:137: k2: duplicate key "k2" in a document`},
		{"duplicate key as the 17th", "f.json", `{"k1":1,"k2":1,"k3":1,"k4":1,"k5":1,"k6":1,"k7":1,"k8":1,"k9":1,"k10":1,"k11":1,"k12":1,"k13":1,"k14":1,"k15":1,"k16":1,"k1":2}`,
			`1:121: k1: duplicate key "k1" in a document`},
		{"a key of the enclosing object is no duplicate", "f.json", `{"a": 1, "b": {"a": 1, "c": {"b": 1, "a": 1}}, "d": {"b": 1}, "a": 2}`,
			`1:63: a: duplicate key "a" in a document`},
		{"duplicate key after an error", "f.json", `{"a": 1e400, "a": 1}`, "1:7: a: number 1e400 is out of range of a double"},
		{"duplicate YAML key after an error", "f.yml", "a: 1e400\na: 1", "1:4: a: number 1e400 is out of range of a double"},

		// integers out of range
		{"integer past int64", "f.json", `{"a": 9223372036854775808}`, "1:7: a: integer 9223372036854775808 is out of range of int64"},
		{"integer below int64", "f.json", `{"a": [-9223372036854775809]}`, "1:8: a.0: integer -9223372036854775809 is out of range of int64"},
		{"YAML integer past int64", "f.yml", "a: 9223372036854775808", "1:4: a: integer 9223372036854775808 is out of range of int64"},
		{"YAML integer past uint64", "f.yml", "a: 99999999999999999999", "1:4: a: integer 99999999999999999999 is out of range of int64"},
		{"YAML integer that fits uint64", "f.yml", "a: 18446744073709551615", "1:4: a: integer 18446744073709551615 is out of range of int64"},
		{"YAML hexadecimal integer", "f.yml", "a: 0x1FFFFFFFFFFFFFFFF", "1:4: a: integer 0x1FFFFFFFFFFFFFFFF is out of range of int64"},
		{"YAML !!int", "f.yml", "a: !!int 9223372036854775808", "1:4: a: integer 9223372036854775808 is out of range of int64"},
		{"$numberLong", "f.json", `{"a": {"$numberLong": "9223372036854775808"}}`, `1:23: a.$numberLong: $numberLong "9223372036854775808" is out of range of int64`},
		{"$numberLong not a number", "f.json", `{"a": {"$numberLong": "1x"}}`, `1:23: a.$numberLong: $numberLong "1x" is not an integer`},
		{"$numberInt", "f.json", `{"a": {"$numberInt": "2147483648"}}`, `1:22: a.$numberInt: $numberInt "2147483648" is out of range of int32`},
		{"$date", "f.json", `{"a": {"$date": {"$numberLong": "-9223372036854775809"}}}`, `1:33: a.$date.$numberLong: $numberLong "-9223372036854775809" is out of range of int64`},
		{"$timestamp", "f.json", `{"a": {"$timestamp": {"t": 4294967296, "i": 1}}}`, "1:28: a.$timestamp.t: $timestamp t 4294967296 is out of range of uint32"},
		{"YAML $numberLong", "f.yml", "a: {$numberLong: '9223372036854775808'}", `1:18: a.$numberLong: $numberLong "9223372036854775808" is out of range of int64`},
		{"YAML $timestamp", "f.yml", "a:\n  $timestamp: {t: 1, i: 4294967296}", "2:25: a.$timestamp.i: $timestamp i 4294967296 is out of range of uint32"},

		// non-finite numbers
		{"number past the largest double", "f.json", `{"a": 1e400}`, "1:7: a: number 1e400 is out of range of a double"},
		{"negative number past the largest double", "f.json", `{"a": -1.5E+309}`, "1:7: a: number -1.5E+309 is out of range of a double"},
		{"NaN", "f.json", `{"a": NaN}`, "1:7: a: invalid JSON: invalid character 'N' at start of value"},
		{"Infinity", "f.json", `{"a": -Infinity}`, "1:8: a: invalid JSON: invalid character 'I' in number (expecting digit)"},
		{"$numberDouble past the largest double", "f.json", `{"a": {"$numberDouble": "1e400"}}`, `1:25: a.$numberDouble: $numberDouble "1e400" is out of range of a double (Extended JSON writes an infinite double as "Infinity" or "-Infinity")`},
		{"$numberDouble inf", "f.json", `{"a": {"$numberDouble": "inf"}}`, `1:25: a.$numberDouble: $numberDouble "inf": Extended JSON writes a non-finite double as "Infinity", "-Infinity" or "NaN"`},
		{"YAML number past the largest double", "f.yml", "a: 1e400", "1:4: a: number 1e400 is out of range of a double"},
		{"YAML !!float past the largest double", "f.yml", "a: !!float -1e400", "1:4: a: number -1e400 is out of range of a double"},
		{"YAML !!float inf", "f.yml", "a: !!float inf", "1:4: a: !!float inf is not a number"},
		{"YAML $numberDouble", "f.yml", "a: {$numberDouble: '1e400'}", `1:20: a.$numberDouble: $numberDouble "1e400" is out of range of a double (Extended JSON writes an infinite double as "Infinity" or "-Infinity")`},

		// truncated files
		{"truncated array", "f.json", "{\n  \"a\": [1,\n  2", "3:4: a: invalid JSON: unexpected end of the file"},
		{"truncated string", "f.json", "{\n  \"a\": \"abc", "2:12: a: invalid JSON: unexpected end of the file"},
		{"truncated YAML", "f.yml", "a: [1,\n 2", "2: invalid YAML: did not find expected ',' or ']'"},
		{"truncated YAML string", "f.yml", "a: 1\nb: \"abc", "2: invalid YAML: found unexpected end of stream"},
		{"empty file", "f.json", "", "1:1: the file has no JSON document"},
		{"blank file", "f.json", "\n  \n", "3:1: the file has no JSON document"},
		{"empty YAML file", "f.yml", "", "1:1: the file has no YAML document"},

		// depth
		{"arrays too deep", "f.json", `{"a": ` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `}`, "1:206: " + deepPath(MaxDepth-1) + ": nested deeper than 200 levels"},
		{"objects too deep", "f.json", strings.Repeat(`{"a": `, MaxDepth+1) + strings.Repeat("}", MaxDepth+1), "1:1201: a" + strings.Repeat(".a", MaxDepth-1) + ": nested deeper than 200 levels"},
		{"Extended JSON wrapper too deep", "f.json", `{"a": ` + strings.Repeat("[", MaxDepth-1) + `{"$numberLong": "1"}` + strings.Repeat("]", MaxDepth-1) + `}`, "1:206: " + deepPath(MaxDepth-1) + ": nested deeper than 200 levels"},
		{"YAML arrays too deep", "f.yml", "a: " + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth), "1:203: " + deepPath(MaxDepth-1) + ": nested deeper than 200 levels"},
		{"YAML block arrays too deep", "f.yml", "a:\n" + strings.Repeat("- ", MaxDepth) + "1", "2:399: " + deepPath(MaxDepth-1) + ": nested deeper than 200 levels"},
		{"YAML .inf too deep", "f.yml", "a: " + strings.Repeat("[", MaxDepth-1) + ".inf" + strings.Repeat("]", MaxDepth-1), "1:203: " + deepPath(MaxDepth-1) + ": nested deeper than 200 levels"},
		{"recursive alias", "f.yml", "a: &a [*a]", "1:4: " + deepPath(MaxDepth-1) + ": nested deeper than 200 levels (through aliases: a recursive alias?)"},
		{"exponential aliases", "f.yml", exponential, "1:14: g.0.7.7.6.3.2.2: more than 2097152 values once aliases are expanded"},

		// what Extended JSON cannot hold or the driver refuses
		{"half a surrogate pair", "f.json", `{"a": "x\ud800"}`, "1:9: a: invalid JSON: invalid surrogate pair `\\ud800\"}` in string"},
		{"NUL in a key", "f.json", `{"a": {"b\u0000": 1}}`, "1:8: a.b\x00: a key cannot contain a NUL character"},
		{"NUL in a YAML key", "f.yml", "a: {\"b\\0\": 1}", "1:5: a.b\x00: a key cannot contain a NUL character"},
		{"malformed wrapper", "f.json", `{"a": [{"$oid": 1}]}`, "1:8: a.0: invalid Extended JSON: invalid JSON input; expected value for objectID"},
		{"wrapper of a number", "f.json", `{"a": {"$numberLong": 1}}`, "1:7: a: invalid Extended JSON: invalid JSON input; expected value for 64-bit integer"},
		{"malformed YAML wrapper", "f.yml", "a: 1\nb:\n  - $oid: 1", "3:5: b.0: invalid Extended JSON: invalid JSON input; expected value for objectID"},

		// other refusals
		{"JSON syntax", "f.json", `{"a": }`, "1:7: a: invalid JSON: missing value after object name"},
		{"character outside strings", "f.json", `{"a": é}`, "1:7: a: invalid JSON: invalid character 'é' at start of value"},
		{"byte order mark", "f.json", "\uFEFF{}", `1:1: invalid JSON: invalid character '\ufeff' at start of value`},
		{"top level array", "f.json", `[1]`, "1:1: the document must be a JSON object"},
		{"top level YAML sequence", "f.yml", "- 1", "1:1: the document must be a mapping"},
		{"YAML syntax", "f.yml", "a: 1\nb: 2\n- c\n", "3: invalid YAML: did not find expected key"},
		{"YAML syntax on line 1", "f.yml", "a: @x", "1: invalid YAML: found character that cannot start any token"},
		{"unknown YAML anchor", "f.yml", "a: 1\nb: [1, *x]", `2:8: invalid YAML: unknown anchor "x"`},
		{"YAML merge of a scalar", "f.yml", "a:\n  <<: 1", "2:3: a: a merge key (<<) needs a mapping or a list of mappings"},
		{"YAML key not a scalar", "f.yml", "? [1]\n: 2", "1:3: a mapping key must be a scalar"},
		{"YAML timestamp", "f.yml", "a: 2001-12-14", "1:4: a: unsupported YAML tag !!timestamp"},
		{"file too large", "f.json", `{"a": "` + strings.Repeat("x", MaxFileSize) + `"}`, "4.0 MiB, larger than the 4 MiB a fixture may have"},
		{"other extension", "f.txt", "a: 1", "not a JSON or YAML file"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			_, err := ReadDocument(tt.file, []byte(tt.data))
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

// TestReadingRulesAccept: what the rules leave alone, with what it reads as.
func TestReadingRulesAccept(t *testing.T) {
	tests := []struct {
		name, file, data, want string
	}{
		{"int64 bounds", "f.json", `{"a": 9223372036854775807, "b": -9223372036854775808}`, `{"a":9223372036854775807,"b":-9223372036854775808}`},
		{"YAML int64 bounds", "f.yml", "a: 9223372036854775807\nb: -9223372036854775808", `{"a":9223372036854775807,"b":-9223372036854775808}`},
		{"explicit non-finite doubles", "f.json", `{"a": {"$numberDouble": "Infinity"}, "b": {"$numberDouble": "-Infinity"}, "c": {"$numberDouble": "NaN"}}`, `{"a":{"$numberDouble":"Infinity"},"b":{"$numberDouble":"-Infinity"},"c":{"$numberDouble":"NaN"}}`},
		{"YAML non-finite doubles", "f.yml", "a: .inf\nb: -.Inf\nc: !!float .NaN", `{"a":{"$numberDouble":"Infinity"},"b":{"$numberDouble":"-Infinity"},"c":{"$numberDouble":"NaN"}}`},
		{"a number too small for a double is 0", "f.json", `{"a": 1e-400}`, `{"a":0.0}`},
		{"uint32 bound of $timestamp", "f.json", `{"a": {"$timestamp": {"t": 4294967295, "i": 0}}}`, `{"a":{"$timestamp":{"t":4294967295,"i":0}}}`},
		{"the document itself is no wrapper", "f.json", `{"$numberLong": "99999999999999999999"}`, `{"$numberLong":"99999999999999999999"}`},
		{"a $ key after the first is no wrapper", "f.json", `{"a": {"b": 1, "$numberInt": "99999999999"}}`, `{"a":{"b":1,"$numberInt":"99999999999"}}`},
		{"a surrogate pair", "f.json", `{"a": "\ud83d\ude00"}`, `{"a":"😀"}`},
		{"an escaped backslash before u", "f.json", `{"a": "\\ud800"}`, `{"a":"\\ud800"}`},
		{"whitespace after the document", "f.json", "{\"a\": 1}\n \t\r\n", `{"a":1}`},
		{"a tab in a YAML quoted string", "f.yml", "a: \"x\ty\"", `{"a":"x\ty"}`},
		{"YAML document markers", "f.yml", "---\na: 1\n...\n", `{"a":1}`},
		{"YAML merge is no duplicate", "f.yml", "b: &b {x: 1}\nd: {<<: *b, x: 2}", `{"b":{"x":1},"d":{"x":2}}`},
		{"YAML string that looks like no number", "f.yml", "a: _1e400\nb: '1e400'", `{"a":"_1e400","b":"1e400"}`},
		{"arrays as deep as allowed", "f.json", `{"a": ` + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + `}`, `{"a":` + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + `}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ReadDocument(tt.file, []byte(tt.data))
			require.NoError(t, err)
			out, err := bson.MarshalExtJSON(doc, false, false)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(out))
		})
	}
}

// TestLoadNamesFileAndPlace: a load error is "file:line:column: path: message".
func TestLoadNamesFileAndPlace(t *testing.T) {
	r := loadText(t, "f.json", "{\"description\": \"caf\xe9\"}")
	require.Equal(t, Rejected, r.Kind)
	assert.Equal(t, r.Source.Path+":1:21: description: invalid UTF-8", r.Err.Error())
	assert.Equal(t, "description", FieldPath(r.Err))
	r = loadText(t, "f.yml", "a: [1,\n 2")
	assert.Equal(t, r.Source.Path+":2: invalid YAML: did not find expected ',' or ']'", r.Err.Error())
}

// TestLoadRefusesLargeFileUnread: a file over MaxFileSize is refused from its size,
// not read: a sparse file of 1 GiB costs no memory to refuse.
func TestLoadRefusesLargeFileUnread(t *testing.T) {
	p := filepath.Join(t.TempDir(), "huge.json")
	f, err := os.Create(p)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(1<<30))
	require.NoError(t, f.Close())
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := Load(Source{Path: p, ID: "x/huge"}, false)
	runtime.ReadMemStats(&after)
	require.Equal(t, Rejected, r.Kind)
	assert.Equal(t, p+": 1024.0 MiB, larger than the 4 MiB a fixture may have", r.Err.Error())
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "bytes allocated to refuse it")
}

// TestReadingMemory: reading the hostile inputs of the benchmark allocates memory in
// proportion to the input. Deep nesting is refused for about the input's size (it once
// took 376 bytes per byte: 753 MB for 2 MB); a flat array of 1,000,000 numbers, which
// loads, costs what yaml.v3's node tree (about 200 bytes per byte of YAML) and the
// driver's reader (about 110 per byte of JSON) cost.
func TestReadingMemory(t *testing.T) {
	limits := map[string]float64{"nested arrays JSON": 4, "nested arrays YAML": 4, "flat array JSON": 150, "flat array YAML": 400}
	for _, in := range hostileInputs() {
		t.Run(in.name, func(t *testing.T) {
			data := []byte(in.data)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := ReadDocument(in.file, data)
			runtime.ReadMemStats(&after)
			perByte := float64(after.TotalAlloc-before.TotalAlloc) / float64(len(data))
			msg := fmt.Sprint(err)
			t.Logf("%.1f bytes allocated per byte of input; error: %.80s", perByte, msg)
			assert.Less(t, perByte, limits[in.name])
		})
	}
}
