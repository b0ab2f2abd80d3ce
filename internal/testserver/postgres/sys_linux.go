package postgres

import "syscall"

// credential is the user and group a child process runs as.
type credential = syscall.Credential

// sysProcAttr runs the child as cred (nil: as this process) and kills it
// when the test process dies without Stop. The kernel applies the death
// signal after the credential change, so it holds for a child run as
// another user too.
func sysProcAttr(cred *credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL}
}

// canSwitchUser reports whether children can be run as another user.
const canSwitchUser = true
