package specifications

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/internal/testcorpus"
	"github.com/specrun/specrun/internal/testpriv"
)

func TestTestFileID(t *testing.T) {
	tests := []struct{ name, path, base, want string }{
		{"upstream checkout", "/x/specifications/source/crud/tests/unified/find.json", "/x/specifications/source/crud", "crud/unified/find"},
		{"Go driver 1.x layout", "/usr/share/gocode/src/go.mongodb.org/mongo-driver/data/crud/unified/find.json", "/usr/share/gocode/src/go.mongodb.org/mongo-driver/data", "crud/unified/find"},
		{"Go driver 1.x module cache", "/root/go/pkg/mod/go.mongodb.org/mongo-driver@v1.17.3/testdata/client-side-encryption/legacy/basic.json", "/root/go/pkg/mod/go.mongodb.org/mongo-driver@v1.17.3/testdata", "client-side-encryption/legacy/basic"},
		{"another module's testdata is no corpus layout", "/m/example.com/x@v1.0.0/testdata/crud/a.json", "/m/example.com/x@v1.0.0/testdata", "testdata/crud/a"},
		{"legacy CRUD upstream", "/x/source/crud/tests/v1/read/count.json", "/x", "crud/v1/read/count"},
		{"legacy CRUD Debian", "/d/data/crud/v1/read/count.yml", "/d/data/crud", "crud/v1/read/count"},
		{"Go driver 2.x testdata", "/g/testdata/specifications/source/sessions/tests/snapshot.json", "/g", "sessions/snapshot"},
		{"neither layout: below the parent of the folder given", "/p/fixtures/mine/a.json", "/p/fixtures", "fixtures/mine/a"},
		{"neither layout, a file given", "/p/fixtures/a.yml", "/p/fixtures", "fixtures/a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, TestFileID(tt.path, tt.base))
		})
	}
}

// writeTree creates files (with empty JSON documents) under a temporary folder.
func writeTree(t *testing.T, files ...string) string {
	root := t.TempDir()
	for _, f := range files {
		p := filepath.Join(root, f)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte("{}"), 0o644))
	}
	return root
}

func TestDiscoverRunsJSONAndKeepsYAMLAsTwin(t *testing.T) {
	root := writeTree(t,
		"source/crud/tests/unified/a.json", "source/crud/tests/unified/a.yml",
		"source/crud/tests/unified/b.yml",
		"source/crud/tests/unified/c.yaml", "source/crud/tests/unified/c.json",
		"source/crud/tests/README.md")
	sources, err := Discover([]string{filepath.Join(root, "source", "crud")})
	require.NoError(t, err)
	var got []Source
	for _, s := range sources {
		rel, _ := filepath.Rel(root, s.Path)
		twin := ""
		if s.Twin != "" {
			twin, _ = filepath.Rel(root, s.Twin)
		}
		got = append(got, Source{Path: rel, ID: s.ID, Twin: twin})
	}
	assert.Equal(t, []Source{
		{Path: "source/crud/tests/unified/a.json", ID: "crud/unified/a", Twin: "source/crud/tests/unified/a.yml"},
		{Path: "source/crud/tests/unified/b.yml", ID: "crud/unified/b"},
		{Path: "source/crud/tests/unified/c.json", ID: "crud/unified/c", Twin: "source/crud/tests/unified/c.yaml"},
	}, got)

	// a YAML file named on its own is run, and the same file given twice once
	yml := filepath.Join(root, "source/crud/tests/unified/a.yml")
	sources, err = Discover([]string{yml, yml})
	require.NoError(t, err)
	require.Len(t, sources, 1)
	assert.Equal(t, "crud/unified/a", sources[0].ID)
}

func TestResolve(t *testing.T) {
	upstream := writeTree(t, "source/crud/tests/unified/find.json", "source/crud/tests/v1/read/count.json")
	goLayout := writeTree(t, "crud/unified/find.json")
	tests := []struct {
		name, arg, root, want string
	}{
		{"spec name in an upstream checkout", "crud", upstream, "source/crud/tests"},
		{"spec and sub-folder", "crud/v1/read", upstream, "source/crud/tests/v1/read"},
		{"spec name in the Go layout", "crud", goLayout, "crud"},
		{"a file's ID in an upstream checkout", "crud/unified/find", upstream, "source/crud/tests/unified/find.json"},
		{"a file's ID in the Go layout", "crud/unified/find", goLayout, "crud/unified/find.json"},
		{"missing path whose parent is a checkout", filepath.Join(upstream, "crud"), "", "source/crud/tests"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resolve(tt.arg, tt.root)
			require.NoError(t, err)
			base := tt.root
			if base == "" {
				base = upstream
			}
			assert.Equal(t, filepath.Join(base, tt.want), got)
		})
	}
	existing := filepath.Join(upstream, "source/crud/tests/unified/find.json")
	got, err := Resolve(existing, goLayout)
	require.NoError(t, err)
	assert.Equal(t, existing, got, "an existing path is taken as it is")

	_, err = Resolve("nosuchspec", upstream)
	assert.ErrorContains(t, err, "nosuchspec: no such file or folder, nor a spec of that name in "+upstream)
	_, err = Resolve("crud", "")
	assert.ErrorContains(t, err, "no corpus")
}

