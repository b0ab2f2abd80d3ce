// Package azurite starts a real Azure Blob Storage server, the blob service
// of Azurite (MIT, Microsoft's storage emulator), on a free 127.0.0.1 port
// with a temporary data folder and a random account key, for the tests of
// the Azure backend and of anything built on it. It never uses Docker;
// scripts/install-azurite.sh installs Azurite with npm into
// ./.cache/azurite.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(azurite.Main(m)) }
//
//	func TestX(t *testing.T) {
//		srv := azurite.Get(t)          // skips when Azurite is missing
//		container := srv.Container(t)  // one container per test run
//		prefix := azurite.Prefix(t)    // one blob prefix per test
//		...
//	}
//
// When Azurite is missing, Get skips the test, unless the environment sets
// REMOTESTORE_REQUIRE_SERVERS=1 (CI does): then Main fails the run.
package azurite

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/remotestore/remotestore/internal/testserver/harness"
)

// Version is the Azurite release scripts/install-azurite.sh pins.
const Version = "3.35.0"

// Environment variables read by this package.
const (
	// EnvRequire, set to "1", turns a missing Azurite into a failure.
	EnvRequire = "REMOTESTORE_REQUIRE_SERVERS"
	// EnvBinary names the azurite-blob executable to run, overriding the
	// lookup in <module root>/.cache/azurite and in PATH.
	EnvBinary = "AZURITE_BLOB"
	// EnvDataDir names the folder under which the server's temporary data
	// folder is made (default: os.TempDir(); /dev/shm keeps the disk out
	// of benchmarks).
	EnvDataDir = "REMOTESTORE_AZURITE_DATA_DIR"
)

// ErrNoBinary reports that Azurite is not installed.
var ErrNoBinary = errors.New("testserver/azurite: azurite-blob not found (run: bash scripts/install-azurite.sh, or make tools-azure)")

// Server is a running Azurite blob service with one storage account.
type Server struct {
	// Endpoint is the account's blob service URL,
	// "http://127.0.0.1:PORT/ACCOUNT" (Azurite addresses accounts by the
	// first path segment).
	Endpoint string
	// Account and Key are the storage account's name and its base64
	// shared key, random per start.
	Account, Key string

	dir  string // temporary data folder, removed by Stop
	proc *harness.Process
	log  *harness.LockedLog // the server's stdout and stderr

	containerOnce sync.Once
	container     string
	containerErr  error
}

// Binary returns the path of the azurite-blob executable: $AZURITE_BLOB,
// else <module root>/.cache/azurite/node_modules/.bin/azurite-blob (what
// the install script puts there), else azurite-blob on PATH.
func Binary() (string, error) {
	if p := os.Getenv(EnvBinary); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("testserver/azurite: %s=%s: %w", EnvBinary, p, err)
		}
		return p, nil
	}
	if root, ok := harness.ModuleRoot(); ok {
		p := filepath.Join(root, ".cache", "azurite", "node_modules", ".bin", "azurite-blob")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("azurite-blob"); err == nil {
		return p, nil
	}
	return "", ErrNoBinary
}

// Start starts Azurite's blob service on a free 127.0.0.1 port over a new
// temporary folder and waits until it answers. It returns ErrNoBinary
// when Azurite is not installed.
func Start(ctx context.Context) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	// A free port may be taken before the server binds it.
	return harness.Retry(3, func() (*Server, error) { return start(ctx, bin) })
}

