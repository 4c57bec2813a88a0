//go:build noembedded

package main

import (
	"context"
	"errors"
	"log/slog"

	// The Go driver 1.x module comes into the build through FerretDB, which this build
	// leaves out. Its one-line version package keeps it in: go build then downloads
	// the module, whose test data is the Go module cache corpus, and this program's
	// build information names its version (specifications.DefaultLocations).
	_ "go.mongodb.org/mongo-driver/version"
)

// This build has no embedded server (-tags noembedded): FerretDB and its database
// drivers are left out, for users who always bring their own server.

// embeddedServer is the embedded server started for a run or for serve.
type embeddedServer interface {
	URI() string
	Version() string
	Close() error
}

// defaultServeAddr is serve's default --addr.
const defaultServeAddr = "127.0.0.1:0"

var errNoEmbedded = errors.New("this specrun was built with -tags noembedded and has no embedded server: give --uri (or $MONGODB_URI) or --server-cmd")

func startEmbedded(context.Context, string, *slog.Logger) (embeddedServer, error) {
	return nil, errNoEmbedded
}
