package corpusget

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Limits of what an archive may hold: far above the repository's (about 1,600 test
// files of at most a few hundred kilobytes), far below what would fill a disk.
const (
	maxFileSize  = 64 << 20
	maxTotalSize = 2 << 30
	maxEntries   = 200_000
)

// extracted is what extract found.
type extracted struct {
	top        string // the archive's one top folder
	paxCommit  string // the commit ID of its pax global header
	files      int
	commitTime time.Time // the top folder's time: git archive gives every entry the commit's
}

// extract writes the test data and schemas of a mongodb/specifications tarball
// (<top>/source/*/tests/**, <top>/source/unified-test-format/schema-*.json) under dir,
// without the top folder. The whole archive is refused, before or after anything was
// written (the caller removes dir), when an entry's path is absolute or climbs with
// .., when it is a link (symbolic or hard) or a device, when its entries are not all in
// one top folder, when it is larger than the limits, or when the gzip stream is
// corrupt (its trailer's CRC-32 or length do not match).
func extract(ctx context.Context, tarball, dir string, wrap func(io.Writer) io.Writer) (extracted, error) {
	var x extracted
	f, err := os.Open(tarball)
	if err != nil {
		return x, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return x, fmt.Errorf("%s: not a gzip tarball: %w", tarball, err)
	}
	tr := tar.NewReader(gz)
	var total int64
	for entries := 0; ; entries++ {
		if err := ctx.Err(); err != nil { // interrupted: nothing is installed
			return x, context.Cause(ctx)
		}
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return x, fmt.Errorf("%s: %w", tarball, err)
		}
		if entries == maxEntries {
			return x, fmt.Errorf("%s: more than %d entries: refused", tarball, maxEntries)
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			if c := h.PAXRecords["comment"]; commitRE.MatchString(c) {
				x.paxCommit = c
			}
			continue
		}
		rel, err := x.place(h)
		if err != nil {
			return x, fmt.Errorf("%s: %w: refused", tarball, err)
		}
		if h.Typeflag != tar.TypeReg || !wanted(rel) {
			continue
		}
		if total += h.Size; h.Size > maxFileSize || total > maxTotalSize {
			return x, fmt.Errorf("%s: %s: larger than specrun takes (%d bytes a file, %d in all): refused", tarball, h.Name, maxFileSize, maxTotalSize)
		}
		if err := writeEntry(filepath.Join(dir, filepath.FromSlash(rel)), tr, wrap); err != nil {
			return x, err
		}
		x.files++
	}
	// The tar ends before the gzip stream does: read the rest, so the gzip trailer
	// (CRC-32 and length) is checked and a corrupt tarball refused.
	if n, err := io.Copy(io.Discard, io.LimitReader(gz, maxTotalSize+1)); err != nil || n > maxTotalSize {
		if err == nil {
			err = fmt.Errorf("more than %d bytes after the tar's end", maxTotalSize)
		}
		return x, fmt.Errorf("%s: %w: refused", tarball, err)
	}
	if x.files == 0 {
		return x, fmt.Errorf("%s: no source/*/tests/ in the tarball: is it %s?", tarball, Repository)
	}
	return x, nil
}

// place checks an entry and gives its path below the top folder ("" for the top
// folder itself).
func (x *extracted) place(h *tar.Header) (string, error) {
	name := strings.TrimSuffix(h.Name, "/")
	switch {
	case name == "" || strings.HasPrefix(name, "/") || strings.ContainsAny(name, "\\\x00"):
		return "", fmt.Errorf("entry %q is no relative path", h.Name)
	case path.Clean(name) != name || hasDotDot(name):
		return "", fmt.Errorf("entry %q climbs out of its folder (..)", h.Name)
	}
	switch h.Typeflag {
	case tar.TypeReg, tar.TypeDir, tar.TypeXHeader:
	case tar.TypeSymlink, tar.TypeLink:
		return "", fmt.Errorf("entry %q is a link (to %q); specrun takes none", h.Name, h.Linkname)
	default:
		return "", fmt.Errorf("entry %q is of type %q, neither a file nor a folder", h.Name, h.Typeflag)
	}
	top, rel, _ := strings.Cut(name, "/")
	switch {
	case x.top == "":
		x.top, x.commitTime = top, h.ModTime.UTC()
	case top != x.top:
		return "", fmt.Errorf("entry %q is outside the top folder %q", h.Name, x.top)
	}
	return rel, nil
}

func hasDotDot(name string) bool {
	for _, part := range strings.Split(name, "/") {
		if part == ".." || part == "." {
			return true
		}
	}
	return false
}

// wanted: source/<spec>/tests/** and source/unified-test-format/schema-*.json.
func wanted(rel string) bool {
	parts := strings.Split(rel, "/")
	switch {
	case len(parts) >= 4 && parts[0] == "source" && parts[2] == "tests":
		return true
	case len(parts) == 3 && parts[0] == "source" && parts[1] == "unified-test-format":
		ok, _ := path.Match("schema-*.json", parts[2])
		return ok
	}
	return false
}

func writeEntry(p string, r io.Reader, wrap func(io.Writer) io.Writer) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(wrap(f), r)
	return errors.Join(err, f.Close())
}
