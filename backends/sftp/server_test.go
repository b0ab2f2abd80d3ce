package sftp_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"

	sftpstore "github.com/remotestore/remotestore/backends/sftp"
	sftpserver "github.com/remotestore/remotestore/internal/testserver/sftp"
	"github.com/remotestore/remotestore/store"
)

// TestOpenURL opens the store by URL, writes, reads, lists and pings
// through it, and reaches the native clients.
func TestOpenURL(t *testing.T) {
	srv := sftpserver.Get(t)
	dir := srv.NewDir(t)
	u := fmt.Sprintf("sftp://%s@%s%s?key_file=%s&known_hosts=%s&no_agent=true", srv.User, srv.Addr, dir,
		url.QueryEscape(srv.KeyFile), url.QueryEscape(srv.KnownHosts))
	st, err := store.OpenURL(t.Context(), u)
	if err != nil {
		t.Fatalf("OpenURL: %v\nsshd: %s", err, srv.Log())
	}
	defer st.Close()
	ctx := t.Context()
	if err := st.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := st.WriteString(ctx, "a/b.txt", "hello", nil); err != nil {
		t.Fatal(err)
	}
	if got, err := st.ReadString(ctx, "a/b.txt"); err != nil || got != "hello" {
		t.Errorf("ReadString = %q, %v", got, err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "a", "b.txt")); err != nil || string(b) != "hello" {
		t.Errorf("on the server's disk: %q, %v", b, err)
	}
	want := fmt.Sprintf("sftp://%s@%s%s/a/b.txt", srv.User, srv.Addr, dir)
	if got := st.URI("a/b.txt"); got != want {
		t.Errorf("URI = %q, want %q", got, want)
	}
	var client *sftp.Client
	if !st.As(&client) || client == nil {
		t.Fatal("As(**sftp.Client) = false")
	}
	if fi, err := client.Stat(dir + "/a/b.txt"); err != nil || fi.Size() != 5 {
		t.Errorf("the native client does not work: %v, %v", fi, err)
	}
	var conn *ssh.Client
	if !st.As(&conn) || conn == nil {
		t.Error("As(**ssh.Client) = false")
	}
	caps := st.Capabilities()
	for _, c := range []store.Capability{store.CapAtomicWrite, store.CapAtomicMove, store.CapRealFolders, store.CapModTime, store.CapRangeRead} {
		if !caps.Has(c) {
			t.Errorf("OpenSSH's server should give %s; have %s", c, caps)
		}
	}
	if caps.Has(store.CapServerSideCopy) || caps.Has(store.CapETag) {
		t.Errorf("undeliverable capabilities declared: %s", caps)
	}
}

// TestLoginFolder opens a path relative to the login folder (root's
// home here) and the login folder itself.
func TestLoginFolder(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip(err)
	}
	c := config(t)
	c.Path = ""
	b := open(t, c)
	if b.Root() != home {
		t.Errorf("Root() = %q, want the login folder %q", b.Root(), home)
	}
	name := "rs-sftp-test-" + filepath.Base(t.TempDir())
	c.Path = "~/" + name
	c.CreateRoot = true
	b2 := open(t, c)
	defer os.RemoveAll(filepath.Join(home, name))
	if b2.Root() != filepath.Join(home, name) {
		t.Errorf("Root() = %q, want %q", b2.Root(), filepath.Join(home, name))
	}
	if fi, err := os.Stat(filepath.Join(home, name)); err != nil || !fi.IsDir() {
		t.Errorf("create_root made no folder: %v", err)
	}
}

