package s3

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/remotestore/remotestore/internal/objio"
	s3server "github.com/remotestore/remotestore/internal/testserver/s3"
	"github.com/remotestore/remotestore/store"
)

// White-box tests against the versitygw server the package's TestMain
// (s3_test.go) starts.

// newTestBackend returns a backend on a new prefix of the run's bucket,
// with small parts (MinPartSize) and concurrency 2.
func newTestBackend(t *testing.T, mutate ...func(*Config)) *Backend {
	t.Helper()
	srv := s3server.Get(t)
	c := Config{
		Bucket: srv.Bucket(t), Prefix: s3server.Prefix(t), Endpoint: srv.Endpoint, Region: s3server.Region,
		UsePathStyle: true, AccessKeyID: store.Secret(srv.AccessKey), SecretAccessKey: store.Secret(srv.SecretKey),
		PartSize: MinPartSize, Concurrency: 2,
	}
	for _, m := range mutate {
		m(&c)
	}
	b, err := New(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// uploads lists the multipart uploads in progress below the backend's root.
func uploads(t *testing.T, b *Backend) []string {
	t.Helper()
	out, err := b.client.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{
		Bucket: &b.bucket, Prefix: aws.String(b.dirPrefix("")),
	})
	if err != nil {
		t.Fatalf("ListMultipartUploads: %v", err)
	}
	var keys []string
	for _, u := range out.Uploads {
		keys = append(keys, aws.ToString(u.Key))
	}
	return keys
}

func content(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7) + byte(i>>13)
	}
	return b
}

func write(t *testing.T, b *Backend, p string, data []byte, overwrite bool) error {
	t.Helper()
	w, err := b.NewWriter(t.Context(), p, &store.WriteOptions{Overwrite: overwrite})
	if err != nil {
		return err
	}
	defer w.Close()
	if _, err := w.Write(data); err != nil {
		return err
	}
	return w.Commit()
}

