package grpcplugin

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// EnvCPUProfile names a file the plugin writes a Go CPU profile to, from
// start until it stops (`go tool pprof bin/iomanager FILE`), for finding
// where a slow load or store spends the plugin's time.
const EnvCPUProfile = "REMOTESTORE_CPUPROFILE"

// startCPUProfile starts profiling into $REMOTESTORE_CPUPROFILE when it is
// set and returns the function that stops and flushes it.
func startCPUProfile(getenv func(string) string) (stop func(), err error) {
	path := getenv(EnvCPUProfile)
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvCPUProfile, err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s=%s: %w", EnvCPUProfile, path, err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
