package harness

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

func TestFreePortIsBindable(t *testing.T) {
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatalf("port %d from FreePort: %v", port, err)
	}
	l.Close()
}

func TestRetry(t *testing.T) {
	calls := 0
	got, err := Retry(3, func() (int, error) {
		calls++
		if calls < 3 {
			return 0, errors.New("taken")
		}
		return 42, nil
	})
	if got != 42 || err != nil || calls != 3 {
		t.Errorf("Retry = %d, %v after %d calls; want 42, nil after 3", got, err, calls)
	}
	calls = 0
	_, err = Retry(3, func() (int, error) { calls++; return 0, errors.New("attempt " + strconv.Itoa(calls)) })
	if err == nil || err.Error() != "attempt 3" || calls != 3 {
		t.Errorf("Retry error = %v after %d calls; want the last error after 3", err, calls)
	}
}

func TestProcessStopAndExit(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep binary")
	}
	cmd := exec.Command(sleep, "60")
	cmd.SysProcAttr = SysProcAttr()
	p, err := StartProcess(cmd)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Exited():
		t.Fatal("exited before Stop")
	default:
	}
	if p.Pid() <= 0 {
		t.Errorf("Pid = %d", p.Pid())
	}
	p.Stop(syscall.SIGTERM, time.Minute)
	select {
	case <-p.Exited():
	default:
		t.Fatal("Stop returned before the process exited")
	}
	var nilP *Process
	nilP.Stop(syscall.SIGTERM, time.Second) // must not panic
	nilP.Kill()
}

func TestProcessKillIgnoresSignal(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh binary")
	}
	// sleep inherits the ignored SIGTERM, so Stop must fall back to killing it.
	p, err := StartProcess(exec.Command(sh, "-c", "trap '' TERM; exec sleep 60"))
	if err != nil {
		t.Fatal(err)
	}
	p.Stop(syscall.SIGTERM, 0)
	select {
	case <-p.Exited():
	default:
		t.Fatal("Stop returned before the process exited")
	}
}

func TestStartProcessError(t *testing.T) {
	if _, err := StartProcess(exec.Command(filepath.Join(t.TempDir(), "missing"))); err == nil {
		t.Error("StartProcess of a missing binary succeeded")
	}
}

func TestModuleRoot(t *testing.T) {
	root, ok := ModuleRoot()
	if !ok {
		t.Fatal("no module root above the package folder")
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Error(err)
	}
	t.Chdir(t.TempDir())
	if root, ok := ModuleRoot(); ok {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
			t.Errorf("ModuleRoot = %s without go.mod", root)
		}
	}
}

func TestRandHexAndTestName(t *testing.T) {
	if a, b := RandHex(8), RandHex(8); len(a) != 16 || a == b {
		t.Errorf("RandHex(8) = %q, %q; want 16 hex digits, different each time", a, b)
	}
	t.Run("a/b c:d", func(t *testing.T) {
		if got, want := TestName(t), "TestRandHexAndTestName_a_b_c_d"; got != want {
			t.Errorf("TestName = %q, want %q", got, want)
		}
	})
}

func TestWaitReady(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep binary")
	}
	p, err := StartProcess(exec.Command(sleep, "60"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Kill()
	calls := 0
	if err := p.WaitReady(context.Background(), time.Minute, 0, func() error {
		if calls++; calls < 3 {
			return errors.New("not yet")
		}
		return nil
	}); err != nil || calls != 3 {
		t.Errorf("WaitReady = %v after %d probes, want nil after 3", err, calls)
	}

	probeErr := errors.New("refused")
	err = p.WaitReady(context.Background(), 0, 0, func() error { return probeErr })
	if !errors.Is(err, ErrNotReady) || !errors.Is(err, probeErr) || err.Error() != "not ready after 0s: refused" {
		t.Errorf("WaitReady past the limit = %v, want ErrNotReady wrapping %v", err, probeErr)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.WaitReady(ctx, time.Minute, 0, func() error { return probeErr }); err != context.Canceled {
		t.Errorf("WaitReady with an ended context = %v, want %v", err, context.Canceled)
	}

	p.Kill()
	if err := p.WaitReady(context.Background(), time.Minute, 0, func() error { return probeErr }); err != ErrExited {
		t.Errorf("WaitReady after exit = %v, want %v", err, ErrExited)
	}
}
