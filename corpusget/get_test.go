package corpusget

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/specrun/specrun/specifications"
)

const commit = "0123456789abcdef0123456789abcdef01234567"

var commitTime = time.Date(2026, 8, 13, 10, 0, 0, 0, time.UTC)

// entry is one entry of a test tarball: a file (body), a folder (name ending in /) or
// a link.
type entry struct {
	name, body string
	typ        byte
	link       string
}

// upstream is a small mongodb/specifications tree, as GitHub's tarball of a commit
// lays it out: one top folder, the test data beside spec texts and other files.
func upstream(top string) []entry {
	return []entry{
		{name: top + "/"},
		{name: top + "/README.md", body: "# Specifications"},
		{name: top + "/source/"},
		{name: top + "/source/crud/crud.md", body: "# CRUD"},
		{name: top + "/source/crud/tests/unified/find.json", body: `{"description": "find", "schemaVersion": "1.0", "tests": []}`},
		{name: top + "/source/crud/tests/unified/find.yml", body: "description: find\n"},
		{name: top + "/source/crud/tests/README.md", body: "# CRUD tests"},
		{name: top + "/source/unified-test-format/schema-1.0.json", body: `{}`},
		{name: top + "/source/unified-test-format/unified-test-format.md", body: "# UTF"},
		{name: top + "/source/unified-test-format/tests/valid-pass/x.json", body: `{"schemaVersion": "1.28"}`},
	}
}

// extractedFiles is what upstream's tree leaves in the corpus.
var extractedFiles = []string{
	"PROVENANCE.md",
	"source/crud/tests/README.md",
	"source/crud/tests/unified/find.json",
	"source/crud/tests/unified/find.yml",
	"source/unified-test-format/schema-1.0.json",
	"source/unified-test-format/tests/valid-pass/x.json",
	"specrun-fetch",
}

// tarball builds a gzip tarball as git archive does (a pax global header naming the
// commit, when paxCommit is set, then the entries, each with the commit's time).
func tarball(t testing.TB, paxCommit string, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	if paxCommit != "" {
		require.NoError(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header",
			PAXRecords: map[string]string{"comment": paxCommit}, Format: tar.FormatPAX}))
	}
	for _, e := range entries {
		h := &tar.Header{Name: e.name, ModTime: commitTime, Mode: 0o644, Typeflag: e.typ, Linkname: e.link, Format: tar.FormatPAX}
		switch {
		case e.typ != 0:
		case strings.HasSuffix(e.name, "/"):
			h.Typeflag, h.Mode = tar.TypeDir, 0o755
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.body))
		}
		require.NoError(t, tw.WriteHeader(h))
		if h.Typeflag == tar.TypeReg {
			_, err := tw.Write([]byte(e.body))
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	return buf.Bytes()
}

func sha(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// server serves files by path, each GET counted; handler, when set, serves instead.
type server struct {
	*httptest.Server
	mu       sync.Mutex
	files    map[string][]byte
	requests []*http.Request
	handler  func(w http.ResponseWriter, r *http.Request, n int, data []byte) bool
}

func newServer(t *testing.T, files map[string][]byte) *server {
	s := &server{files: files}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.Clone(context.Background()))
		n := len(s.requests)
		s.mu.Unlock()
		data, ok := s.files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if s.handler != nil && s.handler(w, r, n, data) {
			return
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data)) // honours Range
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if r.URL.Path == path {
			n++
		}
	}
	return n
}

func options(t *testing.T, ref, from string) Options {
	return Options{Ref: ref, From: from, Dir: filepath.Join(t.TempDir(), "specifications"), Backoff: time.Millisecond,
		Now: func() time.Time { return commitTime.Add(time.Hour) }}
}

// files lists the files under dir, relative, sorted.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	}))
	sort.Strings(out)
	return out
}

// assertNothingWritten: the corpora's folder holds nothing, temporary files included.
func assertNothingWritten(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Empty(t, names, "nothing is left half-written")
}

func TestGetFromMirror(t *testing.T) {
	data := tarball(t, commit, upstream("specifications-"+commit))
	srv := newServer(t, map[string][]byte{"/specifications.tar.gz": data})
	o := options(t, "master", srv.URL+"/specifications.tar.gz")
	res, err := Get(context.Background(), o)
	require.NoError(t, err)

	assert.Equal(t, filepath.Join(o.Dir, commit), res.Root)
	assert.Equal(t, extractedFiles, files(t, res.Root), "the test data and schemas only")
	want := specifications.FetchRecord{Repository: "mongodb/specifications", Ref: "master", Commit: commit,
		URL: srv.URL + "/specifications.tar.gz", Size: int64(len(data)), SHA256: sha(data), Files: 5,
		CommitTime: commitTime, Fetched: commitTime.Add(time.Hour)}
	assert.Equal(t, want, res.Record)
	rec, err := specifications.ReadFetchRecord(res.Root)
	require.NoError(t, err)
	assert.Equal(t, want, *rec, "the record beside the corpus")
	id := specifications.Identify(res.Root)
	assert.Equal(t, []string{commit}, id.ProvenanceCommits, "reports name the commit")

	corpora := specifications.FetchedCorpora(o.Dir)
	require.Len(t, corpora, 1)
	assert.Equal(t, "mongodb/specifications "+commit+" (master)", corpora[0].Version)
	assert.Equal(t, 1, srv.count("/specifications.tar.gz.sha256"), "a checksum beside the tarball is looked for")
}

