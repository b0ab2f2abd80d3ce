package grpcplugin

import (
	"github.com/hashicorp/go-plugin"

	// A host that sets REMOTESTORE_PARENT_PID gets a plugin that dies with
	// it (PR_SET_PDEATHSIG, requested in the plugin's own init).
	_ "github.com/remotestore/remotestore/internal/parentdeath"
)

// The go-plugin handshake of the IO manager plugin. A host sets
// MagicCookieKey=MagicCookieValue in the plugin's environment (a check that
// the binary was launched as a plugin, not a security measure) and offers
// ProtocolVersion in PLUGIN_PROTOCOL_VERSIONS. The Python shim keeps the
// same values in remotestore_dagster/_handshake.py; its tests read this file.
const (
	MagicCookieKey   = "REMOTESTORE_IOMANAGER_PLUGIN"
	MagicCookieValue = "b4f7c2e9-remotestore-iomanager-v1"
	// ProtocolVersion is the application protocol: iomanager.v1.
	ProtocolVersion = 1
	// PluginName is the name of the plugin in the plugin set.
	PluginName = "iomanager"
)

// Handshake is the go-plugin handshake config of the IO manager plugin.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   MagicCookieKey,
	MagicCookieValue: MagicCookieValue,
}

// IsPluginLaunch reports whether the process was launched as a plugin by a
// go-plugin host (the magic cookie is set).
func IsPluginLaunch(getenv func(string) string) bool {
	return getenv(MagicCookieKey) == MagicCookieValue
}
