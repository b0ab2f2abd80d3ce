package azure_test

import (
	"context"
	"fmt"
	"log"
	"net/url"
	"os"
	"strings"

	azstore "github.com/remotestore/remotestore/backends/azure"
	"github.com/remotestore/remotestore/store"
)

// Opening a store by URL: the account's key, SAS or connection string
// comes from the environment (AZURE_STORAGE_KEY, …) or, without one, from
// DefaultAzureCredential (managed identity, workload identity, az login).
func Example() {
	ctx := context.Background()
	st, err := store.OpenURL(ctx, "az://analytics/raw/events?account=mylake")
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	err = st.Write(ctx, "day=2026-11-28/part-0.json", strings.NewReader(`{"n":1}`), nil) // atomic, streamed
	if err != nil {
		log.Fatal(err)
	}
	for f, err := range st.ListFiles(ctx, "", nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(f.Path, f.Size, f.ETag)
	}
}

// Opening a backend on Azurite with a typed Config: the same fields a YAML
// config takes under options.
func ExampleNew() {
	ctx := context.Background()
	b, err := azstore.New(ctx, azstore.Config{
		Container:  "analytics",
		Prefix:     "raw",
		Endpoint:   "http://127.0.0.1:10000/devstoreaccount1",
		AccountKey: store.Secret(os.Getenv("AZURITE_KEY")),
		BlockSize:  16 << 20, // 16 MiB blocks, 4 in flight: at most 80 MiB per writer
	})
	if err != nil {
		log.Fatal(err)
	}
	st := store.New(b)
	defer st.Close()
	if err := st.Ping(ctx); err != nil {
		log.Fatal(err)
	}
}

// The URL forms and what they set.
func ExampleParseURL() {
	for _, raw := range []string{
		"az://analytics/raw?account=mylake",
		"azure://mylake.blob.core.windows.net/analytics/raw",
		"az://analytics?endpoint=http://127.0.0.1:10000/devstoreaccount1&block_size=4194304",
	} {
		u, _ := url.Parse(raw)
		c, err := azstore.ParseURL(u)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("container=%s prefix=%s account=%s endpoint=%s block_size=%d\n", c.Container, c.Prefix, c.Account, c.Endpoint, c.BlockSize)
	}
	// Output:
	// container=analytics prefix=/raw account=mylake endpoint= block_size=0
	// container=analytics prefix=raw account=mylake endpoint=https://mylake.blob.core.windows.net block_size=0
	// container=analytics prefix= account= endpoint=http://127.0.0.1:10000/devstoreaccount1 block_size=4194304
}
