package grpcplugin

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// The entry points cmd/iomanager calls, so that its plugin file stays three
// lines and the logic is tested here.

// ServePlugin serves the plugin to the go-plugin host that launched the
// process and returns the exit code. Nothing is written to stdout before
// the handshake line; logs are hclog JSON on stderr.
func ServePlugin() int {
	stopProfile, err := startCPUProfile(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "iomanager:", err)
		return 1
	}
	defer stopProfile()
	if err := Serve(context.Background(), ServeOptions{}); err != nil {
		fmt.Fprintln(os.Stderr, "iomanager:", err)
		return 1
	}
	return 0
}

// RunSidecar runs `iomanager serve --reattach-file F [--store URL |
// --config FILE --store-name NAME]` until SIGINT or SIGTERM; args are the
// verb's arguments. It returns the exit code (2 for usage errors).
func RunSidecar(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	reattach := fs.String("reattach-file", "", "write the go-plugin reattach config (JSON, 0600) of the sidecar to this file (required)")
	storeURL := fs.String("store", "", "default store URL for clients that do not Configure one (default $"+EnvStoreURL+")")
	config := fs.String("config", "", "default stores.yaml (default $"+EnvConfigFile+")")
	storeName := fs.String("store-name", "", "store name in --config (default $"+EnvStoreName+")")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: iomanager serve --reattach-file F [--store URL | --config FILE --store-name NAME]")
		fmt.Fprintln(fs.Output(), "Runs the IO manager plugin as a sidecar on a private Unix socket (0600) until SIGINT/SIGTERM;")
		fmt.Fprintln(fs.Output(), "worker processes attach with the reattach file (Python: sidecar=F).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *reattach == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	over := map[string]string{EnvStoreURL: *storeURL, EnvConfigFile: *config, EnvStoreName: *storeName}
	getenv := func(k string) string {
		if v := over[k]; v != "" {
			return v
		}
		return os.Getenv(k)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Serve(ctx, ServeOptions{ReattachFile: *reattach, Getenv: getenv}); err != nil {
		fmt.Fprintln(os.Stderr, "iomanager serve:", err)
		return 1
	}
	return 0
}
