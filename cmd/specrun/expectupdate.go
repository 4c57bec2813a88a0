package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/specrun/specrun/report"
	"github.com/specrun/specrun/result"
)

// expectationsUpdate is --update-expect FILE: the file is rewritten from the run,
// starting from --expect when given, else from the file's own entries, and taking
// reasons from both.
type expectationsUpdate struct {
	path   string
	base   *report.Expectations // what the new file starts from
	own    *report.Expectations // the file's entries before, nil if it did not exist
	header string
	// stdout is where the file goes when path is "-".
	stdout io.Writer
}

func loadUpdate(path, expectPath string, expect *report.Expectations) (*expectationsUpdate, error) {
	u := &expectationsUpdate{path: path, base: expect, header: report.DefaultExpectationsHeader}
	data, err := os.ReadFile(path)
	switch {
	case path == stdoutPath, errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("--update-expect: %w", err)
	default:
		if u.own, err = report.ParseExpectations(path, data); err != nil {
			return nil, fmt.Errorf("--update-expect: %w (fix it or remove it)", err)
		}
		if h := report.HeaderComment(data); h != "" {
			u.header = h
		}
		if u.base == nil {
			u.base = u.own
		}
	}
	if u.own == nil && expect != nil {
		if data, err := os.ReadFile(expectPath); err == nil {
			if h := report.HeaderComment(data); h != "" {
				u.header = h
			}
		}
	}
	return u, nil
}

// write writes the file and says what changed.
func (u *expectationsUpdate) write(ran []result.Test, known []string, w io.Writer) error {
	up := report.UpdateExpectations(u.base, ran, known, u.own)
	var b bytes.Buffer
	if err := report.WriteExpectations(&b, u.header, up.Expectations); err != nil {
		return err
	}
	if err := writeOutput(u.path, u.stdout, func(w io.Writer) error { _, err := w.Write(b.Bytes()); return err }); err != nil {
		return fmt.Errorf("--update-expect: %w", err)
	}
	todo := 0
	for _, e := range up.Expectations.Entries {
		if bytes.HasPrefix([]byte(e.Reason), []byte(report.TODOReason)) {
			todo++
		}
	}
	where := u.path
	if where == stdoutPath {
		where = "the expectations to stdout"
	}
	fmt.Fprintf(w, "specrun: wrote %s: %s (%d added, %d changed, %d removed); %s to fill in (they start with %q)\n",
		where, count(len(up.Expectations.Entries), "entry"), len(up.Added), len(up.Changed), len(up.Removed), count(todo, "reason"), "TODO:")
	return nil
}
