// Package harness holds what the real-server test harnesses under
// internal/testserver (s3, azurite, sftp, postgres) share: starting one
// server per test binary with skip-or-fail on a missing binary (Harness),
// the locked log that keeps the tail of a server's output (LockedLog), a
// free 127.0.0.1 port (FreePort), a child process whose exit is watched
// (Process, SysProcAttr) and waiting until it is ready (Process.WaitReady),
// and small helpers for names and paths.
//
// Each server package keeps its own public API (Main, Get, Required, Start,
// ErrNoBinary, …) and its own configuration and start logic; it delegates
// the shared parts here.
package harness
