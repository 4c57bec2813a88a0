package specifications

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	commitA = "92b3c0b9287bfba1b0ec4084300858d05c654f8c"
	commitB = "19c33559f0eef83a96e73a37a0a7b4704be59e1a"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

func TestIdentifyGit(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, top string) // top holds the checkout; the root is top/source/crud/tests
		want  string
	}{
		{"loose branch ref", func(t *testing.T, top string) {
			write(t, filepath.Join(top, ".git/HEAD"), "ref: refs/heads/main\n")
			write(t, filepath.Join(top, ".git/refs/heads/main"), commitA+"\n")
		}, commitA},
		{"packed branch ref", func(t *testing.T, top string) {
			write(t, filepath.Join(top, ".git/HEAD"), "ref: refs/heads/main\n")
			write(t, filepath.Join(top, ".git/packed-refs"), "# pack-refs with: peeled fully-peeled sorted\n"+commitB+" refs/heads/other\n"+commitA+" refs/heads/main\n")
		}, commitA},
		{"detached head", func(t *testing.T, top string) {
			write(t, filepath.Join(top, ".git/HEAD"), commitB+"\n")
		}, commitB},
		{"worktree: HEAD in its gitdir, refs in the common folder", func(t *testing.T, top string) {
			main := filepath.Join(t.TempDir(), "repo.git")
			write(t, filepath.Join(main, "worktrees/wt/HEAD"), "ref: refs/heads/feature\n")
			write(t, filepath.Join(main, "worktrees/wt/commondir"), "../..\n")
			write(t, filepath.Join(main, "refs/heads/feature"), commitB+"\n")
			write(t, filepath.Join(top, ".git"), "gitdir: "+filepath.Join(main, "worktrees/wt")+"\n")
		}, commitB},
		{"ref that does not exist", func(t *testing.T, top string) {
			write(t, filepath.Join(top, ".git/HEAD"), "ref: refs/heads/none\n")
		}, ""},
		{"garbage in HEAD", func(t *testing.T, top string) {
			write(t, filepath.Join(top, ".git/HEAD"), "not a hash\n")
		}, ""},
		{"no checkout", func(t *testing.T, top string) {}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			top := t.TempDir()
			root := filepath.Join(top, "source/crud/tests")
			require.NoError(t, os.MkdirAll(root, 0o755))
			tc.setup(t, top)
			assert.Equal(t, tc.want, Identify(root).GitCommit)
		})
	}
}

func TestIdentifyProvenance(t *testing.T) {
	top := t.TempDir()
	content := "| a | " + commitA + " |\n| b | " + commitB + " |\n| c | " + commitA + " |\n"
	write(t, filepath.Join(top, "PROVENANCE.md"), content)
	root := filepath.Join(top, "source/crud/tests/v1")
	require.NoError(t, os.MkdirAll(root, 0o755))

	id := Identify(root)
	assert.Equal(t, filepath.Join(top, "PROVENANCE.md"), id.Provenance)
	assert.Equal(t, []string{commitA, commitB}, id.ProvenanceCommits, "each commit once, in order")
	assert.Len(t, id.ProvenanceSHA256, 64)
	assert.Equal(t, "PROVENANCE.md sha256 "+id.ProvenanceSHA256[:12]+" (92b3c0b9287b, 19c33559f0ee)", id.String())

	write(t, filepath.Join(top, "PROVENANCE.md"), content+"changed\n")
	assert.NotEqual(t, id.ProvenanceSHA256, Identify(root).ProvenanceSHA256, "another copy, another digest")
}

func TestIdentifyDebianPackage(t *testing.T) {
	dpkg := t.TempDir()
	usr := t.TempDir()
	defer func(dir, managed string) { dpkgDir, dpkgManaged = dir, managed }(dpkgDir, dpkgManaged)
	dpkgDir, dpkgManaged = dpkg, usr+"/"

	data := filepath.Join(usr, "share/gocode/src/go.mongodb.org/mongo-driver/data")
	require.NoError(t, os.MkdirAll(filepath.Join(data, "crud/v1"), 0o755))
	write(t, filepath.Join(dpkg, "info/other.list"), "/.\n"+usr+"/share\n")
	write(t, filepath.Join(dpkg, "info/golang-mongodb-mongo-driver-dev.list"), "/.\n"+data+"\n"+data+"/crud\n"+data+"/crud/v1\n")
	write(t, filepath.Join(dpkg, "status"), "Package: golang-mongodb-mongo-driver-devel-doc\nVersion: 9\n\n"+
		"Package: golang-mongodb-mongo-driver-dev\nStatus: install ok installed\nVersion: 1.17.3+ds1-1\n\n")

	id := Identify(filepath.Join(data, "crud/v1"))
	assert.Equal(t, "golang-mongodb-mongo-driver-dev", id.DebianPackage)
	assert.Equal(t, "1.17.3+ds1-1", id.DebianVersion)
	assert.Equal(t, "golang-mongodb-mongo-driver-dev 1.17.3+ds1-1", id.String())

	assert.Empty(t, Identify(filepath.Join(data, "crud/v2")).DebianPackage, "a path no package lists")
	assert.True(t, Identify(t.TempDir()).Empty())
}

func TestIdentifyGoModule(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/root/go/pkg/mod/go.mongodb.org/mongo-driver@v1.17.3/testdata/crud/v1", "go.mongodb.org/mongo-driver@v1.17.3"},
		{"/root/go/pkg/mod/go.mongodb.org/mongo-driver@v1.17.3/testdata", "go.mongodb.org/mongo-driver@v1.17.3"},
		{"/root/go/pkg/mod/go.mongodb.org/mongo-driver/v2@v2.9.3/testdata", ""},
		{"/usr/share/gocode/src/go.mongodb.org/mongo-driver/data", ""},
	}
	for _, tt := range tests {
		id := Identify(tt.path)
		assert.Equal(t, tt.want, id.GoModule, tt.path)
		if tt.want != "" {
			assert.Equal(t, tt.want, id.String())
			assert.False(t, id.Empty())
		}
	}
}
