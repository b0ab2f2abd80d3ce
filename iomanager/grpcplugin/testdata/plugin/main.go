// Command plugin is a stand-in for cmd/iomanager in the plugin tests, used
// only while cmd/iomanager does not exist: it serves the IO manager plugin
// exactly as cmd/iomanager does (grpcplugin.Serve), with every backend the
// tests need linked in.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	_ "github.com/remotestore/remotestore/backends/local"
	_ "github.com/remotestore/remotestore/backends/memory"

	"github.com/remotestore/remotestore/iomanager/grpcplugin"
)

func main() {
	reattach := flag.String("reattach-file", "", "run as a sidecar; write the reattach config here")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := grpcplugin.Serve(ctx, grpcplugin.ServeOptions{ReattachFile: *reattach}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