// TestGetCommit: where the commit comes from, and what is refused.
func TestGetCommit(t *testing.T) {
	other := strings.Repeat("f", 40)
	tests := []struct {
		name, ref, pax, top, want, err string
	}{
		{"a branch: the pax header's commit", "master", commit, "specifications-master", commit, ""},
		{"a tag: the pax header's commit", "v1.0", commit, "specifications-1.0", commit, ""},
		{"no pax header: the top folder <repo>-<commit>", "master", "", "specifications-" + commit, commit, ""},
		{"no pax header, a commit asked for", commit, "", "mongodb-specifications-0123456", commit, ""},
		{"nothing names the commit", "master", "", "specifications-master", "", "cannot tell which commit the tarball holds"},
		{"another commit than asked for", other, commit, "specifications-" + commit, "", "holds commit " + commit + ", not " + other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, map[string][]byte{"/t.tar.gz": tarball(t, tt.pax, upstream(tt.top))})
			o := options(t, tt.ref, srv.URL+"/t.tar.gz")
			res, err := Get(context.Background(), o)
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err)
				assertNothingWritten(t, o.Dir)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.Record.Commit)
			assert.Equal(t, filepath.Join(o.Dir, tt.want), res.Root)
		})
	}
}

// TestGetChecksum: the sha256 given, or written beside the tarball, must be the
// tarball's; a wrong one refuses it before anything is extracted.
func TestGetChecksum(t *testing.T) {
	data := tarball(t, commit, upstream("specifications-"+commit))
	wrong := strings.Repeat("0", 64)
	tests := []struct {
		name, flag, sidecar, from, err string
	}{
		{"--sha256 right", sha(data), "", "--sha256", ""},
		{"--sha256 wrong", wrong, "", "", "sha256 " + sha(data) + ", but --sha256 says " + wrong + ": refused"},
		{"beside the tarball, right", "", sha(data) + "  t.tar.gz\n", "/t.tar.gz.sha256", ""},
		{"beside the tarball, wrong", "", wrong + "  t.tar.gz\n", "", "t.tar.gz.sha256 says " + wrong + ": refused"},
		{"beside the tarball, not a sha256", "", "hello\n", "", `"hello" is not a sha256`},
		{"none known: computed and recorded", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			served := map[string][]byte{"/t.tar.gz": data}
			if tt.sidecar != "" {
				served["/t.tar.gz.sha256"] = []byte(tt.sidecar)
			}
			srv := newServer(t, served)
			o := options(t, "master", srv.URL+"/t.tar.gz")
			o.SHA256 = tt.flag
			res, err := Get(context.Background(), o)
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err)
				assertNothingWritten(t, o.Dir)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, sha(data), res.Record.SHA256)
			assert.True(t, strings.HasSuffix(res.Record.Checksum, tt.from), "checked against %q", res.Record.Checksum)
		})
	}
}

// TestGetLocalFile: --from a tarball on disk, for machines without a network; a
// checksum file beside it is used.
func TestGetLocalFile(t *testing.T) {
	data := tarball(t, commit, upstream("specifications-"+commit))
	dir := t.TempDir()
	file := filepath.Join(dir, "specifications.tar.gz")
	require.NoError(t, os.WriteFile(file, data, 0o644))
	o := options(t, "", file)
	o.Ref = commit
	res, err := Get(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, file, res.Record.URL)
	assert.Empty(t, res.Record.Checksum)
	assert.Equal(t, extractedFiles, files(t, res.Root))
	assert.NoFileExists(t, file+".sha256")

	require.NoError(t, os.WriteFile(file+".sha256", []byte(strings.Repeat("1", 64)), 0o644))
	o.Dir = filepath.Join(t.TempDir(), "other")
	_, err = Get(context.Background(), o)
	assert.ErrorContains(t, err, "specifications.tar.gz.sha256 says 1111")
	assertNothingWritten(t, o.Dir)
}

