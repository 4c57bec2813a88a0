package interpreter_test

import (
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/specrun/specrun/interpreter"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// The legacy GridFS tests that pass on the embedded server fail once one expected value
// is changed, each with the reason that names the place in the legacy fixture.
func TestLegacyGridFSMutations(t *testing.T) {
	oid := func(hex string) bson.ObjectID { id, _ := bson.ObjectIDFromHex(hex); return id }
	cases := []mutation{
		{"downloaded bytes", "download.json", "Download when there are two chunks", "assert.result",
			bson.D{{Key: "$hex", Value: "1122334455667789"}},
			`act (download): assert.result: expected binData {"$binary":{"base64":"ESIzRFVmd4k=","subType":"00"}}, got binData {"$binary":{"base64":"ESIzRFVmd4g=","subType":"00"}}`},
		{"error kind", "download.json", "Download when an intermediate chunk is missing", "assert.error", "ChunkIsWrongSize",
			"act (download): expected the GridFS error ChunkIsWrongSize, got: …"},
		{"an error where a result is expected", "download.json", "Download when final chunk is missing", "assert",
			bson.D{{Key: "result", Value: bson.D{{Key: "$hex", Value: "1122"}}}}, "act (download): unexpected error: …"},
		{"a result where an error is expected", "download_by_name.json", "Download_by_name when revision is 0", "assert",
			bson.D{{Key: "error", Value: "RevisionNotFound"}}, "act (downloadByName): expected an error, got none"},
		{"revision", "download_by_name.json", "Download_by_name when revision is -1", "act.arguments.options.revision", int32(-2),
			`act (downloadByName): assert.result: expected binData {"$binary":{"base64":"VQ==","subType":"00"}}, got binData {"$binary":{"base64":"RA==","subType":"00"}}`},
		{"a file kept that was deleted", "delete.json", "Delete when length is 8", "assert.data", bson.A{},
			"assert.data gridfs-tests.fs.files: expected int32 4, got int32 3: the number of documents"},
		{"chunks kept that were deleted", "delete.json", "Delete when length is 8", "assert.data.1.deletes.0.q.files_id",
			oid("000000000000000000000003"), "assert.data gridfs-tests.fs.chunks: expected int32 3, got int32 2: the number of documents"},
		{"an uploaded chunk", "upload.json", "Upload when length is 1 sans MD5", "assert.data.1.documents.0.data",
			bson.D{{Key: "$hex", Value: "12"}}, "assert.data gridfs-tests.fs.chunks: 0: …no actual document left that matches this one"},
		{"an uploaded chunk's file", "upload.json", "Upload when length is 1 sans MD5", "assert.data.1.documents.0.files_id", "*actual2",
			"assert.data gridfs-tests.fs.chunks: 0: …no actual document left that matches this one"},
		{"an uploaded file's length", "upload.json", "Upload when length is 0 sans MD5", "assert.data.0.documents.0.length", int32(1),
			"assert.data gridfs-tests.fs.files: 0: …no actual document left that matches this one"},
		{"a field the uploaded file lacks", "upload.json", "Upload when length is 0 sans MD5", "assert.data.0.documents.0.aliases", bson.A{},
			"assert.data gridfs-tests.fs.files: 0: …no actual document left that matches this one"},
	}
	root := filepath.Join(specifications.DebianCorpus, "gridfs")
	checkMutations(t, root, cases)
}

// reasonIs compares a reason with a pattern whose "…" stand for any text.
func reasonIs(reason, pattern string) bool {
	parts := strings.Split(pattern, "…")
	if !strings.HasPrefix(reason, parts[0]) {
		return false
	}
	rest := reason[len(parts[0]):]
	for _, p := range parts[1:] {
		i := strings.Index(rest, p)
		if i < 0 {
			return false
		}
		rest = rest[i+len(p):]
	}
	return rest == "" || strings.HasSuffix(pattern, "…")
}

// The upload tests expect the md5 that the Go driver v2 never writes: unsupported,
// unless something else in the files or chunks is wrong too.
func TestLegacyGridFSMD5(t *testing.T) {
	file := filepath.Join(specifications.DebianCorpus, "gridfs", "upload.json")
	r := newRunner(t, interpreter.Config{})
	res := runLegacy(t, r, file, "Upload when length is 1", nil)
	if res.Status != result.Unsupported || !strings.Contains(res.Reason, "md5") {
		t.Errorf("as it is: %s %q", res.Status, res.Reason)
	}
	for path, value := range map[string]any{
		"assert.data.0.documents.0.length": int32(2),                           // the files document, md5 aside
		"assert.data.1.documents.0.data":   bson.D{{Key: "$hex", Value: "12"}}, // the chunks, compared after the files
		"assert.data.0.documents.0.md5":    int32(1),                           // not the md5 a driver could write: still unjudgeable
	} {
		res := runLegacy(t, r, file, "Upload when length is 1", func(test bson.D) bson.D {
			return set(t, test, strings.Split(path, "."), value).(bson.D)
		})
		want := result.Fail
		if strings.HasSuffix(path, "md5") {
			want = result.Unsupported
		}
		if res.Status != want {
			t.Errorf("%s changed: %s %q, want %s", path, res.Status, res.Reason, want)
		}
	}
}

// Legacy change streams on the embedded server, which has none: the one test that
// runs is judged on the first error, the aggregate's, and on nothing after it.
func TestLegacyChangeStreamsFirstError(t *testing.T) {
	file := filepath.Join(specifications.DebianCorpus, "change-streams", "legacy", "change-streams-errors.json")
	test := "The watch helper must not throw a custom exception when executed against a single server topology, but instead depend on a server error"
	r := newRunner(t, interpreter.Config{})
	res := runLegacy(t, r, file, test, nil)
	if res.Status != result.Fail || res.Reason != "target (createChangeStream): result.error: errorResponse: code: expected int32 40573, got int32 238" {
		t.Errorf("as it is: %s %q", res.Status, res.Reason)
	}
	// with the code FerretDB answers, the error is the expected one: iteration and
	// close never run (they would need the stream the aggregate did not open)
	res = runLegacy(t, r, file, test, func(d bson.D) bson.D {
		return set(t, d, []string{"result", "error", "code"}, int32(238)).(bson.D)
	})
	if res.Status != result.Pass {
		t.Errorf("code 238: %s %q\n%s", res.Status, res.Reason, res.Detail)
	}
	// MATCH is a subset: a key the error reply does not have fails
	res = runLegacy(t, r, file, test, func(d bson.D) bson.D {
		d = set(t, d, []string{"result", "error", "code"}, int32(238)).(bson.D)
		return set(t, d, []string{"result", "error", "errorLabels"}, bson.A{"ResumableChangeStreamError"}).(bson.D)
	})
	if res.Status != result.Fail || !strings.HasPrefix(res.Reason, "target (createChangeStream): result.error: errorResponse: errorLabels: expected") {
		t.Errorf("errorLabels: %s %q", res.Status, res.Reason)
	}
}
