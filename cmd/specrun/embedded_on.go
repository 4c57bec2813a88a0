//go:build !noembedded

package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/specrun/specrun/embedded"
)

// This build has the embedded server (FerretDB with its SQLite backend); -tags
// noembedded leaves it out (embedded_off.go).

// embeddedServer is the embedded server started for a run or for serve.
type embeddedServer interface {
	URI() string
	Version() string
	Close() error
}

// defaultServeAddr is serve's default --addr.
const defaultServeAddr = embedded.DefaultAddr

// errNoEmbedded is what startEmbedded says in a build without the server; this build
// never does.
var errNoEmbedded = errors.New("no embedded server")

func startEmbedded(ctx context.Context, addr string, logger *slog.Logger) (embeddedServer, error) {
	return embedded.Start(ctx, embedded.Options{Addr: addr, Logger: logger})
}
