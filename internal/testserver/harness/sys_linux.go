package harness

import "syscall"

// SysProcAttr returns process attributes that kill a server when the test
// process dies without stopping it (on Linux; nil elsewhere).
func SysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
