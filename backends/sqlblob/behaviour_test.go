package sqlblob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/remotestore/remotestore/backends/sqlblob"
	"github.com/remotestore/remotestore/store"
)

const chunk = 4096

// TestRacingWriters stages several writers of one path, each several
// chunks long, then commits them at once: without Overwrite exactly one
// wins and the others fail with ErrAlreadyExists; with Overwrite all
// succeed and the file is one writer's whole content. Either way only the
// chunks of the surviving content remain.
func TestRacingWriters(t *testing.T) {
	forEach(t, func(t *testing.T, d driver) {
		b := d.open(t, chunk)
		st := store.New(b)
		ctx := t.Context()
		const writers, size = 8, 3*chunk + 1234
		for _, overwrite := range []bool{false, true} {
			path := "race/exclusive.bin"
			if overwrite {
				path = "race/overwrite.bin"
				if err := st.WriteBytes(ctx, path, []byte("old"), nil); err != nil {
					t.Fatal(err)
				}
			}
			ws := make([]*store.Writer, writers)
			for i := range ws {
				w, err := st.NewWriter(ctx, path, &store.WriteOptions{Overwrite: overwrite})
				if err != nil {
					t.Fatal(err)
				}
				defer w.Close()
				if _, err := w.Write(content(i, size)); err != nil {
					t.Fatal(err)
				}
				ws[i] = w
			}
			// 3 full chunks staged per writer, invisible; before the overwrite
			// race, the exclusive race's winner (4 chunks) and "old" (1).
			d.wantRows(t, b, writers*3+map[bool]int64{true: 4 + 1}[overwrite], writers)
			errs := make([]error, writers)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, w := range ws {
				wg.Go(func() { <-start; errs[i] = w.Commit() })
			}
			close(start)
			wg.Wait()
			winners := 0
			for i, err := range errs {
				switch {
				case err == nil:
					winners++
				case overwrite || !errors.Is(err, store.ErrAlreadyExists):
					t.Errorf("overwrite=%v: writer %d: %v", overwrite, i, err)
				}
			}
			if want := map[bool]int{false: 1, true: writers}[overwrite]; winners != want {
				t.Errorf("overwrite=%v: %d writers won, want %d", overwrite, winners, want)
			}
			got, err := st.ReadBytes(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			which := -1
			for i := range writers {
				if bytes.Equal(got, content(i, size)) {
					which = i
				}
			}
			if which < 0 {
				t.Errorf("overwrite=%v: the file is no writer's whole content (%d bytes)", overwrite, len(got))
			}
		}
		d.wantRows(t, b, 2*4, 0) // two files of 4 chunks each, no uploads
	})
}

// TestAbortLeavesNothing checks that Abort, Close without Commit, a
// canceled context and a refused Commit all leave no rows behind, and
// that nothing is visible before Commit.
func TestAbortLeavesNothing(t *testing.T) {
	forEach(t, func(t *testing.T, d driver) {
		b := d.open(t, chunk)
		st := store.New(b)
		ctx := t.Context()
		data := content(1, 5*chunk+7)

		w, err := st.NewWriter(ctx, "a/aborted.bin", nil)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
		d.wantRows(t, b, 5, 1)
		if ok, _ := st.Exists(ctx, "a/aborted.bin"); ok {
			t.Error("visible before Commit")
		}
		if ok, _ := st.Exists(ctx, "a"); ok {
			t.Error("its folder is visible before Commit")
		}
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
		d.wantRows(t, b, 0, 0)

		w, _ = st.NewWriter(ctx, "a/closed.bin", nil)
		w.Write(data)
		w.Close()
		d.wantRows(t, b, 0, 0)

		cctx, cancel := context.WithCancel(ctx)
		w, _ = st.NewWriter(cctx, "a/canceled.bin", nil)
		w.Write(data)
		cancel()
		if err := w.Commit(); !errors.Is(err, context.Canceled) {
			t.Errorf("Commit after cancel = %v, want context.Canceled", err)
		}
		w.Close()
		d.wantRows(t, b, 0, 0)

		if err := st.WriteBytes(ctx, "a/exists.bin", []byte("first"), nil); err != nil {
			t.Fatal(err)
		}
		w, _ = st.NewWriter(ctx, "a/late.bin", nil)
		w.Write(data)
		if err := st.WriteBytes(ctx, "a/late.bin", []byte("won"), nil); err != nil {
			t.Fatal(err)
		}
		if err := w.Commit(); !errors.Is(err, store.ErrAlreadyExists) {
			t.Errorf("Commit over a file created meanwhile = %v, want ErrAlreadyExists", err)
		}
		w.Close()
		d.wantRows(t, b, 2, 0) // "first" and "won", one chunk each
		if got, _ := st.ReadString(ctx, "a/late.bin"); got != "won" {
			t.Errorf("a/late.bin = %q, want the first writer's", got)
		}
		got := []string{}
		for f, err := range st.ListFiles(ctx, "", nil) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, f.Path)
		}
		if want := []string{"a/exists.bin", "a/late.bin"}; !slices.Equal(got, want) {
			t.Errorf("files %q, want %q", got, want)
		}
	})
}

