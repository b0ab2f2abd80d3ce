package azure_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"

	azstore "github.com/remotestore/remotestore/backends/azure"
	"github.com/remotestore/remotestore/internal/testserver/azurite"
	"github.com/remotestore/remotestore/store"
)

// open opens a store on a fresh container and prefix of the test server,
// with the config changed by mutate.
func open(t testing.TB, mutate func(*azstore.Config)) (*store.Store, *azstore.Backend) {
	t.Helper()
	c := config(t)
	if mutate != nil {
		mutate(&c)
	}
	b, err := azstore.New(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(b)
	t.Cleanup(func() { st.Close() })
	return st, b
}

// randomBytes returns n bytes of a seeded random stream.
func randomBytes(seed, n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(int64(seed))).Read(b)
	return b
}

// clearAzureEnv empties the variables the backend reads, so the
// developer's own environment cannot leak into a test.
func clearAzureEnv(t *testing.T) {
	for _, k := range []string{azstore.EnvConnectionString, azstore.EnvAccount, azstore.EnvAccountName,
		azstore.EnvKey, azstore.EnvAccountKey, azstore.EnvSASToken} {
		t.Setenv(k, "")
	}
}

// TestOpenURL opens stores by URL with each way of passing credentials
// through the environment, and checks that each one writes, reads, lists
// and reaches the native client.
func TestOpenURL(t *testing.T) {
	srv := azurite.Get(t)
	cont := config(t).Container
	endpoint := url.QueryEscape(srv.Endpoint)
	sasURL, err := srv.Client().ServiceClient().NewContainerClient(cont).GetSASURL(
		sas.ContainerPermissions{Read: true, Add: true, Create: true, Write: true, Delete: true, List: true},
		time.Now().Add(time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	sasToken := sasURL[strings.IndexByte(sasURL, '?')+1:]
	for _, tc := range []struct {
		name string
		env  map[string]string
		url  string
	}{
		{"connection string", map[string]string{azstore.EnvConnectionString: srv.ConnectionString()},
			"az://" + cont + "/conn"},
		{"account and key", map[string]string{azstore.EnvAccount: srv.Account, azstore.EnvKey: srv.Key},
			"azure://" + cont + "/key?endpoint=" + endpoint},
		{"adlfs names", map[string]string{azstore.EnvAccountName: srv.Account, azstore.EnvAccountKey: srv.Key},
			"az://" + cont + "/adlfs?endpoint=" + endpoint + "&account=" + srv.Account},
		{"SAS", map[string]string{azstore.EnvSASToken: sasToken},
			"az://" + cont + "/sas?endpoint=" + endpoint + "&block_size=65536&concurrency=2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearAzureEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			st, err := store.OpenURL(t.Context(), tc.url)
			if err != nil {
				t.Fatalf("OpenURL(%s): %v", tc.url, err)
			}
			defer st.Close()
			ctx := t.Context()
			if err := st.Ping(ctx); err != nil {
				t.Fatalf("Ping: %v", err)
			}
			data := randomBytes(1, 200<<10) // several 64 KiB blocks with the SAS URL
			if err := st.WriteBytes(ctx, "a/b.bin", data, nil); err != nil {
				t.Fatal(err)
			}
			got, err := st.ReadBytes(ctx, "a/b.bin")
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("ReadBytes = %d bytes, %v; want the %d written", len(got), err, len(data))
			}
			if err := st.Copy(ctx, "a/b.bin", "a/c.bin", nil); err != nil {
				t.Errorf("Copy: %v", err)
			}
			var names []string
			for f, err := range st.ListFiles(ctx, "", nil) {
				if err != nil {
					t.Fatal(err)
				}
				names = append(names, f.Path)
			}
			if strings.Join(names, ",") != "a/b.bin,a/c.bin" {
				t.Errorf("ListFiles = %q", names)
			}
			if u := st.URI("a/b.bin"); !strings.HasPrefix(u, "az://"+cont+"/") || !strings.HasSuffix(u, "/a/b.bin") {
				t.Errorf("URI = %q", u)
			}
			if err := st.DeleteFolder(ctx, "a"); err != nil {
				t.Errorf("DeleteFolder: %v", err)
			}
			if ok, err := st.Exists(ctx, "a/b.bin"); ok || err != nil {
				t.Errorf("after DeleteFolder, Exists = %v, %v", ok, err)
			}
			var client *azblob.Client
			var cc *container.Client
			if !st.As(&client) || client == nil || !st.As(&cc) || cc == nil {
				t.Fatal("Store.As(**azblob.Client / **container.Client) = false")
			}
			if _, err := cc.NewListBlobsFlatPager(nil).NextPage(ctx); err != nil {
				t.Errorf("the native client does not work: %v", err)
			}
		})
	}
}

