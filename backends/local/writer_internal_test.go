package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/remotestore/remotestore/internal/tempname"
	"github.com/remotestore/remotestore/store"
)

func TestWriteSemantics(t *testing.T) {
	ctx := t.Context()
	_, st, dir := newTest(t)
	mustWrite(t, filepath.Join(dir, "file"), "x")
	if err := os.Mkdir(filepath.Join(dir, "folder"), 0o755); err != nil {
		t.Fatal(err)
	}
	wantKind(t, "write onto folder", st.WriteString(ctx, "folder", "y", nil), store.ErrIsFolder)
	wantKind(t, "write onto folder (overwrite)",
		st.WriteString(ctx, "folder", "y", &store.WriteOptions{Overwrite: true}), store.ErrIsFolder)
	wantKind(t, "write below a file", st.WriteString(ctx, "file/x", "y", nil), store.ErrNotFolder)
	wantKind(t, "write existing", st.WriteString(ctx, "file", "y", nil), store.ErrAlreadyExists)
	wantKind(t, "write temp-pattern name", st.WriteString(ctx, ".a.tmp-0123456789abcdef", "y", nil), store.ErrInvalidPath)
	if err := st.WriteString(ctx, "deep/er/new.txt", "made", nil); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "deep", "er", "new.txt")); err != nil || string(b) != "made" {
		t.Errorf("deep write: %q, %v", b, err)
	}
	if err := st.WriteString(ctx, "file", "replaced", &store.WriteOptions{Overwrite: true}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "file")); string(b) != "replaced" {
		t.Errorf("overwrite: file holds %q", b)
	}
	if fi, err := os.Stat(filepath.Join(dir, "file")); err != nil || fi.Mode().Perm()&0o600 != 0o600 {
		t.Errorf("written file mode %v, %v: want owner read-write", fi.Mode(), err)
	}
}

func TestWriterInvisibleUntilCommit(t *testing.T) {
	ctx := t.Context()
	b, st, dir := newTest(t)
	w, err := st.NewWriter(ctx, "out/a.bin", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("partial")); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.Exists(ctx, "out/a.bin"); ok || err != nil {
		t.Errorf("target visible before Commit: %v, %v", ok, err)
	}
	if n := names(t, filepath.Join(dir, "out")); len(n) != 1 || !tempname.Is(n[0]) {
		t.Errorf("on disk before Commit: %v; want one temporary file", n)
	}
	for e, err := range st.List(ctx, "out", nil) {
		t.Errorf("List shows %+v, %v before Commit; want nothing", e, err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := names(t, filepath.Join(dir, "out")); !slices.Equal(n, []string{"a.bin"}) {
		t.Errorf("on disk after Commit: %v", n)
	}
	wantKind(t, "commit twice", w.Commit(), store.ErrPrecondition)
	_, err = w.Write([]byte("more"))
	wantKind(t, "write after commit", err, store.ErrPrecondition)

	// Backend level: a second Commit is refused and Abort after Commit keeps the file.
	bw, err := b.NewWriter(ctx, "out/c.bin", &store.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bw.Write([]byte("c"))
	if err := bw.Commit(); err != nil {
		t.Fatal(err)
	}
	wantKind(t, "backend commit twice", bw.Commit(), store.ErrPrecondition)
	bw.Abort()
	if got, err := st.ReadString(ctx, "out/c.bin"); got != "c" || err != nil {
		t.Errorf("after Commit+Abort: %q, %v", got, err)
	}
}

func TestAbortLeavesNoTrace(t *testing.T) {
	ctx := t.Context()
	_, st, dir := newTest(t)
	mustWrite(t, filepath.Join(dir, "keep", "x"), "x")
	for _, how := range []string{"abort", "close", "cancel", "exists"} {
		t.Run(how, func(t *testing.T) {
			wctx, cancel := context.WithCancel(ctx)
			defer cancel()
			target := "new/deeper/" + how
			if how == "exists" {
				target = "keep/x"
			}
			w, err := st.NewWriter(wctx, target, &store.WriteOptions{})
			if how == "exists" {
				// Store refuses up front; go through the backend so the
				// refusal happens at Commit.
				wantKind(t, "store pre-check", err, store.ErrAlreadyExists)
				bw, err := st.Backend().NewWriter(wctx, target, &store.WriteOptions{})
				if err != nil {
					t.Fatal(err)
				}
				bw.Write([]byte("intruder"))
				wantKind(t, "commit over existing", classify(bw.Commit()), store.ErrAlreadyExists)
				bw.Abort()
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if _, err := w.Write(bytes.Repeat([]byte("z"), 1<<16)); err != nil {
					t.Fatal(err)
				}
				switch how {
				case "abort":
					w.Abort()
				case "close":
					w.Close()
				case "cancel":
					cancel()
					wantKind(t, "commit after cancel", w.Commit(), context.Canceled)
				}
			}
			got := names(t, dir)
			slices.Sort(got)
			if !slices.Equal(got, []string{"keep"}) {
				t.Errorf("root after %s: %v; want only keep", how, got)
			}
			if got := names(t, filepath.Join(dir, "keep")); !slices.Equal(got, []string{"x"}) {
				t.Errorf("keep/ after %s: %v", how, got)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, "keep", "x")); string(b) != "x" {
				t.Errorf("keep/x changed to %q", b)
			}
		})
	}
}

type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errors.New("source broke")
	}
	n := min(len(p), r.n)
	r.n -= n
	return n, nil
}

