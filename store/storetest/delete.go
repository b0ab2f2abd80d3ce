package storetest

import (
	"github.com/remotestore/remotestore/store"
)

func deleteTests() []test {
	return []test{
		{name: "Delete", needs: rwd, fn: testDelete},
		{name: "DeleteMissing", needs: rwd, fn: testDeleteMissing},
		{name: "DeleteFolderAsFile", needs: rwd, fn: testDeleteFolderAsFile},
		{name: "EmptyFolderAfterDelete", needs: rwd | store.CapList, fn: testEmptyFolderAfterDelete},
		{name: "DeleteFolder", needs: rwd | store.CapList, fn: testDeleteFolder},
		{name: "DeleteFolderErrors", needs: rwd | store.CapList, fn: testDeleteFolderErrors},
		{name: "DeleteFolderRoot", needs: rwd | store.CapList, fn: testDeleteFolderRoot},
	}
}

func testDelete(e *env) {
	e.put(e.st, "d/victim.txt", []byte("bye"))
	e.put(e.st, "d/other.txt", []byte("stay"))
	if err := e.st.Delete(e.ctx, "d/victim.txt", nil); err != nil {
		e.t.Fatalf("Delete: %v", err)
	}
	e.wantMissing(e.st, "d/victim.txt")
	e.wantContent(e.st, "d/other.txt", []byte("stay"))
	// The path can be written again.
	if err := e.st.WriteString(e.ctx, "d/victim.txt", "again", nil); err != nil {
		e.t.Errorf("writing a deleted path again: %v", err)
	}
	e.wantContent(e.st, "d/victim.txt", []byte("again"))
}

func testDeleteMissing(e *env) {
	err := e.st.Delete(e.ctx, "no/such/file", nil)
	e.wantErr(err, store.ErrNotFound, "Delete(missing)")
	if err := e.st.Delete(e.ctx, "no/such/file", &store.DeleteOptions{MissingOK: true}); err != nil {
		e.t.Errorf("Delete(missing, MissingOK) = %v, want nil", err)
	}
	e.put(e.st, "once.txt", []byte("1"))
	if err := e.st.Delete(e.ctx, "once.txt", &store.DeleteOptions{MissingOK: true}); err != nil {
		e.t.Errorf("Delete(existing, MissingOK): %v", err)
	}
	e.wantMissing(e.st, "once.txt")
	e.wantErr(e.st.Delete(e.ctx, "once.txt", nil), store.ErrNotFound, "Delete twice")
	e.wantErr(e.st.Delete(e.ctx, "../x", &store.DeleteOptions{MissingOK: true}), store.ErrInvalidPath, "Delete(../x)")
}

func testDeleteFolderAsFile(e *env) {
	e.put(e.st, "folder/f.txt", []byte("f"))
	err := e.st.Delete(e.ctx, "folder", nil)
	if !(e.has(store.CapList) || e.has(store.CapRealFolders)) && err != nil {
		// Without listing a backend may not see the folder; any error will do.
	} else {
		e.wantErr(err, store.ErrIsFolder, "Delete(folder)")
	}
	e.wantErr(e.st.Delete(e.ctx, "", nil), store.ErrIsFolder, "Delete(root)")
	e.wantContent(e.st, "folder/f.txt", []byte("f"))
}

// testEmptyFolderAfterDelete checks what RealFolders promises: with it, a
// folder outlives its last file; without it, the folder goes with it.
func testEmptyFolderAfterDelete(e *env) {
	e.put(e.st, "lonely/only.txt", []byte("x"))
	if err := e.st.Delete(e.ctx, "lonely/only.txt", nil); err != nil {
		e.t.Fatalf("Delete: %v", err)
	}
	ok, err := e.st.IsFolder(e.ctx, "lonely")
	if err != nil {
		e.t.Fatalf("IsFolder: %v", err)
	}
	if e.has(store.CapRealFolders) {
		if !ok {
			e.t.Error("with real-folders, the folder vanished with its last file")
		}
		e.wantListing(e.st, "", []string{"lonely/"})
	} else {
		if ok {
			e.t.Error("without real-folders, the folder outlived its last file")
		}
		e.wantListing(e.st, "", nil)
	}
}

func testDeleteFolder(e *env) {
	e.putTree(e.st, deepTree)
	if err := e.st.DeleteFolder(e.ctx, "a"); err != nil {
		e.t.Fatalf("DeleteFolder(a): %v", err)
	}
	for p := range deepTree {
		if p[:2] == "a/" {
			e.wantMissing(e.st, p)
		} else {
			e.wantContent(e.st, p, []byte(deepTree[p]))
		}
	}
	e.wantMissing(e.st, "a")
	// The prefix sibling "ab" survives.
	e.wantListing(e.st, "", []string{"ab/", "ab/sibling.txt", "top.txt", "x/", "x/y/", "x/y/z.txt"})
	if err := e.st.DeleteFolder(e.ctx, "x/y/"); err != nil {
		e.t.Errorf("DeleteFolder(x/y/): %v", err)
	}
	e.wantMissing(e.st, "x/y/z.txt")
}

func testDeleteFolderErrors(e *env) {
	e.put(e.st, "file.txt", []byte("f"))
	if err := e.st.DeleteFolder(e.ctx, "missing/folder"); err != nil {
		e.t.Errorf("DeleteFolder(missing) = %v, want nil", err)
	}
	e.wantErr(e.st.DeleteFolder(e.ctx, "file.txt"), store.ErrNotFolder, "DeleteFolder(file)")
	e.wantContent(e.st, "file.txt", []byte("f"))
	e.wantErr(e.st.DeleteFolder(e.ctx, ".."), store.ErrInvalidPath, "DeleteFolder(..)")
}

// testDeleteFolderRoot empties the store; through Sub, the parent's other
// files survive.
func testDeleteFolderRoot(e *env) {
	if e.prefix != "" {
		e.put(e.base, "outside.txt", []byte("outside"))
		e.put(e.base, "some/prefixed.txt", []byte("sibling of the prefix"))
	}
	e.putTree(e.st, deepTree)
	if err := e.st.DeleteFolder(e.ctx, ""); err != nil {
		e.t.Fatalf("DeleteFolder(root): %v", err)
	}
	e.wantListing(e.st, "", nil)
	if e.prefix != "" {
		e.wantContent(e.base, "outside.txt", []byte("outside"))
		e.wantContent(e.base, "some/prefixed.txt", []byte("sibling of the prefix"))
	}
}
