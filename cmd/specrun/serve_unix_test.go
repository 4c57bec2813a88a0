//go:build unix

package main

import (
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServeSignal runs the real serve (with its signal handling) and stops it with
// SIGTERM. The signal is sent only once serve has printed its URI, that is once its
// handler is installed, so it cannot end the test process.
func TestServeSignal(t *testing.T) {
	_, exit, stderr := startServe(t, func(stdout, stderr *syncBuffer) int {
		return dispatch([]string{"serve"}, stdout, stderr)
	})
	require.NoError(t, syscall.Kill(syscall.Getpid(), syscall.SIGTERM))
	select {
	case code := <-exit:
		assert.Equal(t, exitOK, code)
		assert.Empty(t, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s of SIGTERM")
	}
}