// TestOpenErrors checks the errors of New against the real server: a
// missing root, a root that is a file, a closed port, a refused login and
// a wrong password, none showing a secret.
func TestOpenErrors(t *testing.T) {
	srv := sftpserver.Get(t)
	ctx := t.Context()
	try := func(mutate func(*sftpstore.Config)) error {
		c := config(t)
		mutate(&c)
		b, err := sftpstore.New(ctx, c)
		if err == nil {
			b.Close()
		}
		return err
	}
	err := try(func(c *sftpstore.Config) { c.Path += "/missing" })
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "/missing") || !strings.Contains(err.Error(), "create_root") {
		t.Errorf("missing root: %v, want ErrNotFound naming the folder and create_root", err)
	}
	file := filepath.Join(srv.NewDir(t), "file")
	os.WriteFile(file, []byte("x"), 0o644)
	if err := try(func(c *sftpstore.Config) { c.Path = file }); !errors.Is(err, store.ErrNotFolder) {
		t.Errorf("root is a file: %v, want ErrNotFolder", err)
	}
	if err := try(func(c *sftpstore.Config) { c.Port = 1 }); !errors.Is(err, store.ErrUnavailable) || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("closed port: %v, want ErrUnavailable naming the address", err)
	}
	// A key the server does not know, and a wrong password (this sshd
	// takes no passwords at all).
	stranger := filepath.Join(t.TempDir(), "stranger")
	os.WriteFile(stranger, newKeyPEM(t, ""), 0o600)
	err = try(func(c *sftpstore.Config) { c.KeyFile = stranger; c.Password = "hunter2-pw" })
	if !errors.Is(err, store.ErrPermission) || !strings.Contains(err.Error(), "key_file "+stranger) ||
		!strings.Contains(err.Error(), "password") || !strings.Contains(err.Error(), srv.User+"@"+srv.Addr) {
		t.Errorf("refused login: %v, want ErrPermission naming user@host and what was tried", err)
	}
	if err != nil && strings.Contains(err.Error(), "hunter2") {
		t.Errorf("the password shows: %v", err)
	}
	// Through OpenURL: the secret from password_env stays out of the message.
	t.Setenv("RS_SFTP_PW", "hunter2-env")
	u := fmt.Sprintf("sftp://%s@%s%s?key_file=%s&known_hosts=%s&no_agent=true&password_env=RS_SFTP_PW", srv.User, srv.Addr,
		srv.NewDir(t), url.QueryEscape(stranger), url.QueryEscape(srv.KnownHosts))
	_, err = store.OpenURL(ctx, u)
	if !errors.Is(err, store.ErrPermission) || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("OpenURL with a refused login: %v", err)
	}
}

