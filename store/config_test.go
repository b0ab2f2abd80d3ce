package store_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/remotestore/remotestore/backends/memory"
	"github.com/remotestore/remotestore/store"
)

// fakeConfig is a backend config with a secret, for the tests of config
// and URL opening.
type fakeConfig struct {
	Host     string       `yaml:"host"`
	Port     int          `yaml:"port"`
	User     string       `yaml:"user"`
	Password store.Secret `yaml:"password"`
}

// fakeBackend is a memory backend that echoes its password in errors, as a
// careless SDK might.
type fakeBackend struct {
	*memory.Backend
	cfg fakeConfig
}

func (f fakeBackend) Scheme() string { return "fake" }

func (f fakeBackend) Stat(ctx context.Context, p string) (store.Info, error) {
	if p == "leak" {
		return store.Info{}, fmt.Errorf("login %s:%s rejected", f.cfg.User, f.cfg.Password.Reveal())
	}
	return f.Backend.Stat(ctx, p)
}

func parseFakeURL(u *url.URL) (fakeConfig, error) {
	c := fakeConfig{Host: u.Hostname(), User: u.User.Username()}
	if pw, ok := u.User.Password(); ok {
		c.Password = store.Secret(pw)
	}
	for k := range u.Query() {
		return c, fmt.Errorf("%w: unknown query parameter %q", store.ErrInvalidConfig, k)
	}
	return c, nil
}

func openFake(ctx context.Context, c fakeConfig) (store.Backend, error) {
	if c.Host == "" {
		return nil, fmt.Errorf("%w: host is required", store.ErrInvalidConfig)
	}
	if c.Host == "refuse" {
		return nil, fmt.Errorf("%w: password %s refused by %s", store.ErrPermission, c.Password.Reveal(), c.Host)
	}
	b, err := memory.New(ctx, memory.Config{})
	return fakeBackend{Backend: b, cfg: c}, err
}

// testRegistry returns a private registry with mem and fake, so these tests
// do not depend on what DefaultRegistry holds.
func testRegistry() *store.Registry {
	r := &store.Registry{}
	r.Register("mem", store.NewDriver(memory.ParseURL, func(ctx context.Context, c memory.Config) (store.Backend, error) {
		return memory.New(ctx, c)
	}))
	r.Register("fake", store.NewDriver(parseFakeURL, openFake))
	return r
}

func TestConfigInterpolation(t *testing.T) {
	t.Setenv("RS_TEST_HOST", "db.internal")
	t.Setenv("RS_TEST_PASSWORD", "s3cr3t-pa55")
	t.Setenv("RS_TEST_EMPTY", "")
	os.Unsetenv("RS_TEST_UNSET")
	cfg, err := store.ParseConfig([]byte(`
backends:
  main:
    type: fake
    options:
      host: ${RS_TEST_HOST}
      user: ${RS_TEST_UNSET:-guest}
      password: ${RS_TEST_PASSWORD}
  other:
    type: mem
stores:
  data:
    backend: main
    root_path: ${RS_TEST_EMPTY:-data}/$$literal/$${RS_TEST_HOST}
  scratch:
    backend: other
`))
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	if got := cfg.Stores["data"].RootPath; got != "data/$literal/${RS_TEST_HOST}" {
		t.Errorf("root_path = %q, want %q", got, "data/$literal/${RS_TEST_HOST}")
	}
	if got := cfg.StoreNames(); strings.Join(got, ",") != "data,scratch" {
		t.Errorf("StoreNames = %q", got)
	}
	st, err := testRegistry().OpenConfig(context.Background(), cfg, "data")
	if err != nil {
		t.Fatalf("OpenConfig: %v", err)
	}
	defer st.Close()
	fb := st.Backend().(fakeBackend)
	if fb.cfg.Host != "db.internal" || fb.cfg.User != "guest" || fb.cfg.Password.Reveal() != "s3cr3t-pa55" {
		t.Errorf("backend config = %+v (password %q)", fb.cfg, fb.cfg.Password.Reveal())
	}
	if st.Root() != "data/$literal/${RS_TEST_HOST}" {
		t.Errorf("Root() = %q", st.Root())
	}
}

