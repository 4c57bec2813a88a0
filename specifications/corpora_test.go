package specifications

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeCorpora lays out one corpus of every kind under a temporary folder and returns
// the locations that find them all.
func fakeCorpora(t *testing.T) (Locations, string) {
	t.Helper()
	dir := writeTree(t,
		"checkout/source/crud/tests/unified/a.json",
		"mod/go.mongodb.org/mongo-driver@v1.17.3/testdata/crud/v1/read/count.json",
		"mod/go.mongodb.org/mongo-driver@v1.99.0/testdata/crud/unified/a.json",
		"debian/crud/v1/read/count.json",
		"cache/aaaa/source/crud/tests/unified/a.json",
		"cache/bbbb/source/crud/tests/unified/a.json",
		"cache/.tmp-cccc/source/crud/tests/unified/a.json", // being written
		"cache/dddd/source/crud/tests/unified/a.json",      // no record: not fetched by specrun
	)
	writeRecord(t, filepath.Join(dir, "cache/aaaa"), FetchRecord{Repository: "mongodb/specifications", Ref: "master", Commit: "aaaa", Fetched: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	writeRecord(t, filepath.Join(dir, "cache/bbbb"), FetchRecord{Repository: "mongodb/specifications", Ref: "bbbb", Commit: "bbbb", Fetched: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)})
	writeRecord(t, filepath.Join(dir, "cache/.tmp-cccc"), FetchRecord{Commit: "cccc", Fetched: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
	return Locations{
		Fetched: filepath.Join(dir, "cache"), Checkout: filepath.Join(dir, "checkout"),
		ModCache: filepath.Join(dir, "mod"), GoDriverVersion: "v1.17.3", Debian: filepath.Join(dir, "debian"),
	}, dir
}

func writeRecord(t *testing.T, root string, rec FetchRecord) {
	t.Helper()
	data, err := json.Marshal(rec)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(root, FetchRecordName), data, 0o644))
}

func TestCorporaOrder(t *testing.T) {
	all, dir := fakeCorpora(t)
	tests := []struct {
		name   string
		change func(*Locations)
		want   []string // origin and root below dir
	}{
		{"everything: the fetched corpus fetched last comes first", func(*Locations) {}, []string{
			"specrun corpus get cache/bbbb", "specrun corpus get cache/aaaa", "./specifications checkout",
			"Go module cache mod/go.mongodb.org/mongo-driver@v1.17.3/testdata", "Debian package debian"}},
		{"the flag and $SPECRUN_CORPUS before all, even when missing", func(l *Locations) { l.Flag, l.Env = "/flag", "/env" }, []string{
			"--corpus /flag", "$SPECRUN_CORPUS /env", "specrun corpus get cache/bbbb", "specrun corpus get cache/aaaa", "./specifications checkout",
			"Go module cache mod/go.mongodb.org/mongo-driver@v1.17.3/testdata", "Debian package debian"}},
		{"no fetched corpus, no checkout: the module cache before Debian", func(l *Locations) { l.Fetched, l.Checkout = "", "" }, []string{
			"Go module cache mod/go.mongodb.org/mongo-driver@v1.17.3/testdata", "Debian package debian"}},
		{"the module version this program was built with, not another in the cache", func(l *Locations) { l.Fetched, l.Checkout, l.GoDriverVersion = "", "", "v1.99.0" }, []string{
			"Go module cache mod/go.mongodb.org/mongo-driver@v1.99.0/testdata", "Debian package debian"}},
		{"a version not in the cache: none", func(l *Locations) { l.Fetched, l.Checkout, l.GoDriverVersion = "", "", "v1.0.0" }, []string{
			"Debian package debian"}},
		{"not built with the Go driver 1.x: no module cache corpus", func(l *Locations) { l.Fetched, l.Checkout, l.GoDriverVersion = "", "", "" }, []string{
			"Debian package debian"}},
		{"a ./specifications that is no checkout is passed over", func(l *Locations) { l.Fetched, l.Checkout = "", filepath.Join(dir, "mod") }, []string{
			"Go module cache mod/go.mongodb.org/mongo-driver@v1.17.3/testdata", "Debian package debian"}},
		{"nothing", func(l *Locations) { *l = Locations{Debian: filepath.Join(dir, "none")} }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := all
			tt.change(&l)
			var got []string
			for _, c := range l.Corpora() {
				root := c.Root
				if rel, err := filepath.Rel(dir, root); err == nil && filepath.IsAbs(root) && rel[0] != '.' {
					root = filepath.ToSlash(rel)
				}
				got = append(got, string(c.Origin)+" "+root)
			}
			assert.Equal(t, tt.want, got)
			first, err := l.First()
			if tt.want == nil {
				assert.ErrorContains(t, err, "no corpus found: run specrun corpus get")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, l.Corpora()[0], first)
		})
	}
}

