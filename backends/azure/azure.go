package azure

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/remotestore/remotestore/internal/objio"
	"github.com/remotestore/remotestore/store"
)

// Backend is the Azure Blob Storage backend over one container (or a
// folder of it). It is safe for concurrent use.
type Backend struct {
	client      *azblob.Client
	cont        *container.Client
	container   string
	prefix      string // clean name prefix of the backend's root; "" for the container
	blockSize   int64
	concurrency int

	noBatch atomic.Bool // the server refused a blob batch: DeleteFolder deletes one by one
}

var (
	_ store.Backend        = (*Backend)(nil)
	_ store.Copier         = (*Backend)(nil)
	_ store.FolderDeleter  = (*Backend)(nil)
	_ store.WalkLister     = (*Backend)(nil)
	_ store.ReaderAtOpener = (*Backend)(nil)
	_ store.Pinger         = (*Backend)(nil)
	_ store.Aser           = (*Backend)(nil)
)

// New opens an Azure Blob backend: it resolves the account and the
// credentials (the config, then the environment, then
// DefaultAzureCredential) but sends no request, so a wrong container or
// bad credentials show at the first call, or at Store.Ping.
func New(ctx context.Context, c Config) (*Backend, error) {
	if _, err := c.validate(); err != nil {
		return nil, err
	}
	a, err := resolve(&c, osEnv)
	if err != nil {
		return nil, err
	}
	client, err := newClient(&c, a)
	if err != nil {
		return nil, err
	}
	return NewWithClient(client, c)
}

// NewWithClient returns a backend over an existing SDK client (its
// endpoint and credentials are the client's). Only Container, Prefix and
// the transfer fields of c are used.
func NewWithClient(client *azblob.Client, c Config) (*Backend, error) {
	prefix, err := c.validate()
	if err != nil {
		return nil, err
	}
	return &Backend{client: client, cont: client.ServiceClient().NewContainerClient(c.Container),
		container: c.Container, prefix: prefix, blockSize: c.BlockSize, concurrency: c.Concurrency}, nil
}

// Client returns the SDK client the backend uses.
func (b *Backend) Client() *azblob.Client { return b.client }

// ContainerClient returns the SDK client of the backend's container.
func (b *Backend) ContainerClient() *container.Client { return b.cont }

// Container returns the container's name.
func (b *Backend) Container() string { return b.container }

// Prefix returns the blob name prefix of the backend's root ("" for the
// container).
func (b *Backend) Prefix() string { return b.prefix }

// As implements store.Aser: target may be a **azblob.Client or a
// **container.Client.
func (b *Backend) As(target any) bool {
	switch p := target.(type) {
	case **azblob.Client:
		*p = b.client
	case **container.Client:
		*p = b.cont
	default:
		return false
	}
	return true
}

// Scheme implements store.Backend.
func (b *Backend) Scheme() string { return Scheme }

// Capabilities implements store.Backend.
func (b *Backend) Capabilities() store.Capability {
	return store.CapRead | store.CapRangeRead | store.CapWrite | store.CapAtomicWrite | store.CapList |
		store.CapDelete | store.CapServerSideCopy | store.CapModTime | store.CapETag
}

// URI implements store.Backend: "az://container/name".
func (b *Backend) URI(p string) string { return "az://" + b.container + "/" + b.name(p) }

// Close implements store.Backend. The SDK client holds nothing that needs
// releasing beyond idle connections, which the transport reuses.
func (b *Backend) Close() error { return nil }

// name returns the blob name of the backend path p.
func (b *Backend) name(p string) string { return objio.Root(b.prefix).Key(p) }

// dirPrefix returns the name prefix of the blobs below the folder p.
func (b *Backend) dirPrefix(p string) string { return objio.Root(b.prefix).DirPrefix(p) }

// path returns the backend path of a blob name, and false when the name is
// not below the backend's root or is not a clean path (a folder marker
// "a/", "a//b").
func (b *Backend) path(name string) (string, bool) { return objio.Root(b.prefix).Path(name) }

// blob returns the SDK client of the blob at backend path p.
func (b *Backend) blob(p string) *blockblob.Client { return b.cont.NewBlockBlobClient(b.name(p)) }

// Ping implements store.Pinger: a one-blob listing checks the endpoint,
// the container and the credentials (and works with a container SAS,
// which cannot read the container's properties).
func (b *Backend) Ping(ctx context.Context) error {
	pager := b.cont.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{MaxResults: to.Ptr[int32](1)})
	_, err := call(pager.NextPage(ctx))
	return err
}

// Stat implements store.Backend. A file is found with Get Blob Properties;
// a folder is a directory marker blob (hdi_isfolder=true) or a prefix with
// at least one blob below it (a one-blob listing). The root is a folder
// when the container can be listed.
func (b *Backend) Stat(ctx context.Context, p string) (store.Info, error) {
	if p == "" {
		if _, err := b.isFolder(ctx, p); err != nil {
			return store.Info{}, err
		}
		return store.Info{IsFolder: true}, nil
	}
	props, err := call(b.blob(p).GetProperties(ctx, nil))
	switch {
	case err == nil && isMarker(props.Metadata):
		return store.Info{Path: p, IsFolder: true}, nil
	case err == nil:
		return store.Info{Path: p, Size: deref(props.ContentLength), ModTime: deref(props.LastModified),
			ETag: etagString(props.ETag)}, nil
	}
	if !isCode(err, bloberror.BlobNotFound) && status(err) != 404 {
		return store.Info{}, err
	}
	folder, ferr := b.isFolder(ctx, p)
	switch {
	case ferr != nil:
		return store.Info{}, ferr
	case folder:
		return store.Info{Path: p, IsFolder: true}, nil
	}
	return store.Info{}, err
}

// isFolder reports whether some blob lies below the folder p.
func (b *Backend) isFolder(ctx context.Context, p string) (bool, error) {
	pager := b.cont.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{
		Prefix: to.Ptr(b.dirPrefix(p)), MaxResults: to.Ptr[int32](1),
	})
	page, err := call(pager.NextPage(ctx))
	if err != nil {
		return false, err
	}
	return page.Segment != nil && len(page.Segment.BlobItems) > 0, nil
}

// missing returns the error for a name that is no blob: a folder's
// ErrIsFolder, or notFound.
func (b *Backend) missing(ctx context.Context, p string, notFound error) error {
	if isCode(notFound, bloberror.ContainerNotFound) {
		return notFound
	}
	folder, err := b.isFolder(ctx, p)
	switch {
	case err != nil:
		return err
	case folder:
		return store.WithKind(store.ErrIsFolder, fmt.Errorf("%s is a folder", b.URI(p)))
	}
	return notFound
}

// Delete implements store.Backend: Delete Blob, with its snapshots. A
// missing blob fails with BlobNotFound, which tells it from a folder
// (ErrIsFolder) with one listing.
func (b *Backend) Delete(ctx context.Context, p string) error {
	_, err := call(b.blob(p).Delete(ctx, &blob.DeleteOptions{DeleteSnapshots: to.Ptr(blob.DeleteSnapshotsOptionTypeInclude)}))
	if err != nil && classify(err) == store.ErrNotFound {
		return b.missing(ctx, p, err)
	}
	return err
}

// etagString returns an ETag without the quotes Azure puts around it.
func etagString(e *azcore.ETag) string {
	if e == nil {
		return ""
	}
	return strings.Trim(string(*e), `"`)
}

// cleanupContext returns a context for cleanup requests that still runs
// when ctx was canceled, bounded in time.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
}

// deref returns *p, or the zero value for nil.
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
