package grpcplugin

import (
	"fmt"
	"net"
)

func resolveAddr(network, s string) (net.Addr, error) {
	switch network {
	case "unix":
		return net.ResolveUnixAddr("unix", s)
	case "tcp":
		return net.ResolveTCPAddr("tcp", s)
	}
	return nil, fmt.Errorf("iomanager: reattach: unknown network %q", network)
}