func TestCorpusVersions(t *testing.T) {
	l, _ := fakeCorpora(t)
	versions := map[Origin][]string{}
	for _, c := range l.Corpora() {
		versions[c.Origin] = append(versions[c.Origin], c.Version)
	}
	assert.Equal(t, []string{"mongodb/specifications bbbb", "mongodb/specifications aaaa (master)"}, versions[FromFetched])
	assert.Equal(t, []string{"go.mongodb.org/mongo-driver v1.17.3"}, versions[FromModCache])
}

func TestGoModCache(t *testing.T) {
	home := t.TempDir()
	envFile := filepath.Join(home, "goenv")
	require.NoError(t, os.WriteFile(envFile, []byte("GOPATH=/from/file\n"), 0o644))
	tests := []struct{ name, gomodcache, gopath, goenv, want string }{
		{"GOMODCACHE", "/cache", "/gopath", "off", "/cache"},
		{"GOPATH's first entry", "", "/a" + string(filepath.ListSeparator) + "/b", "off", "/a/pkg/mod"},
		{"the go env file", "", "", envFile, "/from/file/pkg/mod"},
		{"the Go default", "", "", "off", filepath.Join(home, "go", "pkg", "mod")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HOME", home)
			t.Setenv("GOMODCACHE", tt.gomodcache)
			t.Setenv("GOPATH", tt.gopath)
			t.Setenv("GOENV", tt.goenv)
			assert.Equal(t, tt.want, GoModCache())
		})
	}
}

func TestGoModuleCorpusPath(t *testing.T) {
	assert.Equal(t, "/m/go.mongodb.org/mongo-driver@v1.17.3/testdata", GoModuleCorpus("/m", "v1.17.3"))
	assert.Equal(t, "/m/go.mongodb.org/mongo-driver@v1.0.0-!r!c1/testdata", GoModuleCorpus("/m", "v1.0.0-RC1"), "capitals escaped as the module cache does")
	assert.Empty(t, GoModuleCorpus("/m", ""))
}

func TestSurveyCorpus(t *testing.T) {
	root := t.TempDir()
	for name, text := range map[string]string{
		"a.json":      `{"description": "a", "schemaVersion": "1.28", "tests": []}`,
		"a.yml":       "schemaVersion: '1.28'\n", // the twin: not counted
		"b.yml":       "description: b\nschemaVersion: \"1.9\"\n",
		"c.json":      `{"schemaVersion":"1.10"}`,
		"legacy.json": `{"data": [], "tests": []}`,
	} {
		require.NoError(t, os.WriteFile(filepath.Join(root, name), []byte(text), 0o644))
	}
	s, err := SurveyCorpus(root)
	require.NoError(t, err)
	assert.Equal(t, 4, s.Files)
	assert.Equal(t, map[string]int{"1.9": 1, "1.10": 1, "1.28": 1}, s.SchemaVersions)
	assert.Equal(t, []string{"1.9", "1.10", "1.28"}, s.Versions())
}
