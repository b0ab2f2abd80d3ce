package azure_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

	"github.com/remotestore/remotestore/store"
)

// TestDirectoryMarkers puts directory marker blobs (zero bytes,
// hdi_isfolder=true), as ADLS Gen2 shows its directories and Hadoop's
// WASB driver writes them, next to files, and checks that the store sees
// folders where they stand: not files in listings, no obstacle to writing
// below them, refused as files, removed with their folder.
func TestDirectoryMarkers(t *testing.T) {
	st, b := open(t, nil)
	ctx := t.Context()
	marker := func(p string) {
		_, err := b.ContainerClient().NewBlockBlobClient(b.Prefix()+"/"+p).UploadBuffer(ctx, nil, &blockblob.UploadBufferOptions{
			Metadata: map[string]*string{"hdi_isfolder": to.Ptr("true")},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	marker("data")
	marker("data/year=2026")
	marker("empty")
	if err := st.WriteString(ctx, "data/year=2026/part-0.parquet", "p0", nil); err != nil {
		t.Fatalf("writing below directory markers: %v", err)
	}
	for _, p := range []string{"data", "data/year=2026", "empty"} {
		if info, err := st.Stat(ctx, p); err != nil || !info.IsFolder {
			t.Errorf("Stat(%s) = %+v, %v; want a folder", p, info, err)
		}
	}
	if _, err := st.ReadBytes(ctx, "empty"); !errors.Is(err, store.ErrIsFolder) {
		t.Errorf("reading a directory marker = %v, want ErrIsFolder", err)
	}
	if _, err := st.OpenSeekable(ctx, "empty"); !errors.Is(err, store.ErrIsFolder) {
		t.Errorf("OpenSeekable of a directory marker = %v, want ErrIsFolder", err)
	}
	if err := st.WriteString(ctx, "empty", "x", &store.WriteOptions{Overwrite: true}); !errors.Is(err, store.ErrIsFolder) {
		t.Errorf("writing a file over a directory marker = %v, want ErrIsFolder", err)
	}
	if err := st.WriteString(ctx, "empty/inside.txt", "in", nil); err != nil {
		t.Errorf("writing into an empty directory: %v", err)
	}
	var files []string
	for f, err := range st.ListFiles(ctx, "", nil) {
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f.Path)
	}
	if len(files) != 2 || files[0] != "data/year=2026/part-0.parquet" || files[1] != "empty/inside.txt" {
		t.Errorf("ListFiles = %q, want the two files only", files)
	}
	var entries []string
	for e, err := range st.List(ctx, "", &store.ListOptions{MaxDepth: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		if e.IsFolder {
			e.Path += "/"
		}
		entries = append(entries, e.Path)
	}
	slices.Sort(entries)
	if want := []string{"data/", "data/year=2026/", "empty/", "empty/inside.txt"}; !slices.Equal(entries, want) {
		t.Errorf("List(depth 2) = %q, want %q", entries, want)
	}
	if err := st.DeleteFolder(ctx, "data"); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.Exists(ctx, "data"); ok || err != nil {
		t.Errorf("after DeleteFolder, Exists(data) = %v, %v", ok, err)
	}
	for _, name := range []string{"data", "data/year=2026"} {
		_, err := b.ContainerClient().NewBlobClient(b.Prefix()+"/"+name).GetProperties(ctx, nil)
		if !bloberror.HasCode(err, bloberror.BlobNotFound) {
			t.Errorf("marker %s after DeleteFolder: %v", name, err)
		}
	}
	if got, err := st.ReadBytes(ctx, "empty/inside.txt"); err != nil || !bytes.Equal(got, []byte("in")) {
		t.Errorf("DeleteFolder(data) touched empty/: %q, %v", got, err)
	}
}
