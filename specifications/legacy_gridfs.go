package specifications

import (
	"encoding/hex"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Legacy GridFS (gridfs/tests before the unified format; its README is in the
// specifications repository's history). Each test becomes, on the unified engine:
//
//   - data.files and data.chunks as the initial fs.files and fs.chunks of database
//     LegacyGridFSDatabase; the bucket0 entity is the default bucket "fs" there;
//   - each arrange.data command as a runCommand on database0;
//   - the act operation on bucket0 (download_by_name is downloadByName, options are
//     arguments); a result of "&result" is saved as the entity LegacyGridFSResult;
//   - assert.result as the expected result ("void": none asserted), assert.error as
//     the GridFS error kind expected (ExpectedError.GridFSError);
//   - assert.data applied here, in memory, to the initial files and chunks (the
//     README's expected.files and expected.chunks): both collections are then
//     compared in any order, with "*actual" and "*result" as placeholders
//     (matchers.LegacyGridFS).
//
// {"$hex": "<hex digits>"} anywhere is a binary of the generic subtype.

// Names of translated legacy GridFS files (README.md).
const (
	LegacyGridFSDatabase = "gridfs-tests"
	LegacyGridFSResult   = "result"
)

type gfFile struct {
	Data  gfData   `spec:"data,required"`
	Tests []gfTest `spec:"tests,required,nonempty"`
}

type gfData struct {
	Files  []bson.Raw `spec:"files,required"`
	Chunks []bson.Raw `spec:"chunks,required"`
}

type gfTest struct {
	Description string     `spec:"description,required"`
	Arrange     *gfArrange `spec:"arrange"`
	Act         gfAct      `spec:"act,required"`
	Assert      gfAssert   `spec:"assert,required"`
}

type gfArrange struct {
	Data []bson.Raw `spec:"data,required"`
}

type gfAct struct {
	Operation string   `spec:"operation,required,enum=upload|download|download_by_name|delete"`
	Arguments bson.Raw `spec:"arguments"`
}

type gfAssert struct {
	Result bson.RawValue `spec:"result"`
	Error  string        `spec:"error,enum=FileNotFound|ChunkIsMissing|ChunkIsWrongSize|RevisionNotFound"`
	Data   []bson.Raw    `spec:"data"`
}

// "For operations that are expected to succeed the assert section contains a result
// element… to fail… an error element."
func (a *gfAssert) validate() *FieldError {
	if (a.Result.Type == 0) == (a.Error == "") {
		return fieldErrorf("", "must have exactly one of result and error")
	}
	return nil
}

var gfOperations = map[string]string{"upload": "upload", "download": "download", "download_by_name": "downloadByName", "delete": "delete"}

func translateGridFS(doc bson.Raw) (*File, *FieldError) {
	var in gfFile
	if err := decodeDocument("", doc, &in); err != nil {
		return nil, err
	}
	files, err := hexDocuments("data.files", in.Data.Files)
	if err != nil {
		return nil, err
	}
	chunks, err := hexDocuments("data.chunks", in.Data.Chunks)
	if err != nil {
		return nil, err
	}
	f := &File{
		SchemaVersion: "1.0",
		CreateEntities: []Entity{
			{Client: &ClientEntity{ID: LegacyClient}},
			{Database: &DatabaseEntity{ID: LegacyDatabase, Client: LegacyClient, DatabaseName: LegacyGridFSDatabase}},
			{Bucket: &BucketEntity{ID: LegacyBucket, Database: LegacyDatabase}},
		},
		InitialData: []CollectionData{
			{CollectionName: "fs.files", DatabaseName: LegacyGridFSDatabase, Documents: files},
			{CollectionName: "fs.chunks", DatabaseName: LegacyGridFSDatabase, Documents: chunks},
		},
	}
	for i, t := range in.Tests {
		test, err := gridFSTest(indexPath("tests", i), t, files, chunks)
		if err != nil {
			return nil, err
		}
		f.Tests = append(f.Tests, test)
	}
	return f, nil
}

func gridFSTest(path string, t gfTest, files, chunks []bson.Raw) (Test, *FieldError) {
	test := Test{Description: t.Description}
	if t.Arrange != nil {
		for j, cmd := range t.Arrange.Data {
			p := joinPath(path, indexPath("arrange.data", j))
			v, err := hexValue(p, docValue(cmd))
			if err != nil {
				return Test{}, err
			}
			elems, _ := cmd.Elements()
			if len(elems) == 0 {
				return Test{}, fieldErrorf(p, "must be a command")
			}
			run := Operation{Name: "runCommand", Object: LegacyDatabase, Arguments: mustMarshal(bson.D{
				{Key: "command", Value: v}, {Key: "commandName", Value: elems[0].Key()}})}
			run.placeLegacy(path, p[len(path)+1:])
			test.Operations = append(test.Operations, run)
		}
	}
	args, err := gridFSArguments(joinPath(path, "act.arguments"), t.Act.Arguments)
	if err != nil {
		return Test{}, err
	}
	op := Operation{Name: gfOperations[t.Act.Operation], Object: LegacyBucket, Arguments: args, ResultLabel: "assert.result"}
	op.placeLegacy(path, "act")
	switch s, _ := t.Assert.Result.StringValueOK(); {
	case t.Assert.Error != "":
		op.ExpectError = &ExpectedError{GridFSError: t.Assert.Error}
	case s == "&result":
		name := LegacyGridFSResult
		op.SaveResultAsEntity = &name
	case s == "void":
		// the operation returns nothing: only its success is asserted
	default:
		v, err := hexValue(joinPath(path, "assert.result"), t.Assert.Result)
		if err != nil {
			return Test{}, err
		}
		op.ExpectResult = v
	}
	test.Operations = append(test.Operations, op)
	if t.Assert.Data != nil {
		expected := map[string][]bson.Raw{"expected.files": files, "expected.chunks": chunks}
		for j, cmd := range t.Assert.Data {
			p := joinPath(path, indexPath("assert.data", j))
			c, err := hexValue(p, docValue(cmd))
			if err != nil {
				return Test{}, err
			}
			if err := applyCommand(p, c.Document(), expected); err != nil {
				return Test{}, err
			}
		}
		test.Outcome = []CollectionData{
			{CollectionName: "fs.files", DatabaseName: LegacyGridFSDatabase, Documents: nonNil(expected["expected.files"]), Unordered: true, Label: "assert.data"},
			{CollectionName: "fs.chunks", DatabaseName: LegacyGridFSDatabase, Documents: nonNil(expected["expected.chunks"]), Unordered: true, Label: "assert.data"},
		}
	}
	return test, nil
}

// gridFSArguments: options become arguments, the upload source {$hex} becomes the
// unified {$$hexBytes}, and $hex elsewhere a binary.
func gridFSArguments(path string, args bson.Raw) (bson.Raw, *FieldError) {
	var out bson.D
	elems, _ := args.Elements()
	for _, e := range elems {
		p := joinPath(path, e.Key())
		switch e.Key() {
		case "options":
			opts, ok := e.Value().DocumentOK()
			if !ok {
				return nil, typeError(p, "a document", e.Value())
			}
			optElems, _ := opts.Elements()
			for _, o := range optElems {
				v, err := hexValue(joinPath(p, o.Key()), o.Value())
				if err != nil {
					return nil, err
				}
				out = append(out, bson.E{Key: o.Key(), Value: v})
			}
		case "source":
			s, err := hexString(p, e.Value())
			if err != nil {
				return nil, err
			}
			out = append(out, bson.E{Key: "source", Value: bson.D{{Key: "$$hexBytes", Value: s}}})
		default:
			v, err := hexValue(p, e.Value())
			if err != nil {
				return nil, err
			}
			out = append(out, bson.E{Key: e.Key(), Value: v})
		}
	}
	return mustMarshal(out), nil
}

// hexString reads {"$hex": "<hex digits>"}.
func hexString(path string, v bson.RawValue) (string, *FieldError) {
	doc, ok := v.DocumentOK()
	elems, _ := doc.Elements()
	if !ok || len(elems) != 1 || elems[0].Key() != "$hex" {
		return "", typeError(path, `{"$hex": <string>}`, v)
	}
	s, ok := elems[0].Value().StringValueOK()
	if !ok {
		return "", typeError(joinPath(path, "$hex"), "a string", elems[0].Value())
	}
	if _, err := hex.DecodeString(s); err != nil {
		return "", fieldErrorf(joinPath(path, "$hex"), "not hex bytes: %v", err)
	}
	return s, nil
}

// hexValue replaces every {"$hex": …} in v by a generic binary.
func hexValue(path string, v bson.RawValue) (bson.RawValue, *FieldError) {
	switch v.Type {
	case bson.TypeEmbeddedDocument:
		doc := v.Document()
		if doc.Lookup("$hex").Type != 0 {
			s, err := hexString(path, v)
			if err != nil {
				return bson.RawValue{}, err
			}
			data, _ := hex.DecodeString(s)
			t, raw, _ := bson.MarshalValue(bson.Binary{Subtype: bson.TypeBinaryGeneric, Data: data})
			return bson.RawValue{Type: t, Value: raw}, nil
		}
		var out bson.D
		elems, _ := doc.Elements()
		for _, e := range elems {
			ev, err := hexValue(joinPath(path, e.Key()), e.Value())
			if err != nil {
				return bson.RawValue{}, err
			}
			out = append(out, bson.E{Key: e.Key(), Value: ev})
		}
		return docValue(mustMarshal(out)), nil
	case bson.TypeArray:
		values, _ := v.Array().Values()
		out := bson.A{}
		for i, ev := range values {
			x, err := hexValue(indexPath(path, i), ev)
			if err != nil {
				return bson.RawValue{}, err
			}
			out = append(out, x)
		}
		t, raw, _ := bson.MarshalValue(out)
		return bson.RawValue{Type: t, Value: raw}, nil
	}
	return v, nil
}

func hexDocuments(path string, docs []bson.Raw) ([]bson.Raw, *FieldError) {
	out := make([]bson.Raw, len(docs))
	for i, d := range docs {
		v, err := hexValue(indexPath(path, i), docValue(d))
		if err != nil {
			return nil, err
		}
		out[i] = v.Document()
	}
	return out, nil
}

func docValue(d bson.Raw) bson.RawValue {
	return bson.RawValue{Type: bson.TypeEmbeddedDocument, Value: d}
}

// The write commands assert.data may hold, applied to the expected collections.
type gfInsert struct {
	Insert    string     `spec:"insert,required,enum=expected.files|expected.chunks"`
	Documents []bson.Raw `spec:"documents,required"`
}

type gfDelete struct {
	Delete  string          `spec:"delete,required,enum=expected.files|expected.chunks"`
	Deletes []gfDeleteQuery `spec:"deletes,required"`
}

type gfDeleteQuery struct {
	Q     bson.Raw `spec:"q,required"`
	Limit int64    `spec:"limit,required"`
}

// applyCommand runs an insert or a delete (equality filters only) on the expected
// collections; anything else is refused rather than guessed at.
func applyCommand(path string, cmd bson.Raw, colls map[string][]bson.Raw) *FieldError {
	elems, _ := cmd.Elements()
	if len(elems) == 0 {
		return fieldErrorf(path, "must be a command")
	}
	switch elems[0].Key() {
	case "insert":
		var in gfInsert
		if err := decodeDocument(path, cmd, &in); err != nil {
			return err
		}
		colls[in.Insert] = append(append([]bson.Raw(nil), colls[in.Insert]...), in.Documents...)
	case "delete":
		var del gfDelete
		if err := decodeDocument(path, cmd, &del); err != nil {
			return err
		}
		for j, d := range del.Deletes {
			if d.Limit != 0 && d.Limit != 1 {
				return fieldErrorf(joinPath(path, indexPath("deletes", j)+".limit"), "must be 0 (all) or 1")
			}
			var kept []bson.Raw
			deleted := 0
			for _, doc := range colls[del.Delete] {
				hit, err := equalityMatch(joinPath(path, indexPath("deletes", j)+".q"), d.Q, doc)
				if err != nil {
					return err
				}
				if hit && (d.Limit == 0 || deleted == 0) {
					deleted++
					continue
				}
				kept = append(kept, doc)
			}
			colls[del.Delete] = kept
		}
	default:
		return fieldErrorf(joinPath(path, elems[0].Key()), "only insert and delete commands are applied to the expected collections")
	}
	return nil
}

// equalityMatch evaluates a filter of top-level equalities, {field: value, …}, the
// way the server compares values: numbers by value, anything else by type and bytes.
func equalityMatch(path string, q, doc bson.Raw) (bool, *FieldError) {
	elems, _ := q.Elements()
	for _, e := range elems {
		want := e.Value()
		if d, ok := want.DocumentOK(); ok {
			if first, err := d.IndexErr(0); err == nil && len(first.Key()) > 0 && first.Key()[0] == '$' {
				return false, fieldErrorf(joinPath(path, e.Key()), "only equality filters are applied to the expected collections")
			}
		}
		got := doc.Lookup(e.Key())
		if !sameValue(want, got) {
			return false, nil
		}
	}
	return true, nil
}

func sameValue(a, b bson.RawValue) bool {
	if x, ok := a.AsFloat64OK(); ok && a.Type != bson.TypeDecimal128 {
		y, ok := b.AsFloat64OK()
		return ok && b.Type != bson.TypeDecimal128 && x == y
	}
	return a.Equal(b)
}
