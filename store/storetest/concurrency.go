package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/remotestore/remotestore/store"
)

func concurrencyTests() []test {
	return []test{
		{name: "WritersOverwrite", needs: rw, fn: testConcurrentOverwrite},
		{name: "WritersExclusive", needs: rw, fn: testConcurrentExclusive},
		{name: "WritersExclusiveNoBarrier", needs: rw, fn: testConcurrentExclusiveLoose},
		{name: "ReadersSeeWholeVersions", needs: rw | store.CapAtomicWrite, fn: testReadersSeeWholeVersions},
		{name: "ManyPaths", needs: rw, fn: testConcurrentManyPaths},
		{name: "DeleteMissingOK", needs: rwd, fn: testConcurrentDelete},
	}
}

const (
	writers     = 8
	versionSize = 256<<10 + 7
)

// version returns writer w's content: distinct for every writer, so a mix
// of two shows.
func version(w int) []byte { return versions()[w] }

var versions = sync.OnceValue(func() [][]byte {
	out := make([][]byte, writers)
	for w := range out {
		out[w] = pattern(100 + w).bytes(versionSize)
	}
	return out
})

// whichVersion returns the writer whose content b is, or -1.
func whichVersion(b []byte, n int) int {
	for w := range n {
		if bytes.Equal(b, version(w)) {
			return w
		}
	}
	return -1
}

// writeInChunks writes b to w in uneven chunks, so concurrent writers
// interleave their calls.
func writeInChunks(w *store.Writer, b []byte) error {
	for len(b) > 0 {
		n := min(len(b), 1000+len(b)%7919)
		if _, err := w.Write(b[:n]); err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// testConcurrentOverwrite has several writers replace one file at once:
// the result is one writer's whole content, never a mix.
func testConcurrentOverwrite(e *env) {
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for w := range writers {
		wg.Go(func() {
			wr, err := e.st.NewWriter(e.ctx, "race/file.bin", overwrite)
			if err != nil {
				errs[w] = err
				return
			}
			defer wr.Close()
			if err := writeInChunks(wr, version(w)); err != nil {
				errs[w] = err
				return
			}
			errs[w] = wr.Commit()
		})
	}
	wg.Wait()
	for w, err := range errs {
		if err != nil {
			e.t.Errorf("writer %d: %v", w, err)
		}
	}
	got := e.read(e.st, "race/file.bin")
	if whichVersion(got, writers) < 0 {
		e.t.Errorf("after %d concurrent overwrites the file is %s: no writer's whole content", writers, preview(got))
	}
}

// testConcurrentExclusive opens every writer before any commits, then
// commits them all at once without Overwrite: exactly one wins and the
// others get ErrAlreadyExists.
func testConcurrentExclusive(e *env) {
	ws := make([]*store.Writer, writers)
	for w := range writers {
		wr, err := e.st.NewWriter(e.ctx, "excl.bin", nil)
		if err != nil {
			e.t.Fatalf("NewWriter %d: %v", w, err)
		}
		defer wr.Close()
		if err := writeInChunks(wr, version(w)); err != nil {
			e.t.Fatalf("writer %d: %v", w, err)
		}
		ws[w] = wr
	}
	start := make(chan struct{})
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			<-start
			errs[w] = ws[w].Commit()
		})
	}
	close(start)
	wg.Wait()
	e.checkExclusive(errs, "excl.bin")
}

// testConcurrentExclusiveLoose races whole WriteBytes calls without
// Overwrite: again exactly one wins.
func testConcurrentExclusiveLoose(e *env) {
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() { errs[w] = e.st.WriteBytes(e.ctx, "loose.bin", version(w), nil) })
	}
	wg.Wait()
	e.checkExclusive(errs, "loose.bin")
}

func (e *env) checkExclusive(errs []error, path string) {
	e.t.Helper()
	winner := -1
	wins := 0
	for w, err := range errs {
		switch {
		case err == nil:
			winner = w
			wins++
		case !errors.Is(err, store.ErrAlreadyExists):
			e.t.Errorf("writer %d: %v, want nil or ErrAlreadyExists", w, err)
		}
	}
	got := e.read(e.st, path)
	which := whichVersion(got, writers)
	if which < 0 {
		e.t.Fatalf("%s is %s: no writer's whole content", path, preview(got))
	}
	if why := e.h.Options.NoExclusiveCreate; why != "" {
		e.t.Logf("declared exception NoExclusiveCreate (%s): %d of %d writers succeeded", why, wins, writers)
		return
	}
	if wins != 1 {
		e.t.Errorf("%d of %d exclusive writers succeeded, want exactly 1", wins, writers)
	} else if which != winner {
		e.t.Errorf("%s holds writer %d's content, but writer %d won", path, which, winner)
	}
}

// testReadersSeeWholeVersions reads a file in a loop while writers replace
// it: with atomic writes every read is one whole version.
func testReadersSeeWholeVersions(e *env) {
	e.put(e.st, "live.bin", version(0))
	var done atomic.Bool
	var reads atomic.Int64
	var wg sync.WaitGroup
	readErr := make(chan error, 2)
	for range 2 {
		wg.Go(func() {
			for !done.Load() {
				b, err := e.st.ReadBytes(e.ctx, "live.bin")
				if err != nil {
					readErr <- err
					return
				}
				if whichVersion(b, writers) < 0 {
					readErr <- fmt.Errorf("a reader saw %s: no writer's whole content", preview(b))
					return
				}
				reads.Add(1)
			}
		})
	}
	for round := range 3 {
		for w := 1; w < writers; w++ {
			if err := e.st.WriteBytes(e.ctx, "live.bin", version(w), overwrite); err != nil {
				e.t.Errorf("round %d, writer %d: %v", round, w, err)
			}
		}
	}
	done.Store(true)
	wg.Wait()
	close(readErr)
	for err := range readErr {
		e.t.Error(err)
	}
	e.t.Logf("%d reads during %d writes", reads.Load(), 3*(writers-1))
}

func testConcurrentManyPaths(e *env) {
	const goroutines, each = 16, 4
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*each)
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				p := fmt.Sprintf("many/g%02d/f%d.txt", g, i)
				if err := e.st.WriteString(e.ctx, p, p, nil); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		e.t.Error(err)
	}
	for g := range goroutines {
		for i := range each {
			p := fmt.Sprintf("many/g%02d/f%d.txt", g, i)
			e.wantContent(e.st, p, []byte(p))
		}
	}
	if e.has(store.CapList) {
		fi, err := e.st.FolderInfo(e.ctx, "many", nil)
		if err != nil || fi.Files != goroutines*each || fi.Folders != goroutines {
			e.t.Errorf("FolderInfo(many) = %+v, %v; want %d files in %d folders", fi, err, goroutines*each, goroutines)
		}
	}
}

func testConcurrentDelete(e *env) {
	e.put(e.st, "del/target.txt", []byte("x"))
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for w := range writers {
		wg.Go(func() {
			errs[w] = e.st.Delete(e.ctx, "del/target.txt", &store.DeleteOptions{MissingOK: true})
		})
	}
	wg.Wait()
	for w, err := range errs {
		if err != nil {
			e.t.Errorf("deleter %d: %v", w, err)
		}
	}
	e.wantMissing(e.st, "del/target.txt")
}
