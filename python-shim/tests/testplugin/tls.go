package main

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

// serverCertFileEnv names the file a Python host wants the plugin's TLS
// certificate in. grpcio (BoringSSL) cannot verify go-plugin's own AutoMTLS
// certificate (ECDSA P-521), so when a host sets this variable the plugin
// serves AutoMTLS with a P-256 certificate through ServeConfig.TLSProvider
// and hands the certificate over in this file, written before the handshake
// line. Without it the provider returns nil and go-plugin's AutoMTLS applies.
const serverCertFileEnv = "REMOTESTORE_PLUGIN_SERVER_CERT_FILE"

// autoMTLSP256 is a go-plugin ServeConfig.TLSProvider; see serverCertFileEnv.
func autoMTLSP256() (*tls.Config, error) {
	clientPEM, out := os.Getenv("PLUGIN_CLIENT_CERT"), os.Getenv(serverCertFileEnv)
	if clientPEM == "" || out == "" {
		return nil, nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(clientPEM)) {
		return nil, errors.New("testplugin: PLUGIN_CLIENT_CERT is not a PEM certificate")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	sn, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "localhost"},
		DNSNames:              []string{"localhost"},
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyAgreement | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		SerialNumber:          sn,
		NotBefore:             time.Now().Add(-30 * time.Second),
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, certPEM, 0o600); err != nil {
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
