package sftp_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	sftpserver "github.com/remotestore/remotestore/internal/testserver/sftp"
)

func TestMain(m *testing.M) { os.Exit(sftpserver.Main(m)) }

// TestServer logs in with the client key, checks the host key against the
// known_hosts file, writes a file over SFTP and finds it on disk.
func TestServer(t *testing.T) {
	srv := sftpserver.Get(t)
	cb, err := knownhosts.New(srv.KnownHosts)
	if err != nil {
		t.Fatal(err)
	}
	cfg := srv.ClientConfig()
	cfg.HostKeyCallback = cb
	conn, err := ssh.Dial("tcp", srv.Addr, cfg)
	if err != nil {
		t.Fatalf("dial with known_hosts: %v\nsshd log: %s", err, srv.Log())
	}
	defer conn.Close()
	c, err := sftp.NewClient(conn)
	if err != nil {
		t.Fatalf("sftp session: %v", err)
	}
	defer c.Close()
	for _, ext := range []string{"posix-rename@openssh.com", "hardlink@openssh.com", "fsync@openssh.com"} {
		if _, ok := c.HasExtension(ext); !ok {
			t.Errorf("server lacks extension %s", ext)
		}
	}
	dir := srv.NewDir(t)
	if !strings.HasPrefix(dir, srv.Dir()+"/") {
		t.Errorf("NewDir = %q, not below Dir %q", dir, srv.Dir())
	}
	f, err := c.Create(dir + "/hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(f, "hello")
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "hello.txt"))
	if err != nil || string(b) != "hello" {
		t.Errorf("file on disk = %q, %v", b, err)
	}
}

// TestAuthorize lets a second key in; an unknown key stays out.
func TestAuthorize(t *testing.T) {
	srv := sftpserver.Get(t)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := srv.ClientConfig()
	cfg.Auth = []ssh.AuthMethod{ssh.PublicKeys(signer)}
	if c, err := ssh.Dial("tcp", srv.Addr, cfg); err == nil {
		c.Close()
		t.Fatal("an unknown key logged in")
	}
	if err := srv.Authorize(signer.PublicKey()); err != nil {
		t.Fatal(err)
	}
	c, err := ssh.Dial("tcp", srv.Addr, cfg)
	if err != nil {
		t.Fatalf("authorized key refused: %v", err)
	}
	c.Close()
}

// TestDropConnections cuts a live connection from the server side; the
// server keeps accepting new ones.
func TestDropConnections(t *testing.T) {
	srv := sftpserver.Get(t)
	conn, err := srv.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c, err := sftp.NewClient(conn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Getwd(); err != nil {
		t.Fatal(err)
	}
	n, err := srv.DropConnections()
	if err != nil || n == 0 {
		t.Fatalf("DropConnections = %d, %v; want at least one process killed", n, err)
	}
	if err := conn.Wait(); err == nil {
		t.Log("connection ended without an error")
	}
	if _, err := c.Getwd(); err == nil {
		t.Error("the dropped session still answers")
	}
	again, err := srv.Dial()
	if err != nil {
		t.Fatalf("dial after DropConnections: %v", err)
	}
	again.Close()
}
