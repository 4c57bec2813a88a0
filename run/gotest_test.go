package run_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/specrun/specrun/embedded"
	"github.com/specrun/specrun/run"
)

// TestGoTestAsAUser is the go test entry point as README's "From go test" has a
// project use it: the embedded server, a spec name found in a corpus, and the
// project's expectations file, by which the one test the server fails is known
// (skipped with the entry's reason): the whole passes.
func TestGoTestAsAUser(t *testing.T) {
	if os.Getenv("SPECRUN_RUN_TESTS_HELPER") != "" {
		t.Skip("not in the subprocesses of TestTests")
	}
	expect := filepath.Join(t.TempDir(), "expect.yml")
	err := os.WriteFile(expect, []byte(`tests:
  - id: "gotest/go-test/a failing test"
    status: fail
    reason: "the fixture expects x: 12 where the data has 11, on purpose"
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}

	srv, err := embedded.Start(context.Background(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	run.TestsWith(t, run.Target{URI: srv.URI(), Own: true},
		run.TestOptions{Expect: expect, Corpus: filepath.Join("..", "testdata", "run")},
		"gotest")
}