func TestConfigMissingVariable(t *testing.T) {
	os.Unsetenv("RS_TEST_NOT_SET")
	t.Setenv("RS_TEST_SET", "visible-value")
	_, err := store.ParseConfig([]byte(`
backends:
  main:
    type: fake
    options:
      host: ${RS_TEST_SET}
      password: ${RS_TEST_NOT_SET}
`))
	if err == nil {
		t.Fatal("ParseConfig with an unset variable succeeded")
	}
	if !errors.Is(err, store.ErrInvalidConfig) {
		t.Errorf("error %v does not match ErrInvalidConfig", err)
	}
	msg := err.Error()
	for _, want := range []string{"RS_TEST_NOT_SET", "backends.main.options.password"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not name %q", msg, want)
		}
	}
	if strings.Contains(msg, "visible-value") {
		t.Errorf("error %q shows another variable's value", msg)
	}
}

func TestConfigStrict(t *testing.T) {
	for name, c := range map[string]struct{ yaml, want string }{
		"unknown top-level field": {"backend:\n  x:\n    type: mem\n", "backend"},
		"unknown store field":     {"backends:\n  m:\n    type: mem\nstores:\n  s:\n    backend: m\n    root: x\n", "root"},
		"undefined backend":       {"backends:\n  m:\n    type: mem\nstores:\n  s:\n    backend: nope\n", `backend "nope" is not defined`},
		"missing type":            {"backends:\n  m:\n    options: {}\n", "type is required"},
		"malformed yaml":          {"backends: [\n", ""},
	} {
		_, err := store.ParseConfig([]byte(c.yaml))
		if err == nil {
			t.Errorf("%s: ParseConfig succeeded", name)
			continue
		}
		if !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want ErrInvalidConfig naming %q", name, err, c.want)
		}
	}
	// Unknown backend options are rejected when the store is opened.
	cfg, err := store.ParseConfig([]byte("backends:\n  m:\n    type: mem\n    options:\n      bogus: 1\nstores:\n  s:\n    backend: m\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := testRegistry().OpenConfig(context.Background(), cfg, "s"); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("OpenConfig with an unknown option = %v, want an error naming it", err)
	}
	if _, err := testRegistry().OpenConfig(context.Background(), cfg, "nope"); !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), "have: s") {
		t.Errorf("OpenConfig(unknown store) = %v, want ErrInvalidConfig listing the stores", err)
	}
}

