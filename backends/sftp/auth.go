package sftp

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/remotestore/remotestore/store"
)

// currentUser returns the login name of the current user.
func currentUser() (string, error) {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username, nil
	}
	if n := os.Getenv("USER"); n != "" {
		return n, nil
	}
	return "", errors.New("user.Current failed and $USER is unset")
}

// expandHome replaces a leading "~/" with the current user's home folder.
func expandHome(p string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return p
	}
	return filepath.Join(home, strings.TrimPrefix(p, "~"))
}

// defaultIdentities are the key files ssh tries when none is configured.
var defaultIdentities = []string{"~/.ssh/id_ed25519", "~/.ssh/id_ecdsa", "~/.ssh/id_rsa"}

// auth is what the backend logs in with: signers from key files, the
// agent (dialled for every connection), and a password.
type auth struct {
	signers  []ssh.Signer
	sources  []string // where the signers came from, for messages
	agent    string   // $SSH_AUTH_SOCK, or ""
	password string
}

// loadAuth reads the configured keys. A key that is configured explicitly
// and cannot be used is an error naming the file and the cause; default
// identities that cannot be used (encrypted without a passphrase) are
// skipped.
func loadAuth(s *settings) (*auth, error) {
	a := &auth{password: s.password}
	switch {
	case s.KeyFile != "":
		p := expandHome(s.KeyFile)
		signer, err := readKey(p, s.passph)
		if err != nil {
			return nil, err
		}
		a.signers, a.sources = append(a.signers, signer), append(a.sources, "key_file "+p)
	case s.PrivateKey != "":
		signer, err := parseKey("private_key", []byte(s.PrivateKey.Reveal()), s.passph)
		if err != nil {
			return nil, err
		}
		a.signers, a.sources = append(a.signers, signer), append(a.sources, "private_key")
	default:
		for _, id := range defaultIdentities {
			p := expandHome(id)
			if _, err := os.Stat(p); err != nil {
				continue
			}
			signer, err := readKey(p, s.passph)
			if err != nil {
				continue // an encrypted default key without passphrase: ssh would prompt; we skip it
			}
			a.signers, a.sources = append(a.signers, signer), append(a.sources, p)
		}
	}
	if !s.NoAgent {
		a.agent = os.Getenv("SSH_AUTH_SOCK")
	}
	if len(a.signers) == 0 && a.agent == "" && a.password == "" {
		return nil, fmt.Errorf("%w: sftp: no credentials: no key_file or private_key, no default key (%s), no ssh-agent ($SSH_AUTH_SOCK unset) and no password",
			store.ErrInvalidConfig, strings.Join(defaultIdentities, ", "))
	}
	return a, nil
}

// readKey reads and parses the private key file p.
func readKey(p, passphrase string) (ssh.Signer, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		kind := store.ErrInvalidConfig
		if errors.Is(err, fs.ErrPermission) {
			kind = store.ErrPermission
		}
		return nil, fmt.Errorf("%w: sftp: key_file %s: %w", kind, p, err)
	}
	return parseKey("key_file "+p, b, passphrase)
}

// parseKey parses a private key; what names it in messages.
func parseKey(what string, pem []byte, passphrase string) (ssh.Signer, error) {
	signer, err := ssh.ParsePrivateKey(pem)
	var missing *ssh.PassphraseMissingError
	switch {
	case err == nil:
		return signer, nil
	case errors.As(err, &missing) && passphrase == "":
		return nil, fmt.Errorf("%w: sftp: %s is encrypted: set key_passphrase (or key_passphrase_env)", store.ErrInvalidConfig, what)
	case errors.As(err, &missing):
		signer, err = ssh.ParsePrivateKeyWithPassphrase(pem, []byte(passphrase))
		if errors.Is(err, x509.IncorrectPasswordError) {
			return nil, fmt.Errorf("%w: sftp: %s: wrong passphrase", store.ErrInvalidConfig, what)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: sftp: %s: %v", store.ErrInvalidConfig, what, err)
		}
		return signer, nil
	}
	return nil, fmt.Errorf("%w: sftp: %s: not a private key: %v", store.ErrInvalidConfig, what, err)
}