// TestEncryptedKey logs in with a passphrase-protected key, the passphrase
// given through the environment.
func TestEncryptedKey(t *testing.T) {
	srv := sftpserver.Get(t)
	keyPEM := newKeyPEM(t, "correct horse")
	signer, err := ssh.ParsePrivateKeyWithPassphrase(keyPEM, []byte("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Authorize(signer.PublicKey()); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "id_enc")
	os.WriteFile(keyFile, keyPEM, 0o600)
	t.Setenv("RS_SFTP_PASSPHRASE", "correct horse")
	c := config(t)
	c.KeyFile, c.KeyPassphraseEnv = keyFile, "RS_SFTP_PASSPHRASE"
	b := open(t, c)
	if err := b.Ping(t.Context()); err != nil {
		t.Error(err)
	}
	// The same key's content inline, as from a secret store.
	c.KeyFile, c.KeyPassphraseEnv = "", ""
	c.PrivateKey, c.KeyPassphrase = store.Secret(keyPEM), "correct horse"
	open(t, c)
}

// TestHostKeys checks that a changed host key and an unknown host are
// refused, and that pinning by fingerprint or key works.
func TestHostKeys(t *testing.T) {
	srv := sftpserver.Get(t)
	ctx := t.Context()
	otherPub, _, _ := ed25519.GenerateKey(rand.Reader)
	other, _ := ssh.NewPublicKey(otherPub)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mismatch := write("mismatch", knownhosts.Line([]string{knownhosts.Normalize(srv.Addr)}, other)+"\n")
	unknown := write("unknown", knownhosts.Line([]string{"[elsewhere.example]:22"}, srv.HostKey)+"\n")
	hashed := write("hashed", knownhosts.Line([]string{knownhosts.HashHostname(knownhosts.Normalize(srv.Addr))}, srv.HostKey)+"\n")

	try := func(mutate func(*sftpstore.Config)) error {
		c := config(t)
		mutate(&c)
		b, err := sftpstore.New(ctx, c)
		if err == nil {
			b.Close()
		}
		return err
	}
	err := try(func(c *sftpstore.Config) { c.KnownHosts = mismatch })
	if !errors.Is(err, store.ErrPermission) || !strings.Contains(err.Error(), "HOST KEY MISMATCH") ||
		!strings.Contains(err.Error(), ssh.FingerprintSHA256(srv.HostKey)) || !strings.Contains(err.Error(), mismatch+":1") {
		t.Errorf("changed host key: %v, want ErrPermission, HOST KEY MISMATCH, the offered fingerprint and the known_hosts line", err)
	}
	err = try(func(c *sftpstore.Config) { c.KnownHosts = unknown })
	if !errors.Is(err, store.ErrPermission) || !strings.Contains(err.Error(), "not in known_hosts") || !strings.Contains(err.Error(), "ssh-keyscan") {
		t.Errorf("unknown host: %v, want ErrPermission with a hint", err)
	}
	if err := try(func(c *sftpstore.Config) { c.KnownHosts = hashed }); err != nil {
		t.Errorf("hashed known_hosts entry: %v", err)
	}
	pin := func(key string) func(*sftpstore.Config) {
		return func(c *sftpstore.Config) { c.KnownHosts, c.HostKey = "", key }
	}
	if err := try(pin(ssh.FingerprintSHA256(srv.HostKey))); err != nil {
		t.Errorf("host_key by fingerprint: %v", err)
	}
	if err := try(pin(strings.TrimSpace(string(ssh.MarshalAuthorizedKey(srv.HostKey))))); err != nil {
		t.Errorf("host_key by public key: %v", err)
	}
	if err := try(pin(ssh.FingerprintSHA256(other))); !errors.Is(err, store.ErrPermission) || !strings.Contains(err.Error(), "HOST KEY MISMATCH") {
		t.Errorf("host_key of another key: %v, want ErrPermission", err)
	}
	if err := try(func(c *sftpstore.Config) { c.KnownHosts, c.InsecureIgnoreHostKey = "", true }); err != nil {
		t.Errorf("insecure_ignore_host_key: %v", err)
	}
}

// TestReconnect drops the connection on the server side between
// operations and checks that the backend dials anew and carries on;
// a file open across the drop fails as unavailable, not silently.
func TestReconnect(t *testing.T) {
	srv := sftpserver.Get(t)
	c := config(t)
	c.Sessions = 2
	b := open(t, c)
	st := store.New(b)
	ctx := t.Context()
	if err := st.WriteString(ctx, "keep/a.txt", "before", nil); err != nil {
		t.Fatal(err)
	}
	r, err := st.OpenSeekable(ctx, "keep/a.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w, err := st.NewWriter(ctx, "keep/half.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	io.WriteString(w, "half")

	steps := []struct {
		name string
		do   func() error
	}{
		{"Stat", func() error { _, err := st.Stat(ctx, "keep/a.txt"); return err }},
		{"ReadString", func() error {
			s, err := st.ReadString(ctx, "keep/a.txt")
			if err == nil && s != "before" {
				err = fmt.Errorf("read %q", s)
			}
			return err
		}},
		{"List", func() error {
			n := 0
			for _, err := range st.List(ctx, "keep", nil) {
				if err != nil {
					return err
				}
				n++
			}
			if n != 1 {
				return fmt.Errorf("listed %d entries, want 1", n)
			}
			return nil
		}},
		{"WriteString", func() error { return st.WriteString(ctx, "keep/after.txt", "after", nil) }},
		{"Ping", func() error { return st.Ping(ctx) }},
		{"Delete", func() error { return st.Delete(ctx, "keep/after.txt", nil) }},
	}
	for i, s := range steps {
		n, err := srv.DropConnections()
		if err != nil || n == 0 {
			t.Fatalf("DropConnections = %d, %v", n, err)
		}
		if err := s.do(); err != nil {
			t.Errorf("%s after the server dropped the connection: %v", s.name, err)
		}
		if got := b.Dials(); got != int64(i+2) {
			t.Errorf("after %s: %d connections made, want %d", s.name, got, i+2)
		}
	}
	// The reader and writer opened before the first drop belong to the
	// dead connection.
	if _, err := r.ReadAt(make([]byte, 3), 0); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("ReadAt on a file of the dropped connection = %v, want ErrUnavailable", err)
	}
	io.WriteString(w, " and the rest")
	if err := w.Commit(); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Commit on a writer of the dropped connection = %v, want ErrUnavailable", err)
	}
	if ok, _ := st.Exists(ctx, "keep/half.txt"); ok {
		t.Error("the writer of the dropped connection published its file")
	}
}

// TestAtomicOverwrite replaces a multi-MiB file again and again while
// readers on the server's disk and through a second connection read it:
// every read is one writer's whole content, never a part. A write in
// progress lives in a hidden temporary file, gone after Commit and after
// Close without Commit.
func TestAtomicOverwrite(t *testing.T) {
	c := config(t)
	b := open(t, c)
	st := store.New(b)
	ctx := t.Context()
	const size, versions = 3<<20 + 11, 6
	content := func(v int) []byte { return bytes.Repeat([]byte{byte('a' + v)}, size) }
	if err := st.WriteBytes(ctx, "live.bin", content(0), nil); err != nil {
		t.Fatal(err)
	}

	// A write in progress: the old content stays, the bytes go to a hidden
	// temporary file in the same folder.
	w, err := st.NewWriter(ctx, "live.bin", &store.WriteOptions{Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(content(1)[:size/2])
	if got, _ := os.ReadFile(filepath.Join(c.Path, "live.bin")); !bytes.Equal(got, content(0)) {
		t.Fatal("the target changed before Commit")
	}
	ents, _ := os.ReadDir(c.Path)
	if len(ents) != 2 || !strings.HasPrefix(ents[0].Name(), ".live.bin.tmp-") {
		t.Fatalf("during the write the folder holds %v, want live.bin and its hidden temporary file", names(ents))
	}
	if listed := collect(t, st, ""); len(listed) != 1 {
		t.Errorf("List shows %v during a write, want only live.bin", listed)
	}
	w.Close()
	if ents, _ := os.ReadDir(c.Path); len(ents) != 1 {
		t.Errorf("after Close without Commit the folder holds %v, want live.bin only", names(ents))
	}

	// Racing readers.
	other := open(t, config(t))
	var stop atomic.Bool
	var reads atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	check := func(who string, b []byte, err error) bool {
		if err != nil {
			errs <- fmt.Errorf("%s: %v", who, err)
			return false
		}
		if len(b) != size || !bytes.Equal(b, bytes.Repeat(b[:1], size)) {
			errs <- fmt.Errorf("%s saw a partial or mixed file (%d bytes)", who, len(b))
			return false
		}
		reads.Add(1)
		return true
	}
	wg.Go(func() {
		for !stop.Load() {
			b, err := os.ReadFile(filepath.Join(c.Path, "live.bin"))
			if !check("disk reader", b, err) {
				return
			}
		}
	})
	wg.Go(func() {
		var client *sftp.Client
		if !other.As(&client) {
			errs <- errors.New("no client")
			return
		}
		for !stop.Load() {
			f, err := client.Open(c.Path + "/live.bin")
			if err != nil {
				errs <- err
				return
			}
			var buf bytes.Buffer
			_, err = f.WriteTo(&buf)
			f.Close()
			if !check("sftp reader", buf.Bytes(), err) {
				return
			}
		}
	})
	for v := 1; v <= versions; v++ {
		if err := st.WriteBytes(ctx, "live.bin", content(v), &store.WriteOptions{Overwrite: true}); err != nil {
			t.Errorf("write %d: %v", v, err)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d whole reads during %d overwrites", reads.Load(), versions)
	if ents, _ := os.ReadDir(c.Path); len(ents) != 1 {
		t.Errorf("after the writes the folder holds %v, want live.bin only", names(ents))
	}
}

// TestSessions checks that sequential use stays on one SFTP session and
// concurrent use spreads over several.
func TestSessions(t *testing.T) {
	c := config(t)
	c.Sessions = 3
	b := open(t, c)
	st := store.New(b)
	ctx := t.Context()
	for i := range 5 {
		if err := st.WriteString(ctx, fmt.Sprintf("f%d", i), "x", nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := b.OpenSessions(); n != 1 {
		t.Errorf("after sequential writes %d sessions are open, want 1", n)
	}
	var readers []*store.SeekableReader
	for i := range 5 {
		r, err := st.OpenSeekable(ctx, fmt.Sprintf("f%d", i))
		if err != nil {
			t.Fatal(err)
		}
		readers = append(readers, r)
	}
	if n := b.OpenSessions(); n != 3 {
		t.Errorf("with 5 files open %d sessions are open, want 3 (the limit)", n)
	}
	for _, r := range readers {
		r.Close()
	}
}

func names(ents []os.DirEntry) []string {
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func collect(t *testing.T, st *store.Store, dir string) []string {
	t.Helper()
	var out []string
	for info, err := range st.List(t.Context(), dir, nil) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, info.Path)
	}
	return out
}

// newKeyPEM returns a new ed25519 private key in OpenSSH format, encrypted
// when passphrase is not empty.
func newKeyPEM(t *testing.T, passphrase string) []byte {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var block *pem.Block
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(priv, "test")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "test", []byte(passphrase))
	}
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block)
}

// TestStreamReads checks the stream's read paths on a file larger than
// the pipeline reads ahead: small Reads that switch to the background
// pipeline, ranges through WriteTo (one ReadAt, or the pipeline cut at
// the range's end), a mix of both, and Close in the middle of a
// background read.
func TestStreamReads(t *testing.T) {
	st := store.New(open(t, config(t)))
	ctx := t.Context()
	const size = 5<<20 + 333
	data := make([]byte, size)
	(&pattern{}).Read(data)
	for i := range data {
		data[i] ^= byte(i >> 16) // no period of 64 KiB
	}
	if err := st.WriteBytes(ctx, "big.bin", data, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name        string
		off, length int64
		firstReads  int // small Reads before the rest goes through io.Copy (WriteTo)
		onlyReads   bool
	}{
		{"small reads, whole file", 0, -1, 0, true},
		{"small reads, long range", 777, 3 << 20, 0, true},
		{"WriteTo, short range", 1 << 20, 1 << 20, 0, false},
		{"WriteTo, long range", 100, 4 << 20, 0, false},
		{"WriteTo, to the end", 12345, -1, 0, false},
		{"reads, then WriteTo", 5, 4 << 20, 100, false},
	} {
		rc, err := st.OpenRange(ctx, "big.bin", c.off, c.length)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		buf := make([]byte, 4000)
		for i := 0; c.onlyReads || i < c.firstReads; i++ {
			n, err := rc.Read(buf)
			got.Write(buf[:n])
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: Read: %v", c.name, err)
			}
		}
		if !c.onlyReads {
			if _, err := io.Copy(&got, rc); err != nil {
				t.Fatalf("%s: io.Copy: %v", c.name, err)
			}
		}
		rc.Close()
		end := int64(size)
		if c.length >= 0 {
			end = min(end, c.off+c.length)
		}
		if !bytes.Equal(got.Bytes(), data[c.off:end]) {
			t.Errorf("%s: read %d bytes, want bytes %d to %d", c.name, got.Len(), c.off, end)
		}
	}
	// Close while the background pipeline runs ahead.
	rc, err := st.Open(ctx, "big.bin")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1000)
	for range 300 {
		if _, err := io.ReadFull(rc, buf); err != nil {
			t.Fatal(err)
		}
	}
	if err := rc.Close(); err != nil {
		t.Errorf("Close during a background read: %v", err)
	}
}

// TestAgent logs in with a key held by an ssh-agent at $SSH_AUTH_SOCK (an
// in-process agent here), with no key file configured and no default
// identity in a fresh home folder.
func TestAgent(t *testing.T) {
	srv := sftpserver.Get(t)
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keyring := agent.NewKeyring()
	if err := keyring.Add(agent.AddedKey{PrivateKey: priv}); err != nil {
		t.Fatal(err)
	}
	signer, _ := ssh.NewSignerFromKey(priv)
	if err := srv.Authorize(signer.PublicKey()); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { agent.ServeAgent(keyring, c); c.Close() }()
		}
	}()
	t.Setenv("SSH_AUTH_SOCK", sock)
	t.Setenv("HOME", t.TempDir())
	c := config(t)
	c.KeyFile, c.NoAgent = "", false
	b := open(t, c)
	if err := b.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Without the agent nothing is left to log in with.
	c.NoAgent = true
	if _, err := sftpstore.New(t.Context(), c); !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), "no credentials") {
		t.Errorf("no key, no agent, no password: %v, want ErrInvalidConfig saying no credentials", err)
	}
}

