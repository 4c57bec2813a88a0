package run

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/embedded"
)

// TestTestsExpectHelper is TestsWith with an expectations file that is wrong about
// two tests and names one that does not exist; it runs only in the test binary that
// TestTestsExpect starts.
func TestTestsExpectHelper(t *testing.T) {
	if os.Getenv(envHelper) == "" {
		t.Skip("runs only in the subprocess of TestTestsExpect")
	}
	testsWithExpect(t, `tests:
  - id: "gotest/go-test/a passing test"
    status: fail
    reason: "no find yet"
  - id: "gotest/go-test/a skipped test"
    status: skip
    reason: "skipped on purpose"
  - prefix: "gone/"
    status: fail
    reason: "a spec renamed since"
`)
}

// TestTestsExpect: with an expectations file, a test that ends as its entry says is
// skipped with the entry's reason, a regression and an unexpected pass fail, each
// message starting with the place in the fixture (file:line), and a stale entry is
// logged.
func TestTestsExpect(t *testing.T) {
	const prefix = "TestTestsExpectHelper/gotest/go-test/"
	out, code := runHelper(t, "^TestTestsExpectHelper$")
	assert.Equal(t, 1, code, out)
	file := filepath.Join(fixture("gotest"), "go-test.json")
	for _, s := range []string{
		"--- FAIL: " + prefix + "a_passing_test ",
		file + ":13: tests.0: unexpected pass: ",
		`expect.yml:2 (id "gotest/go-test/a passing test") expects fail; remove it`,
		"--- FAIL: " + prefix + "a_failing_test ",
		file + ":22: tests.1.operations.0: fail: operation 0 (find): expectResult: 0.x: expected int32 12, got int32 11",
		"--- SKIP: " + prefix + "a_skipped_test ",
		`expected skip (`, `expect.yml:5, id "gotest/go-test/a skipped test"): skipped on purpose`,
		`specrun: stale: `, `expect.yml:8: prefix "gone/" (fail) decides no test; remove it`,
	} {
		assert.Contains(t, out, s)
	}
}

// TestTestsExpectPassHelper is TestsWith with an expectations file right about every
// test, one of them an entry that expects a pass; it runs only in the test binary that
// TestTestsExpectPass starts.
func TestTestsExpectPassHelper(t *testing.T) {
	if os.Getenv(envHelper) == "" {
		t.Skip("runs only in the subprocess of TestTestsExpectPass")
	}
	testsWithExpect(t, `tests:
  - id: "gotest/go-test/a passing test"
    status: pass
    reason: "passes since the server has find"
  - id: "gotest/go-test/a failing test"
    status: fail
    reason: "x: 12 on purpose"
`)
}

// TestTestsExpectPass: a test that passes as an entry expects is a passing go test,
// not a skipped one; the failure an entry expects is skipped.
func TestTestsExpectPass(t *testing.T) {
	const prefix = "TestTestsExpectPassHelper/gotest/go-test/"
	out, code := runHelper(t, "^TestTestsExpectPassHelper$")
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "--- PASS: "+prefix+"a_passing_test ")
	assert.Contains(t, out, "--- SKIP: "+prefix+"a_failing_test ")
}

// testsWithExpect runs TestsWith on the gotest fixture against an embedded server, with
// an expectations file of this text.
func testsWithExpect(t *testing.T, expectations string) {
	expect := filepath.Join(t.TempDir(), "expect.yml")
	require.NoError(t, os.WriteFile(expect, []byte(expectations), 0o644))
	srv, err := embedded.Start(context.Background(), embedded.Options{})
	require.NoError(t, err)
	defer srv.Close()
	TestsWith(t, Target{URI: srv.URI()}, TestOptions{Expect: expect}, fixture("gotest"))
}
