package specifications

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/specrun/specrun/internal/ordered"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// SupportedSchemaVersion is the newest Unified Test Format version specrun runs; it
// runs every file of the same major version up to this minor.
const SupportedSchemaVersion = "1.28"

// LoadKind says what loading made of a file.
type LoadKind int

const (
	Loaded      LoadKind = iota + 1 // a runnable file, in the unified model
	OtherFormat                     // a fixture of a format specrun does not run
	Rejected                        // unreadable, or invalid in its format
)

// LoadResult is what loading one source gave.
type LoadResult struct {
	Source Source
	Kind   LoadKind
	File   *File // when Loaded
	Err    error // when Rejected: a *LoadError
	Notes  []string
	// Format names the detected format of an OtherFormat file, as far as known.
	Format string
}

// LoadError names the file and, where there is one, the field path.
type LoadError struct {
	File string
	Err  error
}

// Error is "file: path: message", or "file:line:column: path: message" where the
// error says where it is in the file.
func (e *LoadError) Error() string {
	if _, placed := e.Err.(*InputError); placed {
		return e.File + ":" + e.Err.Error()
	}
	return e.File + ": " + e.Err.Error()
}
func (e *LoadError) Unwrap() error { return e.Err }

// Load reads, detects and decodes one source. With compareTwin set, the YAML twin of
// a JSON file is read too and every difference is reported as a note.
func Load(src Source, compareTwin bool) LoadResult {
	res := LoadResult{Source: src}
	if src.Err != nil { // found unreadable by Discover
		return res.reject(src.Err)
	}
	data, err := readFixture(src.Path)
	if err != nil {
		return res.reject(err)
	}
	return loadData(src, data, compareTwin)
}

// loadData is Load of data already read.
func loadData(src Source, data []byte, compareTwin bool) LoadResult {
	res := LoadResult{Source: src}
	doc, err := ReadDocument(src.Path, data)
	if err != nil {
		return res.reject(err)
	}
	if compareTwin && src.Twin != "" {
		res.Notes = append(res.Notes, twinNotes(src.Twin, data, doc)...)
	}
	f, ferr := decodeFile(doc, src.ID)
	if ferr != nil {
		return res.reject(ferr)
	}
	if f == nil {
		res.Kind, res.Format = OtherFormat, otherFormatName(doc)
		return res
	}
	f.Path, f.ID = src.Path, src.ID
	for i := range f.Tests {
		f.Tests[i].ID = src.ID + "/" + f.Tests[i].Description
	}
	if dup := duplicateDescription(f.Tests); dup != "" {
		res.Notes = append(res.Notes, fmt.Sprintf("two tests are described %q: their IDs coincide", dup))
	}
	res.Kind, res.File = Loaded, f
	return res
}

// decodeFile detects the format of a document and decodes it into the unified
// model; a nil File without error means a format specrun does not run. id is the
// file's test ID prefix (<spec>/<path>): some legacy rules belong to one spec.
func decodeFile(doc bson.Raw, id string) (*File, *FieldError) {
	var f *File
	var err *FieldError
	format := detectFormat(doc)
	switch format {
	case Unified:
		f, err = decodeUnified(doc)
	case LegacyCRUD:
		f, err = translateCRUD(doc)
	case LegacyCommandMonitoring:
		f, err = translateCommandMonitoring(doc)
	case LegacyChangeStreams:
		f, err = translateChangeStreams(doc)
	case LegacyGridFS:
		f, err = translateGridFS(doc)
	case LegacyTransactions:
		f, err = translateTransactions(doc, id)
	default:
		return nil, nil
	}
	if f != nil {
		f.Format = format
	}
	return f, err
}

func (r LoadResult) reject(err error) LoadResult {
	r.Kind, r.Err = Rejected, &LoadError{File: r.Source.Path, Err: err}
	return r
}

// twinNotes compares a JSON file (its text and document) with its YAML twin.
func twinNotes(twin string, jsonText []byte, jsonDoc bson.Raw) []string {
	data, err := readFixture(twin)
	if err == nil {
		if sameAsJSON(data, jsonText) {
			return nil
		}
		var yamlDoc bson.Raw
		if yamlDoc, err = ReadDocument(twin, data); err == nil {
			var notes []string
			for _, d := range CompareTwins(yamlDoc, jsonDoc) {
				notes = append(notes, "YAML twin differs at "+d.String())
			}
			return notes
		}
	}
	return []string{fmt.Sprintf("YAML twin not compared: %v", &LoadError{File: twin, Err: err})}
}

