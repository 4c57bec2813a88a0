package main

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/report"
	"github.com/specrun/specrun/result"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

// dirNames lists a folder's entries.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileIsAtomicAndKeepsTheMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "expect.yml")
	require.NoError(t, os.WriteFile(path, []byte("old\n"), 0o640))
	require.NoError(t, os.Chmod(path, 0o640))

	err := writeFile(path, func(w io.Writer) error {
		_, _ = io.WriteString(w, strings.Repeat("partial\n", 10000))
		return errors.New("disk full")
	})
	assert.EqualError(t, err, "cannot write "+path+": disk full (it is unchanged)")
	data, _ := os.ReadFile(path)
	assert.Equal(t, "old\n", string(data), "a failed write leaves the file as it was")
	assert.Equal(t, []string{"expect.yml"}, dirNames(t, dir), "and no temporary file")

	require.NoError(t, writeFile(path, writeString("new\n")))
	data, _ = os.ReadFile(path)
	assert.Equal(t, "new\n", string(data))
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), st.Mode().Perm(), "the file's mode is kept")

	link := filepath.Join(dir, "link.yml")
	require.NoError(t, os.Symlink("expect.yml", link))
	require.NoError(t, writeFile(link, writeString("through the link\n")))
	data, _ = os.ReadFile(path)
	assert.Equal(t, "through the link\n", string(data), "a symbolic link is written through")
	lst, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, lst.Mode()&os.ModeSymlink, "and stays a link")
}

// TestFullDiskLeavesTheExpectationsFile fills a small tmpfs (root only, where mount
// works): --update-expect's write fails with the OS's reason, the file keeps its old
// content and the folder holds no temporary file.
func TestFullDiskLeavesTheExpectationsFile(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", dir).Run() })
	path := filepath.Join(dir, "expect.yml")
	old := "tests:\n  - id: a/b/c\n    status: fail\n    reason: known\n"
	require.NoError(t, os.WriteFile(path, []byte(old), 0o644))
	u := &expectationsUpdate{path: path}
	err := writeFile(u.path, writeString(strings.Repeat("x", 64<<10)))
	require.Error(t, err)
	assert.Equal(t, "cannot write "+path+": no space left on device (it is unchanged)", err.Error())
	data, _ := os.ReadFile(path)
	assert.Equal(t, old, string(data))
	assert.Equal(t, []string{"expect.yml"}, dirNames(t, dir))
}

// TestOutputPathsCheckedBeforeTheRun: a report or --update-expect that cannot be
// written, or that would overwrite an input or another output, is a usage error
// before anything runs (no server is started, no test judged).
func TestOutputPathsCheckedBeforeTheRun(t *testing.T) {
	dir := t.TempDir()
	fixture := filepath.Join(dir, "fixtures", "d.json")
	require.NoError(t, os.MkdirAll(filepath.Dir(fixture), 0o755))
	data, err := os.ReadFile(gateDir + "/d.json")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(fixture, data, 0o644))
	expect := writeExpect(t, "tests: []\n")
	aFile := filepath.Join(dir, "a-file")
	require.NoError(t, os.WriteFile(aFile, nil, 0o644))
	link := filepath.Join(dir, "link.json")
	require.NoError(t, os.Symlink(fixture, link))
	r := filepath.Join(dir, "r.json")

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing folder", []string{"--json", dir + "/nope/r.json"},
			"specrun: --json " + dir + "/nope/r.json: folder " + dir + "/nope does not exist"},
		{"folder is a file", []string{"--junit", aFile + "/r.xml"},
			"specrun: --junit " + aFile + "/r.xml: " + aFile + " is not a folder"},
		{"a folder", []string{"--markdown", dir},
			"specrun: --markdown " + dir + ": is a folder"},
		{"the --expect file", []string{"--expect", expect, "--json", expect},
			"specrun: --json " + expect + " is the --expect file: an output must not overwrite an input"},
		{"a fixture", []string{"--markdown", fixture},
			"specrun: --markdown " + fixture + " is a fixture of this run (fixtures/d): an output must not overwrite an input"},
		{"a fixture, by a link", []string{"--json", link},
			"specrun: --json " + link + " is a fixture of this run (fixtures/d): an output must not overwrite an input"},
		{"--update-expect onto a fixture", []string{"--update-expect", fixture},
			"specrun: --update-expect " + fixture + " is a fixture of this run (fixtures/d): an output must not overwrite an input"},
		{"two outputs", []string{"--json", r, "--junit", r},
			"specrun: --json " + r + " and --junit " + r + " are the same file: give each output a file of its own"},
		{"two outputs, spelled differently", []string{"--json", r, "--update-expect", dir + "/fixtures/../r.json"},
			"specrun: --json " + r + " and --update-expect " + dir + "/fixtures/../r.json are the same file: give each output a file of its own"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runArgs(t, append(tc.args, fixture)...)
			assert.Equal(t, exitUsage, code)
			assert.Equal(t, tc.want+"\n", stderr, "said before the server starts")
			assert.Empty(t, stdout, "no test ran")
		})
	}
	fixtureNow, _ := os.ReadFile(fixture)
	assert.Equal(t, data, fixtureNow, "the fixture is untouched")

	// --update-expect may rewrite the --expect file: the documented way to refresh it.
	code, stdout, stderr := runArgs(t, "--expect", expect, "--update-expect", expect, fixture)
	assert.Equal(t, exitOK, code, stdout+stderr)
	assert.Contains(t, stderr, "specrun: wrote "+expect+": 0 entries")
}

