package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const serveUsage = `Usage: specrun serve [--addr HOST:PORT]

Runs the embedded FerretDB server (SQLite backend, temporary data folder removed
at exit) until interrupted, and prints its connection string.

Example:
  specrun serve --addr 127.0.0.1:27017

Flags:
`

// serve runs the embedded server until SIGINT or SIGTERM.
func serve(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serveUntil(ctx, args, stdout, stderr)
}

// serveUntil starts the embedded server, prints one line with its URI on stdout, and
// runs it until ctx is done; then it stops the server, removes its data and returns 0.
// Exit 1 when the server cannot start, 2 for usage errors.
func serveUntil(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("serve", serveUsage, stdout, stderr)
	addr := fs.String("addr", defaultServeAddr, "`HOST:PORT` to listen on; port 0 picks a free port")
	extra, exit, ok := parseArgs(fs, args)
	if !ok {
		return exit
	}
	if len(extra) > 0 {
		return fs.usageError("unexpected argument %q", extra[0])
	}

	srv, err := startEmbedded(ctx, *addr, nil)
	switch {
	case errors.Is(err, errNoEmbedded):
		fmt.Fprintln(stderr, "specrun serve:", err)
		return exitUsage
	case err != nil && ctx.Err() != nil:
		return exitOK // interrupted while starting
	case err != nil:
		fmt.Fprintln(stderr, "specrun serve:", err)
		return exitFail
	}
	fmt.Fprintf(stdout, "specrun: embedded %s (SQLite, temporary data) listening on %s\n", srv.Version(), srv.URI())

	<-ctx.Done()
	if err := srv.Close(); err != nil {
		fmt.Fprintln(stderr, "specrun serve:", err)
		return exitFail
	}
	return exitOK
}
