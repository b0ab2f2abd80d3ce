package sftp

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/remotestore/remotestore/store"
)

// Scheme is the URL scheme of the SFTP backend.
const Scheme = "sftp"

// Defaults of the connection and transfer settings.
const (
	// DefaultPort is the SSH port.
	DefaultPort = 22
	// DefaultSessions is how many SFTP sessions (channels of the one SSH
	// connection, each served by its own sftp-server process) the backend
	// spreads operations over.
	DefaultSessions = 4
	// DefaultMaxPacket is the payload of one SFTP read or write request in
	// bytes: the 32 KiB every server must accept.
	DefaultMaxPacket = 32 << 10
	// MaxMaxPacket is the largest MaxPacket accepted (OpenSSH's sftp-server
	// takes messages up to 256 KiB).
	MaxMaxPacket = 255 << 10
	// DefaultConcurrency is how many read or write requests one file keeps
	// in flight.
	DefaultConcurrency = 64
	// DefaultTimeout bounds connecting: TCP, SSH handshake, login and the
	// first SFTP session.
	DefaultTimeout = 30 * time.Second
	// DefaultKeepAlive is the interval of SSH keepalive requests on an idle
	// connection.
	DefaultKeepAlive = 30 * time.Second
)

// Config configures an SFTP backend. Host is required; every other field is
// optional. Secrets are store.Secret values: they print as "***" and never
// appear in errors.
type Config struct {
	// Host is the server's name or IP address. Required.
	Host string `yaml:"host"`
	// Port is the server's SSH port (default 22).
	Port int `yaml:"port"`
	// User is the login name (default: the current user, as ssh does).
	User string `yaml:"user"`
	// Path is the folder the backend serves: absolute ("/srv/data"), or
	// relative to the login folder ("data", "~/data"); "" is the login
	// folder itself. It is cleaned like a store path.
	Path string `yaml:"path"`
	// CreateRoot creates Path and its parents when missing, instead of
	// failing with store.ErrNotFound.
	CreateRoot bool `yaml:"create_root"`

	// KeyFile is a private key file (OpenSSH, PEM or PKCS#8 format). "~/"
	// at its start is the current user's home. Without KeyFile and
	// PrivateKey, the default identities ~/.ssh/id_ed25519, id_ecdsa and
	// id_rsa are tried where they exist.
	KeyFile string `yaml:"key_file"`
	// PrivateKey is a private key's content (for keys kept in a secret
	// store: private_key: ${SFTP_KEY}). Excludes KeyFile.
	PrivateKey store.Secret `yaml:"private_key"`
	// KeyPassphrase decrypts an encrypted private key.
	KeyPassphrase store.Secret `yaml:"key_passphrase"`
	// KeyPassphraseEnv names an environment variable holding the key's
	// passphrase (the way to give one in a URL).
	KeyPassphraseEnv string `yaml:"key_passphrase_env"`
	// Password logs in by password (and keyboard-interactive with a single
	// password prompt), after the keys.
	Password store.Secret `yaml:"password"`
	// PasswordEnv names an environment variable holding the password (the
	// way to give one in a URL).
	PasswordEnv string `yaml:"password_env"`
	// NoAgent does not ask the ssh-agent at $SSH_AUTH_SOCK for keys.
	NoAgent bool `yaml:"no_agent"`

	// KnownHosts lists known_hosts files, comma-separated (default
	// ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts, where they exist).
	// The server's host key must be in one of them.
	KnownHosts string `yaml:"known_hosts"`
	// HostKey pins the server's host key instead of known_hosts: a public
	// key line ("ssh-ed25519 AAAA…", as in known_hosts without the host
	// name) or a fingerprint ("SHA256:…", as ssh-keygen -lf prints it).
	HostKey string `yaml:"host_key"`
	// InsecureIgnoreHostKey accepts any host key. It leaves the connection
	// open to a man in the middle: for tests and trusted networks only.
	InsecureIgnoreHostKey bool `yaml:"insecure_ignore_host_key"`

	// Sessions is how many SFTP sessions the backend opens on its SSH
	// connection, as needed, and spreads operations over (default
	// DefaultSessions; the server's MaxSessions, 10 for OpenSSH, is the
	// ceiling).
	Sessions int `yaml:"sessions"`
	// MaxPacket is the payload of one read or write request in bytes
	// (default DefaultMaxPacket). Up to MaxMaxPacket works with OpenSSH;
	// other servers may refuse more than 32 KiB.
	MaxPacket int `yaml:"max_packet"`
	// Concurrency is how many requests one file keeps in flight (default
	// DefaultConcurrency).
	Concurrency int `yaml:"concurrency"`
	// Timeout bounds connecting (default DefaultTimeout).
	Timeout time.Duration `yaml:"timeout"`
	// KeepAlive is the interval of keepalive requests, which find a dead
	// connection before an operation does (default DefaultKeepAlive;
	// negative: none).
	KeepAlive time.Duration `yaml:"keepalive"`
	// NoSync skips the fsync (fsync@openssh.com) of written files before
	// they are published: faster, but the last writes may be lost if the
	// server crashes.
	NoSync bool `yaml:"no_sync"`
}

