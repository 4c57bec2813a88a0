package interpreter_test

import (
	"testing"

	"github.com/specrun/specrun/interpreter"
	"github.com/specrun/specrun/result"
)

// runCases runs a fixture and checks each test's verdict against its case.
func runCases(t *testing.T, fixtureName string, cases map[string]want) {
	t.Helper()
	r := newRunner(t, interpreter.Config{})
	results := runFile(t, r, loadFixture(t, fixtureName))
	checkAll(t, results, cases)
}

// GridFS runs on a server's plain collections: the embedded server passes, and a
// wrong byte string or a missing file fails.
func TestGridFS(t *testing.T) {
	runCases(t, "gridfs.json", map[string]want{
		"uploadWithId, then download and find": {status: result.Pass},
		"upload returns the new file's id":     {status: result.Pass},
		"downloaded bytes differ": {result.Fail, `operation 0 (download): expectResult: expected {"$$matchesHexBytes":"12"}, got binData {"$binary":{"base64":"EQ==","subType":"00"}}`, []string{
			`last command of client0: {"find":"fs.chunks",`,
		}},
		"downloadByName picks the revision":                         {status: result.Pass},
		"renameByName, rename and deleteByName":                     {status: result.Pass},
		"deleteByName finds the ids, then deletes files and chunks": {status: result.Pass},
		"missing files are client errors":                           {status: result.Pass},
		"a missing file is not a success": {result.Fail, `operation 0 (deleteByName): unexpected error: deleteByName "nope": file with given parameters not found`, []string{
			`last command of client0: {"find":"fs.files","filter":{"filename":"nope"},"projection":{"_id":1},`,
		}},
		"bucketOptions name the collections and size the chunks": {status: result.Pass},
		"drop": {status: result.Pass},
		"contentType is deprecated and the driver lacks it": {result.Unsupported,
			"operation 0 (upload): contentType on upload: the Go driver v2's GridFSUploadOptions has no contentType (deprecated by the GridFS spec)", nil},
		"malformed $$hexBytes": {result.Error, "operation 0 (upload): argument source: $$hexBytes: encoding/hex: odd length hex string", nil},
	})
}

// The embedded server has no change streams: createChangeStream fails with its error,
// and the aggregate that opens a stream is sent as the driver builds it.
func TestChangeStreams(t *testing.T) {
	runCases(t, "changestreams.json", map[string]want{
		"collection change stream: the server's error": {result.Fail,
			"operation 0 (createChangeStream): unexpected error: server error 238 (NotImplemented): `aggregate` stage \"$changeStream\" is not implemented yet", []string{
				`last command of client0: {"aggregate":"coll0","pipeline":[{"$changeStream":{}}],"cursor":{},`,
			}},
		"database change stream: the server's error": {result.Fail,
			"operation 0 (createChangeStream): unexpected error: server error 9 (FailedToParse): Invalid command format: the 'aggregate' field must specify a collection name or 1", []string{
				`last command of client0: {"aggregate":1,"pipeline":[{"$changeStream":{}}],`,
			}},
		"client change stream: the server's error": {result.Fail,
			"operation 0 (createChangeStream): unexpected error: server error 9 (FailedToParse): Invalid command format: the 'aggregate' field must specify a collection name or 1", []string{
				`last command of client0: {"aggregate":1,"pipeline":[{"$changeStream":{"allChangesForCluster":true}}],`,
			}},
		"the aggregate carries the pipeline and the options": {status: result.Pass},
	})
}

// Search index commands and mapReduce reach the server as the specs describe them;
// the embedded server has neither.
func TestSearchIndexesAndMapReduce(t *testing.T) {
	runCases(t, "search-mapreduce.json", map[string]want{
		"search index commands as the Index Management spec sends them": {status: result.Pass},
		"createSearchIndex: the server's error": {result.Fail,
			"operation 0 (createSearchIndex): unexpected error: server error 59 (CommandNotFound): no such command: 'createSearchIndexes'", nil},
		"mapReduce is sent as a command with the collection's read concern": {status: result.Pass},
		// FerretDB 1.24.2 drops the connection on mapReduce.
		"mapReduce: the server's error": {result.Fail,
			"operation 0 (mapReduce): unexpected error: network error: incomplete read of message header: connection closed unexpectedly by the other side: EOF", []string{
				`last command of client0: {"mapReduce":"coll0",`,
			}},
		"mapReduce to a collection": {result.Unsupported,
			"operation 0 (mapReduce): mapReduce with output to a collection: the Go driver v2 has no mapReduce, and specrun sends it as a command only with inline output (a read)", nil},
	})
}
