package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/internal/golden"
	"github.com/specrun/specrun/internal/testcorpus"
	"github.com/specrun/specrun/specifications"
)

// TestSpecNameSaysWhichCorpus: from an empty folder with no $SPECRUN_CORPUS and no
// fetched corpus, a spec name resolves in the Go driver 1.x module's test data in the
// module cache (before the Debian package), and the command says so in one line.
func TestSpecNameSaysWhichCorpus(t *testing.T) {
	modCorpus, shared := testcorpus.GoModule(t), testcorpus.Shared(t)
	t.Chdir(t.TempDir())
	t.Setenv("SPECRUN_CORPUS", "")
	testcorpus.UserCache(t)
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

// fakeCorpora lays out, under dir, a fetched corpus, a Go module cache and a Debian
// location, each with a few fixtures, and gives the locations that find them.
func fakeCorpora(t *testing.T, dir string) func(string) specifications.Locations {
	t.Helper()
	fetched := filepath.Join(dir, "cache", "specrun", "specifications")
	root := filepath.Join(fetched, fetchedCommit)
	for name, text := range map[string]string{
		root + "/source/crud/tests/unified/find.json":                                     `{"description": "find", "schemaVersion": "1.0", "tests": []}`,
		root + "/source/crud/tests/unified/find.yml":                                      "schemaVersion: '1.0'\n",
		root + "/source/sessions/tests/snapshot.json":                                     `{"description": "s", "schemaVersion": "1.28", "tests": []}`,
		root + "/PROVENANCE.md":                                                           "commit " + fetchedCommit + "\n",
		dir + "/mod/go.mongodb.org/mongo-driver@v1.17.3/testdata/crud/v1/read/count.json": `{"data": [], "tests": []}`,
		dir + "/mod/go.mongodb.org/mongo-driver@v1.17.3/testdata/crud/unified/a.json":     `{"schemaVersion": "1.4"}`,
		dir + "/debian/crud/v1/read/count.json":                                           `{"data": [], "tests": []}`,
	} {
		require.NoError(t, os.MkdirAll(filepath.Dir(name), 0o755))
		require.NoError(t, os.WriteFile(name, []byte(text), 0o644))
	}
	rec, err := json.Marshal(specifications.FetchRecord{Repository: "mongodb/specifications", Ref: "master", Commit: fetchedCommit,
		URL: "http://127.0.0.1:1/specifications.tar.gz", Size: 1234, SHA256: strings.Repeat("ab", 32), Files: 3,
		CommitTime: time.Date(2026, 8, 13, 10, 0, 0, 0, time.UTC), Fetched: time.Date(2026, 8, 14, 9, 30, 0, 0, time.UTC),
		Checksum: "http://127.0.0.1:1/specifications.tar.gz.sha256"})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(root, specifications.FetchRecordName), rec, 0o644))
	return func(flag string) specifications.Locations {
		return specifications.Locations{Flag: flag, Fetched: fetched, ModCache: filepath.Join(dir, "mod"),
			GoDriverVersion: "v1.17.3", Debian: filepath.Join(dir, "debian")}
	}
}

const fetchedCommit = "92b3c0b9287bfba1b0ec4084300858d05c654f8c"

// TestGoldenCorpusList: specrun corpus list's output, every kind of corpus, and where
// spec names resolve (testdata/golden/specrun/corpus-list*.txt).
func TestGoldenCorpusList(t *testing.T) {
	for _, inv := range []struct {
		name string
		args []string
	}{
		{"corpus-list.txt", nil},
		{"corpus-list-specs.txt", []string{"crud/unified", "crud/v1", "nosuchspec"}},
		{"corpus-list-flag.txt", []string{"--corpus", "$TMP/debian", "crud/v1"}},
	} {
		t.Run(inv.name, func(t *testing.T) {
			tmp := t.TempDir()
			locate := fakeCorpora(t, tmp)
			var args []string
			for _, a := range inv.args {
				args = append(args, strings.ReplaceAll(a, "$TMP", tmp))
			}
			var stdout, stderr bytes.Buffer
			code := corpusList(args, locate, &stdout, &stderr)
			var b strings.Builder
			fmt.Fprintf(&b, "$ %s\nexit status %d\n", strings.Join(append([]string{"specrun", "corpus", "list"}, inv.args...), " "), code)
			section(&b, "stdout", strings.ReplaceAll(stdout.String(), tmp, "$TMP"))
			section(&b, "stderr", strings.ReplaceAll(stderr.String(), tmp, "$TMP"))
			golden.Check(t, filepath.Join(goldenDir, inv.name), []byte(b.String()), *update, "go test ./cmd/specrun -run TestGolden")
		})
	}
}

// TestCorpusGetThenList: as the acceptance: corpus get --from a loopback URL,
// then corpus list shows the fetched corpus first, in the user cache, and spec names
// resolve in it.
func TestCorpusGetThenList(t *testing.T) {
	cache := testcorpus.UserCache(t)
	t.Setenv("SPECRUN_CORPUS", "")
	t.Chdir(t.TempDir())
	top := "specifications-" + fetchedCommit
	data := gzipTar(t, map[string]string{
		top + "/source/crud/tests/unified/find.json": `{"description": "find", "schemaVersion": "1.0", "tests": [{"description": "t", "operations": []}]}`,
		top + "/source/crud/crud.md":                 "# CRUD",
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/s.tar.gz" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
	}))
	defer srv.Close()

	code, out, stderr := runSpecrun("corpus", "get", "--from", srv.URL+"/s.tar.gz", "master")
	require.Equal(t, exitOK, code, stderr)
	root := filepath.Join(cache, "specrun", "specifications", fetchedCommit)
	assert.Equal(t, "specrun corpus get: mongodb/specifications "+fetchedCommit+" (master): 1 file extracted in "+root+"\n"+
		"specrun corpus get: from "+srv.URL+"/s.tar.gz: "+fmt.Sprint(len(data))+" bytes, sha256 "+sha256Hex(data)+"\n", out)

	code, out, _ = runSpecrun("corpus", "list", "crud")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "\n1. specrun corpus get\n   version: mongodb/specifications "+fetchedCommit+" (master)\n   root:    "+root+"\n")
	assert.Contains(t, out, "\n2. Go module cache\n")
	assert.Contains(t, out, "crud: resolves in 1 (specrun corpus get): "+root+"/source/crud/tests\n")

	code, out, stderr = runSpecrun("check", "crud")
	assert.Equal(t, exitOK, code, out)
	assert.Equal(t, "specrun check: corpus: specrun corpus get, mongodb/specifications "+fetchedCommit+" (master), "+root+"\n", stderr)

	code, out, _ = runSpecrun("corpus", "get", fetchedCommit)
	assert.Equal(t, exitOK, code, "fetched before: no download (GitHub is out of reach here)")
	assert.Contains(t, out, "was fetched before")
}

func gzipTar(t *testing.T, files map[string]string) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(files[name])), Typeflag: tar.TypeReg}))
		_, err := tw.Write([]byte(files[name]))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	return buf.Bytes()
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
