package azure

import (
	"context"
	"fmt"
	"testing"

	"github.com/remotestore/remotestore/internal/testserver/azurite"
	"github.com/remotestore/remotestore/store"
)

// TestDeleteFolderBatches deletes a folder of more blobs than one batch
// holds, next to a sibling folder sharing its name as a prefix, and checks
// that batches were used (not the one-by-one fallback) and that only the
// folder went.
func TestDeleteFolderBatches(t *testing.T) {
	srv := azurite.Get(t)
	ctx := t.Context()
	cont, err := srv.NewContainer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Client().DeleteContainer(context.Background(), cont, nil) })
	b, err := New(ctx, Config{Container: cont, Prefix: "root", Endpoint: srv.Endpoint, AccountKey: store.Secret(srv.Key), Concurrency: 8})
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(b)
	const n = 600 // three batches
	sem := make(chan struct{}, 8)
	errs := make(chan error, n+1)
	for i := range n {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			errs <- st.WriteString(ctx, fmt.Sprintf("part/f%04d", i), "x", nil)
		}()
	}
	errs <- st.WriteString(ctx, "partner/keep.txt", "keep", nil)
	for range n + 1 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if err := st.DeleteFolder(ctx, "part"); err != nil {
		t.Fatal(err)
	}
	if b.noBatch.Load() {
		t.Error("the server refused blob batches; DeleteFolder fell back to single deletions")
	}
	count := 0
	for f, err := range st.ListFiles(ctx, "", nil) {
		if err != nil {
			t.Fatal(err)
		}
		if f.Path != "partner/keep.txt" {
			t.Errorf("left after DeleteFolder: %s", f.Path)
		}
		count++
	}
	if count != 1 {
		t.Errorf("%d files left, want partner/keep.txt alone", count)
	}
}
