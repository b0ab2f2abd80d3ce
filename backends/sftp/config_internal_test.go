package sftp

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/remotestore/remotestore/internal/tempname"
	"github.com/remotestore/remotestore/store"
)

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("url.Parse(%q): %v", raw, err)
	}
	return u
}

// TestParseURL checks the URL forms and every query parameter.
func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		url  string
		want Config
	}{
		{"sftp://etl@example.com/srv/data", Config{Host: "example.com", User: "etl", Path: "/srv/data"}},
		{"sftp://example.com:2222/srv/data/", Config{Host: "example.com", Port: 2222, Path: "/srv/data"}},
		{"sftp://etl@example.com", Config{Host: "example.com", User: "etl"}},
		{"sftp://etl@example.com/", Config{Host: "example.com", User: "etl", Path: "/"}},
		{"sftp://etl@example.com/~", Config{Host: "example.com", User: "etl"}},
		{"sftp://etl@example.com/~/exports/daily", Config{Host: "example.com", User: "etl", Path: "exports/daily"}},
		{"sftp://u@[2001:db8::1]:2222/d", Config{Host: "2001:db8::1", User: "u", Port: 2222, Path: "/d"}},
		{"SFTP://h/with%20space", Config{Host: "h", Path: "/with space"}},
		{"sftp://h/d?key_file=~/.ssh/id_ed25519&key_passphrase_env=PP&password_env=PW&no_agent=true" +
			"&known_hosts=/a,/b&create_root=1&sessions=2&max_packet=65536&concurrency=16&timeout=5s&keepalive=-1s&no_sync=true",
			Config{Host: "h", Path: "/d", KeyFile: "~/.ssh/id_ed25519", KeyPassphraseEnv: "PP", PasswordEnv: "PW", NoAgent: true,
				KnownHosts: "/a,/b", CreateRoot: true, Sessions: 2, MaxPacket: 65536, Concurrency: 16, Timeout: 5 * time.Second,
				KeepAlive: -time.Second, NoSync: true}},
		{"sftp://h/d?host_key=SHA256:abc", Config{Host: "h", Path: "/d", HostKey: "SHA256:abc"}},
		{"sftp://h/d?insecure_ignore_host_key=true", Config{Host: "h", Path: "/d", InsecureIgnoreHostKey: true}},
	} {
		got, err := ParseURL(mustParse(t, c.url))
		if err != nil {
			t.Errorf("ParseURL(%q): %v", c.url, err)
			continue
		}
		if got != c.want {
			t.Errorf("ParseURL(%q) =\n%+v, want\n%+v", c.url, got, c.want)
		}
	}
}

// TestParseURLErrors checks that bad URLs fail with ErrInvalidConfig, a
// message naming the problem, and no secret.
func TestParseURLErrors(t *testing.T) {
	for _, c := range []struct{ url, want string }{
		{"s3://bucket/x", `scheme "s3" is not "sftp"`},
		{"sftp:///data", "no host"},
		{"sftp://h/d#frag", "no fragment"},
		{"sftp://etl:hunter2@h/d", "password in the URL is not accepted"},
		{"sftp://h/d?password=hunter2", `"password": secrets are not accepted in URLs`},
		{"sftp://h/d?key_passphrase=hunter2", `"key_passphrase": secrets are not accepted`},
		{"sftp://h/d?bogus=1", `unknown query parameter "bogus" (known: key_file`},
		{"sftp://h/d?sessions=many", `query parameter sessions="many": not a valid value`},
		{"sftp://h/d?timeout=5", `query parameter timeout="5": not a valid value`},
		{"sftp://h/d?no_sync=1&no_sync=0", `"no_sync" given 2 times`},
		{"sftp://h:port/d", "invalid port"},
	} {
		u, perr := url.Parse(c.url)
		if perr != nil {
			if !strings.Contains(perr.Error(), c.want) {
				t.Errorf("url.Parse(%q) = %v, want it to say %q", c.url, perr, c.want)
			}
			continue
		}
		_, err := ParseURL(u)
		if err == nil {
			t.Errorf("ParseURL(%q) succeeded", c.url)
			continue
		}
		if !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseURL(%q) = %v, want ErrInvalidConfig saying %q", c.url, err, c.want)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParseURL(%q) shows the secret: %v", c.url, err)
		}
	}
}