// methods returns the SSH auth methods for one connection: the keys (the
// configured ones, then the agent's), then the password; and a function
// releasing the agent connection once the login is over. An agent that
// cannot be reached or fails is left out.
func (a *auth) methods() ([]ssh.AuthMethod, func()) {
	release := func() {}
	var ms []ssh.AuthMethod
	var ag agent.ExtendedAgent
	if a.agent != "" {
		if c, err := net.Dial("unix", a.agent); err == nil {
			release = func() { c.Close() }
			ag = agent.NewClient(c)
		}
	}
	switch {
	case ag != nil:
		ms = append(ms, ssh.PublicKeysCallback(func() ([]ssh.Signer, error) {
			signers := append([]ssh.Signer(nil), a.signers...)
			if fromAgent, err := ag.Signers(); err == nil {
				signers = append(signers, fromAgent...)
			}
			return signers, nil
		}))
	case len(a.signers) > 0:
		ms = append(ms, ssh.PublicKeys(a.signers...))
	}
	return append(ms, a.passwordMethods()...), release
}

func (a *auth) passwordMethods() []ssh.AuthMethod {
	if a.password == "" {
		return nil
	}
	pw := a.password
	return []ssh.AuthMethod{
		ssh.Password(pw),
		// Servers that take passwords as keyboard-interactive: answer a
		// lone password prompt, nothing else.
		ssh.KeyboardInteractive(func(_, _ string, questions []string, echos []bool) ([]string, error) {
			if len(questions) == 0 {
				return nil, nil
			}
			if len(questions) == 1 && !echos[0] && strings.Contains(strings.ToLower(questions[0]), "password") {
				return []string{pw}, nil
			}
			return nil, errors.New("sftp: keyboard-interactive login asks more than a password")
		}),
	}
}

// describe says what a login tried, for the message of a refused login.
func (a *auth) describe() string {
	var parts []string
	parts = append(parts, a.sources...)
	if a.agent != "" {
		parts = append(parts, "ssh-agent")
	}
	if a.password != "" {
		parts = append(parts, "password")
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

// hostKeyError is a refused host key. It classifies as store.ErrPermission.
type hostKeyError struct{ msg string }

func (e *hostKeyError) Error() string { return e.msg }
func (e *hostKeyError) Unwrap() error { return store.ErrPermission }

// hostKeyCheck builds the host key callback and the host key algorithms
// to ask for (those of the keys known for the host, so the server offers
// one that can match; nil for the default).
func hostKeyCheck(s *settings) (ssh.HostKeyCallback, []string, error) {
	if s.InsecureIgnoreHostKey {
		return ssh.InsecureIgnoreHostKey(), nil, nil
	}
	if s.HostKey != "" {
		return pinnedHostKey(s)
	}
	var files []string
	if s.KnownHosts != "" {
		for _, f := range strings.Split(s.KnownHosts, ",") {
			f = expandHome(strings.TrimSpace(f))
			if f == "" {
				continue
			}
			if _, err := os.Stat(f); err != nil {
				return nil, nil, fmt.Errorf("%w: sftp: known_hosts %s: %w", store.ErrInvalidConfig, f, err)
			}
			files = append(files, f)
		}
	} else {
		for _, f := range []string{expandHome("~/.ssh/known_hosts"), "/etc/ssh/ssh_known_hosts"} {
			if _, err := os.Stat(f); err == nil {
				files = append(files, f)
			}
		}
		if len(files) == 0 {
			return nil, nil, fmt.Errorf("%w: sftp: no known_hosts file (%s and /etc/ssh/ssh_known_hosts are missing) to check the host key of %s: "+
				"add the server with `ssh-keyscan -p %d %s >> ~/.ssh/known_hosts` after checking its fingerprint, "+
				"or set known_hosts or host_key (insecure_ignore_host_key=true skips the check)",
				store.ErrInvalidConfig, expandHome("~/.ssh/known_hosts"), s.addr, s.Port, s.Host)
		}
	}
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("%w: sftp: known_hosts %q names no file", store.ErrInvalidConfig, s.KnownHosts)
	}
	cb, err := knownhosts.New(files...)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: sftp: known_hosts: %v", store.ErrInvalidConfig, err)
	}
	where := strings.Join(files, ", ")
	check := func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := cb(hostname, remote, key)
		var ke *knownhosts.KeyError
		var re *knownhosts.RevokedError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &ke) && len(ke.Want) == 0:
			return &hostKeyError{fmt.Sprintf("host key of %s is not in known_hosts (%s): the server offered %s %s; "+
				"add it with `ssh-keyscan -p %d %s >> ~/.ssh/known_hosts` after checking the fingerprint, or set host_key",
				s.addr, where, key.Type(), ssh.FingerprintSHA256(key), s.Port, s.Host)}
		case errors.As(err, &ke):
			var known []string
			for _, k := range ke.Want {
				known = append(known, fmt.Sprintf("%s %s at %s:%d", k.Key.Type(), ssh.FingerprintSHA256(k.Key), k.Filename, k.Line))
			}
			return &hostKeyError{fmt.Sprintf("HOST KEY MISMATCH for %s: the server offered %s %s, known_hosts has %s; "+
				"someone may be intercepting the connection, or the server's key was changed (then update known_hosts)",
				s.addr, key.Type(), ssh.FingerprintSHA256(key), strings.Join(known, "; "))}
		case errors.As(err, &re):
			return &hostKeyError{fmt.Sprintf("host key %s of %s is revoked in %s:%d", ssh.FingerprintSHA256(key), s.addr,
				re.Revoked.Filename, re.Revoked.Line)}
		}
		return &hostKeyError{fmt.Sprintf("host key of %s: %v", s.addr, err)}
	}
	return check, knownAlgorithms(cb, s.addr), nil
}

