// Package corpusget fetches the test data of mongodb/specifications at a commit, tag or
// branch as GitHub's tarball (or a mirror's copy of it, or a local file), verifies it
// and installs it in the user cache, where corpus resolution finds it first.
//
// What is written is whole or absent: the tarball goes to a temporary file, the test
// data to a temporary folder beside the corpora, renamed into place once complete; any
// failure (a cut connection retried too often, a wrong checksum, an archive that
// climbs out of its folder or holds links, a full disk) removes both.
package corpusget

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/specrun/specrun/specifications"
)

// Repository is the repository fetched.
const Repository = "mongodb/specifications"

// DefaultRef is the commit fetched when none is given: the one the shared corpus of
// specrun's own tests was copied from (its PROVENANCE.md), whose tests specrun's
// conformance expectations pin.
const DefaultRef = "92b3c0b9287bfba1b0ec4084300858d05c654f8c"

// TarballURL is GitHub's tarball of the repository at ref.
func TarballURL(ref string) string {
	segments := strings.Split(ref, "/")
	for i, s := range segments {
		segments[i] = url.PathEscape(s)
	}
	return "https://codeload.github.com/" + Repository + "/tar.gz/" + strings.Join(segments, "/")
}

// Options say what to fetch, from where, and into which folder.
type Options struct {
	Ref  string // a commit, tag or branch; DefaultRef when empty
	From string // a tarball's URL (http, https) or a local file; GitHub's when empty
	// SHA256 is the tarball's expected digest. When empty, one written beside the
	// tarball (From + ".sha256", as sha256sum writes it) is used if there is one.
	SHA256 string
	Dir    string // where corpora go, one folder per commit: specifications.FetchedDir()
	// Progress, when set, shows the download as a bar (a terminal: it writes carriage
	// returns).
	Progress io.Writer
	Client   *http.Client  // http.DefaultClient when nil
	Attempts int           // downloads tried after a cut connection (default 5)
	Backoff  time.Duration // the wait before the second attempt, doubled after each (default 1s)
	Now      func() time.Time
	// wrap wraps every file written, so that tests can fill the disk.
	wrap func(io.Writer) io.Writer
}

// Result is the corpus installed.
type Result struct {
	Root   string
	Record specifications.FetchRecord
	Reused bool // the commit was fetched before: only its record was updated
}

var commitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// Get fetches, verifies and installs the corpus. A commit fetched before is not
// downloaded again: it becomes the corpus fetched last.
func Get(ctx context.Context, o Options) (Result, error) {
	o.defaults()
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return Result{}, err
	}
	removeStale(o.Dir, o.Now())
	if commitRE.MatchString(o.Ref) {
		if res, ok, err := o.reuse(o.Ref, o.Ref, nil); ok || err != nil {
			return res, err
		}
	}
	tarball, rec, cleanup, err := o.obtain(ctx)
	if err != nil {
		return Result{}, err
	}
	defer cleanup()
	tmp, err := os.MkdirTemp(o.Dir, ".tmp-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(tmp) // gone once renamed
	x, err := extract(ctx, tarball, tmp, o.wrap)
	if err != nil {
		return Result{}, err
	}
	if err := o.setCommit(&rec, x); err != nil {
		return Result{}, err
	}
	rec.Files, rec.CommitTime, rec.Fetched = x.files, x.commitTime, o.Now().UTC()
	if err := writeDescription(tmp, rec, o.wrap); err != nil {
		return Result{}, err
	}
	final := filepath.Join(o.Dir, rec.Commit)
	if err := os.Rename(tmp, final); err != nil {
		// There already (fetched through another ref, or by another process): keep
		// that one, the same commit's data, and make it the one fetched last.
		if res, ok, rerr := o.reuse(rec.Commit, o.Ref, &rec); ok || rerr != nil {
			return res, rerr
		}
		return Result{}, err
	}
	return Result{Root: final, Record: rec}, nil
}

