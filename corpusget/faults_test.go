package corpusget

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGetRefusesHostileArchives: an archive that would write outside its folder, or
// holds links, is refused whole, and nothing of it stays.
func TestGetRefusesHostileArchives(t *testing.T) {
	top := "specifications-" + commit
	tests := []struct {
		name  string
		entry entry
		err   string
	}{
		{"a .. path", entry{name: top + "/source/crud/tests/../../../../evil.json", body: "x"}, "climbs out of its folder (..)"},
		{"a .. path outside the test data", entry{name: top + "/../evil", body: "x"}, "climbs out of its folder (..)"},
		{"an absolute path", entry{name: "/etc/evil.json", body: "x"}, "is no relative path"},
		{"a symbolic link among the tests", entry{name: top + "/source/crud/tests/unified/link.json", typ: '2', link: "/etc/passwd"}, `is a link (to "/etc/passwd")`},
		{"a symbolic link elsewhere", entry{name: top + "/docs", typ: '2', link: "source"}, "is a link"},
		{"a hard link", entry{name: top + "/source/crud/tests/unified/hard.json", typ: '1', link: top + "/README.md"}, "is a link"},
		{"a device", entry{name: top + "/source/crud/tests/dev", typ: '3'}, "neither a file nor a folder"},
		{"another top folder", entry{name: "other/source/crud/tests/a.json", body: "x"}, `outside the top folder "` + top + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries := upstream(top)
			// in the middle: files before it were written already
			entries = append(entries[:5:5], append([]entry{tt.entry}, entries[5:]...)...)
			srv := newServer(t, map[string][]byte{"/t.tar.gz": tarball(t, commit, entries)})
			o := options(t, "master", srv.URL+"/t.tar.gz")
			_, err := Get(context.Background(), o)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
			assert.True(t, strings.HasSuffix(err.Error(), ": refused"), err.Error())
			assertNothingWritten(t, o.Dir)
		})
	}
}

func TestGetRefusesWhatIsNoCorpus(t *testing.T) {
	for name, data := range map[string][]byte{
		"not gzip":      []byte("<html>not found</html>"),
		"no test data":  tarball(t, commit, []entry{{name: "x-" + commit + "/"}, {name: "x-" + commit + "/README.md", body: "x"}}),
		"a broken tar":  tarball(t, commit, upstream("specifications-"+commit))[:200],
		"empty tarball": tarball(t, commit, nil),
		"a broken CRC":  brokenCRC(tarball(t, commit, upstream("specifications-"+commit))),
	} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, map[string][]byte{"/t.tar.gz": data})
			o := options(t, "master", srv.URL+"/t.tar.gz")
			_, err := Get(context.Background(), o)
			assert.Error(t, err)
			assertNothingWritten(t, o.Dir)
		})
	}
}

// brokenCRC is a gzip stream whose trailer's CRC-32 (the 8 bytes before its end hold
// it, then the length) no longer matches what it holds.
func brokenCRC(gz []byte) []byte {
	out := append([]byte(nil), gz...)
	out[len(out)-8] ^= 0xff
	return out
}

// cut serves the first n bytes of a response and then closes the connection, as a
// network that drops it would.
func cut(w http.ResponseWriter, data []byte, status int, n int) {
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data[:n])
	w.(http.Flusher).Flush()
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}

// getThrough gets the tarball data from a server that serves it with handler, in up
// to 3 attempts, and gives the Range header of each request for it.
func getThrough(t *testing.T, data []byte, handler func(w http.ResponseWriter, r *http.Request, n int, data []byte) bool) (Options, Result, []string, error) {
	srv := newServer(t, map[string][]byte{"/t.tar.gz": data})
	srv.handler = handler
	o := options(t, "master", srv.URL+"/t.tar.gz")
	o.Attempts = 3
	res, err := Get(context.Background(), o)
	var ranges []string
	for _, r := range srv.requests {
		if r.URL.Path == "/t.tar.gz" {
			ranges = append(ranges, r.Header.Get("Range"))
		}
	}
	return o, res, ranges, err
}

// TestGetAfterCutConnection: a download cut before its end is taken up again where it
// stopped (or from the start, when the server ignores Range), a few times.
func TestGetAfterCutConnection(t *testing.T) {
	data := tarball(t, commit, upstream("specifications-"+commit))
	half := len(data) / 2
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request, n int, data []byte) bool
		ranges  []string // the Range header of each request of the tarball
		err     string
	}{
		{"resumed with Range", func(w http.ResponseWriter, r *http.Request, n int, data []byte) bool {
			if r.Header.Get("Range") == "" {
				cut(w, data, http.StatusOK, half)
				return true
			}
			return false
		}, []string{"", "bytes=" + strconv.Itoa(half) + "-"}, ""},
		{"cut twice, resumed twice", func(w http.ResponseWriter, r *http.Request, n int, data []byte) bool {
			switch r.Header.Get("Range") {
			case "":
				cut(w, data, http.StatusOK, 100)
				return true
			case "bytes=100-":
				w.Header().Set("Content-Range", "bytes 100-"+strconv.Itoa(len(data)-1)+"/"+strconv.Itoa(len(data)))
				cut(w, data[100:], http.StatusPartialContent, 50)
				return true
			}
			return false
		}, []string{"", "bytes=100-", "bytes=150-"}, ""},
		{"a server without Range: sent whole again", func(w http.ResponseWriter, r *http.Request, n int, data []byte) bool {
			if n == 2 { // the first request is for the checksum beside it
				cut(w, data, http.StatusOK, half)
			} else {
				w.Header().Set("Content-Length", strconv.Itoa(len(data)))
				_, _ = w.Write(data)
			}
			return true
		}, []string{"", "bytes=" + strconv.Itoa(half) + "-"}, ""},
		{"a server error, then the file", func(w http.ResponseWriter, r *http.Request, n int, data []byte) bool {
			if n == 2 {
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return true
			}
			return false
		}, []string{"", ""}, ""},
		{"cut every time: given up after 3 attempts", func(w http.ResponseWriter, r *http.Request, n int, data []byte) bool {
			if r.Header.Get("Range") == "" {
				cut(w, data, http.StatusOK, 10)
				return true
			}
			start, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.Header.Get("Range"), "bytes="), "-"))
			w.Header().Set("Content-Range", "bytes "+strconv.Itoa(start)+"-"+strconv.Itoa(len(data)-1)+"/"+strconv.Itoa(len(data)))
			cut(w, data[start:], http.StatusPartialContent, 10)
			return true
		}, []string{"", "bytes=10-", "bytes=20-"}, "(3 attempts)"},
		{"not found: no second attempt", func(w http.ResponseWriter, r *http.Request, n int, data []byte) bool {
			http.NotFound(w, r)
			return true
		}, []string{""}, "404 Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, res, ranges, err := getThrough(t, data, tt.handler)
			assert.Equal(t, tt.ranges, ranges)
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err)
				assertNothingWritten(t, o.Dir)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, sha(data), res.Record.SHA256)
			assert.Equal(t, int64(len(data)), res.Record.Size)
			assert.Equal(t, extractedFiles, files(t, res.Root))
		})
	}
}

