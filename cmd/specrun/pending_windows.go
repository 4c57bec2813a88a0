//go:build windows

package main

import (
	"os"
	"path/filepath"
)

// newPendingFile starts the replacement of path (see writeFile). renameio does not
// build on Windows: a temporary file of the same folder, renamed over path (which
// os.Rename does on Windows too), with the read-only bit of the file it replaces.
func newPendingFile(path string) (pendingFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"*")
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(path); err == nil {
		_ = f.Chmod(st.Mode().Perm())
	}
	return &windowsPending{File: f, path: path}, nil
}

type windowsPending struct {
	*os.File
	path string
	done bool
}

func (p *windowsPending) CloseAtomicallyReplace() error {
	if err := p.Sync(); err != nil {
		return err
	}
	if err := p.Close(); err != nil {
		return err
	}
	if err := os.Rename(p.Name(), p.path); err != nil {
		return err
	}
	p.done = true
	return nil
}

func (p *windowsPending) Cleanup() error {
	if p.done {
		return nil
	}
	p.Close()
	return os.Remove(p.Name())
}
