package corpusget

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/specrun/specrun/specifications"
)

// expectedDigest is the sha256 the tarball must have, and what said so: --sha256, or
// the file written beside the tarball (<tarball>.sha256). None known: "", "".
func (o *Options) expectedDigest(ctx context.Context, tarball string) (sum, from string, err error) {
	if o.SHA256 != "" {
		sum, err := parseDigest(o.SHA256)
		return sum, "--sha256", err
	}
	if o.From == "" { // GitHub publishes none
		return "", "", nil
	}
	side := tarball + ".sha256"
	var data []byte
	if isURL(tarball) {
		side = sidecarURL(tarball)
		data, err = o.fetchSmall(ctx, side)
	} else {
		data, err = os.ReadFile(side)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", "", nil
	case err != nil:
		return "", "", err
	}
	sum, err = parseDigest(string(data))
	if err != nil {
		return "", "", fmt.Errorf("%s: %w", side, err)
	}
	return sum, side, nil
}

// parseDigest reads a sha256 as sha256sum writes it: 64 hex digits, then perhaps a
// file name.
func parseDigest(s string) (string, error) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return "", errors.New("no sha256")
	}
	sum := strings.ToLower(fields[0])
	if _, err := hex.DecodeString(sum); err != nil || len(sum) != 64 {
		return "", fmt.Errorf("%q is not a sha256 (64 hex digits)", fields[0])
	}
	return sum, nil
}

// fetchSmall reads a small file by HTTP; a 404 is fs.ErrNotExist.
func (o *Options) fetchSmall(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := o.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, fs.ErrNotExist
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%s: %s", u, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 4096))
}

// download copies the tarball at u into a temporary file of the corpora's folder. A
// connection cut before the end is taken up again where it stopped (a Range request;
// a server that ignores it sends the whole again), up to o.Attempts times. The size
// the server announced must be the size received, and neither may be above
// downloadLimit.
func (o *Options) download(ctx context.Context, u string) (path string, err error) {
	f, err := os.CreateTemp(o.Dir, ".download-*.tar.gz")
	if err != nil {
		return "", err
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	d := &transfer{file: f, w: o.wrap(f), bar: newBar(o.Progress, u)}
	defer d.bar.done()
	wait := o.Backoff
	for attempt := 1; ; attempt++ {
		err := d.attempt(ctx, o.Client, u)
		var cut *cutError
		switch {
		case err == nil:
			return f.Name(), nil
		case ctx.Err() != nil: // interrupted: no attempt was at fault
			return "", fmt.Errorf("%s: %w", u, context.Cause(ctx))
		case !errors.As(err, &cut) || attempt == o.Attempts:
			if cut != nil {
				return "", fmt.Errorf("%s: %w (%d attempts)", u, cut.err, attempt)
			}
			return "", err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// downloadLimit is the most a tarball may weigh, as announced (Content-Length, the
// total of Content-Range) and as received: what it holds may not be more
// (maxTotalSize), and gzip never makes a tarball of test files larger.
var downloadLimit int64 = maxTotalSize

// transfer is one download, over one or more requests.
type transfer struct {
	file  *os.File
	w     io.Writer
	have  int64 // bytes in the file
	total int64 // announced size (-1: unknown)
	etag  string
	bar   *bar
}

// cutError is a download that stopped before its end, for a reason worth another
// attempt: a connection cut, a server error.
type cutError struct{ err error }

func (e *cutError) Error() string { return e.err.Error() }

func (d *transfer) attempt(ctx context.Context, client *http.Client, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if d.have > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", d.have))
		if d.etag != "" {
			req.Header.Set("If-Range", d.etag) // another file by now: send it whole
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return &cutError{err}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent && d.have > 0:
		start, total, ok := contentRange(resp.Header.Get("Content-Range"))
		if !ok || start != d.have {
			return fmt.Errorf("%s: a resumed download answered Content-Range %q for bytes=%d-", u, resp.Header.Get("Content-Range"), d.have)
		}
		d.total = total
	case resp.StatusCode == http.StatusOK:
		if err := d.restart(); err != nil {
			return err
		}
		d.total, d.etag = resp.ContentLength, resp.Header.Get("ETag")
	case resp.StatusCode >= 500:
		return &cutError{fmt.Errorf("%s", resp.Status)}
	default:
		return fmt.Errorf("%s: %s", u, resp.Status)
	}
	if d.total > downloadLimit {
		return fmt.Errorf("%s: %d bytes, larger than specrun takes (%d): refused", u, d.total, downloadLimit)
	}
	d.bar.set(d.have, d.total)
	body := io.LimitReader(resp.Body, downloadLimit-d.have+1)
	_, err = io.Copy(markWrites{d.w}, &progressReader{r: body, d: d})
	var werr *writeError
	switch {
	case errors.As(err, &werr):
		return fmt.Errorf("writing %s: %w", d.file.Name(), werr.err)
	case err != nil:
		return &cutError{err}
	case d.have > downloadLimit:
		return fmt.Errorf("%s: more than %d bytes, larger than specrun takes: refused", u, downloadLimit)
	case d.total >= 0 && d.have != d.total:
		return &cutError{fmt.Errorf("received %d of %d bytes", d.have, d.total)}
	}
	return nil
}

// restart empties the file for a download sent whole.
func (d *transfer) restart() error {
	if d.have == 0 {
		return nil
	}
	if err := d.file.Truncate(0); err != nil {
		return err
	}
	_, err := d.file.Seek(0, io.SeekStart)
	d.have = 0
	return err
}

// progressReader counts what is read; the writes that fail are told apart from the
// reads that fail (a full disk is no cut connection) by writeError.
type progressReader struct {
	r io.Reader
	d *transfer
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.d.have += int64(n)
	p.d.bar.set(p.d.have, p.d.total)
	return n, err
}

// writeError marks a failed write to the disk.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }

// markWrites marks the errors of w as writeErrors.
type markWrites struct{ w io.Writer }

func (m markWrites) Write(b []byte) (int, error) {
	n, err := m.w.Write(b)
	if err != nil {
		err = &writeError{err}
	}
	return n, err
}

// contentRange parses "bytes START-END/TOTAL" (TOTAL may be *: -1).
func contentRange(s string) (start, total int64, ok bool) {
	rest, found := strings.CutPrefix(s, "bytes ")
	if !found {
		return 0, 0, false
	}
	span, size, found := strings.Cut(rest, "/")
	first, _, found2 := strings.Cut(span, "-")
	if !found || !found2 {
		return 0, 0, false
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil {
		return 0, 0, false
	}
	if size == "*" {
		return start, -1, true
	}
	total, err = strconv.ParseInt(size, 10, 64)
	return start, total, err == nil
}

// digest gives a file's size and sha256.
func digest(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

func marshalRecord(rec specifications.FetchRecord) ([]byte, error) {
	data, err := json.MarshalIndent(rec, "", "  ")
	return append(data, '\n'), err
}

// sidecarURL is the URL of the checksum beside a tarball's: ".sha256" added to its
// path, its query (a signed mirror URL's) kept as it is.
func sidecarURL(tarball string) string {
	u, err := url.Parse(tarball)
	if err != nil || u.RawQuery == "" {
		return tarball + ".sha256"
	}
	u.Path += ".sha256"
	u.RawPath = ""
	return u.String()
}
