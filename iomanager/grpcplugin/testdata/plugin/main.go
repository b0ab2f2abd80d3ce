// Command plugin stands in for cmd/iomanager in the plugin tests while
// cmd/iomanager has no plugin.go: it serves the plugin through the same
// entry points (grpcplugin.ServePlugin, grpcplugin.RunSidecar), with the
// backends the tests need linked in.
package main

import (
	"fmt"
	"os"

	_ "github.com/remotestore/remotestore/backends/local"
	_ "github.com/remotestore/remotestore/backends/memory"

	"github.com/remotestore/remotestore/iomanager/grpcplugin"
)

func main() {
	switch {
	case grpcplugin.IsPluginLaunch(os.Getenv):
		os.Exit(grpcplugin.ServePlugin())
	case len(os.Args) > 1 && os.Args[1] == "serve":
		os.Exit(grpcplugin.RunSidecar(os.Args[2:]))
	}
	fmt.Fprintln(os.Stderr, "usage: plugin serve --reattach-file F (or launch it as a go-plugin plugin)")
	os.Exit(2)
}
