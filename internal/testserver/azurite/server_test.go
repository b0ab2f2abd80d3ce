package azurite_test

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"

	"github.com/remotestore/remotestore/internal/testserver/azurite"
)

func TestMain(m *testing.M) { os.Exit(azurite.Main(m)) }

// TestServer checks that the started server stores and returns a blob in
// the run's container, serves ranges, signs with the random key only, and
// that a second container is a different one.
func TestServer(t *testing.T) {
	srv := azurite.Get(t)
	ctx := t.Context()
	container := srv.Container(t)
	if again := srv.Container(t); again != container {
		t.Fatalf("Container() = %q then %q, want one container per run", container, again)
	}
	c := srv.Client()
	name := azurite.Prefix(t) + "/hello.txt"
	if _, err := c.UploadBuffer(ctx, container, name, []byte("hello"), nil); err != nil {
		t.Fatalf("UploadBuffer: %v", err)
	}
	resp, err := c.DownloadStream(ctx, container, name, &azblob.DownloadStreamOptions{Range: blob.HTTPRange{Offset: 1, Count: 3}})
	if err != nil {
		t.Fatalf("DownloadStream: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "ell" {
		t.Errorf("ranged DownloadStream = %q, want %q", b, "ell")
	}

	fromConn, err := azblob.NewClientFromConnectionString(srv.ConnectionString(), nil)
	if err != nil {
		t.Fatalf("NewClientFromConnectionString: %v", err)
	}
	if _, err := fromConn.DownloadStream(ctx, container, name, nil); err != nil {
		t.Errorf("DownloadStream through the connection string: %v", err)
	}

	// The well-known emulator key must not work: the account's key is random.
	wellKnown := "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
	bad, err := azblob.NewClientFromConnectionString(strings.Replace(srv.ConnectionString(), srv.Key, wellKnown, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.DownloadStream(ctx, container, name, nil)
	if !bloberror.HasCode(err, bloberror.AuthorizationFailure, bloberror.AuthenticationFailed) {
		t.Errorf("DownloadStream with the wrong key = %v, want an authorization failure", err)
	}

	other, err := srv.NewContainer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if other == container {
		t.Errorf("NewContainer returned the run's container %q", other)
	}
	_, err = c.DownloadStream(ctx, other, name, nil)
	if !bloberror.HasCode(err, bloberror.BlobNotFound) {
		t.Errorf("the blob shows in another container: %v", err)
	}
	if _, err := os.Stat(srv.Dir()); err != nil {
		t.Errorf("data folder: %v", err)
	}
	if !strings.Contains(azurite.ErrNoBinary.Error(), "install-azurite.sh") {
		t.Errorf("ErrNoBinary does not say how to install: %v", azurite.ErrNoBinary)
	}
}
