package s3_test

import (
	"context"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	s3store "github.com/remotestore/remotestore/backends/s3"
	"github.com/remotestore/remotestore/store"
)

// Open a store by URL: region and credentials come from the SDK's default
// chain (environment, shared config, web identity, instance role).
func Example_openURL() {
	ctx := context.Background()
	st, err := store.OpenURL(ctx, "s3://analytics/raw/events?region=eu-west-1")
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	fmt.Println(st.URI("2024/01/part-0.parquet"))
}

// An S3-compatible server on a custom endpoint, with path-style
// addressing and static keys from a secret store.
func ExampleNew() {
	ctx := context.Background()
	b, err := s3store.New(ctx, s3store.Config{
		Bucket:          "lake",
		Prefix:          "team-a",
		Endpoint:        "http://127.0.0.1:7070",
		UsePathStyle:    true,
		AccessKeyID:     store.Secret("AKIAEXAMPLE"),
		SecretAccessKey: store.Secret("example-secret"),
	})
	if err != nil {
		log.Fatal(err)
	}
	st := store.New(b)
	defer st.Close()
	fmt.Println(st.URI("a.txt"))
	fmt.Printf("%v\n", store.Secret("example-secret"))
	// Output:
	// s3://lake/team-a/a.txt
	// ***
}

// Reach the SDK client for what the store does not cover.
func ExampleBackend_As() {
	b, err := s3store.New(context.Background(), s3store.Config{Bucket: "lake", Endpoint: "http://127.0.0.1:7070"})
	if err != nil {
		log.Fatal(err)
	}
	st := store.New(b)
	var client *s3.Client
	fmt.Println(st.As(&client), client == b.Client())
	// Output: true true
}
