package local

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/remotestore/remotestore/store"
)

// TestSymlinksStayInside: links inside the root are followed; a link
// leaving it can be neither read, written through, listed into nor used to
// delete outside files.
func TestSymlinksStayInside(t *testing.T) {
	ctx := t.Context()
	_, st, dir := newTest(t)
	outside := t.TempDir()
	mustWrite(t, filepath.Join(outside, "secret"), "secret")
	mustWrite(t, filepath.Join(dir, "real", "f"), "inside")
	for link, target := range map[string]string{
		"esc":      outside,
		"escf":     filepath.Join(outside, "secret"),
		"escrel":   "../" + filepath.Base(outside),
		"dangling": filepath.Join(dir, "nowhere"),
		"in":       "real",
		"inf":      "real/f",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Skipf("cannot make symlinks here: %v", err)
		}
	}
	// Inside links work.
	if got, err := st.ReadString(ctx, "in/f"); got != "inside" || err != nil {
		t.Errorf("read through inside link: %q, %v", got, err)
	}
	if got, err := st.ReadString(ctx, "inf"); got != "inside" || err != nil {
		t.Errorf("read inside file link: %q, %v", got, err)
	}
	if np, err := st.NativePath(ctx, "inf"); err != nil || filepath.Base(np) != "f" || filepath.Base(filepath.Dir(np)) != "real" {
		t.Errorf("native path of inside file link: %q, %v; want …/real/f", np, err)
	}
	// Escaping ones fail with ErrPermission, whatever the operation.
	for _, p := range []string{"esc/secret", "escf", "escrel/secret"} {
		_, err := st.ReadString(ctx, p)
		wantKind(t, "read "+p, err, store.ErrPermission)
		_, err = st.Stat(ctx, p)
		wantKind(t, "stat "+p, err, store.ErrPermission)
		_, err = st.OpenSeekable(ctx, p)
		wantKind(t, "seekable "+p, err, store.ErrPermission)
		_, err = st.NativePath(ctx, p)
		wantKind(t, "native path "+p, err, store.ErrPermission)
		wantKind(t, "overwrite "+p, st.WriteString(ctx, p, "pwned", &store.WriteOptions{Overwrite: true}), store.ErrPermission)
		wantKind(t, "copy from "+p, st.Copy(ctx, p, "stolen", nil), store.ErrPermission)
	}
	wantKind(t, "write into esc", st.WriteString(ctx, "esc/new", "pwned", nil), store.ErrPermission)
	wantKind(t, "copy into esc", st.Copy(ctx, "real/f", "esc/new", nil), store.ErrPermission)
	wantKind(t, "move into esc", st.Move(ctx, "real/f", "esc/new", nil), store.ErrPermission)
	wantKind(t, "delete esc/secret", st.Delete(ctx, "esc/secret", nil), store.ErrPermission)
	wantKind(t, "delete-folder esc/x", st.DeleteFolder(ctx, "esc/x"), store.ErrPermission)
	for e, err := range st.List(ctx, "esc", nil) {
		if err == nil {
			t.Errorf("List(esc) yielded %+v", e)
		} else {
			wantKind(t, "list esc", err, store.ErrPermission)
		}
	}
	sub, err := st.Sub("esc")
	if err != nil {
		t.Fatal(err)
	}
	_, err = sub.ReadString(ctx, "secret")
	wantKind(t, "read through Sub(esc)", err, store.ErrPermission)

	// List of the root shows the inside links, skips the others.
	var got []string
	for e, err := range st.List(ctx, "", &store.ListOptions{MaxDepth: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s:%v", e.Path, e.IsFolder))
	}
	slices.Sort(got)
	if want := []string{"in:true", "inf:false", "real:true"}; !slices.Equal(got, want) {
		t.Errorf("List(root) = %v, want %v", got, want)
	}
	// Deleting links removes the links only.
	for _, p := range []string{"escf", "dangling", "inf"} {
		if err := st.Delete(ctx, p, nil); err != nil {
			t.Errorf("delete link %s: %v", p, err)
		}
	}
	wantKind(t, "delete link to inside folder", st.Delete(ctx, "in", nil), store.ErrIsFolder)
	wantKind(t, "delete-folder esc", st.DeleteFolder(ctx, "esc"), store.ErrPermission)
	if err := st.Delete(ctx, "esc", nil); err != nil {
		t.Errorf("delete escaping folder link: %v", err)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"escrel", "in", "real"}) {
		t.Errorf("root after deleting links: %v", got)
	}
	if b, err := os.ReadFile(filepath.Join(outside, "secret")); err != nil || string(b) != "secret" {
		t.Errorf("outside file changed: %q, %v", b, err)
	}
	if got := names(t, outside); !slices.Equal(got, []string{"secret"}) {
		t.Errorf("outside folder holds %v", got)
	}
	if got, err := st.ReadString(ctx, "real/f"); got != "inside" || err != nil {
		t.Errorf("link target inside changed: %q, %v", got, err)
	}
	// Below Store's checks: committing over an escaping link replaces the
	// link (rename never follows it); the outside file stays.
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "escf2")); err != nil {
		t.Fatal(err)
	}
	bw, err := st.Backend().NewWriter(ctx, "escf2", &store.WriteOptions{Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	bw.Write([]byte("mine"))
	if err := bw.Commit(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(filepath.Join(dir, "escf2")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("escf2 after commit: %v, %v; want a regular file", fi, err)
	}
	if b, err := os.ReadFile(filepath.Join(outside, "secret")); err != nil || string(b) != "secret" {
		t.Errorf("outside file after commit over a link to it: %q, %v", b, err)
	}
}
