package grpcplugin

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pb "github.com/remotestore/remotestore/iomanager/internal/iomanagerv1"
)

// GRPCPlugin is the go-plugin plugin of the IO manager: gRPC only (net/rpc
// is refused). On the plugin side it registers Impl; on the host side it
// returns a *Client.
type GRPCPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	// Impl is served by the plugin process; nil on the host side.
	Impl *Server
}

var _ plugin.GRPCPlugin = (*GRPCPlugin)(nil)

// GRPCServer registers the IO manager service.
func (p *GRPCPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterIOManagerServiceServer(s, p.Impl)
	return nil
}

// GRPCClient returns a *Client over the plugin's connection.
func (p *GRPCPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, cc *grpc.ClientConn) (any, error) {
	return NewClient(cc), nil
}

// PluginSets is what host and plugin both pass to go-plugin
// (VersionedPlugins): protocol version 1 serves PluginName.
func PluginSets(srv *Server) map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{ProtocolVersion: {PluginName: &GRPCPlugin{Impl: srv}}}
}

// DialOptions are the gRPC options a Go host should pass
// (ClientConfig.GRPCDialOptions): large enough messages for chunks.
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxMessageSize), grpc.MaxCallSendMsgSize(MaxMessageSize)),
		// Large HTTP/2 windows and socket buffers: a 1 MiB chunk must not
		// wait for window updates over a local socket.
		grpc.WithInitialWindowSize(windowSize), grpc.WithInitialConnWindowSize(windowSize),
		grpc.WithReadBufferSize(bufferSize), grpc.WithWriteBufferSize(bufferSize),
	}
}

const (
	windowSize = 16 << 20
	bufferSize = 1 << 20
)

// serverOptions are the plugin's gRPC server options: message limits and
// windows that match DialOptions.
func serverOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.MaxRecvMsgSize(MaxMessageSize), grpc.MaxSendMsgSize(MaxMessageSize),
		grpc.InitialWindowSize(windowSize), grpc.InitialConnWindowSize(windowSize),
		grpc.ReadBufferSize(bufferSize), grpc.WriteBufferSize(bufferSize),
	}
}