// TestYAMLConfig opens a store from a YAML config whose key comes from the
// environment, and checks the key never shows in an error.
func TestYAMLConfig(t *testing.T) {
	srv := azurite.Get(t)
	clearAzureEnv(t)
	c := config(t)
	t.Setenv("LAKE_KEY", srv.Key)
	cfg, err := store.ParseConfig([]byte(`
backends:
  lake:
    type: azure
    options:
      container: ` + c.Container + `
      endpoint: ` + srv.Endpoint + `
      account_key: ${LAKE_KEY}
      block_size: 131072
      concurrency: 2
stores:
  raw:
    backend: lake
    root_path: raw/events
`))
	if err != nil {
		t.Fatal(err)
	}
	st, err := cfg.Open(t.Context(), "raw")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.WriteString(t.Context(), "day=1/part-0.json", `{"n":1}`, nil); err != nil {
		t.Fatal(err)
	}
	if got := st.URI("day=1/part-0.json"); got != "az://"+c.Container+"/raw/events/day=1/part-0.json" {
		t.Errorf("URI = %q", got)
	}
	props, err := srv.Client().ServiceClient().NewContainerClient(c.Container).NewBlobClient("raw/events/day=1/part-0.json").GetProperties(t.Context(), nil)
	if err != nil || *props.ContentLength != 7 {
		t.Errorf("the blob is not where the config says: %v", err)
	}

	bad, err := store.ParseConfig([]byte("backends:\n  lake:\n    type: az\n    options:\n      container: " + c.Container +
		"\n      endpoint: " + srv.Endpoint + "\n      account_key: ${LAKE_KEY}\n      credential: sas\nstores:\n  raw:\n    backend: lake\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.Open(t.Context(), "raw")
	if !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), "backends.lake") ||
		!strings.Contains(err.Error(), "account_key") || strings.Contains(err.Error(), srv.Key) {
		t.Errorf("a contradictory config = %v, want ErrInvalidConfig naming backends.lake and account_key, without the key", err)
	}
}

