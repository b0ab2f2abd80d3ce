package harness

import (
	"strings"
	"sync"
	"testing"
)

func TestLockedLogTail(t *testing.T) {
	var l LockedLog
	l.Write([]byte("  first line\n"))
	l.Write([]byte("second line\n"))
	if got, want := l.Tail(1000), "first line\nsecond line"; got != want {
		t.Errorf("Tail(1000) = %q, want %q", got, want)
	}
	if got, want := l.Tail(5), "line"; got != want {
		t.Errorf("Tail(5) = %q, want %q", got, want)
	}
}

func TestLockedLogKeepsTail(t *testing.T) {
	var l LockedLog
	chunk := strings.Repeat("x", 1023) + "\n"
	for range 1100 { // past 1 MiB
		l.Write([]byte(chunk))
	}
	l.Write([]byte("last"))
	if n := l.b.Len(); n > 1<<20 {
		t.Errorf("log holds %d bytes after passing 1 MiB, want it cut back", n)
	}
	if got := l.Tail(4); got != "last" {
		t.Errorf("Tail(4) = %q, want %q", got, "last")
	}
}

func TestLockedLogConcurrent(t *testing.T) {
	var l LockedLog
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				l.Write([]byte("ab"))
			}
		})
	}
	wg.Wait()
	if got := len(l.Tail(1 << 20)); got != 8*100*2 {
		t.Errorf("log holds %d bytes, want %d", got, 8*100*2)
	}
}
