package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/internal/testcorpus"
	"github.com/specrun/specrun/run"
)

func runArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runTests(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRunFilterAndReport(t *testing.T) {
	file := filepath.Join(testcorpus.Shared(t), "source/crud/tests/unified/find.json")
	reportPath := filepath.Join(t.TempDir(), "r.json")
	// Flags after the path work too.
	code, stdout, stderr := runArgs(t, file, "--run", "Find with filter$", "--json", reportPath)
	assert.Equal(t, exitOK, code, stdout+stderr)
	assert.Contains(t, stderr, "embedded FerretDB 1.24.2", "says which server it started, in one line")
	assert.Contains(t, stdout, "5 tests: 1 pass, 0 fail, 4 skip (4 filtered out), 0 unsupported, 0 error", "the reports' counts")

	var rep struct {
		Server struct {
			Name     string
			URI      string
			Embedded bool
		}
		Summary map[string]int
		Tests   []struct{ ID, Status, Reason string }
	}
	data, err := os.ReadFile(reportPath)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &rep))
	assert.True(t, rep.Server.Embedded)
	assert.Equal(t, "FerretDB 1.24.2", rep.Server.Name, "the embedded server names itself")
	assert.Equal(t, 1, rep.Summary["pass"])
	assert.Equal(t, map[string]int{"total": 5, "pass": 1, "fail": 0, "skip": 4, "unsupported": 0, "error": 0}, rep.Summary, "the terminal's counts")
	for _, tt := range rep.Tests {
		if tt.ID == "crud/unified/find/Find with filter" {
			assert.Equal(t, "pass", tt.Status)
		} else {
			assert.Equal(t, "skip", tt.Status, tt.ID)
			assert.Equal(t, run.FilteredOut, tt.Reason)
		}
	}
}

// TestRunServerName: --server-name is the product's name in the JSON report and the
// Markdown header, over the embedded server's own.
func TestRunServerName(t *testing.T) {
	file := filepath.Join(testcorpus.Shared(t), "source/crud/tests/unified/find.json")
	dir := t.TempDir()
	code, stdout, stderr := runArgs(t, file, "--run", "Find with filter$", "--server-name", "ExampleDB 2.1",
		"--json", filepath.Join(dir, "r.json"), "--markdown", filepath.Join(dir, "r.md"))
	require.Equal(t, exitOK, code, stdout+stderr)
	var rep struct{ Server struct{ Name string } }
	data, err := os.ReadFile(filepath.Join(dir, "r.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &rep))
	assert.Equal(t, "ExampleDB 2.1", rep.Server.Name)
	md, err := os.ReadFile(filepath.Join(dir, "r.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "- **Server:** ExampleDB 2.1 (version 7.0.42, single")
}

func TestRunPrintsFailures(t *testing.T) {
	file := filepath.Join(testcorpus.Shared(t), "source/crud/tests/unified/bulkWrite.json")
	code, stdout, _ := runArgs(t, "--run", "BulkWrite with updateOne operations$", file)
	assert.Equal(t, exitFail, code)
	// FerretDB 1.24.2 reports the upsert of the fourth update at index 0.
	assert.Contains(t, stdout, "FAIL crud/unified/bulkWrite/BulkWrite with updateOne operations\n"+
		"    operation 0 (bulkWrite): expectResult: upsertedIds.3: expected int32 3, got missing\n")
	assert.Contains(t, stdout, `    reply: {"n":3,"upserted":[{"index":0,"_id":3}]`, "the last reply of the client is shown")
}

func TestRunExitCodes(t *testing.T) {
	file := filepath.Join(testcorpus.Shared(t), "source/crud/tests/unified/find.json")
	code, _, stderr := runArgs(t, "--uri", "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=200", file)
	assert.Equal(t, exitUnreachable, code, stderr)
	assert.Contains(t, stderr, "server unreachable")

	for _, args := range [][]string{{}, {"--run", "(", file}, {"--timeout", "soon", file}, {"no-such-spec-anywhere"}} {
		code, _, stderr := runArgs(t, args...)
		assert.Equal(t, exitUsage, code, "%v", args)
		assert.NotEmpty(t, strings.TrimSpace(stderr), "%v says why", args)
	}
}

// Both corpora hold the same spec files under the same IDs: running both at once says so.
func TestRunNotesSharedIDs(t *testing.T) {
	shared := filepath.Join(testcorpus.Shared(t), "source/crud/tests/v1/read/count.json")
	debian := filepath.Join(testcorpus.Debian(t), "crud/v1/read/count.json")
	_, _, stderr := runArgs(t, "--run", "Estimated", shared, debian)
	assert.Contains(t, stderr, "specrun: note: 1 file has the ID of another file given (crud/v1/read/count: "+shared+" and "+debian+")")
	_, _, stderr = runArgs(t, "--run", "Estimated", shared)
	assert.NotContains(t, stderr, "note:")
}