// sameAsJSON says, cheaply, whether a YAML file is sure to read as the same document
// as the JSON text: when the Extended JSON that reading it writes (yamlExtJSON) is
// the JSON text itself, but for the whitespace between tokens and the escaping of <,
// > and & in strings (which change no value), the driver reads the two alike. Most
// twins of the corpus are so; any other difference, or an error, is left to the
// comparison of the documents (false).
func sameAsJSON(yamlData, jsonText []byte) bool {
	if len(yamlData) > MaxFileSize {
		return false
	}
	text, err := yamlExtJSON(yamlData)
	if err != nil {
		return false
	}
	return sameCompactEscaped(text, jsonText)
}

// sameCompactEscaped says whether text is what json.Compact and then json.HTMLEscape
// would write of jsonText, a JSON text already read without error, without writing
// it: jsonText's whitespace outside strings is passed over, and its <, >, &, U+2028
// and U+2029 are the escapes that HTMLEscape writes for them.
func sameCompactEscaped(text, jsonText []byte) bool {
	inString := false
	for j := 0; j < len(jsonText); j++ {
		c := jsonText[j]
		if c > '>' && c < 0x80 && c != '\\' { // the bulk of a text, compared as it is
			if len(text) == 0 || text[0] != c {
				return false
			}
			text = text[1:]
			continue
		}
		want := jsonText[j : j+1]
		switch {
		case !inString && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			continue
		case c == '"':
			inString = !inString
		case c == '\\' && j+1 < len(jsonText): // an escape, whose second byte ends no string
			j++
			want = jsonText[j-1 : j+1]
		case c == '<' || c == '>' || c == '&':
			want = []byte{'\\', 'u', '0', '0', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xF]}
		case c == 0xE2 && j+2 < len(jsonText) && jsonText[j+1] == 0x80 && jsonText[j+2]&^1 == 0xA8:
			want = []byte{'\\', 'u', '2', '0', '2', "89"[jsonText[j+2]&1]}
			j += 2
		}
		if !bytes.HasPrefix(text, want) {
			return false
		}
		text = text[len(want):]
	}
	return len(text) == 0
}

func duplicateDescription(tests []Test) string {
	seen := map[string]bool{}
	for _, t := range tests {
		if seen[t.Description] {
			return t.Description
		}
		seen[t.Description] = true
	}
	return ""
}

// detectFormat tells the formats apart by the keys they use. A schemaVersion always
// means a unified file; so do unified-only keys, or tests made of operations with no
// legacy keys beside them, so that a unified file that lost its schemaVersion is
// rejected rather than passed over as another format.
func detectFormat(doc bson.Raw) Format {
	if has(doc, "schemaVersion", "createEntities", "initialData", "runOnRequirements", "_yamlAnchors") {
		return Unified
	}
	tests, ok := doc.Lookup("tests").ArrayOK()
	if !ok {
		return 0
	}
	testKeys := map[string]bool{}
	values, _ := tests.Values()
	for _, t := range values {
		td, ok := t.DocumentOK()
		if !ok {
			return 0
		}
		elems, _ := td.Elements()
		for _, e := range elems {
			testKeys[e.Key()] = true
		}
	}
	legacyTop := has(doc, "data", "collection_name", "database_name", "runOn", "bucket_name", "collection2_name")
	switch {
	// legacy change streams and GridFS: keys no other format's tests use
	case testKeys["target"] && testKeys["changeStreamPipeline"] && has(doc, "collection_name", "database_name") && !has(doc, "runOn", "data"):
		return LegacyChangeStreams
	case testKeys["act"] && testKeys["assert"] && has(doc, "data") && !has(doc, "runOn", "collection_name", "database_name"):
		return LegacyGridFS
	case testKeys["operation"] && testKeys["expectations"] && !testKeys["operations"] &&
		has(doc, "collection_name", "database_name") && !has(doc, "runOn"):
		return LegacyCommandMonitoring
	case testKeys["operation"] && testKeys["outcome"] && !testKeys["operations"] && !testKeys["expectations"] &&
		!has(doc, "runOn", "collection_name", "database_name") && !testKeys["failPoint"] && !testKeys["useMultipleMongoses"]:
		return LegacyCRUD
	case testKeys["operations"] && !legacyTop && len(values) > 0 && has(doc, "description"):
		return Unified
	}
	if isLegacyTransactions(doc, testKeys) {
		return LegacyTransactions
	}
	return 0
}

