package interpreter_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/specrun/specrun/embedded"
	"github.com/specrun/specrun/interpreter"
	"github.com/specrun/specrun/result"
	"github.com/specrun/specrun/specifications"
)

// The end-to-end tests run small fixtures (testdata/interpreter) against one embedded
// server per test binary.

var serverURI string

func TestMain(m *testing.M) {
	srv, err := embedded.Start(context.Background(), embedded.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	serverURI = srv.URI()
	code := m.Run()
	// Every client of the tests must be gone: a runner or test that leaks one makes the
	// server's Close wait 3 s for it.
	if n, err := connectedClients(srv.Addr()); err == nil && n > 0 {
		fmt.Fprintf(os.Stderr, "%d connections to the embedded server are still open after the tests\n", n)
		code = 1
	}
	if err := srv.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	os.Exit(code)
}

// connectedClients counts the server's established TCP connections (Linux only: it
// reads /proc/net/tcp; elsewhere it returns an error).
func connectedClients(addr string) (int, error) {
	_, port, err := splitPort(addr)
	if err != nil {
		return 0, err
	}
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		// sl local_address rem_address st …; addresses are HEXIP:HEXPORT, 01 is ESTABLISHED.
		if len(fields) < 4 || fields[3] != "01" {
			continue
		}
		_, local, ok := strings.Cut(fields[1], ":")
		if p, err := strconv.ParseUint(local, 16, 16); ok && err == nil && int(p) == port {
			n++
		}
	}
	return n, sc.Err()
}

func splitPort(addr string) (string, int, error) {
	i := strings.LastIndex(addr, ":")
	if i < 0 {
		return "", 0, fmt.Errorf("no port in %q", addr)
	}
	port, err := strconv.Atoi(addr[i+1:])
	return addr[:i], port, err
}

func fixture(name string) string { return filepath.Join("..", "testdata", "interpreter", name) }

// loadFixture loads one file of testdata/interpreter as specrun would find it.
func loadFixture(t *testing.T, name string) *specifications.File {
	t.Helper()
	sources, err := specifications.Discover([]string{fixture(name)})
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) != 1 {
		t.Fatalf("%s: %d sources", name, len(sources))
	}
	lr := specifications.Load(sources[0], false)
	if lr.Kind != specifications.Loaded {
		t.Fatalf("%s: not loaded: %v", name, lr.Err)
	}
	return lr.File
}

func newRunner(t *testing.T, cfg interpreter.Config) *interpreter.Runner {
	t.Helper()
	if cfg.URI == "" {
		cfg.URI = serverURI
	}
	r, err := interpreter.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	})
	return r
}

// runFile runs every test of a file and checks that each result names its test.
func runFile(t *testing.T, r *interpreter.Runner, f *specifications.File) []result.Test {
	t.Helper()
	var results []result.Test
	for i, want := range f.Tests {
		res := r.RunTest(context.Background(), f, i)
		if res.Description != want.Description || res.ID != f.ID+"/"+want.Description || res.FileID != f.ID || res.File != f.Path {
			t.Errorf("result %d is %q (%s, %s, %s), want test %q of %s", i, res.Description, res.ID, res.FileID, res.File, want.Description, f.Path)
		}
		results = append(results, res)
	}
	return results
}

type want struct {
	status result.Status
	reason string   // the whole reason; "" for pass
	detail []string // parts of the detail
}

// checkAll checks each result against the case of its description: one case per test,
// no more, no fewer.
func checkAll(t *testing.T, results []result.Test, cases map[string]want) {
	t.Helper()
	if len(cases) != len(results) {
		t.Errorf("%d cases for %d tests", len(cases), len(results))
	}
	for _, res := range results {
		t.Run(res.Description, func(t *testing.T) {
			w, ok := cases[res.Description]
			if !ok {
				t.Fatalf("no case for %q", res.Description)
			}
			check(t, res, w)
		})
	}
}

