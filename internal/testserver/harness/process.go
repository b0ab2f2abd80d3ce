package harness

import (
	"os"
	"os/exec"
	"time"
)

// Process is a started child process whose exit is watched.
type Process struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// StartProcess starts cmd and watches for its exit.
func StartProcess(cmd *exec.Cmd) (*Process, error) {
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Process{cmd: cmd, exited: make(chan struct{})}
	go func() { cmd.Wait(); close(p.exited) }()
	return p, nil
}

// Exited is closed once the process has exited and been waited for.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Pid returns the process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Kill kills the process at once and waits until it is gone. A nil
// Process is left alone.
func (p *Process) Kill() {
	if p == nil {
		return
	}
	p.cmd.Process.Kill()
	<-p.exited
}

// Stop sends sig and waits up to grace for the process to exit, then kills
// it. A nil Process is left alone.
func (p *Process) Stop(sig os.Signal, grace time.Duration) {
	if p == nil {
		return
	}
	p.cmd.Process.Signal(sig)
	select {
	case <-p.exited:
	case <-time.After(grace):
		p.Kill()
	}
}
