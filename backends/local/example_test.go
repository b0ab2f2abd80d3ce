package local_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"strings"

	"github.com/remotestore/remotestore/backends/local"
	"github.com/remotestore/remotestore/store"
)

// Opening a folder by its path (a bare path is a file URL), writing, listing
// and reading.
func Example() {
	dir, err := os.MkdirTemp("", "local-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	st, err := store.OpenURL(ctx, dir) // or "file://" + dir
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()

	for _, name := range []string{"reports/2024/jan.csv", "reports/2024/feb.csv", "readme.txt"} {
		if err := st.WriteString(ctx, name, "month,total\n1,42\n", nil); err != nil {
			log.Fatal(err)
		}
	}
	var files []string
	for info, err := range st.ListFiles(ctx, "reports", nil) {
		if err != nil {
			log.Fatal(err)
		}
		files = append(files, fmt.Sprintf("%s (%d bytes)", info.Path, info.Size))
	}
	slices.Sort(files) // listing order is unspecified
	fmt.Println(strings.Join(files, "\n"))

	data, err := st.ReadString(ctx, "reports/2024/jan.csv")
	fmt.Printf("%q %v\n", data, err)

	err = st.WriteString(ctx, "readme.txt", "again", nil)
	fmt.Println(errors.Is(err, store.ErrAlreadyExists))
	// Output:
	// reports/2024/feb.csv (17 bytes)
	// reports/2024/jan.csv (17 bytes)
	// "month,total\n1,42\n" <nil>
	// true
}

// A streaming write is invisible until Commit; Close without Commit leaves
// nothing behind, not even the folder the write created.
func ExampleNew() {
	dir, err := os.MkdirTemp("", "local-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	b, err := local.New(ctx, local.Config{Root: dir})
	if err != nil {
		log.Fatal(err)
	}
	st := store.New(b)
	defer st.Close()

	w, err := st.NewWriter(ctx, "out/big.bin", nil)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := io.Copy(w, strings.NewReader(strings.Repeat("x", 1<<20))); err != nil {
		log.Fatal(err)
	}
	ok, _ := st.Exists(ctx, "out/big.bin")
	fmt.Println("visible before commit:", ok)
	if err := w.Commit(); err != nil {
		log.Fatal(err)
	}
	info, _ := st.Stat(ctx, "out/big.bin")
	fmt.Println("after commit:", info.Size, "bytes")

	w, _ = st.NewWriter(ctx, "scratch/tmp.bin", nil)
	w.Write([]byte("abandoned"))
	w.Close() // no Commit: aborted
	ok, _ = st.Exists(ctx, "scratch")
	fmt.Println("scratch exists after abort:", ok)
	// Output:
	// visible before commit: false
	// after commit: 1048576 bytes
	// scratch exists after abort: false
}