// TestErrorKinds checks the classification of real server answers, that
// the SDK's error stays reachable, and that messages are one line
// without secrets.
func TestErrorKinds(t *testing.T) {
	srv := azurite.Get(t)
	ctx := t.Context()
	wrongKey := "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmcta2V5"
	bad, _ := open(t, func(c *azstore.Config) { c.AccountKey = store.Secret(wrongKey); c.MaxAttempts = 1 })
	_, err := bad.Stat(ctx, "x")
	if !errors.Is(err, store.ErrPermission) {
		t.Errorf("Stat with a wrong key = %v, want ErrPermission", err)
	}
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		t.Errorf("the SDK error is not reachable through %v", err)
	}
	if strings.Contains(err.Error(), wrongKey) || strings.Contains(err.Error(), "\n") {
		t.Errorf("the error shows the key or spans lines: %q", err)
	}

	cont := config(t).Container
	sasURL, err := srv.Client().ServiceClient().NewContainerClient(cont).GetSASURL(sas.ContainerPermissions{Read: true, List: true}, time.Now().Add(time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	sasToken := sasURL[strings.IndexByte(sasURL, '?')+1:]
	sig, _ := url.ParseQuery(sasToken)
	readOnly, _ := open(t, func(c *azstore.Config) {
		c.Container, c.Credential, c.AccountKey, c.SASToken = cont, azstore.CredentialSAS, "", store.Secret(sasToken)
	})
	err = readOnly.WriteString(ctx, "x", "no write permission", nil)
	if !errors.Is(err, store.ErrPermission) {
		t.Errorf("write with a read-only SAS = %v, want ErrPermission", err)
	}
	if strings.Contains(err.Error(), sig.Get("sig")) {
		t.Errorf("the error shows the SAS signature: %v", err)
	}

	down, _ := open(t, func(c *azstore.Config) {
		c.Endpoint, c.Credential, c.AccountKey, c.SASToken, c.MaxAttempts = "http://127.0.0.1:1/"+srv.Account, azstore.CredentialSAS, "", store.Secret(sasToken), 1
	})
	_, err = down.ReadBytes(ctx, "x")
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("read from a closed port = %v, want ErrUnavailable", err)
	}
	if err != nil && strings.Contains(err.Error(), sig.Get("sig")) {
		t.Errorf("the transport error shows the SAS signature: %v", err)
	}

	missing, _ := open(t, func(c *azstore.Config) { c.Container = "no-such-container" })
	if err := missing.Ping(ctx); !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "ContainerNotFound") {
		t.Errorf("Ping of a missing container = %v, want ErrNotFound naming ContainerNotFound", err)
	}
	if _, err := missing.ReadBytes(ctx, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("read in a missing container = %v, want ErrNotFound", err)
	}

	st, b := open(t, nil)
	_, err = st.ReadBytes(ctx, "nothing/here")
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "az://"+b.Container()+"/") || !strings.Contains(err.Error(), "BlobNotFound") {
		t.Errorf("read of a missing file = %v, want ErrNotFound naming the az:// location and BlobNotFound", err)
	}
	if err := st.WriteString(ctx, "dup", "1", nil); err != nil {
		t.Fatal(err)
	}
	if err := st.WriteString(ctx, "dup", "2", nil); !errors.Is(err, store.ErrAlreadyExists) {
		t.Errorf("second write without overwrite = %v, want ErrAlreadyExists", err)
	}
	if err := st.WriteString(ctx, "src", "source", nil); err != nil {
		t.Fatal(err)
	}
	// The backend's own check (If-None-Match: * on Copy Blob), below the
	// Store's.
	if err := b.Copy(ctx, "src", "dup", false); !errors.Is(err, store.ErrAlreadyExists) {
		t.Errorf("backend Copy onto an existing blob = %v, want ErrAlreadyExists", err)
	}
	if got, _ := st.ReadString(ctx, "dup"); got != "1" {
		t.Errorf("the refused copy replaced the destination: %q", got)
	}
	if err := b.Copy(ctx, "nothing", "dst", true); !errors.Is(st.Backend().Classify(err), store.ErrNotFound) {
		t.Errorf("backend Copy of a missing source = %v, want ErrNotFound", err)
	}
}

