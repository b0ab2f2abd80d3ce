// Package azure is a store.Backend for Azure Blob Storage (block blobs)
// and Azurite, on the Azure SDK for Go (azblob). It registers the URL
// schemes az and azure; import it for that side effect, or use New:
//
//	import _ "github.com/remotestore/remotestore/backends/azure"
//
//	st, err := store.OpenURL(ctx, "az://analytics/raw/events?account=mylake")
//
// # URL and config
//
//	az://container/prefix?account=mylake
//	azure://container/prefix?account=mylake          (the same)
//	az://mylake.blob.core.windows.net/container/prefix
//	az://container/prefix?endpoint=http://127.0.0.1:10000/devstoreaccount1
//	az://container?account=mylake&endpoint=https://mylake.blob.core.chinacloudapi.cn
//
// Query parameters: account, endpoint, credential, block_size,
// concurrency, max_attempts (see Config). Unknown parameters are errors.
// Account keys, SAS tokens and connection strings are refused in URLs. In
// a YAML config, `type: az` (or azure) with the Config fields as options:
//
//	backends:
//	  lake:
//	    type: az
//	    options:
//	      container: analytics
//	      prefix: raw
//	      account: mylake
//	      # only when the environment or the default chain has none:
//	      account_key: ${LAKE_KEY}
//
// The endpoint defaults to https://ACCOUNT.blob.core.windows.net; set it
// for Azurite, sovereign clouds and private endpoints. Without an account
// or endpoint in the config, the account comes from the connection string
// or AZURE_STORAGE_ACCOUNT.
//
// # Credentials
//
// Config.Credential (URL ?credential=) chooses: shared_key, sas,
// connection_string, default (azidentity's DefaultAzureCredential:
// service principal from AZURE_CLIENT_ID/AZURE_TENANT_ID/…, workload
// identity, managed identity, Azure CLI, Azure Developer CLI) or
// anonymous. The default, auto, takes the first that is there:
//
//  1. account_key, sas_token or connection_string in the config;
//  2. AZURE_STORAGE_CONNECTION_STRING;
//  3. AZURE_STORAGE_KEY (or AZURE_STORAGE_ACCOUNT_KEY), with the account
//     from the config or AZURE_STORAGE_ACCOUNT (AZURE_STORAGE_ACCOUNT_NAME);
//  4. AZURE_STORAGE_SAS_TOKEN;
//  5. DefaultAzureCredential.
//
// A connection string whose account differs from the configured one is an
// error rather than a silent switch of account. Secrets are store.Secret
// values: they print as "***", and neither they nor a SAS of a request URL
// appear in errors.
//
// # Capabilities
//
// read, range-read, write, atomic-write, list, delete, server-side-copy,
// mod-time, etag. Not atomic-move (Move is copy then delete) and not
// real-folders: a folder is a name prefix, it exists while a blob lies
// below it.
//
// Directory marker blobs (zero bytes, metadata hdi_isfolder=true) are
// folders: accounts with a hierarchical namespace (ADLS Gen2) show their
// directories that way through the blob endpoint, and Hadoop's WASB driver
// (Spark, Hive) writes them on flat accounts. Stat calls a marker a
// folder, reads of it fail with store.ErrIsFolder, listings leave markers
// out (a folder shows while something lies in it), and DeleteFolder
// removes them last, deepest first.
//
// # Writes
//
// Writes are block blobs. A writer buffers up to one block (BlockSize,
// default 8 MiB). A file that fits goes in one Put Blob at Commit. A
// larger one is staged as blocks (Put Block), Concurrency at a time
// (default 4) while the caller writes, so a writer holds at most
// BlockSize × (Concurrency+1) bytes whatever the file's size; Put Block
// List at Commit publishes it whole. Staged blocks are invisible, so
// nothing shows before Commit, and Abort, Close without Commit or a
// failure leave no blob (Azure drops uncommitted blocks after a week, or
// at the blob's next commit). Without SizeHint a file may have up to
// 50,000 blocks (390 GiB at the default block size); with it, blocks grow
// to fit.
//
// A new writer checks, with one Get Blob Properties per parent folder
// (concurrently), that no file stands where a parent folder of the path
// would be ("a.txt" for "a.txt/b"): store.ErrNotFolder, as on a
// filesystem, instead of a file that shadows a folder.
//
// Without Overwrite, Put Blob and Put Block List carry If-None-Match: *,
// so an existing blob is never replaced, even by a racing writer: exactly
// one of racing writers wins and the others fail with
// store.ErrAlreadyExists. Racing writers with Overwrite share the blob's
// list of uncommitted blocks: when one commits, Azure discards the others'
// staged blocks, and their Commit fails with store.ErrPrecondition.
//
// # Reads
//
// A read asks for the first chunk (BlockSize bytes) and learns the size
// and ETag from the response; a longer read fetches the following chunks
// with concurrent ranged GETs, Concurrency at a time, pinned with If-Match
// to that ETag (a replaced blob fails the read with store.ErrPrecondition
// instead of mixing versions). A body that breaks off is resumed, pinned
// the same way. Seekable reads (store.ReaderAtOpener) do one Get Blob
// Properties, then one ranged GET per ReadAt pinned to its ETag (split
// into concurrent chunks when large); reads up to 64 KiB are served from a
// small per-reader cache of 256 KiB blocks.
//
// # Listing, copy, delete
//
// List is List Blobs with delimiter "/"; the flat listing
// (store.WalkLister) streams List Blobs pages, so memory stays flat
// however many blobs there are. Names that are not clean store paths
// ("a//b", folder markers "a/") are left out of listings. DeleteFolder
// removes blobs with blob batches of 256 deletions (single deletions where
// the server refuses batches). Copy runs in the service with Copy Blob
// from the source's URL within the account, pinned to the source's ETag,
// and with If-None-Match: * on the destination unless overwriting. Delete
// removes a blob with its snapshots.
//
// # Errors
//
// Classify maps, after the SDK's retries: BlobNotFound, ContainerNotFound
// and HTTP 404 to store.ErrNotFound; AuthorizationFailure,
// AuthenticationFailed, the Authorization*Mismatch codes, HTTP 401 and 403,
// and credentials that cannot get a token to store.ErrPermission;
// BlobAlreadyExists to store.ErrAlreadyExists (and a failed
// If-None-Match of a write or copy too); ConditionNotMet, lease conflicts
// and HTTP 412 to store.ErrPrecondition; ServerBusy, InternalError,
// OperationTimedOut, HTTP 429, 5xx and network errors to
// store.ErrUnavailable; unsupported headers, versions and archived blobs
// to store.ErrNotSupported. Messages carry the Azure code and the first
// line of its message; the SDK's *azcore.ResponseError stays reachable
// with errors.As.
//
// # As
//
// Store.As accepts a **azblob.Client or a **container.Client;
// Backend.Client and Backend.ContainerClient return them too.
package azure
