package http_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	_ "github.com/remotestore/remotestore/backends/http" // registers http:// and https://
	"github.com/remotestore/remotestore/store"
)

// Files on a web server are read through a store opened from the base URL.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/data/2024/report.csv" {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, "", time.Unix(1700000000, 0), strings.NewReader("id,value\n1,42\n"))
	}))
	defer srv.Close()

	ctx := context.Background()
	st, err := store.OpenURL(ctx, srv.URL+"/data?timeout=10s")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()

	info, _ := st.Stat(ctx, "2024/report.csv")
	fmt.Println(info.Path, info.Size)
	rc, _ := st.OpenRange(ctx, "2024/report.csv", 9, 4) // a Range request
	buf := make([]byte, 4)
	n, _ := io.ReadFull(rc, buf)
	rc.Close()
	fmt.Printf("%q\n", buf[:n])
	_, err = st.ReadBytes(ctx, "2024/missing.csv")
	fmt.Println(err != nil, strings.Contains(err.Error(), "not found"))
	// Output:
	// 2024/report.csv 14
	// "1,42"
	// true true
}
