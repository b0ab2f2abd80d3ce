package azurite

import "syscall"

// sysProcAttr kills the server when the test process dies without Stop.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
