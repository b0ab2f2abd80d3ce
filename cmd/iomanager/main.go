// Command iomanager is the remotestore command line: it lists, reads,
// writes, copies, moves and deletes files on any store (local folders,
// memory, S3, HTTP, …) addressed by URL, and it is also the IO manager's
// go-plugin binary.
//
// Launched by a go-plugin host (the magic cookie of grpcplugin.Handshake in
// its environment) it serves the plugin and prints nothing to stdout before
// the handshake line. `iomanager serve --reattach-file F` runs the same
// server as a sidecar. Otherwise it runs the command line; see
// `iomanager help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/remotestore/remotestore/iomanager/grpcplugin"
)

func main() {
	// Before anything else: a plugin host reads the handshake from the
	// first line of stdout.
	if grpcplugin.IsPluginLaunch(os.Getenv) {
		os.Exit(grpcplugin.ServePlugin())
	}
	// Ctrl-C cancels the context, so a write in progress is aborted and
	// never published half-written.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
