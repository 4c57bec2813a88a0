// Package testcorpus finds the corpora specrun's own tests run: the shared upstream
// corpus, the Debian package's Go driver 1.x corpus and the Go driver 1.x module's
// test data in the Go module cache.
package testcorpus

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// Shared is the upstream corpus beside the project (../shared/specifications, found
// from the module root whatever the package's depth), or $SPECRUN_SHARED_CORPUS. The
// tests that need it fail without it: a missing corpus must not pass as a skip.
func Shared(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("SPECRUN_SHARED_CORPUS")
	if dir == "" {
		dir = filepath.Join(moduleRoot(t), "..", "shared", "specifications")
	}
	if info, err := os.Stat(filepath.Join(dir, "source")); err != nil || !info.IsDir() {
		t.Fatalf("the shared corpus is not at %s (set SPECRUN_SHARED_CORPUS)", dir)
	}
	return dir
}

// Debian is the Go driver 1.x corpus of the Debian package golang-mongodb-mongo-driver-dev
// (which .ci/run installs), or $SPECRUN_DEBIAN_CORPUS. Like Shared, it fails without it.
func Debian(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("SPECRUN_DEBIAN_CORPUS")
	if dir == "" {
		dir = debianCorpus
	}
	if info, err := os.Stat(filepath.Join(dir, "crud")); err != nil || !info.IsDir() {
		t.Fatalf("the Debian corpus is not at %s (apt-get install golang-mongodb-mongo-driver-dev, or set SPECRUN_DEBIAN_CORPUS)", dir)
	}
	return dir
}

// debianCorpus is specifications.DebianCorpus, which this package cannot import: the
// specifications tests use it.
const debianCorpus = "/usr/share/gocode/src/go.mongodb.org/mongo-driver/data"

// GoModule is the test data of the Go driver 1.x module (go.mongodb.org/mongo-driver,
// in the module graph through FerretDB) in the Go module cache, at the version go.mod
// pins: what every build of specrun downloads. Like Shared, it fails without it (go
// mod download brings it).
func GoModule(t testing.TB) string {
	t.Helper()
	root := moduleRoot(t)
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := goDriverRE.FindSubmatch(gomod)
	if m == nil {
		t.Fatal("go.mod does not require go.mongodb.org/mongo-driver")
	}
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOMODCACHE: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "go.mongodb.org", "mongo-driver@"+string(m[1]), "testdata")
	if info, err := os.Stat(filepath.Join(dir, "crud")); err != nil || !info.IsDir() {
		t.Fatalf("the Go driver 1.x module's test data is not at %s (go mod download)", dir)
	}
	return dir
}

var goDriverRE = regexp.MustCompile(`(?m)^\s*go\.mongodb\.org/mongo-driver (v1\.[^\s]+)`)

func moduleRoot(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// SecantusVersion is the SecantusDB (PyPI secantusdb) whose verdicts
// testdata/expect/secantusdb-<version>.yml records; .ci/run reads it here and installs it.
const SecantusVersion = "0.7.0b3"

// SecantusPython is the Python of the project's virtual environment, .venv in the
// module root, where .ci/run installs secantusdb, or $SPECRUN_SECANTUS_PYTHON. Without
// the default one the test skips, saying how to install it; a Python named by
// $SPECRUN_SECANTUS_PYTHON (as .ci/run sets it) must exist, so CI never skips.
func SecantusPython(t testing.TB) string {
	t.Helper()
	python := os.Getenv("SPECRUN_SECANTUS_PYTHON")
	if python != "" {
		if _, err := os.Stat(python); err != nil {
			t.Fatalf("SPECRUN_SECANTUS_PYTHON: %v", err)
		}
		return python
	}
	python = filepath.Join(moduleRoot(t), ".venv", "bin", "python")
	if _, err := os.Stat(python); err != nil {
		t.Skipf("no SecantusDB: %s is missing (python3 -m venv .venv && .venv/bin/pip install --pre secantusdb==%s, as .ci/run does, or set SPECRUN_SECANTUS_PYTHON)", python, SecantusVersion)
	}
	return python
}

// UserCache gives the test a user cache folder of its own, on every system: where
// os.UserCacheDir looks ($XDG_CACHE_HOME on Linux and BSDs, $HOME/Library/Caches on
// macOS, %LocalAppData% on Windows), so that nothing is read from or written to the
// user's real cache (specrun corpus get's corpora). It returns os.UserCacheDir's
// answer.
func UserCache(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	switch runtime.GOOS {
	case "darwin", "ios":
		t.Setenv("HOME", dir)
	case "windows":
		t.Setenv("LocalAppData", dir)
	case "plan9":
		t.Setenv("home", dir)
	default:
		t.Setenv("XDG_CACHE_HOME", dir)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	return cache
}