// TestValidate checks defaults and the errors of bad configs: each names
// the field and the cause, never a secret.
func TestValidate(t *testing.T) {
	s, err := Config{Host: "example.com", User: "etl", Path: "~/in"}.validate()
	if err != nil {
		t.Fatal(err)
	}
	if s.Port != DefaultPort || s.Sessions != DefaultSessions || s.MaxPacket != DefaultMaxPacket ||
		s.Concurrency != DefaultConcurrency || s.Timeout != DefaultTimeout || s.KeepAlive != DefaultKeepAlive {
		t.Errorf("defaults not filled in: %+v", s)
	}
	if s.addr != "example.com:22" || !s.relRoot || s.root != "in" || s.rootPath("/home/etl") != "/home/etl/in" {
		t.Errorf("addr %q, relRoot %v, root %q", s.addr, s.relRoot, s.root)
	}
	for path, want := range map[string]string{"": "/home/etl", "/": "/", "/a//b/": "/a/b", "rel/x": "/home/etl/rel/x", "~": "/home/etl"} {
		s, err := Config{Host: "h", User: "u", Path: path}.validate()
		if err != nil {
			t.Errorf("path %q: %v", path, err)
		} else if got := s.rootPath("/home/etl"); got != want {
			t.Errorf("path %q: root %q, want %q", path, got, want)
		}
	}
	s6, err := Config{Host: "2001:db8::1", User: "u", Port: 2222}.validate()
	if err != nil || s6.addr != "[2001:db8::1]:2222" {
		t.Errorf("IPv6 addr = %q, %v", s6.addr, err)
	}
	if s, err := (Config{Host: "h"}).validate(); err != nil || s.User == "" {
		t.Errorf("without a user: %+v, %v; want the current user", s, err)
	}

	t.Setenv("RS_SFTP_TEST_PW", "env-secret-1")
	if s, err := (Config{Host: "h", User: "u", PasswordEnv: "RS_SFTP_TEST_PW"}).validate(); err != nil || s.password != "env-secret-1" {
		t.Errorf("password_env: %v", err)
	}

	for _, c := range []struct {
		c    Config
		want string
	}{
		{Config{}, "host is required"},
		{Config{Host: "u@h"}, `host "u@h": want a host name`},
		{Config{Host: "h", Port: 70000}, "port 70000: want 1 to 65535"},
		{Config{Host: "h", Path: "/a/../../etc"}, `path "/a/../../etc"`},
		{Config{Host: "h", Sessions: 100}, "sessions 100: want 1 to 64"},
		{Config{Host: "h", MaxPacket: 1 << 20}, "max_packet 1048576"},
		{Config{Host: "h", Concurrency: -1}, "concurrency -1"},
		{Config{Host: "h", Timeout: -time.Second}, "timeout -1s"},
		{Config{Host: "h", KeyFile: "/k", PrivateKey: "-----BEGIN hunter2"}, "key_file and private_key exclude each other"},
		{Config{Host: "h", Password: "hunter2", PasswordEnv: "X"}, "password and password_env exclude each other"},
		{Config{Host: "h", PasswordEnv: "RS_SFTP_TEST_UNSET_VAR"}, "password_env: environment variable RS_SFTP_TEST_UNSET_VAR is not set"},
		{Config{Host: "h", KeyPassphraseEnv: "RS_SFTP_TEST_UNSET_VAR"}, "key_passphrase_env: environment variable RS_SFTP_TEST_UNSET_VAR"},
		{Config{Host: "h", KnownHosts: "/k", InsecureIgnoreHostKey: true}, "exclude each other"},
		{Config{Host: "h", HostKey: "SHA256:x", KnownHosts: "/k"}, "exclude each other"},
	} {
		_, err := c.c.validate()
		if err == nil {
			t.Errorf("%+v: validate succeeded", c.c)
			continue
		}
		if !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want ErrInvalidConfig saying %q", c.c, err, c.want)
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(fmt.Sprintf("%v %+v", c.c, c.c), "hunter2") {
			t.Errorf("a secret shows: %v / %+v", err, c.c)
		}
	}
}

