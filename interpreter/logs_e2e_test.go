package interpreter_test

import (
	"testing"

	"github.com/specrun/specrun/interpreter"
	"github.com/specrun/specrun/result"
)

// TestLogDocumentsWhole runs testdata/interpreter/log-documents.json: a command and a
// reply longer than the driver's default maximum document length (1000) must reach
// $$matchAsDocument whole. Truncation is the logging spec's, checked by prose tests; a
// truncated document is no Extended JSON and cannot be matched, which failed a
// replica set's hello reply (SecantusDB's, as a real mongod's would) in
// command-logging-and-monitoring/logging/redacted-commands.
func TestLogDocumentsWhole(t *testing.T) {
	r := newRunner(t, interpreter.Config{})
	for _, res := range runFile(t, r, loadFixture(t, "log-documents.json")) {
		check(t, res, want{status: result.Pass})
	}
}
