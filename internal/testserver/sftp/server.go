// Package sftp starts a real SFTP server, OpenSSH's sshd (Debian package
// openssh-server), on a free 127.0.0.1 port with a temporary config, a new
// host key and a new client key, for the tests of the SFTP backend. It never
// uses Docker and never touches the system's sshd config or service; sshd is
// installed by scripts/install-sshd.sh (make tools-sftp).
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(sftpserver.Main(m)) }
//
//	func TestX(t *testing.T) {
//		srv := sftpserver.Get(t) // skips when sshd is missing
//		dir := srv.NewDir(t)     // an empty folder the server serves
//		... dial srv.Addr as srv.User with srv.KeyFile, trusting srv.KnownHosts
//	}
//
// The server runs as the current user (root included: the config permits
// key logins for root) and serves the local filesystem, so a test can check
// on disk what the client did. When sshd is missing, Get skips the test,
// unless the environment sets REMOTESTORE_REQUIRE_SERVERS=1 (CI does): then
// Main fails the run.
package sftp

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/remotestore/remotestore/internal/testserver/harness"
)

// Environment variables read by this package.
const (
	// EnvRequire, set to "1", turns a missing sshd into a failure.
	EnvRequire = "REMOTESTORE_REQUIRE_SERVERS"
	// EnvBinary names the sshd binary to run (an absolute path), overriding
	// /usr/sbin/sshd and the lookup in PATH.
	EnvBinary = "REMOTESTORE_SSHD"
	// EnvDataDir names the folder under which the server's temporary folder
	// (config, keys and the served folders) is made (default: os.TempDir()).
	EnvDataDir = "REMOTESTORE_SFTP_DATA_DIR"
)

// DefaultBinary is where Debian's openssh-server puts sshd.
const DefaultBinary = "/usr/sbin/sshd"

// ErrNoBinary reports that sshd is not installed.
var ErrNoBinary = errors.New("testserver/sftp: sshd not found (run: bash scripts/install-sshd.sh, or make tools-sftp)")

// Server is a running sshd serving SFTP on 127.0.0.1.
type Server struct {
	// Addr is "127.0.0.1:PORT".
	Addr string
	// Host is "127.0.0.1" and Port the server's port.
	Host string
	Port int
	// User is the login name of the current user, whom the server lets in
	// with the client key.
	User string
	// KeyFile is the client's private key (OpenSSH format, unencrypted).
	KeyFile string
	// KnownHosts is a known_hosts file holding the server's host key for
	// "[127.0.0.1]:PORT".
	KnownHosts string
	// HostKey is the server's public host key.
	HostKey ssh.PublicKey
	// Signer is the client key, for clients built in the test itself.
	Signer ssh.Signer

	dir     string // temporary folder, removed by Stop
	authKey string // authorized_keys path
	proc    *harness.Process
	log     *harness.LockedLog

	authMu sync.Mutex
	dirSeq int
}

// Binary returns the path of sshd: $REMOTESTORE_SSHD, else /usr/sbin/sshd,
// else sshd on PATH. sshd refuses to run from a relative path, so the path
// is made absolute.
func Binary() (string, error) {
	if p := os.Getenv(EnvBinary); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("testserver/sftp: %s=%s: %w", EnvBinary, p, err)
		}
		return filepath.Abs(p)
	}
	if _, err := os.Stat(DefaultBinary); err == nil {
		return DefaultBinary, nil
	}
	if p, err := exec.LookPath("sshd"); err == nil {
		return filepath.Abs(p)
	}
	return "", ErrNoBinary
}

// Start starts sshd on a free 127.0.0.1 port with a new temporary folder
// and waits until it answers with its SSH banner. It returns ErrNoBinary
// when sshd is missing.
func Start(ctx context.Context) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	// A free port may be taken before sshd binds it.
	return harness.Retry(3, func() (*Server, error) { return start(ctx, bin) })
}

