// Command testserver starts one of the project's real test servers on
// 127.0.0.1 for tests written in other languages (the Python shim's
// pytest suite), with the same set-up the Go tests use:
//
//	testserver azurite   # Azurite's blob service, a fresh container
//	testserver sftp      # OpenSSH's sshd serving SFTP, a fresh key pair
//
// It prints one JSON line on stdout — {"url": store URL, "env": variables
// a client needs (credentials)} — serves until stdin closes or it gets
// SIGINT/SIGTERM, then stops the server and removes its data. A missing
// server binary exits with code 3 and the reason on stderr.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/remotestore/remotestore/internal/testserver/azurite"
	"github.com/remotestore/remotestore/internal/testserver/sftp"
)

// started is what the command prints once the server is up.
type started struct {
	URL string            `json:"url"`
	Env map[string]string `json:"env"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: testserver azurite|sftp")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	info, stop, err := start(ctx, os.Args[1])
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testserver:", err)
		if errors.Is(err, azurite.ErrNoBinary) || errors.Is(err, sftp.ErrNoBinary) {
			os.Exit(3)
		}
		os.Exit(1)
	}
	line, _ := json.Marshal(info)
	fmt.Println(string(line))
	done := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(done) }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case <-done:
	case <-sig:
	}
	if err := stop(); err != nil {
		fmt.Fprintln(os.Stderr, "testserver: stop:", err)
	}
}

// start starts the named server and returns what clients need and how to
// stop it.
func start(ctx context.Context, name string) (started, func() error, error) {
	switch name {
	case "azurite":
		srv, err := azurite.Start(ctx)
		if err != nil {
			return started{}, nil, err
		}
		container, err := srv.NewContainer(ctx)
		if err != nil {
			srv.Stop()
			return started{}, nil, err
		}
		return started{
			URL: "az://" + container + "?endpoint=" + url.QueryEscape(srv.Endpoint),
			Env: map[string]string{"AZURE_STORAGE_CONNECTION_STRING": srv.ConnectionString()},
		}, srv.Stop, nil
	case "sftp":
		srv, err := sftp.Start(ctx)
		if err != nil {
			return started{}, nil, err
		}
		q := url.Values{"key_file": {srv.KeyFile}, "known_hosts": {srv.KnownHosts}, "no_agent": {"true"}}
		u := url.URL{Scheme: "sftp", User: url.User(srv.User), Host: srv.Addr, Path: srv.Dir(), RawQuery: q.Encode()}
		return started{URL: u.String(), Env: map[string]string{}}, srv.Stop, nil
	}
	return started{}, nil, fmt.Errorf("unknown server %q: want azurite or sftp", name)
}
