package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/remotestore/remotestore/store"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version from the build info is used.
var version = ""

var versionCommand = &command{
	name:    "version",
	args:    "",
	summary: "print the version, the Go version and the linked backends",
	setup: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
		return func(ctx context.Context, args []string) error {
			if err := nargs(args, 0, 0); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "iomanager %s (%s %s/%s)\nbackends: %s\n", versionString(), runtime.Version(),
				runtime.GOOS, runtime.GOARCH, strings.Join(store.DefaultRegistry.Schemes(), " "))
			return nil
		}
	},
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
