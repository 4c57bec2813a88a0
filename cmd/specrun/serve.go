package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

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
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", defaultServeAddr, "`HOST:PORT` to listen on; port 0 picks a free port")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: specrun serve [--addr HOST:PORT]\n\nRuns the embedded FerretDB server (SQLite backend, temporary data folder removed\nat exit) until interrupted, and prints its connection string.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "specrun serve: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return exitUsage
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
