//go:build noembedded

package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/specrun/specrun/specifications"
)

// TestNoEmbedded: a build without the embedded server (-tags noembedded) says so, as a
// usage error, when a run has no --uri, $MONGODB_URI or --server-cmd, and for serve.
// CI runs it: go test -tags noembedded -run TestNoEmbedded ./cmd/specrun
func TestNoEmbedded(t *testing.T) {
	t.Setenv("MONGODB_URI", "")
	var out, errOut bytes.Buffer
	code := runTests(context.Background(), []string{testdata + "/good"}, &out, &errOut)
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, "specrun: this specrun was built with -tags noembedded and has no embedded server: give --uri (or $MONGODB_URI) or --server-cmd\n", errOut.String())

	out.Reset()
	errOut.Reset()
	code = serveUntil(context.Background(), nil, &out, &errOut)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut.String(), "specrun serve: this specrun was built with -tags noembedded")

	assert.NotEmpty(t, specifications.DefaultLocations("").GoDriverVersion,
		"the Go driver 1.x module is still in the build: its test data is a corpus")
}