func TestFailedSourceLeavesNoTrace(t *testing.T) {
	ctx := t.Context()
	_, st, dir := newTest(t)
	err := st.Write(ctx, "a/b/c.bin", &failingReader{n: 1 << 20}, nil)
	if err == nil || !strings.Contains(err.Error(), "source broke") {
		t.Fatalf("Write from a failing source: %v", err)
	}
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("left behind: %v", got)
	}
}

func TestCommitOntoFolderThatAppeared(t *testing.T) {
	ctx := t.Context()
	b, _, dir := newTest(t)
	for _, overwrite := range []bool{false, true} {
		name := fmt.Sprintf("t%v", overwrite)
		w, err := b.NewWriter(ctx, name, &store.WriteOptions{Overwrite: overwrite})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("x"))
		mustWrite(t, filepath.Join(dir, name, "inside"), "y")
		wantKind(t, "commit onto a folder", w.Commit(), store.ErrIsFolder)
		if got := names(t, filepath.Join(dir, name)); !slices.Equal(got, []string{"inside"}) {
			t.Errorf("folder content after refused commit: %v", got)
		}
	}
}

// TestRacingWritersWithoutOverwrite: of many writers committing the same
// new path without Overwrite, exactly one wins; the file holds its bytes.
func TestRacingWritersWithoutOverwrite(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		t.Run(fmt.Sprintf("linkFallback=%v", fallback), func(t *testing.T) {
			if fallback {
				old := renameNoReplaceFunc
				renameNoReplaceFunc = func(*os.File, string, *os.File, string) error { return errNoReplaceUnsupported }
				t.Cleanup(func() { renameNoReplaceFunc = old })
			}
			ctx := t.Context()
			b, st, dir := newTest(t)
			const n = 16
			var writers []store.BackendWriter
			for i := range n {
				w, err := b.NewWriter(ctx, "race/target", &store.WriteOptions{})
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(w, "writer %d", i)
				writers = append(writers, w)
			}
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i, w := range writers {
				wg.Go(func() { errs[i] = w.Commit() })
			}
			wg.Wait()
			winner := -1
			for i, err := range errs {
				switch {
				case err == nil && winner >= 0:
					t.Errorf("writers %d and %d both committed", winner, i)
				case err == nil:
					winner = i
				default:
					wantKind(t, fmt.Sprintf("writer %d", i), st.Backend().Classify(err), store.ErrAlreadyExists)
				}
			}
			got, err := st.ReadString(ctx, "race/target")
			if winner < 0 || err != nil || got != fmt.Sprintf("writer %d", winner) {
				t.Errorf("winner %d, file holds %q (%v)", winner, got, err)
			}
			if got := names(t, filepath.Join(dir, "race")); !slices.Equal(got, []string{"target"}) {
				t.Errorf("left on disk: %v", got)
			}
		})
	}
}

