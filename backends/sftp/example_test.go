package sftp_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"

	"github.com/pkg/sftp"

	sftpstore "github.com/remotestore/remotestore/backends/sftp"
	"github.com/remotestore/remotestore/store"
)

// Open a store by URL: the key file and known_hosts are the user's own,
// the password-less key is offered first, then the ssh-agent's keys.
func Example_openURL() {
	ctx := context.Background()
	st, err := store.OpenURL(ctx, "sftp://etl@sftp.partner.example:2222/outgoing/daily?key_file=~/.ssh/id_ed25519")
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	if err := st.WriteString(ctx, "2024-05-01/_SUCCESS", "", nil); err != nil {
		log.Fatal(err)
	}
}

// A password from the environment, and the host key pinned by its
// fingerprint instead of known_hosts.
func Example_password() {
	ctx := context.Background()
	os.Setenv("PARTNER_SFTP_PASSWORD", "…") // normally set by the scheduler
	st, err := store.OpenURL(ctx, "sftp://etl@sftp.partner.example/~/inbox?password_env=PARTNER_SFTP_PASSWORD"+
		"&host_key="+url.QueryEscape("SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
}

// Parse a URL into a Config, to adjust it before opening.
func ExampleParseURL() {
	u, _ := url.Parse("sftp://etl@sftp.partner.example:2222/~/exports?known_hosts=/etc/partner_known_hosts&sessions=8")
	c, err := sftpstore.ParseURL(u)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s@%s:%d path %q sessions %d known_hosts %s\n", c.User, c.Host, c.Port, c.Path, c.Sessions, c.KnownHosts)
	// Output: etl@sftp.partner.example:2222 path "exports" sessions 8 known_hosts /etc/partner_known_hosts
}

// Open the backend from a Config (what a YAML config's options decode
// into), with the key's content and passphrase from a secret store.
func ExampleNew() {
	ctx := context.Background()
	b, err := sftpstore.New(ctx, sftpstore.Config{
		Host:          "sftp.partner.example",
		User:          "etl",
		Path:          "/outgoing",
		PrivateKey:    store.Secret(os.Getenv("PARTNER_KEY")),
		KeyPassphrase: store.Secret(os.Getenv("PARTNER_KEY_PASSPHRASE")),
		KnownHosts:    "/etc/secrets/partner_known_hosts",
	})
	if err != nil {
		log.Fatal(err)
	}
	st := store.New(b)
	defer st.Close()
	// Parquet files are read with ReadAt: OpenSeekable serves it with
	// concurrent requests and a small block cache.
	r, err := st.OpenSeekable(ctx, "2024-05-01/part-0.parquet")
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	footer := make([]byte, 8)
	if _, err := r.ReadAt(footer, r.Size()-8); err != nil && err != io.EOF {
		log.Fatal(err)
	}
}

// Reach the pkg/sftp client for what the store does not cover.
func ExampleBackend_As() {
	st, err := store.OpenURL(context.Background(), "sftp://etl@sftp.partner.example/outgoing")
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	var client *sftp.Client
	if st.As(&client) {
		vfs, err := client.StatVFS("/outgoing")
		if err == nil {
			fmt.Println("free bytes:", vfs.FreeSpace())
		}
	}
}
