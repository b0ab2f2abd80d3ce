package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

var helpCommand = &command{
	name:    "help",
	args:    "[VERB]",
	summary: "show this help, or a verb's flags",
	setup: func(c *cli, fs *flag.FlagSet) func(context.Context, []string) error {
		return func(ctx context.Context, args []string) error {
			if err := nargs(args, 0, 1); err != nil {
				return err
			}
			if len(args) == 0 {
				c.usage(c.stdout)
				return nil
			}
			cmd := lookup(args[0])
			if cmd == nil {
				return usagef("unknown command %q", args[0])
			}
			vfs := c.flagSet(cmd)
			vfs.SetOutput(c.stdout)
			cmd.setup(c, vfs)
			vfs.Usage()
			return nil
		}
	},
}

// exitHelp is the exit-code table, as help prints it.
const exitHelp = `Exit codes:
  0  ok                 5  permission denied
  1  other failure      6  invalid path
  2  usage or bad URL   7  not supported by the backend
  3  not found          8  backend unavailable
  4  already exists (pass -f to overwrite)`

// usage prints the general help.
func (c *cli) usage(w io.Writer) {
	fmt.Fprintln(w, "usage: iomanager [--store URL | --config FILE --store NAME] VERB [flags] [args]")
	fmt.Fprintln(w, "\nVerbs:")
	for _, cmd := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", cmd.name, cmd.summary)
	}
	fmt.Fprintf(w, "  %-8s %s\n", "serve", "run the IO manager plugin as a sidecar (serve --reattach-file F; see serve -h)")
	fmt.Fprintln(w, "\nFlags go before or after the verb; `iomanager help VERB` lists a verb's flags.")
	fmt.Fprintln(w, "\n"+addressingHelp)
	fmt.Fprintln(w, "\n"+exitHelp)
	fmt.Fprintln(w, "\nErrors go to stderr as \"iomanager VERB: message\"; the message names the path.")
	fmt.Fprintln(w, "Progress bars are drawn on stderr for transfers over 8 MiB when stderr is a terminal.")
	fmt.Fprintln(w, "Launched by a go-plugin host (its magic cookie set), iomanager serves the IO manager plugin.")
}
