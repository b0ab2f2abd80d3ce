"""AutoMTLS material for a go-plugin host.

go-plugin's AutoMTLS: the host makes a throwaway self-signed certificate that can act as a CA, passes
its PEM to the plugin in ``PLUGIN_CLIENT_CERT``, and the plugin answers with its own self-signed leaf
(base64 DER, the 6th field of the handshake line). Each side then trusts exactly the other's
certificate, with the server name ``localhost``.
"""

from __future__ import annotations

import base64
import datetime as dt
import ssl
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

#: The name both generated certificates are issued for, and the TLS target name override.
SERVER_NAME = "localhost"


@dataclass(frozen=True)
class ClientCert:
    """A PEM certificate and its PEM private key."""

    cert_pem: bytes
    key_pem: bytes


def generate_client_cert() -> ClientCert:
    """A fresh self-signed ECDSA P-256 certificate usable as the plugin's client CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVER_NAME),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "remotestore")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(seconds=30))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(SERVER_NAME)]), critical=False)
        .add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=True, key_cert_sign=True, crl_sign=False,
                          encipher_only=False, decipher_only=False),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH]),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    return ClientCert(
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()),
    )


def server_cert_pem(field: str) -> bytes:
    """The plugin's certificate from the handshake line's 6th field (base64 DER, padding optional)."""
    raw = field.strip()
    der = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
    x509.load_der_x509_certificate(der)  # fail here, with a clear error, on garbage
    return ssl.DER_cert_to_PEM_cert(der).encode()


class UnusableCert(Exception):
    """A certificate grpcio cannot verify."""


def check_usable(pem: bytes, plugin: str) -> None:
    """Raise UnusableCert when grpcio could not verify this certificate: BoringSSL verifies ECDSA only
    on P-256 and P-384 (go-plugin's own AutoMTLS uses P-521) and RSA."""
    cert = x509.load_pem_x509_certificate(pem)
    key = cert.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name not in ("secp256r1", "secp384r1"):
        raise UnusableCert(
            f"remotestore: plugin {plugin} offers a TLS certificate on curve {key.curve.name}, which grpcio cannot "
            "verify (go-plugin's built-in AutoMTLS); the plugin must honour REMOTESTORE_PLUGIN_SERVER_CERT_FILE "
            "with a P-256 certificate (see python-shim/README.md)")
