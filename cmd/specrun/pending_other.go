//go:build !windows

package main

import (
	"path/filepath"

	"github.com/google/renameio/v2"
)

// newPendingFile starts the replacement of path (see writeFile): renameio does the
// temporary file, the mode, the sync and the rename, as Go has no atomic write.
func newPendingFile(path string) (pendingFile, error) {
	return renameio.NewPendingFile(path, renameio.WithTempDir(filepath.Dir(path)),
		renameio.WithPermissions(0o666), renameio.WithExistingPermissions())
}
