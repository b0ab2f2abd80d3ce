//go:build !linux

package s3

import "syscall"

func sysProcAttr() *syscall.SysProcAttr { return nil }
