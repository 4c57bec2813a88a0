package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/specrun/specrun/internal/testcorpus"
)

// TestSpecNameSaysWhichCorpus: from an empty folder with no $SPECRUN_CORPUS and no
// fetched corpus, a spec name resolves in the Go driver 1.x module's test data in the
// module cache (before the Debian package), and the command says so in one line.
func TestSpecNameSaysWhichCorpus(t *testing.T) {
	modCorpus, shared := testcorpus.GoModule(t), testcorpus.Shared(t)
	t.Chdir(t.TempDir())
	t.Setenv("SPECRUN_CORPUS", "")
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	code, out, stderr := runSpecrun("check", "crud/v1/read")
	assert.Equal(t, exitOK, code, out)
	assert.Equal(t, "specrun check: corpus: Go module cache, go.mongodb.org/mongo-driver v1.17.3, "+modCorpus+"\n", stderr)

	code, _, stderr = runSpecrun("check", modCorpus+"/crud/v1/read")
	assert.Equal(t, exitOK, code)
	assert.Empty(t, stderr, "a path names its corpus itself")

	code, _, stderr = runSpecrun("check", "--corpus", shared, "convenient-transactions")
	assert.Equal(t, exitUsage, code)
	assert.True(t, strings.HasPrefix(stderr, "specrun check: convenient-transactions: no such file or folder, nor a spec of that name in "), stderr)
	assert.Contains(t, stderr, "; another corpus has it (Go module cache: --corpus "+modCorpus)
}

// TestCheckGoModuleCorpus: specrun check of the Go driver 1.x module's test data
// rejects only the 7 files the spec says are invalid (specifications'
// TestGoModuleCorpusLoads names each, with why).
func TestCheckGoModuleCorpus(t *testing.T) {
	code, out, _ := runSpecrun("check", testcorpus.GoModule(t))
	assert.Equal(t, exitFail, code)
	assert.True(t, strings.HasSuffix(out, "\n1000 files: 531 loaded (2279 tests), 462 other format, 7 rejected, 12 unsupported\n"), out)
}
