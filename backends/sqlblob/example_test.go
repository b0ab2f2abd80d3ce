package sqlblob_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/remotestore/remotestore/backends/sqlblob"
	"github.com/remotestore/remotestore/store"
)

// A store in an SQLite file: write, read back, list.
func ExampleNewSQLite() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sqlblob-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	b, err := sqlblob.NewSQLite(ctx, sqlblob.SQLiteConfig{Path: filepath.Join(dir, "files.db"), Table: "files"})
	if err != nil {
		log.Fatal(err)
	}
	st := store.New(b)
	defer st.Close()

	if err := st.WriteString(ctx, "reports/2025/q1.csv", "region,total\neu,42\n", nil); err != nil {
		log.Fatal(err)
	}
	s, err := st.ReadString(ctx, "reports/2025/q1.csv")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(s)
	for info, err := range st.List(ctx, "reports", nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(info.Path, info.IsFolder)
	}
	// Output:
	// region,total
	// eu,42
	// reports/2025 true
	// reports/2025/q1.csv false
}

// Opening by URL; the blank import of the package registers the sqlite,
// postgres and postgresql schemes.
func Example_openURL() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sqlblob-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// postgres://app@db.internal/appdb?table=files&sslmode=verify-full works
	// the same way, with the password in PGPASSWORD.
	st, err := store.OpenURL(ctx, "sqlite://"+filepath.Join(dir, "files.db")+"?table=raw&chunk_size=4194304")
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	if err := st.WriteString(ctx, "a.txt", "hello", nil); err != nil {
		log.Fatal(err)
	}
	info, err := st.Stat(ctx, "a.txt")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.Size, info.ETag[:12])
	// Output:
	// 5 2cf24dba5fb0
}
