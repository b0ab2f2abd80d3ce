// Command latency-proxy runs the latency package's delaying reverse proxy
// as its own process, for benchmarks written in other languages (the
// Python shim's bench_load.py): an in-process proxy would share the
// benchmark's interpreter and cap its bandwidth, which a network's round
// trip does not.
//
//	latency-proxy -target http://127.0.0.1:7070 -delay 20ms
//
// It prints "http://127.0.0.1:PORT" on the first line of stdout, serves until
// stdin closes or it gets SIGINT/SIGTERM, then prints the request counts
// by kind ("GET=90 HEAD=60") on stderr.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/remotestore/remotestore/internal/testserver/latency"
)

func main() {
	target := flag.String("target", "", "http URL of the server to proxy (required)")
	delay := flag.Duration("delay", 20*time.Millisecond, "wait before forwarding each request")
	flag.Parse()
	p, err := latency.Start(*target, *delay)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println(p.URL)
	done := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(done) }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case <-done:
	case <-sig:
	}
	fmt.Fprintln(os.Stderr, latency.String(p.Counts()))
	p.Close()
}
