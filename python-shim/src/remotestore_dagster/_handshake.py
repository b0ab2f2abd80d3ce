"""The go-plugin handshake constants: the one place on the Python side.

They mirror ``iomanager/grpcplugin/handshake.go``; ``tests/test_handshake_constants.py`` reads that Go
file and fails when the two disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

#: go-plugin's own protocol version (the first field of the handshake line).
CORE_PROTOCOL_VERSION = 1


@dataclass(frozen=True)
class Handshake:
    """What a host and a plugin must agree on before they talk.

    ``cookie_key``/``cookie_value`` are set in the plugin's environment (a UX check, not security);
    ``versions`` are the application protocol versions this host speaks, sent as
    ``PLUGIN_PROTOCOL_VERSIONS``; ``plugin_name`` is the service name the health check asks about.
    """

    cookie_key: str
    cookie_value: str
    versions: tuple[int, ...] = (1,)
    health_service: str = "plugin"


#: The remotestore IO manager plugin (cmd/iomanager).
IOMANAGER = Handshake(
    cookie_key="REMOTESTORE_IOMANAGER_PLUGIN",
    cookie_value="b4f7c2e9-remotestore-iomanager-v1",
    versions=(1,),
)

#: Where a Python host asks the plugin to put its AutoMTLS certificate (PEM). grpcio's BoringSSL cannot
#: verify go-plugin's built-in AutoMTLS certificate (ECDSA P-521 is not among its signature
#: algorithms), so plugins that Python hosts talk to implement ServeConfig.TLSProvider: when this
#: variable and PLUGIN_CLIENT_CERT are set, serve TLS with a P-256 certificate, trust exactly the
#: client certificate, and write the server certificate to this file before the handshake line.
SERVER_CERT_FILE_ENV = "REMOTESTORE_PLUGIN_SERVER_CERT_FILE"