// knownAlgorithms asks the known_hosts callback which keys it holds for
// addr (by offering a key it cannot know) and returns their algorithms, so
// the handshake asks for a key type that can match. Nil when none are
// known (a certificate authority, or an unknown host): the default order.
func knownAlgorithms(cb ssh.HostKeyCallback, addr string) []string {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil
	}
	probe, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil
	}
	var ke *knownhosts.KeyError
	if err := cb(addr, &net.TCPAddr{IP: net.IPv4zero}, probe); !errors.As(err, &ke) || len(ke.Want) == 0 {
		return nil
	}
	var algos []string
	seen := map[string]bool{}
	add := func(a ...string) {
		for _, x := range a {
			if !seen[x] {
				seen[x] = true
				algos = append(algos, x)
			}
		}
	}
	for _, k := range ke.Want {
		if k.Key.Type() == ssh.KeyAlgoRSA {
			add(ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA)
		} else {
			add(k.Key.Type())
		}
	}
	return algos
}

// pinnedHostKey checks the host key against Config.HostKey: a public key
// or a SHA256 fingerprint.
func pinnedHostKey(s *settings) (ssh.HostKeyCallback, []string, error) {
	want := strings.TrimSpace(s.HostKey)
	if strings.HasPrefix(want, "SHA256:") {
		fp := strings.TrimRight(want, "=")
		return func(_ string, _ net.Addr, key ssh.PublicKey) error {
			if ssh.FingerprintSHA256(key) == fp {
				return nil
			}
			return &hostKeyError{fmt.Sprintf("HOST KEY MISMATCH for %s: the server offered %s %s, host_key wants %s",
				s.addr, key.Type(), ssh.FingerprintSHA256(key), fp)}
		}, nil, nil
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(want))
	if err != nil {
		// A known_hosts line: "host keytype base64".
		if _, _, pub2, _, _, err2 := ssh.ParseKnownHosts([]byte(want)); err2 == nil {
			pub, err = pub2, nil
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf(`%w: sftp: host_key: want "ssh-ed25519 AAAA…" (a public key) or "SHA256:…" (a fingerprint): %v`,
			store.ErrInvalidConfig, err)
	}
	algos := []string{pub.Type()}
	if pub.Type() == ssh.KeyAlgoRSA {
		algos = []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return func(_ string, _ net.Addr, key ssh.PublicKey) error {
		if key.Type() == pub.Type() && string(key.Marshal()) == string(pub.Marshal()) {
			return nil
		}
		return &hostKeyError{fmt.Sprintf("HOST KEY MISMATCH for %s: the server offered %s %s, host_key wants %s %s",
			s.addr, key.Type(), ssh.FingerprintSHA256(key), pub.Type(), ssh.FingerprintSHA256(pub))}
	}, algos, nil
}