func readAll(t *testing.T, b *Backend, p string) []byte {
	t.Helper()
	rc, err := b.OpenRange(t.Context(), p, 0, -1)
	if err != nil {
		t.Fatalf("OpenRange(%s): %v", p, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading %s: %v", p, err)
	}
	return data
}

// TestMultipartInvisibleUntilCommit writes three parts and more: the upload
// is in progress, no object is visible; after Commit the object is whole
// and no upload is left.
func TestMultipartInvisibleUntilCommit(t *testing.T) {
	b := newTestBackend(t)
	data := content(3*MinPartSize+12345, 1)
	w, err := b.NewWriter(t.Context(), "m/big.bin", &store.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if got := uploads(t, b); len(got) != 1 {
		t.Errorf("uploads in progress = %q, want one", got)
	}
	if _, err := b.Stat(t.Context(), "m/big.bin"); classify(err) != store.ErrNotFound {
		t.Errorf("Stat before Commit = %v, want not found", err)
	}
	if err := w.Commit(); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if got := readAll(t, b, "m/big.bin"); !bytes.Equal(got, data) {
		t.Errorf("read back %d bytes, want the %d written", len(got), len(data))
	}
	if got := uploads(t, b); len(got) != 0 {
		t.Errorf("uploads left after Commit: %q", got)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Abort after Commit: %v", err)
	}
	if _, err := b.Stat(t.Context(), "m/big.bin"); err != nil {
		t.Errorf("Abort after Commit removed the object: %v", err)
	}
}

// TestAbortLeavesNothing aborts multipart writes three ways (Abort, Close
// without Commit, a canceled context) and checks that no object and no
// uploaded part remains.
func TestAbortLeavesNothing(t *testing.T) {
	b := newTestBackend(t)
	for _, how := range []string{"abort", "close", "cancel"} {
		ctx, cancel := context.WithCancel(t.Context())
		p := "abort/" + how
		w, err := b.NewWriter(ctx, p, &store.WriteOptions{Overwrite: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(content(2*MinPartSize+1, 2)); err != nil {
			t.Fatal(err)
		}
		switch how {
		case "abort":
			err = w.Abort()
		case "close":
			err = w.Close()
		case "cancel":
			cancel()
			if _, werr := w.Write(content(MinPartSize, 3)); werr == nil {
				t.Error("Write after cancel succeeded")
			}
			err = w.Abort()
		}
		cancel()
		if err != nil {
			t.Errorf("%s: %v", how, err)
		}
		if got := uploads(t, b); len(got) != 0 {
			t.Errorf("%s: uploads left: %q", how, got)
		}
		if _, err := b.Stat(t.Context(), p); classify(err) != store.ErrNotFound {
			t.Errorf("%s: Stat = %v, want not found", how, err)
		}
	}
}

// TestWriterMemoryBound streams 12 parts and checks the writer never held
// more than Concurrency+1 part buffers.
func TestWriterMemoryBound(t *testing.T) {
	b := newTestBackend(t)
	w, err := b.NewWriter(t.Context(), "bound.bin", &store.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	src := io.LimitReader(rand(5), 12*MinPartSize)
	if _, err := w.(io.ReaderFrom).ReadFrom(src); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := w.(*writer).uploads.Buffers(); n > b.concurrency+1 {
		t.Errorf("writer allocated %d part buffers, want at most %d", n, b.concurrency+1)
	}
	info, err := b.Stat(t.Context(), "bound.bin")
	if err != nil || info.Size != 12*MinPartSize {
		t.Errorf("Stat = %+v, %v", info, err)
	}
}

// rand is a cheap endless byte stream.
type rand byte

func (r rand) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r) + byte(i)
	}
	return len(p), nil
}

// TestConditionalWrite races two writers without Overwrite past Store's
// early check: the second Commit must fail with ErrAlreadyExists and leave
// the first one's content, for a one-request file and a multipart one.
// With NoConditionalWrites the HEAD check gives the same answer here.
func TestConditionalWrite(t *testing.T) {
	for _, mode := range []string{"if-none-match", "head-check"} {
		b := newTestBackend(t, func(c *Config) { c.NoConditionalWrites = mode == "head-check" })
		for _, size := range []int{100, 2*MinPartSize + 3} {
			p := "race/" + mode
			first, second := content(size, 10), content(size, 20)
			w1, err := b.NewWriter(t.Context(), p, &store.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			w2, err := b.NewWriter(t.Context(), p, &store.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			w1.Write(first)
			w2.Write(second)
			if err := w1.Commit(); err != nil {
				t.Fatalf("%s/%d: first Commit: %v", mode, size, err)
			}
			err = w2.Commit()
			if !errors.Is(err, store.ErrAlreadyExists) {
				t.Errorf("%s/%d: second Commit = %v, want ErrAlreadyExists", mode, size, err)
			}
			w2.Close()
			if got := readAll(t, b, p); !bytes.Equal(got, first) {
				t.Errorf("%s/%d: content is not the first writer's", mode, size)
			}
			if got := uploads(t, b); len(got) != 0 {
				t.Errorf("%s/%d: uploads left: %q", mode, size, got)
			}
			if err := b.Delete(t.Context(), p); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestMultipartCopy forces the UploadPartCopy path (small thresholds):
// the copy is whole, keeps the content type, and refuses to overwrite.
func TestMultipartCopy(t *testing.T) {
	b := newTestBackend(t)
	b.maxCopyObject, b.copyPartSize = MinPartSize, MinPartSize
	data := content(2*MinPartSize+777, 4)
	w, _ := b.NewWriter(t.Context(), "c/src.bin", &store.WriteOptions{ContentType: "application/x-test"})
	w.Write(data)
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := b.Copy(t.Context(), "c/src.bin", "c/dst.bin", true); err != nil {
		t.Fatalf("Copy: %v", err)
	}
	if got := readAll(t, b, "c/dst.bin"); !bytes.Equal(got, data) {
		t.Fatalf("copy has %d bytes, want %d", len(got), len(data))
	}
	head, err := b.client.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: &b.bucket, Key: aws.String(b.key("c/dst.bin"))})
	if err != nil || aws.ToString(head.ContentType) != "application/x-test" {
		t.Errorf("copy's content type = %q, %v; want application/x-test", aws.ToString(head.ContentType), err)
	}
	write(t, b, "c/other.bin", []byte("other"), true)
	err = b.Copy(t.Context(), "c/other.bin", "c/dst.bin", false)
	if !errors.Is(err, store.ErrAlreadyExists) {
		t.Errorf("Copy onto an existing file without overwrite = %v, want ErrAlreadyExists", err)
	}
	if got := readAll(t, b, "c/dst.bin"); !bytes.Equal(got, data) {
		t.Error("a refused copy changed the destination")
	}
	if got := uploads(t, b); len(got) != 0 {
		t.Errorf("uploads left: %q", got)
	}
	// A small copy without overwrite goes through the same path.
	if err := b.Copy(t.Context(), "c/other.bin", "c/new.bin", false); err != nil {
		t.Fatalf("Copy to a new file: %v", err)
	}
	if got := readAll(t, b, "c/new.bin"); string(got) != "other" {
		t.Errorf("small copy = %q", got)
	}
}

// TestParallelReadPinned reads a five-chunk file with concurrency 1 while
// it is replaced: the chunks fetched after the replacement are pinned to
// the old ETag, so the read fails with ErrPrecondition instead of mixing
// the two versions. A ReaderAt opened before the replacement fails alike.
func TestParallelReadPinned(t *testing.T) {
	b := newTestBackend(t, func(c *Config) { c.Concurrency = 1 })
	old := content(5*MinPartSize, 6)
	if err := write(t, b, "pin.bin", old, true); err != nil {
		t.Fatal(err)
	}
	rc, err := b.OpenRange(t.Context(), "pin.bin", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, ok := rc.(*objio.ParallelReader); !ok {
		t.Fatalf("OpenRange of 5 chunks returned %T, want the parallel reader", rc)
	}
	ra, err := b.OpenReaderAt(t.Context(), "pin.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer ra.Close()
	one := make([]byte, 1)
	if _, err := io.ReadFull(rc, one); err != nil || one[0] != old[0] {
		t.Fatalf("first byte: %v", err)
	}
	if err := write(t, b, "pin.bin", content(5*MinPartSize, 7), true); err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(io.Discard, rc)
	if !errors.Is(err, store.ErrPrecondition) {
		t.Errorf("reading on after the file was replaced = %v, want ErrPrecondition", err)
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Errorf("the SDK error is not reachable: %v", err)
	}
	if _, err := ra.ReadAt(make([]byte, 10), 3*MinPartSize); !errors.Is(err, store.ErrPrecondition) {
		t.Errorf("ReadAt after the file was replaced = %v, want ErrPrecondition", err)
	}
}

// TestParallelReadRanges reads ranges that start, end and straddle chunk
// boundaries through the parallel reader and the ReaderAt.
func TestParallelReadRanges(t *testing.T) {
	b := newTestBackend(t)
	data := content(4*MinPartSize+99, 8)
	if err := write(t, b, "r.bin", data, true); err != nil {
		t.Fatal(err)
	}
	ra, err := b.OpenReaderAt(t.Context(), "r.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer ra.Close()
	for _, r := range [][2]int64{{0, -1}, {1, -1}, {MinPartSize - 1, 2*MinPartSize + 2}, {3 * MinPartSize, -1},
		{int64(len(data)) - 5, 100}, {int64(len(data)), -1}, {int64(len(data)) + 10, 5}} {
		off, n := r[0], r[1]
		end := int64(len(data))
		if n >= 0 {
			end = min(end, off+n)
		}
		want := data[min(off, int64(len(data))):max(end, min(off, int64(len(data))))]
		rc, err := b.OpenRange(t.Context(), "r.bin", off, n)
		if err != nil {
			t.Fatalf("OpenRange(%d, %d): %v", off, n, err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("OpenRange(%d, %d) = %d bytes, %v; want %d bytes", off, n, len(got), err, len(want))
		}
		if off < int64(len(data)) && n > 0 {
			buf := make([]byte, n)
			k, err := ra.ReadAt(buf, off)
			if !bytes.Equal(buf[:k], want) || (k < len(buf) && err != io.EOF) {
				t.Errorf("ReadAt(%d, %d) = %d, %v", off, n, k, err)
			}
		}
	}
	// Closing the parallel reader early stops its downloads.
	rc, _ := b.OpenRange(t.Context(), "r.bin", 0, -1)
	io.ReadFull(rc, make([]byte, 10))
	if err := rc.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := rc.Read(make([]byte, 1)); err == nil {
		t.Error("Read after Close succeeded")
	}
}

// countingTransport counts requests by S3 operation (x-id query value or
// method).
type countingTransport struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	op := r.Method
	if r.URL.Query().Has("delete") {
		op = "DeleteObjects"
	}
	c.mu.Lock()
	c.n[op]++
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// TestDeleteFolderBatches deletes a folder of 1,050 files: DeleteObjects
// takes at most 1,000 keys, so two batches, and nothing remains — neither
// below the folder nor, as an object store's folder, the folder itself.
func TestDeleteFolderBatches(t *testing.T) {
	b := newTestBackend(t)
	ct := &countingTransport{n: map[string]int{}}
	b.client = s3.New(b.client.Options(), func(o *s3.Options) { o.HTTPClient = &http.Client{Transport: ct} })
	const n = 1050
	var wg sync.WaitGroup
	var failed atomic.Int32
	sem := make(chan struct{}, 16)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			key := b.key("del/" + string(rune('a'+i%5)) + "/" + strings.Repeat("x", i%7) + itoa(i))
			if _, err := b.client.PutObject(t.Context(), &s3.PutObjectInput{Bucket: &b.bucket, Key: &key, Body: strings.NewReader("x")}); err != nil {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d puts failed", failed.Load())
	}
	write(t, b, "keep.txt", []byte("k"), true)
	if err := b.DeleteFolder(t.Context(), "del"); err != nil {
		t.Fatalf("DeleteFolder: %v", err)
	}
	if got := ct.n["DeleteObjects"]; got != 2 {
		t.Errorf("DeleteObjects requests = %d, want 2 for %d keys", got, n)
	}
	if _, err := b.Stat(t.Context(), "del"); classify(err) != store.ErrNotFound {
		t.Errorf("Stat(deleted folder) = %v, want not found", err)
	}
	if _, err := b.Stat(t.Context(), "keep.txt"); err != nil {
		t.Errorf("DeleteFolder removed a file beside the folder: %v", err)
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}