func check(t *testing.T, res result.Test, w want) {
	t.Helper()
	if res.Status != w.status || res.Reason != w.reason {
		t.Errorf("%s: %s %q\n want %s %q\ndetail:\n%s", res.Description, res.Status, res.Reason, w.status, w.reason, res.Detail)
		return
	}
	for _, d := range w.detail {
		if !strings.Contains(res.Detail, d) {
			t.Errorf("%s: detail lacks %s:\n%s", res.Description, d, res.Detail)
		}
	}
}

func TestRunFile(t *testing.T) {
	r := newRunner(t, interpreter.Config{})
	f := loadFixture(t, "crud.json")
	results := runFile(t, r, f)
	cases := map[string]want{
		"insert and find": {status: result.Pass},
		"expectResult differs at a nested key": {result.Fail, "operation 0 (find): expectResult: 1.a.b: expected int32 3, got int32 2", []string{
			"operation find on collection0, arguments {\"filter\":{},\"sort\":{\"_id\":1}}",
			`expected: [{"_id":1,"x":11,"a":{"b":1}},{"_id":2,"x":22,"a":{"b":3}}]`,
			`actual:   [{"_id":1,"x":11,"a":{"b":1}},{"_id":2,"x":22,"a":{"b":2}}]`,
			// the last command and reply of the client
			`last command of client0: {"find":"coll0","filter":{},"sort":{"_id":1},"lsid":`,
			`reply: {"cursor":{"firstBatch":[{"_id":1,"x":11,"a":{"b":1}},{"_id":2,"x":22,"a":{"b":2}}],"id":0`,
		}},
		"expectEvents command differs": {result.Fail, "expectEvents[0] (client0): event 1: command: filter._id: expected int32 3, got int32 2", []string{
			`expected: {"find":"coll0","filter":{"_id":3}}`,
			`actual:   {"find":"coll0","filter":{"_id":2},"lsid":`,
			"observed: [commandStarted(find), commandStarted(find)]",
		}},
		"expectEvents count differs": {result.Fail, "expectEvents[0] (client0): expected 2 events, observed 1", []string{
			"expected: [commandStarted(find), commandStarted(find)]", "observed: [commandStarted(find)]",
		}},
		"unexpected write error": {result.Fail, "operation 0 (insertOne): unexpected error: write error 11000 at index 0: E11000 duplicate key error collection: interpreter_tests.coll0", []string{
			`last command of client0: {"insert":"coll0",`,
			`reply: {"n":0,"writeErrors":[{"index":0,"code":11000,`,
		}},
		"unexpected command error": {result.Fail, "operation 0 (runCommand): unexpected error: server error 59 (CommandNotFound): no such command: 'frobnicate'", []string{
			`last command of client0: {"frobnicate":1,`, "failed: (CommandNotFound) no such command: 'frobnicate'",
		}},
		"expectError holds": {status: result.Pass},
		"expectError with another code": {result.Fail, "operation 0 (insertOne): expected server error code 11001, got: write error 11000 at index 0: E11000 duplicate key error collection: interpreter_tests.coll0", []string{
			"error: write error 11000 at index 0", `reply: {"n":0,"writeErrors":`,
		}},
		"expectError but no error": {result.Fail, "operation 0 (insertOne): expected an error, got none", []string{`result: {"insertedId":5}`}},
		"outcome differs": {result.Fail, "outcome[0] interpreter_tests.coll0: 2.x: expected int32 34, got int32 33", []string{
			`expected documents: [{"_id":1,"x":11,"a":{"b":1}},{"_id":2,"x":22,"a":{"b":2}},{"_id":3,"x":34}]`,
			`actual documents:   [{"_id":1,"x":11,"a":{"b":1}},{"_id":2,"x":22,"a":{"b":2}},{"_id":3,"x":33}]`,
		}},
		"failPoint":         {result.Unsupported, "operation 0 (failPoint): the server has no configureFailPoint command", nil},
		"unknown operation": {result.Error, "operation 0 (frobnicate): specrun cannot run operation frobnicate on a collection", nil},
		"unknown argument":  {result.Error, `operation 0 (find): unsupported argument "frobnicate"`, nil},
		"skipReason":        {result.Skip, "skipReason: not today", nil},
		"runOnRequirements not met": {result.Skip, "none of the runOnRequirements is met: needs server version >= 99.0, server is " +
			r.Probe().Version + "; needs topology sharded, server is single", nil},
		"saveResultAsEntity and matchesEntity": {status: result.Pass},
		"matchesEntity differs": {result.Fail, "operation 2 (countDocuments): expectResult: expected int64 2, got int64 3", []string{
			`expected: {"$$matchesEntity":"count0"}`,
		}},
		"find cursor": {status: result.Pass},
		"count, sent as a command, reads with the read concern its collection inherits": {status: result.Pass},
	}
	checkAll(t, results, cases)
}

