package grpcplugin

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"time"
)

// EnvServerCertFile names the file a host wants the plugin's TLS
// certificate (PEM) in. Python's grpcio (BoringSSL) cannot verify the ECDSA
// P-521 certificate of go-plugin's own AutoMTLS, so when a host sets this
// variable next to PLUGIN_CLIENT_CERT the plugin serves mutual TLS with a
// P-256 certificate, trusts exactly the host's certificate, and writes its
// own certificate to this file before the handshake line. Without it the
// provider returns nil and go-plugin's AutoMTLS applies (Go hosts).
const EnvServerCertFile = "REMOTESTORE_PLUGIN_SERVER_CERT_FILE"

// TLSProvider returns a go-plugin ServeConfig.TLSProvider that serves mutual
// TLS with a P-256 certificate when the host asks for it (see
// EnvServerCertFile) and returns nil otherwise, leaving go-plugin's own
// AutoMTLS in place. getenv is usually os.Getenv. Any go-plugin server that
// Python (grpcio) hosts talk to can use it.
func TLSProvider(getenv func(string) string) func() (*tls.Config, error) {
	return func() (*tls.Config, error) {
		clientPEM, out := getenv("PLUGIN_CLIENT_CERT"), getenv(EnvServerCertFile)
		if clientPEM == "" || out == "" {
			return nil, nil
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(clientPEM)) {
			return nil, errors.New("iomanager: PLUGIN_CLIENT_CERT is not a PEM certificate")
		}
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		sn, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
		if err != nil {
			return nil, err
		}
		now := time.Now()
		tmpl := &x509.Certificate{
			Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"remotestore iomanager plugin"}},
			DNSNames:              []string{"localhost"},
			ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
			KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyAgreement | x509.KeyUsageCertSign,
			BasicConstraintsValid: true,
			IsCA:                  true,
			SerialNumber:          sn,
			NotBefore:             now.Add(-30 * time.Second),
			NotAfter:              now.Add(262980 * time.Hour),
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
		if err != nil {
			return nil, err
		}
		tmp := out + ".tmp"
		if err := os.WriteFile(tmp, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
			return nil, err
		}
		if err := os.Rename(tmp, out); err != nil {
			return nil, err
		}
		return &tls.Config{
			Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
			ClientAuth:   tls.RequireAndVerifyClientCert,
			ClientCAs:    pool,
			MinVersion:   tls.VersionTLS12,
		}, nil
	}
}
