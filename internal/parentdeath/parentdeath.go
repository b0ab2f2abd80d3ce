// Package parentdeath makes a plugin process die with the process that
// started it, even when that one is killed with SIGKILL and cannot stop
// it: on Linux it asks the kernel for SIGKILL when the parent dies
// (PR_SET_PDEATHSIG).
//
// A host asks for it by setting Env to its own process id in the plugin's
// environment; importing this package (grpcplugin does) acts on it in an
// init function, on the process's main thread, before main runs. Doing it
// here instead of between fork and exec in the host keeps the host's
// spawn free of code running in a forked child, which is unsafe in a
// multi-threaded Python process (pyarrow's and grpcio's thread pools).
//
// The variable is removed from the environment at once, so processes the
// plugin starts do not inherit the request.
package parentdeath

import (
	"os"
	"strconv"
)

// Env names the variable holding the parent's process id.
const Env = "REMOTESTORE_PARENT_PID"

// requested reads and clears Env: the parent's pid, or 0.
func requested() int {
	v, ok := os.LookupEnv(Env)
	if !ok {
		return 0
	}
	os.Unsetenv(Env)
	pid, err := strconv.Atoi(v)
	if err != nil || pid <= 1 {
		return 0
	}
	return pid
}