// TestCleanUploads removes the chunks of a writer that never finished; the
// writer's Commit then fails and publishes nothing.
func TestCleanUploads(t *testing.T) {
	forEach(t, func(t *testing.T, d driver) {
		b := d.open(t, chunk)
		st := store.New(b)
		ctx := t.Context()
		w, err := st.NewWriter(ctx, "stale.bin", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		w.Write(content(2, 3*chunk))
		if n, err := b.CleanUploads(ctx, time.Hour); err != nil || n != 0 {
			t.Errorf("CleanUploads(1h) = %d, %v; want 0 (the upload is new)", n, err)
		}
		if n, err := b.CleanUploads(ctx, 0); err != nil || n != 3 {
			t.Errorf("CleanUploads(0) = %d, %v; want 3 chunk rows", n, err)
		}
		d.wantRows(t, b, 0, 0)
		if err := w.Commit(); !errors.Is(err, store.ErrPrecondition) {
			t.Errorf("Commit after CleanUploads = %v, want ErrPrecondition", err)
		}
		// A writer that goes on writing after the cleanup stages nothing more.
		w2, err := st.NewWriter(ctx, "stale2.bin", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer w2.Close()
		w2.Write(content(3, 2*chunk))
		if n, err := b.CleanUploads(ctx, 0); err != nil || n != 2 {
			t.Errorf("CleanUploads(0) = %d, %v; want 2 chunk rows", n, err)
		}
		if _, err := w2.Write(content(4, 2*chunk)); !errors.Is(err, store.ErrPrecondition) {
			t.Errorf("Write after CleanUploads = %v, want ErrPrecondition", err)
		}
		if err := w2.Commit(); err == nil {
			t.Error("Commit of a cleaned upload worked")
		}
		if ok, _ := st.Exists(ctx, "stale.bin"); ok {
			t.Error("a cleaned upload was published")
		}
		d.wantRows(t, b, 0, 0)
	})
}

// TestStreamSnapshot replaces a file while a stream of it is half read:
// the stream goes on with the version it opened, whole.
func TestStreamSnapshot(t *testing.T) {
	forEach(t, func(t *testing.T, d driver) {
		b := d.open(t, chunk)
		st := store.New(b)
		ctx := t.Context()
		v1, v2 := content(10, 20*chunk+5), content(11, 7*chunk)
		if err := st.WriteBytes(ctx, "f.bin", v1, nil); err != nil {
			t.Fatal(err)
		}
		rc, err := st.Open(ctx, "f.bin")
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		head := make([]byte, 3*chunk+100)
		if _, err := io.ReadFull(rc, head); err != nil {
			t.Fatal(err)
		}
		if err := st.WriteBytes(ctx, "f.bin", v2, &store.WriteOptions{Overwrite: true}); err != nil {
			t.Fatal(err)
		}
		rest, err := io.ReadAll(rc)
		if err != nil {
			t.Fatalf("reading on after the file was replaced: %v", err)
		}
		if got := append(head, rest...); !bytes.Equal(got, v1) {
			t.Errorf("the stream mixed versions: %d bytes, equal to v1: %v", len(got), bytes.Equal(got, v1))
		}
		if got, _ := st.ReadBytes(ctx, "f.bin"); !bytes.Equal(got, v2) {
			t.Error("a new read does not see the new version")
		}
		d.wantRows(t, b, 7, 0)
	})
}

// TestReaderAtPinned: a seekable reader serves the version it opened and
// fails with ErrPrecondition once that version is gone.
func TestReaderAtPinned(t *testing.T) {
	forEach(t, func(t *testing.T, d driver) {
		b := d.open(t, chunk)
		st := store.New(b)
		ctx := t.Context()
		v1 := content(20, 300*chunk)
		if err := st.WriteBytes(ctx, "r.bin", v1, nil); err != nil {
			t.Fatal(err)
		}
		r, err := st.OpenSeekable(ctx, "r.bin")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		// Small reads (block cache), a read across chunks, a read of more
		// than 256 chunks (several queries), a read past the end.
		for _, c := range []struct{ off, n int64 }{{0, 10}, {chunk - 3, 7}, {5 * chunk, 3*chunk + 11}, {1, 299*chunk - 2}, {int64(len(v1)) - 5, 5}} {
			buf := make([]byte, c.n)
			n, err := r.ReadAt(buf, c.off)
			if n != int(c.n) || (err != nil && err != io.EOF) || !bytes.Equal(buf, v1[c.off:c.off+c.n]) {
				t.Errorf("ReadAt(%d bytes at %d) = %d, %v; content ok=%v", c.n, c.off, n, err, bytes.Equal(buf[:n], v1[c.off:c.off+int64(n)]))
			}
		}
		buf := make([]byte, 100)
		if n, err := r.ReadAt(buf, int64(len(v1))-40); n != 40 || err != io.EOF {
			t.Errorf("ReadAt across the end = %d, %v; want 40, EOF", n, err)
		}
		if err := st.WriteBytes(ctx, "r.bin", []byte("v2"), &store.WriteOptions{Overwrite: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.ReadAt(buf, 100*chunk); !errors.Is(err, store.ErrPrecondition) {
			t.Errorf("ReadAt after the file was replaced = %v, want ErrPrecondition", err)
		}
	})
}

// TestMoveCopyInDatabase: Move renames the row (no chunk is copied, the
// modification time stays); Copy duplicates the chunks in the database.
func TestMoveCopyInDatabase(t *testing.T) {
	forEach(t, func(t *testing.T, d driver) {
		b := d.open(t, chunk)
		st := store.New(b)
		ctx := t.Context()
		data := content(30, 9*chunk)
		if err := st.WriteBytes(ctx, "src/a.bin", data, nil); err != nil {
			t.Fatal(err)
		}
		before, _ := st.Stat(ctx, "src/a.bin")
		if err := st.Move(ctx, "src/a.bin", "dst/deep/a.bin", nil); err != nil {
			t.Fatal(err)
		}
		d.wantRows(t, b, 9, 0)
		after, err := st.Stat(ctx, "dst/deep/a.bin")
		if err != nil || !after.ModTime.Equal(before.ModTime) || after.ETag != before.ETag {
			t.Errorf("after Move: %+v, %v; want the mod time %v and ETag %s kept", after, err, before.ModTime, before.ETag)
		}
		if ok, _ := st.Exists(ctx, "src"); ok {
			t.Error("the source folder outlived the move")
		}
		if err := st.Copy(ctx, "dst/deep/a.bin", "copy.bin", nil); err != nil {
			t.Fatal(err)
		}
		d.wantRows(t, b, 18, 0)
		cp, _ := st.Stat(ctx, "copy.bin")
		if sum := sha256.Sum256(data); cp.ETag != hex.EncodeToString(sum[:]) {
			t.Errorf("copy's ETag %s is not the content's SHA-256", cp.ETag)
		}
		// Overwriting move and copy free the replaced chunks.
		if err := st.Move(ctx, "copy.bin", "dst/deep/a.bin", &store.CopyOptions{Overwrite: true}); err != nil {
			t.Fatal(err)
		}
		d.wantRows(t, b, 9, 0)
		if err := st.WriteBytes(ctx, "small", []byte("x"), nil); err != nil {
			t.Fatal(err)
		}
		if err := st.Copy(ctx, "small", "dst/deep/a.bin", &store.CopyOptions{Overwrite: true}); err != nil {
			t.Fatal(err)
		}
		d.wantRows(t, b, 2, 0)
		if err := st.Move(ctx, "small", "dst/deep/a.bin/below", nil); !errors.Is(err, store.ErrNotFolder) {
			t.Errorf("Move below a file = %v, want ErrNotFolder", err)
		}
	})
}

// TestDeleteFolderNames deletes folders whose names hold LIKE
// metacharacters and share prefixes with their neighbours.
func TestDeleteFolderNames(t *testing.T) {
	forEach(t, func(t *testing.T, d driver) {
		b := d.open(t, chunk)
		st := store.New(b)
		ctx := t.Context()
		files := []string{"a/x", "a/y/z", "a0", "a.txt", "a-b/x", "a%/x", "a_/x", "a_b/x", "ab/x", "a\U0001F642/x", "b/a/x"}
		for _, f := range files {
			if err := st.WriteString(ctx, f, f, nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			folder string
			gone   []string
		}{{"a", []string{"a/x", "a/y/z"}}, {"a%", []string{"a%/x"}}, {"a_", []string{"a_/x"}}} {
			if err := st.DeleteFolder(ctx, c.folder); err != nil {
				t.Fatal(err)
			}
			for _, f := range c.gone {
				if ok, _ := st.Exists(ctx, f); ok {
					t.Errorf("DeleteFolder(%q) left %q", c.folder, f)
				}
			}
		}
		var left []string
		for f, err := range st.ListFiles(ctx, "", nil) {
			if err != nil {
				t.Fatal(err)
			}
			left = append(left, f.Path)
		}
		want := []string{"a-b/x", "a.txt", "a0", "a_b/x", "ab/x", "a\U0001F642/x", "b/a/x"} // bytewise order
		if !slices.Equal(left, want) {
			t.Errorf("left %q, want %q", left, want)
		}
		d.wantRows(t, b, int64(len(want)), 0)
	})
}

// TestSharedDatabase: stores on different tables of one database are
// separate; two backends on one table see each other's files.
func TestSharedDatabase(t *testing.T) {
	ctx := t.Context()
	c := sqliteConfig(t)
	open := func(table string) *store.Store {
		cc := c
		cc.Table = table
		b, err := sqlblob.NewSQLite(ctx, cc)
		if err != nil {
			t.Fatal(err)
		}
		st := store.New(b)
		t.Cleanup(func() { st.Close() })
		return st
	}
	one, two, oneAgain := open("one"), open("two"), open("one")
	if err := one.WriteString(ctx, "f.txt", "one", nil); err != nil {
		t.Fatal(err)
	}
	if ok, _ := two.Exists(ctx, "f.txt"); ok {
		t.Error("a file of table one shows in table two")
	}
	if got, err := oneAgain.ReadString(ctx, "f.txt"); err != nil || got != "one" {
		t.Errorf("second backend on table one reads %q, %v", got, err)
	}
	if err := oneAgain.WriteString(ctx, "f.txt", "again", nil); !errors.Is(err, store.ErrAlreadyExists) {
		t.Errorf("second backend overwriting without Overwrite = %v, want ErrAlreadyExists", err)
	}
}

// TestPathLimits refuses paths longer than MaxPathLen.
func TestPathLimits(t *testing.T) {
	forEach(t, func(t *testing.T, d driver) {
		st := store.New(d.open(t, chunk))
		ctx := t.Context()
		long := strings.Repeat("d/", sqlblob.MaxPathLen/2) + "f"
		if err := st.WriteString(ctx, long, "x", nil); !errors.Is(err, store.ErrInvalidPath) {
			t.Errorf("write of a %d-byte path = %v, want ErrInvalidPath", len(long), err)
		}
		ok := strings.Repeat("e", sqlblob.MaxPathLen)
		if err := st.WriteString(ctx, ok, "x", nil); err != nil {
			t.Errorf("write of a %d-byte path: %v", len(ok), err)
		}
		if err := st.Copy(ctx, ok, long, nil); !errors.Is(err, store.ErrInvalidPath) {
			t.Errorf("copy to a %d-byte path = %v, want ErrInvalidPath", len(long), err)
		}
	})
}

// TestLargeBoundedMemory streams a large file in and out through the store
// and checks by sampling the heap as the bytes flow that neither side held
// it: the peak growth stays at a few chunks.
func TestLargeBoundedMemory(t *testing.T) {
	size := int64(96 << 20)
	if testing.Short() {
		size = 32 << 20
	}
	const limitMiB = 16
	forEach(t, func(t *testing.T, d driver) {
		b := d.open(t, 0) // the default 1 MiB chunks
		st := store.New(b)
		ctx := t.Context()
		hp := newHeapPeak()
		if err := st.Write(ctx, "big.bin", onlyReader{newPatternReader(7, size, hp.sample)}, nil); err != nil {
			t.Fatal(err)
		}
		hp.sample()
		if g := hp.growth(); g > limitMiB {
			t.Errorf("writing %s grew the heap by %.1f MiB, want at most %d", mib(size), g, limitMiB)
		}
		t.Logf("write %s: peak heap growth %.1f MiB", mib(size), hp.growth())

		hp = newHeapPeak()
		rc, err := st.Open(ctx, "big.bin")
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		n, err := io.CopyBuffer(&tickWriter{w: h, tick: hp.sample}, onlyReader{rc}, make([]byte, 256<<10))
		rc.Close()
		hp.sample()
		if err != nil || n != size || hex.EncodeToString(h.Sum(nil)) != sumOf(7, size) {
			t.Fatalf("read back %d bytes, %v; content ok=%v", n, err, hex.EncodeToString(h.Sum(nil)) == sumOf(7, size))
		}
		if g := hp.growth(); g > limitMiB {
			t.Errorf("reading %s grew the heap by %.1f MiB, want at most %d", mib(size), g, limitMiB)
		}
		t.Logf("read %s: peak heap growth %.1f MiB", mib(size), hp.growth())
		if info, err := st.Stat(ctx, "big.bin"); err != nil || info.ETag != sumOf(7, size) {
			t.Errorf("Stat = %+v, %v; want the SHA-256 as ETag", info, err)
		}
	})
}

// TestSQLiteTwoBackendsOneFile has two backends on one database file (as
// two processes would be) write concurrently: their writers take turns
// through SQLite's lock and busy timeout, and every write lands.
func TestSQLiteTwoBackendsOneFile(t *testing.T) {
	ctx := t.Context()
	c := sqliteConfig(t)
	c.ChunkSize = chunk
	var sts []*store.Store
	for range 2 {
		b, err := sqlblob.NewSQLite(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		st := store.New(b)
		defer st.Close()
		sts = append(sts, st)
	}
	const each = 12
	var wg sync.WaitGroup
	errs := make(chan error, 2*4*each)
	for i, st := range sts {
		for g := range 4 {
			wg.Go(func() {
				for k := range each {
					p := fmt.Sprintf("b%d/g%d/f%02d", i, g, k)
					if err := st.WriteBytes(ctx, p, content(i*1000+g*100+k, 3*chunk+k), nil); err != nil {
						errs <- fmt.Errorf("%s: %w", p, err)
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i := range sts {
		for g := range 4 {
			for k := range each {
				p := fmt.Sprintf("b%d/g%d/f%02d", i, g, k)
				got, err := sts[1-i].ReadBytes(ctx, p)
				if err != nil || !bytes.Equal(got, content(i*1000+g*100+k, 3*chunk+k)) {
					t.Errorf("%s read through the other backend: %d bytes, %v", p, len(got), err)
				}
			}
		}
	}
}
