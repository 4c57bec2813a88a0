package corpusget

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGetOnRealFullDisk: as TestGetFullDisk, on a real file system that fills up (a
// 256 KiB tmpfs; mounting one needs root, which CI is: elsewhere the test is skipped,
// and TestGetFullDisk stands for it).
func TestGetOnRealFullDisk(t *testing.T) {
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=256k"); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v): TestGetFullDisk fills the disk by an injected error instead", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(mnt, 0) })

	noise := make([]byte, 400<<10) // does not compress: the tarball does not fit
	_, _ = rand.Read(noise)
	top := "specifications-" + commit
	tests := []struct {
		name string
		body string
	}{
		{"the tarball does not fit", string(noise)},
		{"the tarball fits, its test data does not", strings.Repeat("a", 1<<20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries := append(upstream(top), entry{name: top + "/source/crud/tests/unified/big.json", body: tt.body})
			srv := newServer(t, map[string][]byte{"/t.tar.gz": tarball(t, commit, entries)})
			o := options(t, "master", srv.URL+"/t.tar.gz")
			o.Dir = filepath.Join(mnt, "specifications")
			_, err := Get(context.Background(), o)
			require.Error(t, err)
			assert.True(t, errors.Is(err, syscall.ENOSPC), "%v", err)
			assertNothingWritten(t, o.Dir)
			require.NoError(t, os.RemoveAll(o.Dir))
		})
	}
}