// TestRacingExclusiveWriters commits writers of one path at the same
// moment without Overwrite, half of them small (one Put Blob) and half
// large (staged blocks): exactly one wins, the others fail with
// ErrAlreadyExists, and the file is the winner's whole content.
func TestRacingExclusiveWriters(t *testing.T) {
	st, _ := open(t, nil) // 256 KiB blocks
	ctx := t.Context()
	const n = 8
	contents := make([][]byte, n)
	writers := make([]*store.Writer, n)
	for i := range n {
		size := 1000 + i
		if i%2 == 1 {
			size = 900<<10 + i // four blocks
		}
		contents[i] = randomBytes(i, size)
		w, err := st.NewWriter(ctx, "race/exclusive.bin", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if _, err := w.Write(contents[i]); err != nil {
			t.Fatal(err)
		}
		writers[i] = w
	}
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, w := range writers {
		wg.Go(func() { <-start; errs[i] = w.Commit() })
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("writers %d and %d both won", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, store.ErrAlreadyExists):
			t.Errorf("writer %d: %v, want nil or ErrAlreadyExists", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer won")
	}
	got, err := st.ReadBytes(ctx, "race/exclusive.bin")
	if err != nil || !bytes.Equal(got, contents[winner]) {
		t.Errorf("the file is %d bytes (%v), want writer %d's %d bytes", len(got), err, winner, len(contents[winner]))
	}
}

// TestRacingOverwriters commits overwriting writers of multi-block files
// at the same moment. Azure keeps one uncommitted block list per blob, so
// a commit discards the blocks the others staged: each writer either
// succeeds or fails with ErrPrecondition, at least one succeeds, and the
// file is one successful writer's whole content, never a mix.
func TestRacingOverwriters(t *testing.T) {
	st, _ := open(t, nil) // 256 KiB blocks
	ctx := t.Context()
	const n = 6
	contents := make([][]byte, n)
	writers := make([]*store.Writer, n)
	for i := range n {
		contents[i] = randomBytes(100+i, 700<<10+i)
		w, err := st.NewWriter(ctx, "race/overwrite.bin", &store.WriteOptions{Overwrite: true})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		writers[i] = w
	}
	// Interleave the writers' blocks, as concurrent jobs would.
	for off := 0; off < len(contents[0]); off += 100 << 10 {
		for i, w := range writers {
			if _, err := w.Write(contents[i][off:min(off+100<<10, len(contents[i]))]); err != nil {
				t.Fatal(err)
			}
		}
	}
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, w := range writers {
		wg.Go(func() {
			<-start
			if _, err := w.Write(contents[i][len(contents[0]):]); err != nil {
				errs[i] = err
				return
			}
			errs[i] = w.Commit()
		})
	}
	close(start)
	wg.Wait()
	won := map[int]bool{}
	for i, err := range errs {
		switch {
		case err == nil:
			won[i] = true
		case !errors.Is(err, store.ErrPrecondition):
			t.Errorf("writer %d: %v, want nil or ErrPrecondition", i, err)
		}
	}
	t.Logf("%d of %d overwriters succeeded", len(won), n)
	if len(won) == 0 {
		t.Fatal("no overwriter succeeded")
	}
	got, err := st.ReadBytes(ctx, "race/overwrite.bin")
	if err != nil {
		t.Fatal(err)
	}
	for i := range won {
		if bytes.Equal(got, contents[i]) {
			return
		}
	}
	t.Errorf("the file (%d bytes) is no successful writer's whole content", len(got))
}

// TestAbortLeavesNothing checks that a multi-block write closed without
// Commit, or whose context is canceled, publishes nothing, and that the
// staged blocks it leaves do not disturb the next write of the path.
func TestAbortLeavesNothing(t *testing.T) {
	srv := azurite.Get(t)
	st, b := open(t, nil) // 256 KiB blocks
	ctx := t.Context()
	w, err := st.NewWriter(ctx, "aborted.bin", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(randomBytes(7, 1<<20)); err != nil { // three blocks staged, one buffered
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	w2, err := st.NewWriter(cctx, "canceled.bin", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w2.Write(randomBytes(8, 600<<10)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := w2.Commit(); !errors.Is(err, context.Canceled) {
		t.Errorf("Commit after cancel = %v, want context.Canceled", err)
	}
	w2.Close()

	for _, p := range []string{"aborted.bin", "canceled.bin"} {
		if _, err := st.Stat(ctx, p); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Stat(%s) after abort = %v, want ErrNotFound", p, err)
		}
		_, err := srv.Client().ServiceClient().NewContainerClient(b.Container()).NewBlobClient(b.Prefix()+"/"+p).GetProperties(ctx, nil)
		if !bloberror.HasCode(err, bloberror.BlobNotFound) {
			t.Errorf("the SDK finds %s after abort: %v", p, err)
		}
	}
	for f, err := range st.ListFiles(ctx, "", nil) {
		t.Errorf("after abort, ListFiles yields %q, %v", f.Path, err)
	}
	data := randomBytes(9, 600<<10)
	if err := st.WriteBytes(ctx, "aborted.bin", data, nil); err != nil {
		t.Fatalf("writing the aborted path anew: %v", err)
	}
	if got, err := st.ReadBytes(ctx, "aborted.bin"); err != nil || !bytes.Equal(got, data) {
		t.Errorf("the new write reads back %d bytes, %v", len(got), err)
	}
}

// TestReadPinsETag replaces a file while a seekable reader and a chunked
// stream are open on it: their next request for the old version fails
// with ErrPrecondition instead of returning bytes of the new one.
func TestReadPinsETag(t *testing.T) {
	st, _ := open(t, func(c *azstore.Config) { c.Concurrency = 1 }) // 256 KiB chunks, one ahead
	ctx := t.Context()
	oldData, newData := randomBytes(1, 5<<18+5), randomBytes(2, 5<<18+5) // five chunks and a bit
	if err := st.WriteBytes(ctx, "f.bin", oldData, nil); err != nil {
		t.Fatal(err)
	}

	ra, err := st.OpenSeekable(ctx, "f.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer ra.Close()
	small := make([]byte, 1000)
	if _, err := ra.ReadAt(small, 10); err != nil || !bytes.Equal(small, oldData[10:1010]) {
		t.Fatalf("ReadAt before the replacement: %v", err)
	}
	stream, err := st.Open(ctx, "f.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	head := make([]byte, 256<<10) // exactly the first chunk: later chunks are not all requested yet
	if _, err := io.ReadFull(stream, head); err != nil || !bytes.Equal(head, oldData[:len(head)]) {
		t.Fatalf("reading the first chunk: %v", err)
	}

	if err := st.WriteBytes(ctx, "f.bin", newData, &store.WriteOptions{Overwrite: true}); err != nil {
		t.Fatal(err)
	}

	if _, err := ra.ReadAt(small, 600<<10); !errors.Is(err, store.ErrPrecondition) { // a block not cached
		t.Errorf("small ReadAt after the replacement = %v, want ErrPrecondition", err)
	}
	big := make([]byte, 700<<10)
	if _, err := ra.ReadAt(big, 100); !errors.Is(err, store.ErrPrecondition) {
		t.Errorf("large ReadAt after the replacement = %v, want ErrPrecondition", err)
	}
	if _, err := ra.ReadAt(small, 10); err != nil || !bytes.Equal(small, oldData[10:1010]) {
		t.Errorf("a cached block of the old version = %v", err)
	}
	rest, err := io.ReadAll(stream)
	if !errors.Is(err, store.ErrPrecondition) {
		t.Errorf("reading on after the replacement = %d bytes, %v; want ErrPrecondition", len(rest), err)
	}
	if !bytes.Equal(rest, oldData[len(head):len(head)+len(rest)]) {
		t.Errorf("the stream returned bytes of the new version")
	}

	fresh, err := st.OpenSeekable(ctx, "f.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if _, err := fresh.ReadAt(big, 100); err != nil || !bytes.Equal(big, newData[100:100+len(big)]) {
		t.Errorf("a reader opened after the replacement: %v", err)
	}
}

// TestCopyServerSide copies a multi-block blob inside the service and
// checks content, content type and the refusal to overwrite.
func TestCopyServerSide(t *testing.T) {
	st, b := open(t, nil)
	ctx := t.Context()
	data := randomBytes(3, 1<<20+3)
	if err := st.Write(ctx, "src/data.parquet", bytes.NewReader(data), &store.WriteOptions{ContentType: "application/vnd.apache.parquet"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Copy(ctx, "src/data.parquet", "dst/data.parquet", nil); err != nil {
		t.Fatal(err)
	}
	if got, err := st.ReadBytes(ctx, "dst/data.parquet"); err != nil || !bytes.Equal(got, data) {
		t.Errorf("copy reads back %d bytes, %v", len(got), err)
	}
	props, err := b.ContainerClient().NewBlobClient(b.Prefix()+"/dst/data.parquet").GetProperties(ctx, nil)
	if err != nil || props.ContentType == nil || *props.ContentType != "application/vnd.apache.parquet" {
		t.Errorf("the copy's content type = %v, %v", props.ContentType, err)
	}
	if err := st.Copy(ctx, "src/data.parquet", "dst/data.parquet", nil); !errors.Is(err, store.ErrAlreadyExists) {
		t.Errorf("second copy without overwrite = %v, want ErrAlreadyExists", err)
	}
	if err := st.Move(ctx, "src/data.parquet", "moved.parquet", nil); err != nil {
		t.Fatal(err)
	}
	if ok, _ := st.Exists(ctx, "src/data.parquet"); ok {
		t.Error("Move left the source")
	}
}

// TestConfigBeatsEnvironment checks that a key in the config wins over a
// connection string in the environment (credential auto).
func TestConfigBeatsEnvironment(t *testing.T) {
	clearAzureEnv(t)
	t.Setenv(azstore.EnvConnectionString, "AccountName=other;AccountKey=d3Jvbmc=")
	st, _ := open(t, nil) // account key and endpoint in the config
	if err := st.Ping(t.Context()); err != nil {
		t.Errorf("Ping with the config's key while the environment names another account: %v", err)
	}
}