func (o *Options) defaults() {
	if o.Ref == "" {
		o.Ref = DefaultRef
	}
	if o.Client == nil {
		o.Client = http.DefaultClient
	}
	if o.Attempts <= 0 {
		o.Attempts = 5
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.wrap == nil {
		o.wrap = func(w io.Writer) io.Writer { return w }
	}
}

// reuse makes the corpus of commit, if fetched before, the one fetched last. fresh is
// the record of a download of the same commit, whose source it then takes.
func (o *Options) reuse(commit, ref string, fresh *specifications.FetchRecord) (Result, bool, error) {
	root := filepath.Join(o.Dir, commit)
	rec, err := specifications.ReadFetchRecord(root)
	if err != nil {
		return Result{}, false, nil
	}
	if fresh != nil {
		fresh.Files, fresh.CommitTime = rec.Files, rec.CommitTime
		rec = fresh
	}
	rec.Ref, rec.Fetched = ref, o.Now().UTC()
	if err := writeRecord(root, *rec); err != nil {
		return Result{}, false, err
	}
	return Result{Root: root, Record: *rec, Reused: true}, true, nil
}

// obtain gives the path of the verified tarball, the record of where it came from,
// and what removes what it downloaded.
func (o *Options) obtain(ctx context.Context) (string, specifications.FetchRecord, func(), error) {
	rec := specifications.FetchRecord{Repository: Repository, Ref: o.Ref, URL: o.From}
	switch {
	case rec.URL == "":
		rec.URL = TarballURL(o.Ref)
	case !isURL(rec.URL):
		if abs, err := filepath.Abs(rec.URL); err == nil {
			rec.URL = abs // the record says where the tarball was, from anywhere
		}
	}
	want, from, err := o.expectedDigest(ctx, rec.URL)
	if err != nil {
		return "", rec, nil, err
	}
	rec.Checksum = from
	path, cleanup := rec.URL, func() {}
	if isURL(rec.URL) {
		if path, err = o.download(ctx, rec.URL); err != nil {
			return "", rec, nil, err
		}
		cleanup = func() { os.Remove(path) }
	}
	size, sum, err := digest(path)
	if err != nil {
		cleanup()
		return "", rec, nil, err
	}
	rec.Size, rec.SHA256 = size, sum
	if want != "" && want != sum {
		cleanup()
		return "", rec, nil, fmt.Errorf("%s: sha256 %s, but %s says %s: refused", rec.URL, sum, from, want)
	}
	return path, rec, cleanup, nil
}

// setCommit names the commit the tarball holds: the commit ID git archive writes in
// its pax global header (GitHub's tarballs are git archive's), else its top folder
// <repo>-<40 hex> (GitHub names it so when asked for a commit), else the ref when it
// is a commit. A ref that is a commit must be the one the tarball holds.
func (o *Options) setCommit(rec *specifications.FetchRecord, x extracted) error {
	commit := x.paxCommit
	if commit == "" {
		if _, suffix, ok := cutLast(x.top, "-"); ok && commitRE.MatchString(suffix) {
			commit = suffix
		}
	}
	switch {
	case commit == "" && commitRE.MatchString(o.Ref):
		commit = o.Ref
	case commit == "":
		return fmt.Errorf("%s: cannot tell which commit the tarball holds (no commit in its pax header, its top folder is %q): give the commit as REF", rec.URL, x.top)
	case commitRE.MatchString(o.Ref) && commit != o.Ref:
		return fmt.Errorf("%s holds commit %s, not %s: refused", rec.URL, commit, o.Ref)
	}
	rec.Commit = commit
	return nil
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

func isURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https")
}

// removeStale removes what a process that was killed left behind (temporary folders
// and downloads a day old).
func removeStale(dir string, now time.Time) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".tmp-") && !strings.HasPrefix(e.Name(), ".download-") {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > 24*time.Hour {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// writeDescription writes the PROVENANCE.md that identifies the corpus in reports
// (the same for every fetch of a commit, so that reports of two machines compare) and
// the fetch record.
func writeDescription(root string, rec specifications.FetchRecord, wrap func(io.Writer) io.Writer) error {
	text := "# Where this corpus comes from\n\n" +
		"Fetched by `specrun corpus get` from " + Repository + " (Apache License 2.0) at commit\n" +
		rec.Commit + ": its test data and schemas only (`source/*/tests/**`,\n" +
		"`source/unified-test-format/schema-*.json`), unchanged. " + specifications.FetchRecordName + "\n" +
		"beside this file says from where, and when.\n"
	if err := writeFile(filepath.Join(root, "PROVENANCE.md"), []byte(text), wrap); err != nil {
		return err
	}
	return writeRecord(root, rec)
}

func writeRecord(root string, rec specifications.FetchRecord) error {
	data, err := marshalRecord(rec)
	if err != nil {
		return err
	}
	return replaceFile(filepath.Join(root, specifications.FetchRecordName), data)
}

// replaceFile writes data to path through a temporary file beside it and a rename, so
// a reader never meets half a record. (renameio does this on Unix only; os.Rename
// replaces an existing file on Windows too.)
func replaceFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".record-")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err = errors.Join(err, f.Close()); err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

func writeFile(path string, data []byte, wrap func(io.Writer) io.Writer) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = wrap(f).Write(data)
	return errors.Join(err, f.Close())
}
