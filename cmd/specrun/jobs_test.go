package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/specrun/specrun/embedded"
	"github.com/specrun/specrun/internal/testcorpus"
	"github.com/specrun/specrun/report"
)

// TestRunJobsReportIsTheSerialOne: --jobs 2 (on two embedded servers, scheduled by the
// serial run's durations or by size) writes the serial run's report: the same tests
// in the same order, with the same verdicts and reasons.
func TestRunJobsReportIsTheSerialOne(t *testing.T) {
	root := filepath.Join(testcorpus.Shared(t), "source")
	folders := []string{filepath.Join(root, "crud/tests/v1/read"), filepath.Join(root, "sessions/tests"),
		filepath.Join(root, "command-logging-and-monitoring/tests/monitoring")}
	dir := t.TempDir()
	run := func(name string, extra ...string) []string {
		p := filepath.Join(dir, name+".json")
		code, stdout, stderr := runArgs(t, append(append([]string{"--json", p}, extra...), folders...)...)
		require.Contains(t, []int{exitOK, exitFail}, code, stdout+stderr)
		if len(extra) > 0 {
			assert.Contains(t, stderr, "specrun: --jobs 2: the files run on 2 embedded FerretDB servers")
		}
		fields := testFields(readReport(t, p))
		for i := range fields {
			fields[i] = report.Stable(fields[i]) // FerretDB's errors quote pointers
		}
		return fields
	}
	serial := run("serial")
	require.Greater(t, len(serial), 50)
	assert.Equal(t, serial, run("bysize", "-j", "2"))
	assert.Equal(t, serial, run("bydurations", "--jobs", "2", "--durations", filepath.Join(dir, "serial.json")))
}

// --jobs starts no more servers than there are files to run: a rejected file needs
// none, nor does a file --run keeps no test of. Without --jobs nothing is said of
// workers, even where no file runs (an empty shard).
func TestRunJobsNoMoreWorkersThanFiles(t *testing.T) {
	mixed := filepath.Join("..", "..", "testdata", "run", "mixed") // one file loads, one is rejected
	code, stdout, stderr := runArgs(t, "-j", "3", mixed)
	assert.Equal(t, exitFail, code, stdout+stderr)
	assert.Contains(t, stderr, "specrun: --jobs 3: no more workers than files to run (1)\n")
	assert.NotContains(t, stderr, "one per worker", "one server, as without --jobs")
	assert.Contains(t, stdout, "4 tests: 1 pass, 1 fail, 1 skip, 0 unsupported, 1 error")

	crud := filepath.Join(testcorpus.Shared(t), "source/crud/tests/unified")
	code, stdout, stderr = runArgs(t, "-j", "2", "--run", "^crud/unified/find/Find with filter$", crud)
	assert.Equal(t, exitOK, code, stdout+stderr)
	assert.Contains(t, stderr, "specrun: --jobs 2: no more workers than files to run (1)\n")
	assert.NotContains(t, stderr, "one per worker", "one server for one file")

	code, stdout, stderr = runArgs(t, "--run", "^no such test$", mixed)
	assert.NotContains(t, stderr, "workers", "exit %d: %s", code, stdout)
}

func TestRunJobsUsage(t *testing.T) {
	file := filepath.Join(testcorpus.Shared(t), "source/crud/tests/unified/find.json")
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"-j", "0"}, "--jobs must be at least 1"},
		{[]string{"--uri", "mongodb://a/", "--uri", "mongodb://a/"}, "--uri mongodb://a/ is given twice: two workers would share one server"},
		{[]string{"-j", "2", "--uri", "mongodb://a/"}, "--jobs 2 against --uri needs 2 servers"},
		{[]string{"-j", "3", "--uri", "mongodb://a/", "--uri", "mongodb://b/"}, "--jobs 3 with 2 --uri: give one --uri per worker"},
		{[]string{"--uri", "mongodb://a:{port}/", "--uri", "mongodb://b/", "--server-cmd", "true"}, "--server-cmd takes one --uri"},
		{[]string{"-j", "2", "--server-cmd", "true", "--uri", "mongodb://127.0.0.1:29005/"}, "--jobs 2 with --server-cmd: the --uri must have {port}"},
		{[]string{"-j", "2", "--single-mongos-lb-uri", "mongodb://lb/"}, "--jobs with load-balancer URIs is not supported"},
		{[]string{"-j", "2", "--durations", "/no/such/report.json"}, "--durations: "},
	} {
		code, _, stderr := runArgs(t, append(c.args, file)...)
		assert.Equal(t, exitUsage, code, "%v: %s", c.args, stderr)
		assert.Contains(t, stderr, c.says, "%v", c.args)
	}
}