func TestCorpusRoot(t *testing.T) {
	testcorpus.UserCache(t) // no fetched corpus
	t.Setenv("SPECRUN_CORPUS", "/from/env")
	root, err := CorpusRoot("/from/flag")
	require.NoError(t, err)
	assert.Equal(t, "/from/flag", root)
	root, err = CorpusRoot("")
	require.NoError(t, err)
	assert.Equal(t, "/from/env", root)

	t.Setenv("SPECRUN_CORPUS", "")
	dir := writeTree(t, "specifications/source/crud/tests/x.json")
	t.Chdir(dir)
	root, err = CorpusRoot("")
	require.NoError(t, err)
	assert.Equal(t, "specifications", root, "./specifications comes before the module cache and the Debian location")
}

// TestDiscoverUnreadableFolder: a folder that cannot be read is one source, with the
// OS's reason, and its siblings are listed (as root, without root's capabilities).
func TestDiscoverUnreadableFolder(t *testing.T) {
	if !testpriv.Rerun(t) {
		return
	}
	root := writeTree(t, "source/crud/tests/unified/a.json", "source/crud/tests/unified/locked/b.json",
		"source/crud/tests/unified/z.json")
	locked := filepath.Join(root, "source/crud/tests/unified/locked")
	require.NoError(t, os.Chmod(locked, 0))
	t.Cleanup(func() { _ = os.Chmod(locked, 0o755) })

	sources, err := Discover([]string{filepath.Join(root, "source/crud")})
	require.NoError(t, err, "one folder does not stop the others")
	var ids []string
	for _, s := range sources {
		ids = append(ids, s.ID)
	}
	assert.Equal(t, []string{"crud/unified/a", "crud/unified/locked", "crud/unified/z"}, ids)
	assert.Equal(t, locked, sources[1].Path)
	lr := Load(sources[1], false)
	require.Equal(t, Rejected, lr.Kind)
	assert.EqualError(t, lr.Err, locked+": cannot read this folder: permission denied")

	// the folder given is itself unreadable
	sources, err = Discover([]string{locked})
	require.NoError(t, err)
	require.Len(t, sources, 1)
	assert.Equal(t, Source{Path: locked, ID: "crud/unified/locked", Err: sources[0].Err}, sources[0])
	assert.EqualError(t, sources[0].Err, "cannot read this folder: permission denied")
}

func TestDiscoverSymbolicLinkLoops(t *testing.T) {
	dir := filepath.Join(writeTree(t, "mine/a.json"), "mine")
	loop := filepath.Join(dir, "loop.json")
	require.NoError(t, os.Symlink("loop.json", loop))
	require.NoError(t, os.Symlink("gone.json", filepath.Join(dir, "dangling.json")))
	require.NoError(t, os.Symlink("..", filepath.Join(dir, "up")), "a link to a folder is not followed")
	require.NoError(t, os.Symlink("a.json", filepath.Join(dir, "b.json")), "a link to a fixture is one")

	sources, err := Discover([]string{dir})
	require.NoError(t, err)
	got := map[string]string{}
	for _, s := range sources {
		got[filepath.Base(s.Path)] = fmt.Sprint(s.Err)
	}
	assert.Equal(t, map[string]string{
		"a.json":        "<nil>",
		"b.json":        "<nil>",
		"dangling.json": "a symbolic link to gone.json, which does not exist",
		"loop.json":     "a symbolic link loop (it points to loop.json)",
	}, got)

	want := loop + ": a symbolic link loop (it points to loop.json)"
	_, err = Discover([]string{loop})
	assert.EqualError(t, err, want, "an argument that is a loop is named so")
	_, err = Resolve(loop, "")
	assert.EqualError(t, err, want)
}

func TestSplitCorpusPath(t *testing.T) {
	for _, c := range []struct{ in, root, rel string }{
		{"/srv/specifications/source/crud/tests/unified", "/srv/specifications/source", "crud/tests/unified"},
		{"/srv/specifications/source/crud/tests", "/srv/specifications/source", "crud/tests"},
		{"/usr/share/gocode/src/go.mongodb.org/mongo-driver/data/crud/v1", "/usr/share/gocode/src/go.mongodb.org/mongo-driver/data", "crud/v1"},
		{"/root/go/pkg/mod/go.mongodb.org/mongo-driver@v1.17.3/testdata/crud", "/root/go/pkg/mod/go.mongodb.org/mongo-driver@v1.17.3/testdata", "crud"},
		{"/home/me/fixtures/x", "", ""},
		{"/home/me/proj/testdata/crud", "", ""},
	} {
		root, rel, ok := SplitCorpusPath(c.in)
		if root != c.root || rel != c.rel || ok != (c.root != "") {
			t.Errorf("SplitCorpusPath(%q) = %q, %q, %v; want %q, %q", c.in, root, rel, ok, c.root, c.rel)
		}
	}
}
