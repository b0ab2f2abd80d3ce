package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"golang.org/x/term"

	_ "github.com/remotestore/remotestore/backends/all"
	"github.com/remotestore/remotestore/iomanager/grpcplugin"
	"github.com/remotestore/remotestore/store"
)

// Environment variables the command line reads.
const (
	// envStore is the default of --store: a store URL, or a store name
	// when a config file is given.
	envStore = "IOMANAGER_STORE"
	// envConfig is the default of --config: a stores YAML file.
	envConfig = "IOMANAGER_CONFIG"
)

// Exit codes, one per store error kind (see exitCode and `iomanager help`).
const (
	exitOK            = 0
	exitFailure       = 1
	exitUsage         = 2
	exitNotFound      = 3
	exitAlreadyExists = 4
	exitPermission    = 5
	exitInvalidPath   = 6
	exitNotSupported  = 7
	exitUnavailable   = 8
)

// command is one verb of the command line.
type command struct {
	name    string
	args    string // synopsis of the positional arguments
	summary string
	// setup registers the verb's flags on fs and returns the function that
	// runs the verb on its positional arguments.
	setup func(c *cli, fs *flag.FlagSet) func(ctx context.Context, args []string) error
}

// commands lists the verbs in the order help shows them. It is filled in
// init because help refers back to it.
var commands []*command

func init() {
	commands = []*command{
		lsCommand, statCommand, catCommand, putCommand, getCommand,
		cpCommand, mvCommand, rmCommand, duCommand, versionCommand, helpCommand,
	}
}

func lookup(name string) *command {
	for _, cmd := range commands {
		if cmd.name == name {
			return cmd
		}
	}
	return nil
}

// cli is one run of the command line: its streams, its global flags and
// the stores it opened.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// openURL opens a store from a URL (store.OpenURL; tests swap it).
	openURL func(ctx context.Context, url string) (*store.Store, error)
	// serve runs the `serve` verb (grpcplugin.RunSidecar).
	serve func(args []string) int
	// terminal is true when stderr is a terminal: progress bars are drawn
	// only then.
	terminal bool

	storeFlag  string // --store: URL, or name in --config
	configFlag string // --config: stores YAML
	verb       string
	stores     map[string]*store.Store // opened by this run, by URL or config name
}

// run runs the command line with args (without the program name) and
// returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := newCLI(stdin, stdout, stderr)
	return c.main(ctx, args)
}

func newCLI(stdin io.Reader, stdout, stderr io.Writer) *cli {
	c := &cli{
		stdin: stdin, stdout: stdout, stderr: stderr,
		getenv:  os.Getenv,
		openURL: store.OpenURL,
		serve:   grpcplugin.RunSidecar,
	}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		c.terminal = true
	}
	return c
}

// globalFlags registers --store and --config on fs, defaulting to what is
// already set, so they may come before or after the verb.
func (c *cli) globalFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.storeFlag, "store", c.storeFlag, "store `URL` that plain paths are inside (or a store name with --config; default $"+envStore+")")
	fs.StringVar(&c.configFlag, "config", c.configFlag, "stores YAML `FILE`; --store then names a store in it (default $"+envConfig+")")
}

func (c *cli) main(ctx context.Context, args []string) int {
	c.storeFlag, c.configFlag = c.getenv(envStore), c.getenv(envConfig)
	top := flag.NewFlagSet("iomanager", flag.ContinueOnError)
	top.SetOutput(c.stderr)
	c.globalFlags(top)
	top.Usage = func() { c.usage(c.stderr) }
	if err := top.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if top.NArg() == 0 {
		c.usage(c.stderr)
		return exitUsage
	}
	c.verb = top.Arg(0)
	rest := top.Args()[1:]
	if c.verb == "serve" {
		return c.serve(rest)
	}
	cmd := lookup(c.verb)
	if cmd == nil {
		fmt.Fprintf(c.stderr, "iomanager: unknown command %q; run 'iomanager help'\n", c.verb)
		return exitUsage
	}
	defer c.closeStores()
	fs := c.flagSet(cmd)
	runCmd := cmd.setup(c, fs)
	pos, err := parseInterspersed(fs, rest)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	return c.fail(runCmd(ctx, pos))
}

// flagSet returns the verb's flag set with the global flags on it.
func (c *cli) flagSet(cmd *command) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	c.globalFlags(fs)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "usage: iomanager %s %s\n  %s\n", cmd.name, cmd.args, cmd.summary)
		fmt.Fprintln(out, "flags:")
		fs.PrintDefaults()
	}
	return fs
}

// parseInterspersed parses flags anywhere among the positional arguments
// ("ls dir -l" as "ls -l dir"); everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// usageError is a mistake on the command line (exit code 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// nargs checks the number of positional arguments.
func nargs(args []string, min, max int) error {
	switch {
	case len(args) < min:
		return usagef("missing arguments")
	case max >= 0 && len(args) > max:
		return usagef("too many arguments: %s", strings.Join(args[max:], " "))
	}
	return nil
}

// fail prints err as "iomanager VERB: err" on stderr and returns its exit
// code.
func (c *cli) fail(err error) int {
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	hint := ""
	if code == exitAlreadyExists && (c.verb == "put" || c.verb == "get" || c.verb == "cp" || c.verb == "mv") {
		hint = " (pass -f to overwrite)"
	}
	fmt.Fprintf(c.stderr, "iomanager %s: %v%s\n", c.verb, err, hint)
	var ue *usageError
	if errors.As(err, &ue) {
		if cmd := lookup(c.verb); cmd != nil {
			fmt.Fprintf(c.stderr, "usage: iomanager %s %s (iomanager help %s)\n", cmd.name, cmd.args, cmd.name)
		}
	}
	return code
}

// exitCode maps an error to the exit code of its kind: the store sentinel
// it wraps, or the io/fs error of a local file.
func exitCode(err error) int {
	var ue *usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	switch store.KindOf(err) {
	case store.ErrNotFound:
		return exitNotFound
	case store.ErrAlreadyExists:
		return exitAlreadyExists
	case store.ErrPermission:
		return exitPermission
	case store.ErrInvalidPath:
		return exitInvalidPath
	case store.ErrNotSupported:
		return exitNotSupported
	case store.ErrUnavailable:
		return exitUnavailable
	case store.ErrInvalidConfig:
		return exitUsage
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return exitNotFound
	case errors.Is(err, fs.ErrExist):
		return exitAlreadyExists
	case errors.Is(err, fs.ErrPermission):
		return exitPermission
	}
	return exitFailure
}

// closeStores closes every store the run opened.
func (c *cli) closeStores() {
	for _, st := range c.stores {
		st.Close()
	}
}
