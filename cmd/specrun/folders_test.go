package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/internal/testpriv"
	"github.com/specrun/specrun/result"
)

// unreadableTree is a folder with a passing fixture (ok/d.json), a sub-folder that
// cannot be read (locked/, holding a fixture) and a fixture that is a symbolic link
// loop (loop.json).
func unreadableTree(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "tree")
	data, err := os.ReadFile(gateDir + "/d.json")
	require.NoError(t, err)
	for _, f := range []string{"ok/d.json", "locked/e.json"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), data, 0o644))
	}
	require.NoError(t, os.Symlink("loop.json", filepath.Join(dir, "loop.json")))
	require.NoError(t, os.Chmod(filepath.Join(dir, "locked"), 0))
	t.Cleanup(func() { _ = os.Chmod(filepath.Join(dir, "locked"), 0o755) })
	return dir
}

// asSpecrun runs this test binary as specrun (TestMain) where file modes bind it.
func asSpecrun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	cmd := testpriv.Command(t, os.Args[0], args...)
	cmd.Env = append(os.Environ(), envAsMain+"=1")
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if err != nil && cmd.ProcessState == nil {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}

func TestUnreadableFolderIsOneError(t *testing.T) {
	dir := unreadableTree(t)
	locked := dir + "/locked: cannot read this folder: permission denied"
	loop := dir + "/loop.json: a symbolic link loop (it points to loop.json)"

	code, stdout, stderr := asSpecrun(t, "check", dir)
	assert.Equal(t, exitFail, code, stderr)
	assert.Equal(t, locked+"\n"+loop+"\n3 files: 1 loaded (1 test), 0 other format, 2 rejected, 0 unsupported\n", stdout)

	reportPath := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr = asSpecrun(t, "run", "--json", reportPath, dir)
	assert.Equal(t, exitFail, code, stdout+stderr)
	assert.Contains(t, stdout, "ERROR tree/locked\n    "+locked+"\n")
	assert.Contains(t, stdout, "ERROR tree/loop\n    "+loop+"\n")
	assert.Contains(t, stdout, "3 tests: 1 pass, 0 fail, 0 skip, 0 unsupported, 2 error")
	rep := readReport(t, reportPath)
	var got []string
	for _, r := range rep.Tests {
		got = append(got, string(r.Status)+" "+r.ID)
	}
	assert.Equal(t, []string{string(result.Error) + " tree/locked", string(result.Error) + " tree/loop", string(result.Pass) + " tree/ok/d/passes d1"}, got)
}

func TestSymbolicLinkLoopArgument(t *testing.T) {
	loop := filepath.Join(t.TempDir(), "loop.json")
	require.NoError(t, os.Symlink("loop.json", loop))
	code, _, stderr := runArgs(t, loop)
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "specrun: "+loop+": a symbolic link loop (it points to loop.json)\n", stderr)
	code, _, stderr = cli("check", loop)
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "specrun check: "+loop+": a symbolic link loop (it points to loop.json)\n", stderr)
}
