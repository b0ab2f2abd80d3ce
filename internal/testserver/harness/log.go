package harness

import (
	"bytes"
	"strings"
	"sync"
)

// LockedLog collects a server's stdout and stderr, safe for concurrent
// writes, keeping only the tail once it grows past 1 MiB. Its zero value is
// ready to use.
type LockedLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p, first dropping all but the last 64 KiB once the log is
// past 1 MiB.
func (l *LockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 1<<20 { // keep the tail only
		l.b.Next(l.b.Len() - 64<<10)
	}
	return l.b.Write(p)
}

// Tail returns the last n bytes written, without surrounding white space.
func (l *LockedLog) Tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.b.Bytes()
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.TrimSpace(string(b))
}