func start(ctx context.Context, bin string) (*Server, error) {
	u, err := user.Current()
	if err != nil {
		return nil, fmt.Errorf("testserver/sftp: current user: %w", err)
	}
	if os.Geteuid() == 0 {
		// sshd started by root needs its privilege-separation folder.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			return nil, fmt.Errorf("testserver/sftp: privilege separation folder: %w", err)
		}
	}
	port, err := harness.FreePort()
	if err != nil {
		return nil, fmt.Errorf("testserver/sftp: %w", err)
	}
	dir, err := os.MkdirTemp(os.Getenv(EnvDataDir), "sshd-")
	if err != nil {
		return nil, fmt.Errorf("testserver/sftp: temporary folder: %w", err)
	}
	// Some sshd checks want the folders above keys to be private.
	if err := os.Chmod(dir, 0o700); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &Server{
		Addr:    fmt.Sprintf("127.0.0.1:%d", port),
		Host:    "127.0.0.1",
		Port:    port,
		User:    u.Username,
		dir:     dir,
		authKey: filepath.Join(dir, "authorized_keys"),
		log:     &harness.LockedLog{},
	}
	if err := s.writeFiles(bin); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	cmd := exec.Command(bin, "-D", "-e", "-f", filepath.Join(dir, "sshd_config"))
	cmd.Stdout = s.log
	cmd.Stderr = s.log
	cmd.SysProcAttr = harness.SysProcAttr()
	if s.proc, err = harness.StartProcess(cmd); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("testserver/sftp: start %s: %w", bin, err)
	}
	if err := s.waitReady(ctx, 30*time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// writeFiles writes the host key, the client key, authorized_keys,
// known_hosts and sshd_config into s.dir, and makes the data folder.
func (s *Server) writeFiles(bin string) error {
	hostPriv, hostPub, err := newKey()
	if err != nil {
		return err
	}
	clientPriv, clientPub, err := newKey()
	if err != nil {
		return err
	}
	s.HostKey = hostPub
	if s.Signer, err = ssh.ParsePrivateKey(clientPriv); err != nil {
		return fmt.Errorf("testserver/sftp: client key: %w", err)
	}
	hostKeyFile := filepath.Join(s.dir, "ssh_host_ed25519_key")
	s.KeyFile = filepath.Join(s.dir, "client_ed25519")
	s.KnownHosts = filepath.Join(s.dir, "known_hosts")
	files := []struct {
		path string
		data []byte
	}{
		{hostKeyFile, hostPriv},
		{s.KeyFile, clientPriv},
		{s.authKey, ssh.MarshalAuthorizedKey(clientPub)},
		{s.KnownHosts, []byte(knownhosts.Line([]string{knownhosts.Normalize(s.Addr)}, hostPub) + "\n")},
		{filepath.Join(s.dir, "sshd_config"), []byte(s.config(bin, hostKeyFile))},
	}
	for _, f := range files {
		if err := os.WriteFile(f.path, f.data, 0o600); err != nil {
			return fmt.Errorf("testserver/sftp: %w", err)
		}
	}
	if err := os.Mkdir(filepath.Join(s.dir, "data"), 0o755); err != nil {
		return fmt.Errorf("testserver/sftp: data folder: %w", err)
	}
	return nil
}

// config returns the sshd_config: key logins for the current user only, on
// 127.0.0.1 only, nothing but SFTP.
func (s *Server) config(bin, hostKeyFile string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# written by remotestore internal/testserver/sftp\n")
	fmt.Fprintf(&b, "Port %d\nListenAddress 127.0.0.1\n", s.Port)
	fmt.Fprintf(&b, "HostKey %s\nPidFile %s\n", hostKeyFile, filepath.Join(s.dir, "sshd.pid"))
	fmt.Fprintf(&b, "AuthorizedKeysFile %s\n", s.authKey)
	fmt.Fprintf(&b, "AllowUsers %s\n", s.User)
	b.WriteString(`StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
HostbasedAuthentication no
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTunnel no
PermitUserEnvironment no
MaxSessions 64
MaxStartups 64:30:128
LoginGraceTime 30
LogLevel INFO
`)
	if major, minor := version(bin); major > 9 || major == 9 && minor >= 8 {
		// Killed connections (the reconnect tests) must not get 127.0.0.1
		// penalised and refused.
		b.WriteString("PerSourcePenalties no\n")
	}
	// internal-sftp is sftp-server's code inside sshd: no exec of the
	// user's shell per session (a shell whose rc files take a while would
	// slow every session down).
	b.WriteString("Subsystem sftp internal-sftp\n")
	return b.String()
}

var versionRE = regexp.MustCompile(`OpenSSH_(\d+)\.(\d+)`)

// version returns sshd's major and minor version, or zeros.
func version(bin string) (int, int) {
	out, _ := exec.Command(bin, "-V").CombinedOutput() // sshd -V prints the version and exits non-zero on old releases
	m := versionRE.FindSubmatch(out)
	if m == nil {
		return 0, 0
	}
	major, _ := strconv.Atoi(string(m[1]))
	minor, _ := strconv.Atoi(string(m[2]))
	return major, minor
}

// newKey returns a new ed25519 key as an OpenSSH private-key PEM and its
// public key.
func newKey() ([]byte, ssh.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	block, err := ssh.MarshalPrivateKey(priv, "remotestore-test")
	if err != nil {
		return nil, nil, err
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(block), sshPub, nil
}

// waitReady polls the port until sshd sends its SSH banner.
func (s *Server) waitReady(ctx context.Context, limit time.Duration) error {
	err := s.proc.WaitReady(ctx, limit, 50*time.Millisecond, func() error { return banner(s.Addr) })
	switch {
	case errors.Is(err, harness.ErrExited):
		return fmt.Errorf("testserver/sftp: sshd %v: %s", err, s.Log())
	case errors.Is(err, harness.ErrNotReady):
		return fmt.Errorf("testserver/sftp: sshd on %s %v; log: %s", s.Addr, err, s.Log())
	}
	return err // nil or ctx.Err()
}

// banner connects to addr and reads the server's SSH identification line.
func banner(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "SSH-2.0-") {
		return fmt.Errorf("unexpected banner %q", line)
	}
	return nil
}

// Log returns what sshd printed so far (last 8 KiB).
func (s *Server) Log() string { return s.log.Tail(8 << 10) }

// Dir returns the folder below which NewDir makes the served folders.
func (s *Server) Dir() string { return filepath.Join(s.dir, "data") }

// NewDir makes a new, empty folder for one test (named after it) and
// returns its absolute path. Stop removes it with everything else.
func (s *Server) NewDir(t testing.TB) string {
	t.Helper()
	s.authMu.Lock()
	s.dirSeq++
	n := s.dirSeq
	s.authMu.Unlock()
	dir := filepath.Join(s.Dir(), fmt.Sprintf("%s-%d-%s", harness.TestName(t), n, harness.RandHex(3)))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatalf("testserver/sftp: %v", err)
	}
	return dir
}

