package harness

import (
	"fmt"
	"net"
)

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago. Another
// process may take it before the server binds it, so callers retry a start
// that fails (see Retry).
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Retry calls start up to attempts times until it succeeds, returning the
// last error when none does (a free port may be taken before the server
// binds it).
func Retry[S any](attempts int, start func() (S, error)) (S, error) {
	var (
		s   S
		err error
	)
	for range attempts {
		if s, err = start(); err == nil {
			return s, nil
		}
	}
	return s, err
}