// Several --uri without --jobs: one worker each. The second server here is
// unreachable: the run says so naming that server, not the first.
func TestRunSeveralURIsAreWorkers(t *testing.T) {
	dir := filepath.Join(testcorpus.Shared(t), "source/crud/tests/unified")
	srv, err := embedded.Start(context.Background(), embedded.Options{})
	require.NoError(t, err)
	defer srv.Close()
	p := filepath.Join(t.TempDir(), "r.json")
	code, _, stderr := runArgs(t, "--json", p, "--uri", srv.URI(),
		"--uri", "mongodb://127.0.0.1:2/?serverSelectionTimeoutMS=100", filepath.Join(dir, "find.json"), filepath.Join(dir, "distinct.json"))
	assert.Equal(t, exitUnreachable, code, stderr)
	assert.Contains(t, stderr, "specrun: --jobs 2: the files run on 2 --uri servers, one per worker")
	assert.Regexp(t, `(?m)^specrun: mongodb://127\.0\.0\.1:2/\S*: `, stderr, "the message names the server that failed")
	assert.NotContains(t, stderr, "specrun: "+srv.URI()+": ")
}

// Under --jobs, a server that holds other data is named in the refusal, not the first.
func TestRunJobsRefusalNamesItsServer(t *testing.T) {
	dir := filepath.Join(testcorpus.Shared(t), "source/crud/tests/unified")
	var uris []string
	for range 2 {
		srv, err := embedded.Start(context.Background(), embedded.Options{})
		require.NoError(t, err)
		defer srv.Close()
		uris = append(uris, srv.URI())
	}
	client, err := mongo.Connect(options.Client().ApplyURI(uris[1]))
	require.NoError(t, err)
	defer client.Disconnect(context.Background())
	_, err = client.Database("customers").Collection("orders").InsertOne(context.Background(), bson.D{{Key: "theirs", Value: 1}})
	require.NoError(t, err)
	code, stdout, stderr := runArgs(t, "--uri", uris[0], "--uri", uris[1], filepath.Join(dir, "find.json"), filepath.Join(dir, "distinct.json"))
	assert.Equal(t, exitUsage, code, stdout+stderr)
	assert.Contains(t, stderr, "specrun: "+uris[1]+": the server holds collections these tests do not name: customers.orders;")
	assert.NotContains(t, stderr, "specrun: "+uris[0]+": the server holds")
	// with --allow-nonempty, each server's notice names it
	code, stdout, stderr = runArgs(t, "--allow-nonempty", "--uri", uris[0], "--uri", uris[1], filepath.Join(dir, "find.json"), filepath.Join(dir, "distinct.json"))
	assert.Contains(t, []int{exitOK, exitFail}, code, stdout+stderr)
	for _, uri := range uris {
		assert.Contains(t, stderr, "specrun: --allow-nonempty: "+uri+": this run drops none of the server's collections\n")
	}
}

// --durations takes the time of the tests the earlier run ran: one it filtered out
// (duration 0 there) says nothing of its file's length.
func TestDurationsOfTestsRun(t *testing.T) {
	crud := filepath.Join(testcorpus.Shared(t), "source/crud/tests/unified/find.json")
	p := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := runArgs(t, "--json", p, "--run", "^crud/unified/find/Find with filter$", crud)
	require.Equal(t, exitOK, code, stdout+stderr)
	got, err := (&runOptions{durationsPath: p}).durations()
	require.NoError(t, err)
	assert.Contains(t, got, "crud/unified/find/Find with filter")
	assert.Len(t, got, 1, "the filtered-out tests of find.json are not known: %v", got)
}
