package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// TestProgress: on a terminal a large transfer draws a bar on stderr and
// passes the bytes through unchanged; a small one, or no terminal, draws
// nothing and returns the reader itself.
func TestProgress(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), (progressThreshold+1<<20)/16)
	var stdout, stderr bytes.Buffer
	c := newCLI(strings.NewReader(""), &stdout, &stderr)
	c.terminal = true
	r, done := c.progress(bytes.NewReader(data), int64(len(data)), "put big.bin")
	got, err := io.ReadAll(r)
	done()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read %d bytes through the bar (err %v), want %d", len(got), err, len(data))
	}
	if !strings.Contains(stderr.String(), "put big.bin") || stdout.Len() != 0 {
		t.Errorf("bar: stderr %q, stdout %q", stderr.String(), stdout.String())
	}

	stderr.Reset()
	small := strings.NewReader("small")
	if r, done := c.progress(small, 5, "put small"); r != io.Reader(small) || stderr.Len() != 0 {
		t.Errorf("small transfer got a bar: %q", stderr.String())
	} else {
		done()
	}
	c.terminal = false
	big := bytes.NewReader(data)
	if r, _ := c.progress(big, int64(len(data)), "put big"); r != io.Reader(big) {
		t.Error("no terminal, yet a bar")
	}
}