func init() {
	store.Register(Scheme, store.NewDriver(ParseURL, func(ctx context.Context, c Config) (store.Backend, error) {
		return New(ctx, c)
	}))
}

// urlParams lists the query parameters ParseURL accepts.
const urlParams = "key_file, key_passphrase_env, password_env, no_agent, known_hosts, host_key, insecure_ignore_host_key, " +
	"create_root, sessions, max_packet, concurrency, timeout, keepalive, no_sync"

// ParseURL parses "sftp://user@host:port/path?key_file=…" into a Config.
// The path is absolute; "/~/rel" is relative to the login folder, and no
// path at all is the login folder. Unknown query parameters are errors, and
// so are secrets: give a password or passphrase through password_env or
// key_passphrase_env, or in a YAML config.
func ParseURL(u *url.URL) (Config, error) {
	bad := func(format string, args ...any) (Config, error) {
		return Config{}, fmt.Errorf("%w: sftp: %s", store.ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	if !strings.EqualFold(u.Scheme, Scheme) {
		return bad("scheme %q is not %q", u.Scheme, Scheme)
	}
	if u.Opaque != "" {
		return bad("want sftp://[user@]host[:port]/path")
	}
	if u.Host == "" {
		return bad("no host: use sftp://[user@]host[:port]/path")
	}
	if u.Fragment != "" {
		return bad(`an sftp URL takes no fragment; write "#" in a path as %%23`)
	}
	c := Config{Host: u.Hostname()}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			return bad("a password in the URL is not accepted; use password_env=VARIABLE, or password in a config file")
		}
		c.User = u.User.Username()
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return bad("port %q is not a number", p)
		}
		c.Port = n
	}
	switch p := u.Path; {
	case p == "":
		// The login folder.
	case p == "/~" || strings.HasPrefix(p, "/~/"):
		c.Path = strings.TrimPrefix(strings.TrimPrefix(p, "/~"), "/")
	default:
		c.Path = p
		if c.Path != "/" {
			c.Path = strings.TrimSuffix(c.Path, "/")
		}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return bad("malformed query: %v", err)
	}
	for k, vs := range q {
		if len(vs) != 1 {
			return bad("query parameter %q given %d times", k, len(vs))
		}
		v := vs[0]
		var perr error
		switch k {
		case "key_file":
			c.KeyFile = v
		case "key_passphrase_env":
			c.KeyPassphraseEnv = v
		case "password_env":
			c.PasswordEnv = v
		case "known_hosts":
			c.KnownHosts = v
		case "host_key":
			c.HostKey = v
		case "no_agent":
			c.NoAgent, perr = strconv.ParseBool(v)
		case "insecure_ignore_host_key":
			c.InsecureIgnoreHostKey, perr = strconv.ParseBool(v)
		case "create_root":
			c.CreateRoot, perr = strconv.ParseBool(v)
		case "no_sync":
			c.NoSync, perr = strconv.ParseBool(v)
		case "sessions":
			c.Sessions, perr = strconv.Atoi(v)
		case "max_packet":
			c.MaxPacket, perr = strconv.Atoi(v)
		case "concurrency":
			c.Concurrency, perr = strconv.Atoi(v)
		case "timeout":
			c.Timeout, perr = time.ParseDuration(v)
		case "keepalive":
			c.KeepAlive, perr = time.ParseDuration(v)
		case "password", "key_passphrase", "private_key", "passphrase":
			return bad("query parameter %q: secrets are not accepted in URLs; use password_env or key_passphrase_env, or a config file", k)
		default:
			return bad("unknown query parameter %q (known: %s)", k, urlParams)
		}
		if perr != nil {
			return bad("query parameter %s=%q: not a valid value", k, v)
		}
	}
	return c, nil
}

