package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/remotestore/remotestore/backends/memory"
	"github.com/remotestore/remotestore/store"
)

func ExampleStore_Write() {
	ctx := context.Background()
	st := memory.NewStore()
	defer st.Close()

	// Write streams from any io.Reader and refuses to replace a file...
	if err := st.Write(ctx, "reports/q1.csv", strings.NewReader("region,total\neu,42\n"), nil); err != nil {
		fmt.Println(err)
	}
	err := st.WriteString(ctx, "reports/q1.csv", "again", nil)
	fmt.Println(errors.Is(err, store.ErrAlreadyExists), err)

	// ...unless asked to.
	if err := st.WriteString(ctx, "reports/q1.csv", "region,total\neu,43\n", &store.WriteOptions{Overwrite: true}); err != nil {
		fmt.Println(err)
	}
	s, _ := st.ReadString(ctx, "reports/q1.csv")
	fmt.Print(s)
	// Output:
	// true store: write mem:///reports/q1.csv: already exists: file exists; pass Overwrite to replace it
	// region,total
	// eu,43
}

func ExampleStore_NewWriter() {
	ctx := context.Background()
	st := memory.NewStore()
	defer st.Close()

	write := func(path string, fail bool) error {
		w, err := st.NewWriter(ctx, path, nil)
		if err != nil {
			return err
		}
		defer w.Close() // aborts unless Commit succeeded
		if _, err := io.WriteString(w, "partial"); err != nil {
			return err
		}
		if fail {
			return errors.New("producer failed")
		}
		return w.Commit()
	}
	fmt.Println(write("ok.txt", false))
	fmt.Println(write("failed.txt", true))
	for _, p := range []string{"ok.txt", "failed.txt"} {
		ok, _ := st.Exists(ctx, p)
		fmt.Println(p, ok)
	}
	// Output:
	// <nil>
	// producer failed
	// ok.txt true
	// failed.txt false
}

func ExampleStore_ListFiles() {
	ctx := context.Background()
	st := memory.NewStore()
	defer st.Close()
	for _, p := range []string{"a.txt", "logs/1.log", "logs/2.log", "logs/old/0.log"} {
		st.WriteString(ctx, p, p, nil)
	}

	// MaxDepth 1: direct children only; the order is unspecified.
	var names []string
	for f, err := range st.ListFiles(ctx, "logs", &store.ListOptions{MaxDepth: 1}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		names = append(names, fmt.Sprintf("%s (%d bytes)", f.Path, f.Size))
	}
	slices.Sort(names)
	fmt.Println(strings.Join(names, "\n"))

	fi, _ := st.FolderInfo(ctx, "", nil)
	fmt.Printf("%d files in %d folders, %d bytes\n", fi.Files, fi.Folders, fi.TotalBytes)
	// Output:
	// logs/1.log (10 bytes)
	// logs/2.log (10 bytes)
	// 4 files in 2 folders, 39 bytes
}

func ExampleStore_Glob() {
	ctx := context.Background()
	st := memory.NewStore()
	defer st.Close()
	for _, p := range []string{"sales/year=2024/part-0.parquet", "sales/year=2025/part-0.parquet", "sales/year=2025/part-1.parquet", "sales/_SUCCESS"} {
		st.WriteString(ctx, p, "", nil)
	}
	var got []string
	for f, err := range st.Glob(ctx, "sales/year=2025/*.parquet") {
		if err != nil {
			fmt.Println(err)
			return
		}
		got = append(got, f.Path)
	}
	slices.Sort(got)
	fmt.Println(got)
	// Output:
	// [sales/year=2025/part-0.parquet sales/year=2025/part-1.parquet]
}

func ExampleStore_OpenSeekable() {
	ctx := context.Background()
	st := memory.NewStore()
	defer st.Close()
	st.WriteString(ctx, "data.bin", "0123456789abcdef", nil)

	r, err := st.OpenSeekable(ctx, "data.bin")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	buf := make([]byte, 4)
	r.ReadAt(buf, 10) // safe from many goroutines at once
	fmt.Printf("size %d, bytes 10-13 %q\n", r.Size(), buf)
	r.Seek(-3, io.SeekEnd)
	tail, _ := io.ReadAll(r)
	fmt.Printf("tail %q\n", tail)
	// Output:
	// size 16, bytes 10-13 "abcd"
	// tail "def"
}

func ExampleStore_Sub() {
	ctx := context.Background()
	st := memory.NewStore()
	defer st.Close()

	team, _ := st.Sub("teams/blue")
	team.WriteString(ctx, "notes.md", "# blue", nil)

	// The parent sees the child's files below the folder...
	s, _ := st.ReadString(ctx, "teams/blue/notes.md")
	fmt.Println(s)
	// ...and the child can never climb out.
	_, err := team.ReadString(ctx, "../red/notes.md")
	fmt.Println(errors.Is(err, store.ErrInvalidPath))
	res, _ := team.Resolve("notes.md")
	fmt.Println(res.Key, res.URI)
	// Output:
	// # blue
	// true
	// teams/blue/notes.md mem:///teams/blue/notes.md
}

func ExampleOpenURL() {
	ctx := context.Background()
	// Importing backends/memory registered the "mem" scheme.
	st, err := store.OpenURL(ctx, "mem://")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	fmt.Println(st, st.Capabilities().Has(store.CapAtomicWrite))

	_, err = store.OpenURL(ctx, "nosuch://bucket")
	fmt.Println(errors.Is(err, store.ErrInvalidConfig))
	// Output:
	// mem:/// true
	// true
}

func ExampleParseConfig() {
	cfg, err := store.ParseConfig([]byte(`
backends:
  scratch:
    type: mem
stores:
  raw:
    backend: scratch
    root_path: raw/${EXAMPLE_UNSET_VAR:-events}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	st, err := cfg.Open(context.Background(), "raw")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	fmt.Println(cfg.StoreNames(), st.URI("2026/x.json"))
	// Output:
	// [raw] mem:///raw/events/2026/x.json
}

func ExampleCleanPath() {
	for _, p := range []string{"a//b/", "./a/../b", "../etc/passwd"} {
		c, err := store.CleanPath(p)
		fmt.Printf("%q %q %v\n", p, c, err)
	}
	// Output:
	// "a//b/" "a/b" <nil>
	// "./a/../b" "b" <nil>
	// "../etc/passwd" "" store: clean "../etc/passwd": invalid path: ".." leaves the store root
}

func ExampleStore_FS() {
	ctx := context.Background()
	st := memory.NewStore()
	defer st.Close()
	st.WriteString(ctx, "site/index.html", "<h1>hi</h1>", nil)
	st.WriteString(ctx, "site/css/a.css", "body{}", nil)

	// Any io/fs consumer works on any backend.
	fsys := st.FS(ctx)
	entries, _ := fs.ReadDir(fsys, "site")
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name()+"/")
		} else {
			names = append(names, e.Name())
		}
	}
	fmt.Println(names)
	// Output:
	// [css/ index.html]
}
