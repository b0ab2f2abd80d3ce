package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

var errNoBinary = errors.New("fake: binary not found")

// fakeServer records whether it was stopped.
type fakeServer struct {
	stopped bool
	stopErr error
}

func (s *fakeServer) Stop() error { s.stopped = true; return s.stopErr }

// fakeM records whether the tests ran.
type fakeM struct {
	ran  bool
	code int
}

func (m *fakeM) Run() int { m.ran = true; return m.code }

// recordTB stands in for a test in Get: it records Fatalf and Skipf and,
// like the real ones, ends the goroutine.
type recordTB struct {
	testing.TB
	fatal, skip string
}

func (r *recordTB) Helper() {}
func (r *recordTB) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recordTB) Skipf(format string, args ...any) {
	r.skip = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// get calls h.Get in a goroutine of its own (Fatalf and Skipf end it).
func get(h *Harness[*fakeServer]) (*fakeServer, *recordTB) {
	r := &recordTB{}
	var s *fakeServer
	done := make(chan struct{})
	go func() {
		defer close(done)
		s = h.Get(r)
	}()
	<-done
	return s, r
}

// newHarness returns a harness whose Start returns srv and err.
func newHarness(srv *fakeServer, err error) (*Harness[*fakeServer], *bytes.Buffer) {
	out := &bytes.Buffer{}
	return &Harness[*fakeServer]{
		Name: "testserver/fake", Tests: "Fake", MainCall: "fake.Main", Timeout: time.Minute,
		Start:    func(context.Context) (*fakeServer, error) { return srv, err },
		NoBinary: errNoBinary,
		stderr:   out,
	}, out
}

func TestMainRunsAndStops(t *testing.T) {
	srv := &fakeServer{}
	h, _ := newHarness(srv, nil)
	m := &fakeM{code: 7}
	if code := h.Main(m); code != 7 || !m.ran {
		t.Fatalf("Main = %d, ran %v; want the tests' code 7 after running them", code, m.ran)
	}
	if !srv.stopped {
		t.Error("server not stopped after the tests")
	}
	if got, r := get(h); got != srv || r.fatal != "" || r.skip != "" {
		t.Errorf("Get = %p (fatal %q, skip %q), want the started server %p", got, r.fatal, r.skip, srv)
	}
}

func TestMainReportsStopError(t *testing.T) {
	h, out := newHarness(&fakeServer{stopErr: errors.New("boom")}, nil)
	if code := h.Main(&fakeM{}); code != 0 {
		t.Fatalf("Main = %d, want 0", code)
	}
	if want := "testserver/fake: stop: boom"; !strings.Contains(out.String(), want) {
		t.Errorf("output %q lacks %q", out, want)
	}
}

func TestMissingBinarySkips(t *testing.T) {
	t.Setenv(EnvRequire, "")
	h, out := newHarness(nil, errNoBinary)
	m := &fakeM{}
	if code := h.Main(m); code != 0 || !m.ran {
		t.Fatalf("Main = %d, ran %v; want the tests run", code, m.ran)
	}
	if want := "Fake tests will skip"; !strings.Contains(out.String(), want) {
		t.Errorf("output %q lacks %q", out, want)
	}
	_, r := get(h)
	if r.skip != errNoBinary.Error() || r.fatal != "" {
		t.Errorf("Get: skip %q, fatal %q; want a skip with %q", r.skip, r.fatal, errNoBinary)
	}
}

func TestMissingBinaryWrappedSkips(t *testing.T) {
	t.Setenv(EnvRequire, "0")
	h, _ := newHarness(nil, fmt.Errorf("fake: %w", errNoBinary))
	m := &fakeM{}
	if code := h.Main(m); code != 0 || !m.ran {
		t.Fatalf("Main = %d, ran %v; want the tests run", code, m.ran)
	}
}

func TestMissingBinaryRequiredFails(t *testing.T) {
	t.Setenv(EnvRequire, "1")
	h, out := newHarness(nil, errNoBinary)
	m := &fakeM{}
	if code := h.Main(m); code != 1 || m.ran {
		t.Fatalf("Main = %d, ran %v; want 1 without running the tests", code, m.ran)
	}
	if want := EnvRequire + "=1"; !strings.Contains(out.String(), want) {
		t.Errorf("output %q lacks %q", out, want)
	}
	// Tests called without Main's verdict (a Main that went on) fail too.
	_, r := get(h)
	if !strings.Contains(r.fatal, errNoBinary.Error()) || r.skip != "" {
		t.Errorf("Get: fatal %q, skip %q; want a failure naming %q", r.fatal, r.skip, errNoBinary)
	}
}

func TestStartErrorFails(t *testing.T) {
	t.Setenv(EnvRequire, "")
	h, out := newHarness(nil, errors.New("fake: port taken"))
	m := &fakeM{}
	if code := h.Main(m); code != 1 || m.ran {
		t.Fatalf("Main = %d, ran %v; want 1 without running the tests", code, m.ran)
	}
	if !strings.Contains(out.String(), "fake: port taken") {
		t.Errorf("output %q lacks the start error", out)
	}
}

func TestGetWithoutMainFails(t *testing.T) {
	h, _ := newHarness(&fakeServer{}, nil)
	s, r := get(h)
	if s != nil || r.skip != "" || !strings.Contains(r.fatal, "call fake.Main from TestMain") {
		t.Errorf("Get = %v: fatal %q, skip %q; want a failure asking for fake.Main", s, r.fatal, r.skip)
	}
}

func TestRequired(t *testing.T) {
	for v, want := range map[string]bool{"1": true, "": false, "0": false, "true": false} {
		t.Setenv(EnvRequire, v)
		if got := Required(); got != want {
			t.Errorf("%s=%q: Required() = %v, want %v", EnvRequire, v, got, want)
		}
	}
}
