package grpcplugin

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// EnvLogLevel sets the plugin's log level (trace, debug, info, warn, error;
// default info). Logs are hclog JSON lines on stderr, which go-plugin hosts
// forward.
const EnvLogLevel = "REMOTESTORE_LOG_LEVEL"

// ServeOptions configure Serve.
type ServeOptions struct {
	// Logger defaults to hclog JSON on stderr.
	Logger hclog.Logger
	// Getenv defaults to os.Getenv.
	Getenv func(string) string
	// ReattachFile runs a sidecar: one long-lived server on a Unix socket
	// (mode 0600, in a private 0700 folder) that many hosts attach to; its
	// go-plugin reattach config is written (JSON, 0600) to this file. The
	// sidecar serves until ctx is done, and ignores GRPCController.Shutdown
	// from its clients.
	ReattachFile string
}

// ReattachConfig is the JSON written to the reattach file: go-plugin's
// ReattachConfig fields, as Terraform's TF_REATTACH_PROVIDERS spells them.
type ReattachConfig struct {
	Protocol        string
	ProtocolVersion int
	Pid             int
	Test            bool
	Addr            struct{ Network, String string }
}

// NewLogger returns the plugin's logger: hclog JSON lines on stderr.
func NewLogger(getenv func(string) string) hclog.Logger {
	lvl := hclog.LevelFromString(getenv(EnvLogLevel))
	if lvl == hclog.NoLevel {
		lvl = hclog.Info
	}
	return hclog.New(&hclog.LoggerOptions{Name: "iomanager", Level: lvl, Output: os.Stderr, JSONFormat: true})
}

// Serve runs the plugin server. Launched by a go-plugin host (the cookie
// set), it completes the handshake and serves until the host shuts it down;
// with ReattachFile it runs as a sidecar until ctx is done. Nothing is
// written to stdout before the handshake line.
func Serve(ctx context.Context, o ServeOptions) error {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Logger == nil {
		o.Logger = NewLogger(o.Getenv)
	}
	srv := NewServer(o.Logger, o.Getenv)
	defer srv.Close()
	sidecar := o.ReattachFile != ""
	cfg := &plugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: PluginSets(srv),
		Logger:           o.Logger,
		TLSProvider:      TLSProvider(o.Getenv),
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			opts = append(opts, serverOptions()...)
			if sidecar {
				opts = append(opts, grpc.ChainUnaryInterceptor(ignoreShutdown(o.Logger)))
			}
			return grpc.NewServer(opts...)
		},
	}
	if !sidecar {
		if !IsPluginLaunch(o.Getenv) {
			return fmt.Errorf("iomanager: not launched by a plugin host (%s is not set); use `serve --reattach-file F` for a sidecar", MagicCookieKey)
		}
		plugin.Serve(cfg) // exits the process when the host stops it
		return nil
	}
	return serveSidecar(ctx, cfg, o)
}

func serveSidecar(ctx context.Context, cfg *plugin.ServeConfig, o ServeOptions) error {
	dir, err := os.MkdirTemp("", "remotestore-sidecar-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// go-plugin creates its socket in PLUGIN_UNIX_SOCKET_DIR.
	os.Setenv(plugin.EnvUnixSocketDir, dir)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	cfg.Test = &plugin.ServeTestConfig{Context: ctx, ReattachConfigCh: ch, CloseCh: closed}
	go plugin.Serve(cfg)
	var rc *plugin.ReattachConfig
	select {
	case rc = <-ch:
	case <-closed:
		return fmt.Errorf("iomanager: sidecar server stopped before listening")
	}
	if rc.Addr.Network() == "unix" {
		if err := os.Chmod(rc.Addr.String(), 0o600); err != nil {
			cancel()
			<-closed
			return fmt.Errorf("iomanager: sidecar socket: %w", err)
		}
	}
	var f ReattachConfig
	f.Protocol, f.ProtocolVersion, f.Pid, f.Test = string(rc.Protocol), rc.ProtocolVersion, rc.Pid, rc.Test
	f.Addr.Network, f.Addr.String = rc.Addr.Network(), rc.Addr.String()
	b, _ := json.Marshal(f)
	tmp := filepath.Join(filepath.Dir(o.ReattachFile), "."+filepath.Base(o.ReattachFile)+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err == nil {
		err = os.Rename(tmp, o.ReattachFile)
	}
	if err != nil {
		cancel()
		<-closed
		return fmt.Errorf("iomanager: write reattach file %s: %w", o.ReattachFile, err)
	}
	defer os.Remove(o.ReattachFile)
	o.Logger.Info("sidecar serving", "socket", f.Addr.String, "reattach_file", o.ReattachFile, "pid", f.Pid)
	<-closed
	o.Logger.Info("sidecar stopped")
	return nil
}

// ignoreShutdown keeps one client of a sidecar from stopping it for all.
func ignoreShutdown(log hclog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if strings.HasSuffix(info.FullMethod, "GRPCController/Shutdown") {
			log.Debug("sidecar: ignoring a client's Shutdown")
			return nil, status.Error(codes.FailedPrecondition, "iomanager sidecar: Shutdown ignored (stop the sidecar process instead)")
		}
		return h(ctx, req)
	}
}

// ReadReattachFile reads a sidecar's reattach file into go-plugin's form
// (Test: true, so a client's Kill never stops the shared sidecar).
func ReadReattachFile(path string) (*plugin.ReattachConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f ReattachConfig
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("iomanager: reattach file %s: %w", path, err)
	}
	addr, err := resolveAddr(f.Addr.Network, f.Addr.String)
	if err != nil {
		return nil, err
	}
	return &plugin.ReattachConfig{Protocol: plugin.Protocol(f.Protocol), ProtocolVersion: f.ProtocolVersion,
		Pid: f.Pid, Test: true, Addr: addr}, nil
}
