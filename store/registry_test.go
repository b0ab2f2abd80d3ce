package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/remotestore/remotestore/store"
)

func TestRegisterDuplicatePanics(t *testing.T) {
	reg := testRegistry()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("registering a scheme twice did not panic")
		}
		if msg, _ := r.(string); !strings.Contains(msg, `"mem"`) || !strings.Contains(msg, "twice") {
			t.Errorf("panic %v does not name the scheme", r)
		}
	}()
	reg.Register("MEM", store.NewDriver(parseFakeURL, openFake)) // schemes are case-insensitive
}

func TestDefaultRegistryHasMemory(t *testing.T) {
	// backends/memory registers itself from init; importing it in these
	// tests puts it in DefaultRegistry.
	found := false
	for _, s := range store.DefaultRegistry.Schemes() {
		found = found || s == "mem"
	}
	if !found {
		t.Errorf("DefaultRegistry.Schemes() = %q, want mem among them", store.DefaultRegistry.Schemes())
	}
	defer func() {
		if recover() == nil {
			t.Error("store.Register of a taken scheme did not panic")
		}
	}()
	store.Register("mem", store.NewDriver(parseFakeURL, openFake))
}

func TestUnknownScheme(t *testing.T) {
	ctx := context.Background()
	reg := testRegistry()
	if got := strings.Join(reg.Schemes(), ","); got != "fake,mem" {
		t.Errorf("Schemes() = %q, want fake,mem (sorted)", got)
	}
	_, err := reg.OpenURL(ctx, "gopher://host/x")
	if !errors.Is(err, store.ErrInvalidConfig) {
		t.Errorf("OpenURL(gopher) = %v, want ErrInvalidConfig", err)
	}
	if err != nil && (!strings.Contains(err.Error(), `"gopher"`) || !strings.Contains(err.Error(), "have: fake, mem")) {
		t.Errorf("error %q should name the scheme and list the registered ones", err)
	}
	// A bare path is a file URL; this registry has no file backend.
	_, err = reg.OpenURL(ctx, "./data")
	if err == nil || !strings.Contains(err.Error(), `"file"`) {
		t.Errorf("OpenURL(./data) = %v, want an error about the file scheme", err)
	}
	cfg, err := store.ParseConfig([]byte("backends:\n  b:\n    type: gopher\nstores:\n  s:\n    backend: b\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = reg.OpenConfig(ctx, cfg, "s")
	if !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), "have: fake, mem") || !strings.Contains(err.Error(), "backends.b") {
		t.Errorf("OpenConfig(type gopher) = %v, want ErrInvalidConfig naming backends.b and listing schemes", err)
	}
	// A malformed URL is not echoed (it may hold a password).
	_, err = reg.OpenURL(ctx, "fake://user:pw-9876@host:port:bad/%zz")
	if err == nil || strings.Contains(err.Error(), "pw-9876") {
		t.Errorf("OpenURL(malformed) = %v, want an error without the password", err)
	}
}

func TestZeroRegistry(t *testing.T) {
	var reg store.Registry
	if len(reg.Schemes()) != 0 {
		t.Errorf("zero Registry has schemes %q", reg.Schemes())
	}
	if _, err := reg.OpenURL(context.Background(), "mem://"); !errors.Is(err, store.ErrInvalidConfig) {
		t.Errorf("zero Registry OpenURL = %v, want ErrInvalidConfig", err)
	}
	reg.Register("fake", store.NewDriver(parseFakeURL, openFake))
	st, err := reg.OpenURL(context.Background(), "fake://h")
	if err != nil {
		t.Fatalf("OpenURL after Register: %v", err)
	}
	if st.Backend().Scheme() != "fake" {
		t.Errorf("opened %q", st.Backend().Scheme())
	}
	if err := st.Close(); err != nil {
		t.Error(err)
	}
	if err := st.Close(); err != nil {
		t.Errorf("second Close = %v, want the first result (nil)", err)
	}
}