// TestKeyErrors checks the messages for unusable keys: they name the file
// and the cause, never the passphrase.
func TestKeyErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope")
	garbage := filepath.Join(dir, "garbage")
	os.WriteFile(garbage, []byte("not a key"), 0o600)
	enc := filepath.Join(dir, "enc")
	os.WriteFile(enc, encryptedKeyPEM(t, "right-passphrase"), 0o600)

	for _, c := range []struct {
		c    Config
		want []string
	}{
		{Config{Host: "h", User: "u", KeyFile: missing}, []string{"key_file " + missing, "no such file"}},
		{Config{Host: "h", User: "u", KeyFile: garbage}, []string{"key_file " + garbage, "not a private key"}},
		{Config{Host: "h", User: "u", KeyFile: enc}, []string{"key_file " + enc + " is encrypted", "key_passphrase"}},
		{Config{Host: "h", User: "u", KeyFile: enc, KeyPassphrase: "hunter2-wrong"}, []string{"key_file " + enc, "wrong passphrase"}},
		{Config{Host: "h", User: "u", PrivateKey: "hunter2 not a key"}, []string{"private_key", "not a private key"}},
	} {
		s, err := c.c.validate()
		if err != nil {
			t.Fatal(err)
		}
		_, err = loadAuth(s)
		if err == nil {
			t.Errorf("%s: loadAuth succeeded", c.c.KeyFile)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("loadAuth(%s) = %v, want it to say %q", c.c.KeyFile, err, w)
			}
		}
		if !errors.Is(err, store.ErrInvalidConfig) {
			t.Errorf("loadAuth(%s) = %v, want ErrInvalidConfig", c.c.KeyFile, err)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("a secret shows: %v", err)
		}
	}
	s, _ := Config{Host: "h", User: "u", KeyFile: enc, KeyPassphrase: "right-passphrase"}.validate()
	if a, err := loadAuth(s); err != nil || len(a.signers) != 1 {
		t.Errorf("encrypted key with its passphrase: %v", err)
	}
}

// TestHostKeyConfigErrors checks the host key settings' own errors.
func TestHostKeyConfigErrors(t *testing.T) {
	for _, c := range []struct {
		c    Config
		want string
	}{
		{Config{Host: "h", User: "u", KnownHosts: "/no/such/known_hosts"}, "known_hosts /no/such/known_hosts"},
		{Config{Host: "h", User: "u", HostKey: "ssh-ed25519 notbase64!"}, `host_key: want "ssh-ed25519 AAAA…"`},
	} {
		s, err := c.c.validate()
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = hostKeyCheck(s)
		if err == nil || !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want ErrInvalidConfig saying %q", c.c, err, c.want)
		}
	}
	// No known_hosts anywhere: the message says how to add the server.
	t.Setenv("HOME", t.TempDir())
	if _, err := os.Stat("/etc/ssh/ssh_known_hosts"); err == nil {
		t.Skip("this machine has /etc/ssh/ssh_known_hosts")
	}
	s, _ := Config{Host: "sftp.example", Port: 2222, User: "u"}.validate()
	_, _, err := hostKeyCheck(s)
	if err == nil || !strings.Contains(err.Error(), "ssh-keyscan -p 2222 sftp.example") {
		t.Errorf("no known_hosts: %v, want a hint to ssh-keyscan", err)
	}
}

// TestClassify checks the mapping of pkg/sftp and network errors.
func TestClassify(t *testing.T) {
	for _, c := range []struct {
		err  error
		want error
	}{
		{os.ErrNotExist, store.ErrNotFound},
		{&os.PathError{Op: "remove", Path: "/x", Err: os.ErrNotExist}, store.ErrNotFound},
		{os.ErrPermission, store.ErrPermission},
		{&sftp.StatusError{Code: 2}, store.ErrNotFound},
		{&sftp.StatusError{Code: 3}, store.ErrPermission},
		{&sftp.StatusError{Code: 4}, nil}, // bare SSH_FX_FAILURE: the backend resolves it with a Stat
		{&sftp.StatusError{Code: 8}, store.ErrNotSupported},
		{&sftp.StatusError{Code: 7}, store.ErrUnavailable},
		{&sftp.StatusError{Code: 11}, store.ErrAlreadyExists},
		{&sftp.StatusError{Code: 24}, store.ErrIsFolder},
		{sftp.ErrSSHFxConnectionLost, store.ErrUnavailable},
		{fmt.Errorf("wrapped: %w", errors.New("ssh: unable to authenticate, attempted methods [none publickey]")), store.ErrPermission},
		{&hostKeyError{"HOST KEY MISMATCH"}, store.ErrPermission},
		{store.WithKind(store.ErrIsFolder, errors.New("x")), store.ErrIsFolder},
		{context.Canceled, context.Canceled}, // as store.KindOf reports it
		{errors.New("something else"), nil},
	} {
		if got := classify(c.err); got != c.want {
			t.Errorf("classify(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// TestTempNamesRefused: a user file may not take the temporary-file
// pattern (internal/tempname), which listings hide.
func TestTempNamesRefused(t *testing.T) {
	if err := checkName("d/" + tempname.New("x")); !errors.Is(err, store.ErrInvalidPath) {
		t.Errorf("checkName(temporary name) = %v, want ErrInvalidPath", err)
	}
	if err := checkName("d/a.parquet"); err != nil {
		t.Errorf("checkName(d/a.parquet) = %v", err)
	}
}

// encryptedKeyPEM returns a new ed25519 private key in OpenSSH format,
// encrypted with passphrase.
func encryptedKeyPEM(t *testing.T, passphrase string) []byte {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "test", []byte(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block)
}
