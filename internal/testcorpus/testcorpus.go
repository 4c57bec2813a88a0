// Package testcorpus finds the shared upstream corpus for specrun's own tests.
package testcorpus

import (
	"os"
	"path/filepath"
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