// fullDisk lets budget bytes through all the files written, then fails as a full
// disk does.
func fullDisk(budget int64) func(io.Writer) io.Writer {
	left := &atomic.Int64{}
	left.Store(budget)
	return func(w io.Writer) io.Writer { return &limited{w, left} }
}

type limited struct {
	w    io.Writer
	left *atomic.Int64
}

func (l *limited) Write(p []byte) (int, error) {
	if l.left.Add(-int64(len(p))) < 0 {
		return 0, &writeFailure{syscall.ENOSPC}
	}
	return l.w.Write(p)
}

type writeFailure struct{ err error }

func (e *writeFailure) Error() string { return "write: " + e.err.Error() }
func (e *writeFailure) Unwrap() error { return e.err }

// TestGetFullDisk: a disk that fills up while the tarball downloads, or while it is
// extracted, leaves nothing: no tarball, no half corpus. The download is not retried.
func TestGetFullDisk(t *testing.T) {
	data := tarball(t, commit, upstream("specifications-"+commit))
	for name, budget := range map[string]int64{
		"while downloading": int64(len(data) / 2),
		"while extracting":  int64(len(data) + 20),
	} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, map[string][]byte{"/t.tar.gz": data})
			o := options(t, "master", srv.URL+"/t.tar.gz")
			o.wrap = fullDisk(budget)
			_, err := Get(context.Background(), o)
			require.Error(t, err)
			assert.True(t, errors.Is(err, syscall.ENOSPC), "%v", err)
			assertNothingWritten(t, o.Dir)
			assert.Equal(t, 1, srv.count("/t.tar.gz"), "a full disk is no cut connection")
		})
	}
}

// TestGetRefusesTooLarge: a tarball above downloadLimit is refused, whether the
// server announces its size (Content-Length, the total of Content-Range) or not.
func TestGetRefusesTooLarge(t *testing.T) {
	data := tarball(t, commit, upstream("specifications-"+commit))
	limit := int64(len(data) - 1)
	defer func(l int64) { downloadLimit = l }(downloadLimit)
	downloadLimit = limit
	unannounced := func(w http.ResponseWriter, data []byte) {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(data[:10])
		w.(http.Flusher).Flush() // sent in chunks: no Content-Length
		_, _ = w.Write(data[10:])
	}
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request, n int, data []byte) bool
		ranges  []string
		err     string
	}{
		{"Content-Length above the limit", func(w http.ResponseWriter, r *http.Request, n int, data []byte) bool {
			return false // the server sends it whole, with its Content-Length
		}, []string{""}, strconv.Itoa(len(data)) + " bytes, larger than specrun takes"},
		{"Content-Range total above the limit", func(w http.ResponseWriter, r *http.Request, n int, data []byte) bool {
			if r.Header.Get("Range") == "" {
				w.WriteHeader(http.StatusOK)
				_, _ = w.Write(data[:10])
				w.(http.Flusher).Flush()
				if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
					conn.Close()
				}
				return true
			}
			w.Header().Set("Content-Range", "bytes 10-"+strconv.Itoa(len(data)-1)+"/"+strconv.Itoa(len(data)))
			w.WriteHeader(http.StatusPartialContent)
			_, _ = w.Write(data[10:])
			return true
		}, []string{"", "bytes=10-"}, strconv.Itoa(len(data)) + " bytes, larger than specrun takes"},
		{"no size announced, more received", func(w http.ResponseWriter, r *http.Request, n int, data []byte) bool {
			unannounced(w, data)
			return true
		}, []string{""}, "more than " + strconv.FormatInt(limit, 10) + " bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, _, ranges, err := getThrough(t, data, tt.handler)
			assert.Equal(t, tt.ranges, ranges)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
			assert.True(t, strings.HasSuffix(err.Error(), ": refused"), err.Error())
			assertNothingWritten(t, o.Dir)
		})
	}
	// at the limit, it is taken
	downloadLimit = int64(len(data))
	srv := newServer(t, map[string][]byte{"/t.tar.gz": data})
	srv.handler = func(w http.ResponseWriter, r *http.Request, n int, data []byte) bool {
		unannounced(w, data)
		return true
	}
	_, err := Get(context.Background(), options(t, "master", srv.URL+"/t.tar.gz"))
	assert.NoError(t, err)
}
