package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/remotestore/remotestore/iomanager/grpcplugin"
)

// TestBinary builds the command and runs it as a process: the CLI mode,
// its exit codes, and the plugin mode's first stdout line.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "iomanager")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// The child must not inherit a cookie from a plugin host running the
	// tests.
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, grpcplugin.MagicCookieKey+"=") && !strings.HasPrefix(kv, envStore+"=") && !strings.HasPrefix(kv, envConfig+"=") {
			env = append(env, kv)
		}
	}
	dir, u := tempStore(t)
	writeFile(t, filepath.Join(dir, "sub", "f.txt"), "content")

	t.Run("cli", func(t *testing.T) {
		cmd := exec.Command(bin, "ls", "-R", u)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil || string(out) != "sub/\nsub/f.txt\n" {
			t.Errorf("ls -R: %v, %q", err, out)
		}
		cmd = exec.Command(bin, "--store", u, "cat", "sub/missing.txt")
		cmd.Env = env
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err = cmd.Output()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitNotFound || len(out) != 0 ||
			!strings.HasPrefix(stderr.String(), "iomanager cat: ") || !strings.Contains(stderr.String(), "sub/missing.txt") {
			t.Errorf("cat missing: %v, stdout %q, stderr %q", err, out, stderr.String())
		}
		cmd = exec.Command(bin, "serve") // the sidecar verb needs --reattach-file
		cmd.Env = env
		if err := cmd.Run(); !errors.As(err, &ee) || ee.ExitCode() != exitUsage {
			t.Errorf("serve without --reattach-file: %v, want exit %d", err, exitUsage)
		}
	})

	t.Run("plugin", func(t *testing.T) {
		// Launched with the cookie, the first line on stdout is go-plugin's
		// handshake: CORE|APP|NETWORK|ADDR|PROTOCOL[|CERT].
		cmd := exec.Command(bin)
		cmd.Env = append(env, grpcplugin.MagicCookieKey+"="+grpcplugin.MagicCookieValue,
			grpcplugin.EnvStoreURL+"="+u)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line := make(chan string, 1)
		go func() {
			s, _ := bufio.NewReader(stdout).ReadString('\n')
			line <- s
		}()
		var first string
		select {
		case first = <-line:
		case <-time.After(30 * time.Second): // a hang guard, not a timing assertion
		}
		cmd.Process.Kill()
		cmd.Wait() // stderr is complete from here on
		re := regexp.MustCompile(`^1\|1\|(unix|tcp)\|[^|]+\|grpc(\|[^|]*)?\n$`)
		if !re.MatchString(first) {
			t.Errorf("first stdout line %q is not the go-plugin handshake; stderr:\n%s", first, stderr.String())
		}
	})
}
