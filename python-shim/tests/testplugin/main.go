// Command testplugin is a tiny hashicorp/go-plugin gRPC server that the Python
// shim's host tests launch. It exercises the host generically: handshake,
// AutoMTLS, health, GRPCStdio, hclog JSON logs on stderr, controller shutdown,
// errors with an ErrorInfo detail, a crash before the handshake, and reattach.
//
// It serves one hand-declared service, testplugin.v1.Echo, whose messages are
// protobuf well-known wrappers so that no generated code is needed:
//
//	Echo(StringValue) → StringValue   echoes; logs "echo" and prints to stdout
//	Fail(StringValue) → StringValue   fails with "CODE|REASON|message"
//
// TESTPLUGIN_MODE selects a misbehaviour: "crash" writes to stderr and exits 3
// before the handshake, "hang" never completes the handshake, "badline" prints
// a malformed handshake line, "go-plugin-mtls" keeps go-plugin's own P-521
// AutoMTLS (which grpcio cannot verify; see tls.go). With -reattach-file F it runs as a sidecar and
// writes its reattach config (JSON) to F instead of printing the handshake.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/remotestore/remotestore/iomanager/grpcplugin"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// Handshake is the test plugin's cookie; the Python tests pass the same values.
var Handshake = plugin.HandshakeConfig{
	MagicCookieKey:   "REMOTESTORE_TESTPLUGIN_COOKIE",
	MagicCookieValue: "a3f1c5e0-testplugin",
}

type echoServer struct{ log hclog.Logger }

func (s *echoServer) Echo(_ context.Context, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
	s.log.Info("echo", "value", in.GetValue(), "n", len(in.GetValue()))
	fmt.Println("stdout:" + in.GetValue()) // goes to the GRPCStdio stream
	if in.GetValue() == "pid" {
		return wrapperspb.String(fmt.Sprint(os.Getpid())), nil
	}
	return wrapperspb.String(in.GetValue()), nil
}

// Fail returns the status described by "CODE|REASON|message", CODE being a
// numeric gRPC code; REASON becomes the ErrorInfo reason with a path detail.
func (s *echoServer) Fail(_ context.Context, in *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
	parts := strings.SplitN(in.GetValue(), "|", 3)
	if len(parts) != 3 {
		return nil, status.Error(codes.InvalidArgument, "want CODE|REASON|message")
	}
	var code uint32
	if _, err := fmt.Sscan(parts[0], &code); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	st := status.New(codes.Code(code), parts[2])
	if parts[1] != "" {
		withInfo, err := st.WithDetails(&errdetails.ErrorInfo{
			Reason: parts[1], Domain: "remotestore", Metadata: map[string]string{"path": "some/path"},
		})
		if err == nil {
			st = withInfo
		}
	}
	return nil, st.Err()
}

func unary(name string, call func(*echoServer, context.Context, *wrapperspb.StringValue) (*wrapperspb.StringValue, error)) grpc.MethodDesc {
	return grpc.MethodDesc{
		MethodName: name,
		Handler: func(srv any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
			in := new(wrapperspb.StringValue)
			if err := dec(in); err != nil {
				return nil, err
			}
			return call(srv.(*echoServer), ctx, in)
		},
	}
}

var echoDesc = grpc.ServiceDesc{
	ServiceName: "testplugin.v1.Echo",
	HandlerType: (*any)(nil),
	Methods:     []grpc.MethodDesc{unary("Echo", (*echoServer).Echo), unary("Fail", (*echoServer).Fail)},
	Metadata:    "testplugin.proto",
}

type echoPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	log hclog.Logger
}

func (p *echoPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	s.RegisterService(&echoDesc, &echoServer{log: p.log})
	return nil
}

func (p *echoPlugin) GRPCClient(context.Context, *plugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, errors.New("testplugin: no Go client")
}

// reattachFile is the JSON written for -reattach-file, the same shape as
// Terraform's TF_REATTACH_PROVIDERS entries.
type reattachFile struct {
	Protocol        string
	ProtocolVersion int
	Pid             int
	Test            bool
	Addr            struct{ Network, String string }
}

func main() {
	reattach := flag.String("reattach-file", "", "run as a sidecar; write the reattach config to this file")
	flag.Parse()
	log := hclog.New(&hclog.LoggerOptions{Name: "testplugin", Level: hclog.Trace, Output: os.Stderr, JSONFormat: true})

	switch os.Getenv("TESTPLUGIN_MODE") {
	case "crash":
		fmt.Fprintln(os.Stderr, "testplugin: loading config")
		fmt.Fprintln(os.Stderr, "testplugin: fatal: bucket \"nope\" does not exist")
		os.Exit(3)
	case "hang":
		time.Sleep(time.Hour)
	case "badline":
		fmt.Println("this is not a handshake")
		time.Sleep(time.Hour)
	}

	cfg := &plugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: map[int]plugin.PluginSet{1: {"echo": &echoPlugin{log: log}}},
		GRPCServer:       plugin.DefaultGRPCServer,
		Logger:           log,
	}
	if os.Getenv("TESTPLUGIN_MODE") != "go-plugin-mtls" {
		cfg.TLSProvider = grpcplugin.TLSProvider(os.Getenv)
	}
	if *reattach == "" {
		plugin.Serve(cfg)
		return
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ch := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	cfg.Test = &plugin.ServeTestConfig{Context: ctx, ReattachConfigCh: ch, CloseCh: closed}
	go plugin.Serve(cfg)
	select {
	case rc := <-ch:
		var f reattachFile
		f.Protocol, f.ProtocolVersion, f.Pid, f.Test = string(rc.Protocol), rc.ProtocolVersion, rc.Pid, rc.Test
		f.Addr.Network, f.Addr.String = rc.Addr.Network(), rc.Addr.String()
		b, _ := json.Marshal(f)
		if err := os.WriteFile(*reattach, b, 0o600); err != nil {
			log.Error("write reattach file", "path", *reattach, "error", err)
			os.Exit(1)
		}
	case <-closed:
		os.Exit(1)
	}
	<-closed
}