func TestOutputPathCannotBeCreated(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Chmod(dir, 0o500))
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	code, stdout, stderr := asSpecrun(t, "run", "--json", dir+"/r.json", gateDir+"/d.json")
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "specrun: --json "+dir+"/r.json: cannot create a file in "+dir+": permission denied\n", stderr)
}

func TestMergeAndDiffOutputsCheckedFirst(t *testing.T) {
	a := writeReport(t, "a.json", testReport(report.Shard{Index: 1, Count: 2}, testResult("a", "1", result.Pass, "")))
	b := writeReport(t, "b.json", testReport(report.Shard{Index: 2, Count: 2}, testResult("b", "1", result.Pass, "")))
	code, _, stderr := cli("merge", a, b, "--json", a)
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "specrun merge: --json "+a+" is a report to merge: an output must not overwrite an input\n", stderr)
	code, _, stderr = cli("merge", a, b, "--markdown", filepath.Join(t.TempDir(), "no", "m.md"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "does not exist")

	code, _, stderr = cli("diff", "--json", b, a, b)
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "specrun diff: --json "+b+" is a report to compare: an output must not overwrite an input\n", stderr)
}

// TestReportOnStdout: "-" writes a report to stdout, which then holds the report
// alone (what specrun says for people goes to stderr); two outputs on "-" are a usage
// error, before anything runs.
func TestReportOnStdout(t *testing.T) {
	code, stdout, stderr := cli(gateDir+"/a.json", "--json", "-")
	assert.Equal(t, exitFail, code, stderr)
	rep, err := report.ReadJSON(strings.NewReader(stdout))
	require.NoError(t, err, "stdout is the JSON report alone:\n%s", stdout)
	assert.Len(t, rep.Tests, 3)
	assert.Contains(t, stderr, "FAIL "+gateFail)
	assert.Contains(t, stderr, "3 tests: ")

	code, stdout, stderr = cli(gateDir+"/a.json", "--update-expect", "-", "--markdown", filepath.Join(t.TempDir(), "r.md"))
	assert.Equal(t, exitFail, code, stderr)
	exp, err := report.ParseExpectations("stdout", []byte(stdout))
	require.NoError(t, err, "stdout is the expectations file alone:\n%s", stdout)
	assert.Len(t, exp.Entries, 1)
	assert.Contains(t, stderr, "specrun: wrote the expectations to stdout: 1 entry (1 added, 0 changed, 0 removed); 1 reason to fill in")

	for _, args := range [][]string{
		{gateDir + "/a.json", "--junit", "-", "--markdown", "-"},
		{gateDir + "/a.json", "--json", "-", "--update-expect", "-"},
	} {
		code, stdout, stderr = cli(args...)
		assert.Equal(t, exitUsage, code, "%v", args)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "both write to stdout: give one of them a file\n")
		assert.NotContains(t, stderr, "embedded", "refused before the server starts")
	}

	a := writeReport(t, "a.json", testReport(report.Shard{Index: 1, Count: 2}, testResult("a", "1", result.Pass, "")))
	b := writeReport(t, "b.json", testReport(report.Shard{Index: 2, Count: 2}, testResult("b", "1", result.Fail, "x")))
	code, stdout, stderr = cli("merge", a, b, "--markdown", "-")
	assert.Equal(t, exitFail, code, stderr)
	assert.True(t, strings.HasPrefix(stdout, "# "), "stdout is the Markdown report:\n%s", stdout)
	assert.Contains(t, stderr, "merged 2 reports: 2 tests: 1 pass, 1 fail")
	code, stdout, stderr = cli("compare", a, b, "--json", "-")
	assert.Equal(t, exitOK, code, stderr)
	assert.True(t, strings.HasPrefix(stdout, "{"), "stdout is the JSON comparison:\n%s", stdout)
	assert.NotEmpty(t, stderr)
}