// Authorize lets key log in as User too (appended to authorized_keys,
// which sshd reads on every login).
func (s *Server) Authorize(key ssh.PublicKey) error {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	f, err := os.OpenFile(s.authKey, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(ssh.MarshalAuthorizedKey(key)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ClientConfig returns an SSH client config that logs in as User with the
// client key and accepts only the server's host key.
func (s *Server) ClientConfig() *ssh.ClientConfig {
	return &ssh.ClientConfig{
		User:            s.User,
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(s.Signer)},
		HostKeyCallback: ssh.FixedHostKey(s.HostKey),
		Timeout:         10 * time.Second,
	}
}

// Dial opens an SSH connection to the server with ClientConfig.
func (s *Server) Dial() (*ssh.Client, error) {
	return ssh.Dial("tcp", s.Addr, s.ClientConfig())
}

// DropConnections kills every process sshd started for its connections
// (not the listening sshd), as a server restart or a network failure would
// cut them, and waits until they are gone. It returns how many it killed.
func (s *Server) DropConnections() (int, error) {
	pids, err := descendants(s.proc.Pid())
	if err != nil {
		return 0, err
	}
	for _, pid := range pids {
		kill(pid)
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range pids {
		for alive(pid) {
			if time.Now().After(deadline) {
				return len(pids), fmt.Errorf("testserver/sftp: process %d still alive after SIGKILL", pid)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return len(pids), nil
}

// Stop stops sshd (and with it every connection) and removes its
// temporary folder.
func (s *Server) Stop() error {
	if s.proc != nil {
		s.DropConnections()
		s.proc.Stop(syscall.SIGTERM, 5*time.Second)
	}
	return os.RemoveAll(s.dir)
}