// settings is a validated Config with defaults filled in and secrets
// resolved.
type settings struct {
	Config
	addr     string // host:port for dialing and known_hosts
	password string // from Password or PasswordEnv
	passph   string // from KeyPassphrase or KeyPassphraseEnv
	relRoot  bool   // Path is relative to the login folder
	root     string // cleaned Path: absolute ("/…") or relative
}

// validate checks c, fills in defaults and resolves secrets from the
// environment. Errors name the field and the cause, never a secret.
func (c Config) validate() (*settings, error) {
	bad := func(format string, args ...any) (*settings, error) {
		return nil, fmt.Errorf("%w: sftp: %s", store.ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	s := &settings{Config: c}
	if c.Host == "" {
		return bad("host is required")
	}
	if strings.ContainsAny(c.Host, "/@ ") {
		return bad("host %q: want a host name or IP address, without user, port or path", c.Host)
	}
	switch {
	case s.Port == 0:
		s.Port = DefaultPort
	case s.Port < 1 || s.Port > 65535:
		return bad("port %d: want 1 to 65535", s.Port)
	}
	s.addr = net.JoinHostPort(strings.Trim(c.Host, "[]"), strconv.Itoa(s.Port))
	if s.User == "" {
		name, err := currentUser()
		if err != nil {
			return bad("no user given and the current user is unknown (%v); set user", err)
		}
		s.User = name
	}
	p := c.Path
	switch {
	case p == "~" || strings.HasPrefix(p, "~/"):
		p, s.relRoot = strings.TrimPrefix(strings.TrimPrefix(p, "~"), "/"), true
	case !strings.HasPrefix(p, "/"):
		s.relRoot = true
	}
	clean, err := store.CleanPath(strings.Trim(p, "/"))
	if err != nil {
		return bad("path %q: %v", c.Path, err)
	}
	s.root = clean
	if !s.relRoot {
		s.root = "/" + clean
	}
	switch {
	case s.Sessions == 0:
		s.Sessions = DefaultSessions
	case s.Sessions < 1 || s.Sessions > 64:
		return bad("sessions %d: want 1 to 64", s.Sessions)
	}
	switch {
	case s.MaxPacket == 0:
		s.MaxPacket = DefaultMaxPacket
	case s.MaxPacket < 4<<10 || s.MaxPacket > MaxMaxPacket:
		return bad("max_packet %d: want %d to %d bytes", s.MaxPacket, 4<<10, MaxMaxPacket)
	}
	switch {
	case s.Concurrency == 0:
		s.Concurrency = DefaultConcurrency
	case s.Concurrency < 1 || s.Concurrency > 1024:
		return bad("concurrency %d: want 1 to 1024", s.Concurrency)
	}
	switch {
	case s.Timeout == 0:
		s.Timeout = DefaultTimeout
	case s.Timeout < 0:
		return bad("timeout %v: want a positive duration", s.Timeout)
	}
	if s.KeepAlive == 0 {
		s.KeepAlive = DefaultKeepAlive
	}
	if c.KeyFile != "" && c.PrivateKey != "" {
		return bad("key_file and private_key exclude each other: set one")
	}
	if s.password, err = secretOrEnv("password", c.Password, c.PasswordEnv); err != nil {
		return nil, err
	}
	if s.passph, err = secretOrEnv("key_passphrase", c.KeyPassphrase, c.KeyPassphraseEnv); err != nil {
		return nil, err
	}
	pinned := 0
	for _, set := range []bool{c.KnownHosts != "", c.HostKey != "", c.InsecureIgnoreHostKey} {
		if set {
			pinned++
		}
	}
	if pinned > 1 {
		return bad("known_hosts, host_key and insecure_ignore_host_key exclude each other: set at most one")
	}
	return s, nil
}

// secretOrEnv returns the secret, or the value of the environment variable
// env; setting both is an error, and so is naming an unset variable.
func secretOrEnv(field string, secret store.Secret, env string) (string, error) {
	if env == "" {
		return secret.Reveal(), nil
	}
	if secret != "" {
		return "", fmt.Errorf("%w: sftp: %s and %s_env exclude each other: set one", store.ErrInvalidConfig, field, field)
	}
	v, ok := os.LookupEnv(env)
	if !ok || v == "" {
		return "", fmt.Errorf("%w: sftp: %s_env: environment variable %s is not set", store.ErrInvalidConfig, field, env)
	}
	return v, nil
}

// rootPath returns the absolute root folder: s.root, or s.root below home
// when it is relative.
func (s *settings) rootPath(home string) string {
	if !s.relRoot {
		return s.root
	}
	return path.Join(home, s.root)
}
