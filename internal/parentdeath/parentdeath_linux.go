package parentdeath

import (
	"fmt"
	"os"
	"syscall"
)

func init() {
	pid := requested()
	if pid == 0 {
		return
	}
	// init runs on the main thread: the signal request is the thread
	// group leader's, which is what the kernel checks.
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0); errno != 0 {
		fmt.Fprintf(os.Stderr, "parentdeath: prctl(PR_SET_PDEATHSIG): %v\n", errno)
		return
	}
	if os.Getppid() != pid { // the parent died before the request took effect
		os.Exit(1)
	}
}
