package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/internal/golden"
)

// TestDidYouMean: a mistyped command, flag or spec is a usage error (exit 2) that
// names what was meant, on stderr, with where the help is; what is not near anything
// gets no guess, and what exists (a file, a spec) is taken as it is.
func TestDidYouMean(t *testing.T) {
	corpus := filepath.Join("..", "..", "testdata", "golden", "specrun", "input", "corpus")
	tests := []struct {
		name string
		args []string
		want string // stderr
	}{
		{"command", []string{"chek", "crud"}, "specrun: chek: no such command, file or spec; did you mean check?\nRun 'specrun help' for usage.\n"},
		{"command, two letters swapped", []string{"mrege", "a.json"}, "did you mean merge?"},
		{"help of a command", []string{"help", "vesion"}, "specrun help: vesion: no such command; did you mean version?\n"},
		{"help of nothing near", []string{"help", "frobnicate"}, "specrun help: frobnicate: no such command\nRun 'specrun help' for usage.\n"},
		{"corpus subcommand", []string{"corpus", "gte"}, "specrun corpus: gte: no such command; did you mean get?\n"},
		{"run flag", []string{"--markdwon", "r.md", "crud"}, "specrun: unknown flag --markdwon; did you mean --markdown?\nRun 'specrun help run' for usage.\n"},
		{"run flag, one dash", []string{"-expcet", "e.yml", "crud"}, "unknown flag --expcet; did you mean --expect?"},
		{"flag near nothing", []string{"check", "--frobnicate", "crud"}, "specrun check: unknown flag --frobnicate\nRun 'specrun help check' for usage.\n"},
		{"diff flag", []string{"diff", "--jsn", "d.json", "a", "b"}, "specrun diff: unknown flag --jsn; did you mean --json?\n"},
		{"serve flag", []string{"serve", "--adr", ":0"}, "specrun serve: unknown flag --adr; did you mean --addr?\n"},
		{"spec", []string{"check", "--corpus", corpus, "sesions"}, "nor a spec of that name in " + corpus + "; did you mean sessions?\n"},
		{"folder of a spec", []string{"check", "--corpus", corpus, "crud/unifed"}, "; did you mean crud/unified?\n"},
		{"file of a spec", []string{"check", "--corpus", corpus, "crud/unified/fnid"}, "; did you mean crud/unified/find?\n"},
		{"spec near nothing", []string{"check", "--corpus", corpus, "zzzzzzzz"}, "nor a spec of that name in " + corpus + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cli(tc.args...)
			assert.Equal(t, exitUsage, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tc.want)
		})
	}
}

// TestNotMistyped: an argument near a command's name that is a path or a spec is run.
func TestNotMistyped(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	assert.Equal(t, "check", mistypedCommand("chek"))
	assert.Equal(t, "", mistypedCommand("-chek"), "a flag")
	assert.Equal(t, "", mistypedCommand("crud"), "near no command")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "chek"), nil, 0o644))
	assert.Equal(t, "", mistypedCommand("chek"), "a file of that name")
}

func TestClosest(t *testing.T) {
	assert.Equal(t, "", closest("ab", []string{"run"}), "two edits of two letters is a guess too far")
	assert.Equal(t, "run", closest("rnu", []string{"run", "merge"}))
	assert.Equal(t, "check", closest("CHEK", []string{"check"}), "case does not count")
}

// TestVersion: specrun version prints what the build recorded; the golden file holds
// it for a fixed build information: a release, and a build from a modified checkout
// without the embedded server.
func TestVersion(t *testing.T) {
	release := &debug.BuildInfo{
		GoVersion: "go1.26.0",
		Main:      debug.Module{Path: "github.com/specrun/specrun", Version: "v0.4.0"},
		Deps: []*debug.Module{
			{Path: "github.com/FerretDB/FerretDB", Version: "v1.24.2"},
			{Path: "go.mongodb.org/mongo-driver/v2", Version: "v2.2.1"},
		},
		Settings: []debug.BuildSetting{{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "amd64"}},
	}
	checkout := &debug.BuildInfo{
		GoVersion: "go1.26.0",
		Main:      debug.Module{Path: "github.com/specrun/specrun", Version: "(devel)"},
		Deps: []*debug.Module{
			{Path: "go.mongodb.org/mongo-driver/v2", Version: "v2.2.1", Replace: &debug.Module{Path: "../mongo-go-driver", Version: "v2.2.2-fix"}},
		},
		Settings: []debug.BuildSetting{
			{Key: "GOOS", Value: "windows"}, {Key: "GOARCH", Value: "arm64"},
			{Key: "vcs.revision", Value: "4dfb44a0c0ffee4dfb44a0c0ffee4dfb44a0c0ff"},
			{Key: "vcs.time", Value: "2026-12-04T12:00:00Z"}, {Key: "vcs.modified", Value: "true"},
		},
	}
	out := "$ specrun version (a release)\n" + versionText(release) +
		"$ specrun version (a modified checkout, -tags noembedded)\n" + versionText(checkout) +
		"$ specrun version (no build information)\n" + versionText(nil)
	golden.Check(t, filepath.Join(goldenDir, "version.txt"), []byte(out), *update, "go test ./cmd/specrun -run TestVersion")

	code, stdout, stderr := cli("--version")
	assert.Equal(t, exitOK, code)
	assert.Empty(t, stderr)
	assert.Regexp(t, `^specrun .*\ndriver  go.mongodb.org/mongo-driver/v2 v2\.`, stdout)
}