// isLegacyTransactions: tests made of operations beside the format's top-level keys
// (or with no top-level key but tests, as some Atlas Data Lake files), or retryable
// writes' single operation judged by its outcome beside runOn. Legacy change-stream
// tests share the top-level keys but not the test keys.
func isLegacyTransactions(doc bson.Raw, testKeys map[string]bool) bool {
	if testKeys["changeStreamPipeline"] || testKeys["target"] || has(doc, "collection2_name", "database2_name", "description") {
		return false
	}
	top := has(doc, "runOn", "data", "collection_name", "database_name", "bucket_name")
	switch {
	case testKeys["operations"]:
		return true
	case testKeys["operation"] && testKeys["outcome"]:
		return top
	}
	return false
}

// otherFormatName guesses what a non-runnable fixture is, for the check listing.
func otherFormatName(doc bson.Raw) string {
	switch {
	case has(doc, "style") && has(doc, "version"): // CMAP files may have runOn too
		return "CMAP"
	case has(doc, "runOn", "collection_name", "database_name", "bucket_name"):
		return "legacy transactions-style"
	case has(doc, "phases"):
		return "SDAM"
	case has(doc, "topology_description"):
		return "server selection"
	}
	return "other"
}

func has(doc bson.Raw, keys ...string) bool {
	for _, k := range keys {
		if doc.Lookup(k).Type != 0 {
			return true
		}
	}
	return false
}

func decodeUnified(doc bson.Raw) (*File, *FieldError) {
	var f File
	version, isString := doc.Lookup("schemaVersion").StringValueOK()
	if isString && versionRE.MatchString(version) && !schemaVersionSupported(version) {
		// The spec makes this a run-time error of the file, not a schema violation:
		// keep the tests' descriptions so that each can be reported.
		f.SchemaVersion = version
		f.Unsupported = fmt.Sprintf("schema version %s is not supported: specrun runs 1.0 to %s", version, SupportedSchemaVersion)
		f.Description, _ = doc.Lookup("description").StringValueOK()
		tests, _ := doc.Lookup("tests").ArrayOK()
		values, _ := tests.Values()
		for _, t := range values {
			test, _ := t.DocumentOK()
			d, _ := test.Lookup("description").StringValueOK()
			f.Tests = append(f.Tests, Test{Description: d})
		}
		return &f, nil
	}
	if err := decodeDocument("", doc, &f); err != nil {
		return nil, err
	}
	for i := range f.Tests {
		placeList(joinPath(indexPath("tests", i), "operations"), f.Tests[i].Operations)
	}
	return &f, nil
}

// schemaVersionSupported: same major as SupportedSchemaVersion, minor up to its minor.
func schemaVersionSupported(v string) bool {
	got, want := strings.Split(v, "."), strings.Split(SupportedSchemaVersion, ".")
	gMajor, _ := strconv.Atoi(got[0])
	gMinor, _ := strconv.Atoi(got[1])
	wMajor, _ := strconv.Atoi(want[0])
	wMinor, _ := strconv.Atoi(want[1])
	return gMajor == wMajor && gMinor <= wMinor && (gMinor < wMinor || len(got) == 2 || got[2] == "0")
}

// LoadAll loads every source on all cores; results keep the order of sources.
func LoadAll(sources []Source, compareTwins bool) []LoadResult {
	results := make([]LoadResult, len(sources))
	ordered.Each(len(sources), func(i int) LoadResult { return Load(sources[i], compareTwins) },
		func(i int, r LoadResult) { results[i] = r })
	return results
}

// FieldPath returns the field path of a load error, if it has one.
func FieldPath(err error) string {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe.Path
	}
	var ie *InputError
	if errors.As(err, &ie) {
		return ie.Path
	}
	return ""
}