func TestRunFileLevel(t *testing.T) {
	r := newRunner(t, interpreter.Config{})
	reason := fmt.Sprintf("schema version 1.99 is not supported: specrun runs 1.0 to %s", specifications.SupportedSchemaVersion)
	for _, res := range runFile(t, r, loadFixture(t, "schema-unsupported.json")) {
		check(t, res, want{result.Error, reason, nil})
	}
	for _, res := range runFile(t, r, loadFixture(t, "file-requirements.json")) {
		check(t, res, want{result.Skip, "needs topology sharded or load-balanced, server is single", nil})
	}
}

// A test still running at its time limit fails as timed out, and the run goes on.
func TestRunTimeout(t *testing.T) {
	f := loadFixture(t, "timeout.json")
	r := newRunner(t, interpreter.Config{Timeout: time.Nanosecond})
	results := runFile(t, r, f)
	for i, res := range results {
		switch i {
		case 1:
			check(t, res, want{result.Skip, "skipReason: on purpose", nil})
		default:
			if res.Status != result.Fail || !strings.HasPrefix(res.Reason, "timed out after 1ns") {
				t.Errorf("%s: %s %q, want fail, timed out", res.Description, res.Status, res.Reason)
			}
		}
	}
	// The same tests pass with time to run: the timeouts left nothing behind.
	for _, res := range runFile(t, newRunner(t, interpreter.Config{}), f) {
		if res.Status != result.Pass && res.Status != result.Skip {
			t.Errorf("%s: %s %s\n%s", res.Description, res.Status, res.Reason, res.Detail)
		}
	}
}

// TestProbeCapabilities: the embedded FerretDB is a standalone with neither fail points,
// transactions nor change streams, and the report names each capability.
func TestProbeCapabilities(t *testing.T) {
	r := newRunner(t, interpreter.Config{})
	want := map[string]bool{"failPoints": false, "killAllSessions": r.Probe().KillAllSessions, "transactions": false, "changeStreams": false}
	if got := r.Probe().Capabilities(); !reflect.DeepEqual(got, want) {
		t.Errorf("capabilities %v, want %v", got, want)
	}
}

// TestCrashBarrier: a panic of specrun's own code ends the test as an error, with the
// stack in the detail, and the runner goes on.
func TestCrashBarrier(t *testing.T) {
	r := newRunner(t, interpreter.Config{})
	status, reason, detail := interpreter.RunNothing(r)
	if status != result.Error || !strings.HasPrefix(reason, "specrun internal error (a bug; please report it): runtime error") ||
		!strings.Contains(detail, "goroutine") {
		t.Errorf("%s %q\n%s", status, reason, detail)
	}
	f := loadFixture(t, "crud.json")
	if res := r.RunTest(context.Background(), f, 0); res.Status != result.Pass {
		t.Errorf("the next test: %s %s", res.Status, res.Reason)
	}
}