// TestYAMLConfig opens the store from a YAML config (type: sftp, the
// Config fields as options, a secret from the environment).
func TestYAMLConfig(t *testing.T) {
	srv := sftpserver.Get(t)
	dir := srv.NewDir(t)
	t.Setenv("RS_SFTP_YAML_PW", "hunter2-yaml")
	yml := fmt.Sprintf(`
backends:
  partner:
    type: sftp
    options:
      host: %s
      port: %d
      user: %s
      path: %s
      key_file: %s
      known_hosts: %s
      no_agent: true
      password: ${RS_SFTP_YAML_PW}
      timeout: 5s
      keepalive: 1m
      sessions: 2
stores:
  daily:
    backend: partner
    root_path: outgoing/daily
`, srv.Host, srv.Port, srv.User, dir, srv.KeyFile, srv.KnownHosts)
	cfg, err := store.ParseConfig([]byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	st, err := cfg.Open(t.Context(), "daily")
	if err != nil {
		t.Fatalf("open from YAML: %v", err)
	}
	defer st.Close()
	if err := st.WriteString(t.Context(), "a.csv", "x,y\n", nil); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "outgoing", "daily", "a.csv")); err != nil || string(b) != "x,y\n" {
		t.Errorf("on disk: %q, %v", b, err)
	}
	// A typo in an option is an error naming it; a wrong type shows no value.
	bad, err := store.ParseConfig([]byte(strings.Replace(yml, "no_agent: true", "no_agnet: true", 1)))
	if err == nil {
		_, err = bad.Open(t.Context(), "daily")
	}
	if err == nil || !strings.Contains(err.Error(), "no_agnet") {
		t.Errorf("unknown option: %v, want an error naming it", err)
	}
	bad, err = store.ParseConfig([]byte(strings.Replace(yml, "sessions: 2", "sessions: ${RS_SFTP_YAML_PW}", 1)))
	if err == nil {
		_, err = bad.Open(t.Context(), "daily")
	}
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("a secret in a badly typed option: %v, want an error without the value", err)
	}
}