// TestGetAgain: a commit fetched before is not downloaded again; asking for it makes
// it the corpus fetched last, which resolution takes first.
func TestGetAgain(t *testing.T) {
	first := tarball(t, commit, upstream("specifications-"+commit))
	second := strings.Repeat("b", 40)
	srv := newServer(t, map[string][]byte{
		"/a.tar.gz": first, "/b.tar.gz": tarball(t, second, upstream("specifications-"+second)),
	})
	o := options(t, commit, srv.URL+"/a.tar.gz")
	_, err := Get(context.Background(), o)
	require.NoError(t, err)
	o.Ref, o.From, o.Now = second, srv.URL+"/b.tar.gz", func() time.Time { return commitTime.Add(2 * time.Hour) }
	_, err = Get(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(o.Dir, second), specifications.FetchedCorpora(o.Dir)[0].Root)

	o.Ref, o.From, o.Now = commit, srv.URL+"/a.tar.gz", func() time.Time { return commitTime.Add(3 * time.Hour) }
	res, err := Get(context.Background(), o)
	require.NoError(t, err)
	assert.True(t, res.Reused)
	assert.Equal(t, 1, srv.count("/a.tar.gz"), "not downloaded again")
	assert.Equal(t, filepath.Join(o.Dir, commit), specifications.FetchedCorpora(o.Dir)[0].Root, "the one asked for last comes first")

	// Through a branch, the commit is only known once downloaded: the corpus there is
	// kept, and made the last.
	o.Ref, o.Now = "master", func() time.Time { return commitTime.Add(4 * time.Hour) }
	o.From = srv.URL + "/b.tar.gz"
	res, err = Get(context.Background(), o)
	require.NoError(t, err)
	assert.True(t, res.Reused)
	assert.Equal(t, "master", res.Record.Ref)
	assert.Equal(t, []string{commit, second}, names(o.Dir), "no temporary folder left")
	assert.Equal(t, filepath.Join(o.Dir, second), specifications.FetchedCorpora(o.Dir)[0].Root)
}

func names(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestTarballURL(t *testing.T) {
	assert.Equal(t, "https://codeload.github.com/mongodb/specifications/tar.gz/"+DefaultRef, TarballURL(DefaultRef))
	assert.Equal(t, "https://codeload.github.com/mongodb/specifications/tar.gz/release/1.0%20x", TarballURL("release/1.0 x"))
}

func TestBarLine(t *testing.T) {
	assert.Equal(t, "x: [===============>              ]  50%  5.0 of 10.0 MiB", barLine("x", 5<<20, 10<<20))
	assert.Equal(t, "x: [==============================] 100%  10.0 of 10.0 MiB", barLine("x", 10<<20, 10<<20))
	assert.Equal(t, "x: 1.5 MiB", barLine("x", 3<<19, -1))
}

// TestGetChecksumBesideASignedURL: the checksum beside a tarball whose URL has a
// query (a signed mirror URL) is the tarball's path with .sha256, the query kept.
func TestGetChecksumBesideASignedURL(t *testing.T) {
	data := tarball(t, commit, upstream("specifications-"+commit))
	srv := newServer(t, map[string][]byte{"/t.tar.gz": data, "/t.tar.gz.sha256": []byte(sha(data) + "  t.tar.gz\n")})
	o := options(t, "master", srv.URL+"/t.tar.gz?sig=abc")
	res, err := Get(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, srv.URL+"/t.tar.gz.sha256?sig=abc", res.Record.Checksum)
}

// TestGetLocalFileRecordedWhole: a tarball given by a relative path is recorded by its
// absolute one, which says where it was from any folder.
func TestGetLocalFileRecordedWhole(t *testing.T) {
	data := tarball(t, commit, upstream("specifications-"+commit))
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "s.tar.gz"), data, 0o644))
	o := options(t, "", "s.tar.gz")
	o.Ref = commit
	t.Chdir(dir)
	res, err := Get(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "s.tar.gz"), res.Record.URL)
}

// TestGetInterrupted: a Ctrl-C, during the download or after it, installs nothing and
// says it was interrupted, not that an attempt failed.
func TestGetInterrupted(t *testing.T) {
	data := tarball(t, commit, upstream("specifications-"+commit))
	interrupted := errors.New("interrupt signal received")

	// after the download, while extracting (here: a tarball on disk)
	file := filepath.Join(t.TempDir(), "s.tar.gz")
	require.NoError(t, os.WriteFile(file, data, 0o644))
	o := options(t, "", file)
	o.Ref = commit
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(interrupted)
	_, err := Get(ctx, o)
	assert.ErrorIs(t, err, interrupted)
	assertNothingWritten(t, o.Dir)

	// during the download: the server stops sending halfway
	srv := newServer(t, map[string][]byte{"/t.tar.gz": data})
	ctx, cancel = context.WithCancelCause(context.Background())
	srv.handler = func(w http.ResponseWriter, _ *http.Request, _ int, data []byte) bool {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		_, _ = w.Write(data[:len(data)/2])
		w.(http.Flusher).Flush()
		cancel(interrupted)
		<-time.After(time.Second)
		return true
	}
	o = options(t, "master", srv.URL+"/t.tar.gz")
	_, err = Get(ctx, o)
	assert.ErrorIs(t, err, interrupted)
	assert.NotContains(t, err.Error(), "attempts")
	assertNothingWritten(t, o.Dir)
}