func TestCopyMove(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		t.Run(fmt.Sprintf("linkFallback=%v", fallback), func(t *testing.T) {
			if fallback {
				old := renameNoReplaceFunc
				renameNoReplaceFunc = func(*os.File, string, *os.File, string) error { return errNoReplaceUnsupported }
				t.Cleanup(func() { renameNoReplaceFunc = old })
			}
			ctx := t.Context()
			_, st, dir := newTest(t)
			mustWrite(t, filepath.Join(dir, "src"), "source")
			mustWrite(t, filepath.Join(dir, "other"), "other")
			if err := st.Copy(ctx, "src", "copies/a/dst", nil); err != nil {
				t.Fatal(err)
			}
			if got, _ := st.ReadString(ctx, "copies/a/dst"); got != "source" {
				t.Errorf("copy holds %q", got)
			}
			wantKind(t, "copy onto existing", st.Copy(ctx, "other", "copies/a/dst", nil), store.ErrAlreadyExists)
			if err := st.Copy(ctx, "other", "copies/a/dst", &store.CopyOptions{Overwrite: true}); err != nil {
				t.Fatal(err)
			}
			if got, _ := st.ReadString(ctx, "copies/a/dst"); got != "other" {
				t.Errorf("overwritten copy holds %q", got)
			}
			wantKind(t, "move onto existing", st.Move(ctx, "src", "other", nil), store.ErrAlreadyExists)
			if got, _ := st.ReadString(ctx, "other"); got != "other" {
				t.Errorf("refused move changed the target to %q", got)
			}
			if err := st.Move(ctx, "src", "moved/here", nil); err != nil {
				t.Fatal(err)
			}
			if got, _ := st.ReadString(ctx, "moved/here"); got != "source" {
				t.Errorf("moved file holds %q", got)
			}
			if ok, _ := st.Exists(ctx, "src"); ok {
				t.Error("source still exists after Move")
			}
			if err := st.Move(ctx, "moved/here", "other", &store.CopyOptions{Overwrite: true}); err != nil {
				t.Fatal(err)
			}
			if got, _ := st.ReadString(ctx, "other"); got != "source" {
				t.Errorf("overwriting move: target holds %q", got)
			}
			// Backend level, past Store's checks: a folder at the target.
			b := st.Backend().(*Backend)
			wantKind(t, "backend move onto folder", b.Move(ctx, "other", "copies", false), store.ErrIsFolder)
			wantKind(t, "backend move onto folder (overwrite)", b.Move(ctx, "other", "copies", true), store.ErrIsFolder)
			wantKind(t, "backend move of folder", b.Move(ctx, "copies", "x", false), store.ErrIsFolder)
			wantKind(t, "backend copy of folder", b.Copy(ctx, "copies", "x", false), store.ErrIsFolder)
			got := names(t, dir)
			slices.Sort(got)
			if !slices.Equal(got, []string{"copies", "moved", "other"}) {
				t.Errorf("root holds %v", got)
			}
			if got := names(t, filepath.Join(dir, "copies", "a")); !slices.Equal(got, []string{"dst"}) {
				t.Errorf("copies/a holds %v", got)
			}
		})
	}
}

func TestNameTooLong(t *testing.T) {
	_, st, _ := newTest(t)
	err := st.WriteString(t.Context(), strings.Repeat("n", 300), "x", nil)
	wantKind(t, "300-byte name", err, store.ErrInvalidPath)
}