func TestConfigSecretsScrubbed(t *testing.T) {
	t.Setenv("RS_TEST_SECRET", "hunter2-very-secret")
	t.Setenv("RS_TEST_PORT", "not-a-port-hunter3")
	ctx := context.Background()
	reg := testRegistry()

	// The backend's open error echoes the password.
	cfg, err := store.ParseConfig([]byte("backends:\n  b:\n    type: fake\n    options:\n      host: refuse\n      password: ${RS_TEST_SECRET}\nstores:\n  s:\n    backend: b\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = reg.OpenConfig(ctx, cfg, "s")
	if err == nil || strings.Contains(err.Error(), "hunter2-very-secret") || !strings.Contains(err.Error(), "***") {
		t.Errorf("open error %q: want the secret replaced by ***", err)
	}
	if !errors.Is(err, store.ErrPermission) {
		t.Errorf("open error %v lost its kind", err)
	}

	// A YAML type error would quote the value.
	cfg, err = store.ParseConfig([]byte("backends:\n  b:\n    type: fake\n    options:\n      host: h\n      port: ${RS_TEST_PORT}\nstores:\n  s:\n    backend: b\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = reg.OpenConfig(ctx, cfg, "s")
	if err == nil || strings.Contains(err.Error(), "hunter3") {
		t.Errorf("type error %q: want the value left out", err)
	}

	// Errors of a store opened from the config are scrubbed too.
	cfg, err = store.ParseConfig([]byte("backends:\n  b:\n    type: fake\n    options:\n      host: h\n      user: admin\n      password: ${RS_TEST_SECRET}\nstores:\n  s:\n    backend: b\n"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := reg.OpenConfig(ctx, cfg, "s")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = st.Stat(ctx, "leak")
	if err == nil || strings.Contains(err.Error(), "hunter2-very-secret") || !strings.Contains(err.Error(), "admin:***") {
		t.Errorf("Stat error %q: want the secret replaced by ***", err)
	}
	if fmt.Sprintf("%v %s %+v %#v", store.Secret("x1234"), store.Secret("x1234"), fakeConfig{Password: "x1234"}, store.Secret("x1234")) != `*** *** {Host: Port:0 User: Password:***} ***` {
		t.Errorf("Secret formats as %v", fmt.Sprintf("%v %s %+v %#v", store.Secret("x1234"), store.Secret("x1234"), fakeConfig{Password: "x1234"}, store.Secret("x1234")))
	}
}

func TestLoadConfigAndOpen(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "stores.yaml")
	if err := os.WriteFile(p, []byte("backends:\n  m:\n    type: mem\nstores:\n  raw:\n    backend: m\n    root_path: raw/events\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := store.LoadConfig(p)
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	ctx := context.Background()
	st, err := testRegistry().OpenConfig(ctx, cfg, "raw")
	if err != nil {
		t.Fatalf("OpenConfig: %v", err)
	}
	defer st.Close()
	if err := st.WriteString(ctx, "2026/x.json", "{}", nil); err != nil {
		t.Fatal(err)
	}
	if got := st.URI("2026/x.json"); got != "mem:///raw/events/2026/x.json" {
		t.Errorf("URI = %q", got)
	}
	// DefaultRegistry has mem too (memory's init), through Config.Open.
	st2, err := cfg.Open(ctx, "raw")
	if err != nil {
		t.Fatalf("Config.Open: %v", err)
	}
	st2.Close()

	_, err = store.LoadConfig(filepath.Join(dir, "missing.yaml"))
	if err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("LoadConfig(missing) = %v, want an error naming the file", err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("stores: {s: {backend: nope}}\n"), 0o600)
	if _, err := store.LoadConfig(bad); !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), "bad.yaml") {
		t.Errorf("LoadConfig(bad) = %v, want ErrInvalidConfig naming the file", err)
	}
}

func TestOpenURL(t *testing.T) {
	ctx := context.Background()
	reg := testRegistry()
	st, err := reg.OpenURL(ctx, "mem://")
	if err != nil {
		t.Fatalf("OpenURL(mem://): %v", err)
	}
	if err := st.WriteString(ctx, "a.txt", "a", nil); err != nil {
		t.Fatal(err)
	}
	if st.String() != "mem:///" {
		t.Errorf("String() = %q", st.String())
	}
	st.Close()
	if _, err := reg.OpenURL(ctx, "MEM://"); err != nil {
		t.Errorf("schemes are case-insensitive: %v", err)
	}
	if _, err := reg.OpenURL(ctx, "mem://host/path?x=1"); !errors.Is(err, store.ErrInvalidConfig) {
		t.Errorf("OpenURL(mem with host) = %v, want ErrInvalidConfig", err)
	}
	if _, err := reg.OpenURL(ctx, ""); !errors.Is(err, store.ErrInvalidConfig) {
		t.Errorf("OpenURL(\"\") = %v, want ErrInvalidConfig", err)
	}
	// Passwords never show, whether the URL is malformed, refused or used.
	for _, raw := range []string{"fake://admin:pw-1234@refuse/", "fake://admin:pw-1234@h:bad port/", "fake://admin:pw-1234@h/?secret=pw-5678"} {
		_, err := reg.OpenURL(ctx, raw)
		if err == nil {
			t.Errorf("OpenURL(%s) succeeded", raw)
			continue
		}
		if strings.Contains(err.Error(), "pw-1234") || strings.Contains(err.Error(), "pw-5678") {
			t.Errorf("OpenURL error %q shows a password", err)
		}
	}
	_, err = reg.OpenURL(ctx, "fake://admin:pw-1234@refuse/")
	if !errors.Is(err, store.ErrPermission) || !strings.Contains(err.Error(), "fake://admin:***@refuse/") {
		t.Errorf("OpenURL(refused) = %v, want ErrPermission naming fake://admin:***@refuse/", err)
	}
	st, err = reg.OpenURL(ctx, "fake://admin:pw-1234@h/")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Stat(ctx, "leak"); err == nil || strings.Contains(err.Error(), "pw-1234") {
		t.Errorf("Stat error %q shows the URL's password", err)
	}
}
