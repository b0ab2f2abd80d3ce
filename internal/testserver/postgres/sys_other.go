//go:build !linux

package postgres

import "syscall"

// credential is the user and group a child process runs as.
type credential struct{ Uid, Gid uint32 }

// sysProcAttr runs the child as this process; switching users is only
// implemented on Linux.
func sysProcAttr(*credential) *syscall.SysProcAttr { return nil }

// canSwitchUser reports whether children can be run as another user.
const canSwitchUser = false
