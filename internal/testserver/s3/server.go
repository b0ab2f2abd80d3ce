// Package s3 starts a real S3-compatible server, versitygw (Apache-2.0),
// on a free 127.0.0.1 port with a temporary data folder, for the tests of
// the S3 backend and of anything built on it. It never uses Docker; the
// binary is installed by scripts/install-versitygw.sh into ./.cache/bin.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(s3server.Main(m)) }
//
//	func TestX(t *testing.T) {
//		srv := s3server.Get(t) // skips when the binary is missing
//		bucket := srv.Bucket()   // one bucket per test run
//		...
//	}
//
// When the binary is missing, Get skips the test, unless the environment
// sets REMOTESTORE_REQUIRE_SERVERS=1 (CI does): then Main fails the run.
package s3

import (
	"context"
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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/remotestore/remotestore/internal/testserver/harness"
)

// Version is the versitygw release the project tests against.
const Version = "v1.8.0"

// Region is the region the server reports and clients sign for.
const Region = "us-east-1"

// Environment variables read by this package.
const (
	// EnvRequire, set to "1", turns a missing server binary into a failure.
	EnvRequire = "REMOTESTORE_REQUIRE_SERVERS"
	// EnvBinary names the versitygw binary to run, overriding the lookup
	// in PATH and in <module root>/.cache/bin.
	EnvBinary = "VERSITYGW"
	// EnvDataDir names the folder under which the server's temporary data
	// folder is made (default: os.TempDir()).
	EnvDataDir = "REMOTESTORE_S3_DATA_DIR"
)

// ErrNoBinary reports that versitygw is not installed.
var ErrNoBinary = errors.New("testserver/s3: versitygw binary not found (run: bash scripts/install-versitygw.sh, or make tools-s3)")

// Server is a running versitygw.
type Server struct {
	// Endpoint is the server's base URL, "http://127.0.0.1:PORT".
	Endpoint string
	// AccessKey and SecretKey are the root credentials, random per start.
	AccessKey, SecretKey string

	dir  string // temporary data folder, removed by Stop
	proc *harness.Process
	log  *harness.LockedLog // the server's stdout and stderr

	bucketOnce sync.Once
	bucket     string
	bucketErr  error
}

// Binary returns the path of the versitygw binary: $VERSITYGW, else
// versitygw on PATH, else <module root>/.cache/bin/versitygw.
func Binary() (string, error) {
	if p := os.Getenv(EnvBinary); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("testserver/s3: %s=%s: %w", EnvBinary, p, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	if root, ok := harness.ModuleRoot(); ok {
		p := filepath.Join(root, ".cache", "bin", "versitygw")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", ErrNoBinary
}

// Start starts versitygw on a free 127.0.0.1 port over a new temporary
// folder and waits until it answers. It returns ErrNoBinary when the
// binary is missing.
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
		return nil, fmt.Errorf("testserver/s3: %w", err)
	}
	dir, err := os.MkdirTemp(os.Getenv(EnvDataDir), "versitygw-")
	if err != nil {
		return nil, fmt.Errorf("testserver/s3: data folder: %w", err)
	}
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("testserver/s3: data folder: %w", err)
	}
	s := &Server{
		Endpoint:  fmt.Sprintf("http://127.0.0.1:%d", port),
		AccessKey: "rs" + harness.RandHex(8),
		SecretKey: harness.RandHex(20),
		dir:       dir,
		log:       &harness.LockedLog{},
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(bin, "--port", addr, "--region", Region, "--quiet", "posix", data)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+s.AccessKey, "ROOT_SECRET_KEY="+s.SecretKey)
	cmd.Stdout = s.log
	cmd.Stderr = s.log
	cmd.SysProcAttr = harness.SysProcAttr()
	if s.proc, err = harness.StartProcess(cmd); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("testserver/s3: start %s: %w", bin, err)
	}
	if err := s.waitReady(ctx, addr, 30*time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// waitReady polls the server until it answers HTTP.
func (s *Server) waitReady(ctx context.Context, addr string, limit time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	err := s.proc.WaitReady(ctx, limit, 50*time.Millisecond, func() error {
		resp, err := client.Get("http://" + addr + "/")
		if err == nil {
			resp.Body.Close()
		}
		return err
	})
	switch {
	case errors.Is(err, harness.ErrExited):
		return fmt.Errorf("testserver/s3: versitygw %v: %s", err, s.Log())
	case errors.Is(err, harness.ErrNotReady):
		return fmt.Errorf("testserver/s3: versitygw on %s %v; log: %s", addr, err, s.Log())
	}
	return err // nil or ctx.Err()
}

// Log returns what the server printed so far (last 4 KiB).
func (s *Server) Log() string { return s.log.Tail(4096) }

// Dir returns the server's data folder (each bucket is a folder in it).
func (s *Server) Dir() string { return filepath.Join(s.dir, "data") }

// Stop stops the server and removes its data folder.
func (s *Server) Stop() error {
	s.proc.Stop(syscall.SIGTERM, 5*time.Second)
	return os.RemoveAll(s.dir)
}

// Client returns an SDK client for the server (path-style addressing,
// static root credentials).
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:       Region,
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),

		DisableLogOutputChecksumValidationSkipped: true,
	})
}

// NewBucket creates a bucket with a new DNS-valid name and returns it.
func (s *Server) NewBucket(ctx context.Context) (string, error) {
	name := "rs-" + harness.RandHex(8)
	if _, err := s.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		return "", fmt.Errorf("testserver/s3: create bucket %s: %w", name, err)
	}
	return name, nil
}

// Bucket returns the bucket of this test run, creating it on first use.
func (s *Server) Bucket(t testing.TB) string {
	t.Helper()
	s.bucketOnce.Do(func() { s.bucket, s.bucketErr = s.NewBucket(context.Background()) })
	if s.bucketErr != nil {
		t.Fatal(s.bucketErr)
	}
	return s.bucket
}

// Prefix returns a new key prefix, unique in this run, for one test's
// objects ("t/<test name>/<random>").
func Prefix(t testing.TB) string {
	return "t/" + harness.TestName(t) + "-" + harness.RandHex(4)
}
