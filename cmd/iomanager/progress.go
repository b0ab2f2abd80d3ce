package main

import (
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progressThreshold is the size above which put, get and cp draw a
// progress bar (on stderr, and only when stderr is a terminal).
const progressThreshold = 8 << 20

// progress wraps r so that reading it draws a progress bar for a transfer
// of size bytes. Without a terminal on stderr, or for a small or unknown
// size, it returns r itself. done clears the bar.
func (c *cli) progress(r io.Reader, size int64, desc string) (_ io.Reader, done func()) {
	if !c.terminal || size <= progressThreshold {
		return r, func() {}
	}
	bar := progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(c.stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
	return io.TeeReader(r, bar), func() {
		_ = bar.Clear()
		_ = bar.Exit()
	}
}