func start(ctx context.Context, bin string) (*Server, error) {
	port, err := harness.FreePort()
	if err != nil {
		return nil, fmt.Errorf("testserver/azurite: %w", err)
	}
	dir, err := os.MkdirTemp(os.Getenv(EnvDataDir), "azurite-")
	if err != nil {
		return nil, fmt.Errorf("testserver/azurite: data folder: %w", err)
	}
	key := make([]byte, 64)
	rand.Read(key)
	account := "rs" + harness.RandHex(6)
	s := &Server{
		Endpoint: fmt.Sprintf("http://127.0.0.1:%d/%s", port, account),
		Account:  account,
		Key:      base64.StdEncoding.EncodeToString(key),
		dir:      dir,
		log:      &harness.LockedLog{},
	}
	cmd := exec.Command(bin,
		"--blobHost", "127.0.0.1", "--blobPort", fmt.Sprint(port),
		"--location", dir,
		"--skipApiVersionCheck", // the SDK may speak a newer API version than the emulator knows
		"--loose",               // ignore headers Azurite does not implement instead of failing
		"--disableTelemetry",    // no network but 127.0.0.1
		"--silent",              // no access log
	)
	// AZURITE_ACCOUNTS replaces the well-known devstoreaccount1 account.
	cmd.Env = append(os.Environ(), "AZURITE_ACCOUNTS="+s.Account+":"+s.Key)
	cmd.Dir = dir
	cmd.Stdout = s.log
	cmd.Stderr = s.log
	cmd.SysProcAttr = harness.SysProcAttr()
	if s.proc, err = harness.StartProcess(cmd); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("testserver/azurite: start %s: %w", bin, err)
	}
	if err := s.waitReady(ctx, 60*time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// waitReady polls the server until it answers HTTP (any status: an
// unsigned request is refused with 403 once the service is up).
func (s *Server) waitReady(ctx context.Context, limit time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	err := s.proc.WaitReady(ctx, limit, 100*time.Millisecond, func() error {
		resp, err := client.Get(s.Endpoint + "?comp=list")
		if err == nil {
			resp.Body.Close()
		}
		return err
	})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, harness.ErrExited):
		return fmt.Errorf("testserver/azurite: azurite-blob %v: %s", err, s.Log())
	case errors.Is(err, harness.ErrNotReady):
		return fmt.Errorf("testserver/azurite: azurite-blob at %s %v; log: %s", s.Endpoint, err, s.Log())
	}
	return fmt.Errorf("testserver/azurite: waiting for azurite-blob: %w; log: %s", err, s.Log())
}

// Log returns what the server printed so far (last 4 KiB).
func (s *Server) Log() string { return s.log.Tail(4096) }

// Dir returns the server's data folder.
func (s *Server) Dir() string { return s.dir }

// Stop stops the server and removes its data folder.
func (s *Server) Stop() error {
	s.proc.Stop(syscall.SIGTERM, 10*time.Second)
	return os.RemoveAll(s.dir)
}

// ConnectionString returns a connection string for the account, as the
// Azure tools accept it in AZURE_STORAGE_CONNECTION_STRING.
func (s *Server) ConnectionString() string {
	return "DefaultEndpointsProtocol=http;AccountName=" + s.Account + ";AccountKey=" + s.Key +
		";BlobEndpoint=" + s.Endpoint + ";"
}

// Client returns an SDK client for the account, signed with its shared key.
func (s *Server) Client() *azblob.Client {
	cred, err := azblob.NewSharedKeyCredential(s.Account, s.Key)
	if err != nil {
		panic(err) // the key is generated above: always valid base64
	}
	c, err := azblob.NewClientWithSharedKeyCredential(s.Endpoint+"/", cred, nil)
	if err != nil {
		panic(err)
	}
	return c
}

// NewContainer creates a container with a new valid name and returns it.
func (s *Server) NewContainer(ctx context.Context) (string, error) {
	name := "rs-" + harness.RandHex(8)
	if _, err := s.Client().CreateContainer(ctx, name, nil); err != nil {
		return "", fmt.Errorf("testserver/azurite: create container %s: %w", name, err)
	}
	return name, nil
}

// Container returns the container of this test run, creating it on first
// use.
func (s *Server) Container(t testing.TB) string {
	t.Helper()
	s.containerOnce.Do(func() { s.container, s.containerErr = s.NewContainer(context.Background()) })
	if s.containerErr != nil {
		t.Fatal(s.containerErr)
	}
	return s.container
}

// Prefix returns a new blob name prefix, unique in this run, for one
// test's blobs ("t/<test name>-<random>").
func Prefix(t testing.TB) string {
	return "t/" + harness.TestName(t) + "-" + harness.RandHex(4)
}
