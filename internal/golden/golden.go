// Package golden compares what specrun's tests produce with golden files: outputs a
// user reads (reports, diffs, help texts, check listings), checked in byte for byte
// under testdata/golden, so that any change to them shows up as a diff in review.
package golden

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/pmezard/go-difflib/difflib"
)

// Check compares got with the golden file at path. With update set it writes got to
// path instead (creating the folder) and the test passes: read the diff of the golden
// files before committing them. On a mismatch, or when the file is missing, the test
// fails with a line diff and says how to rewrite the file: updateCmd, a go test
// command line without -update.
func Check(t testing.TB, path string, got []byte, update bool, updateCmd string) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
		return
	}
	how := "if the new output is right, rewrite the golden files with\n\t" + updateCmd +
		" -update\nand read their diff before committing it"
	want, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("golden file %s does not exist; %s", path, how)
	}
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(want, got) {
		return
	}
	// A unified line diff, not both outputs in full: a report is hundreds of lines.
	diff, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(string(want)), B: difflib.SplitLines(string(got)),
		FromFile: path, ToFile: "this run", Context: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff == "" {
		diff = "(the lines are the same; the bytes differ, e.g. a final newline)\n"
	}
	t.Errorf("output differs from the golden file %s:\n%s%s", path, diff, how)
}
