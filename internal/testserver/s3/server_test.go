package s3_test

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	s3server "github.com/remotestore/remotestore/internal/testserver/s3"
)

func TestMain(m *testing.M) { os.Exit(s3server.Main(m)) }

// TestServer checks that the started server stores and returns an object
// in the run's bucket, and that a second bucket is a different one.
func TestServer(t *testing.T) {
	srv := s3server.Get(t)
	ctx := t.Context()
	bucket := srv.Bucket(t)
	if again := srv.Bucket(t); again != bucket {
		t.Fatalf("Bucket() = %q then %q, want one bucket per run", bucket, again)
	}
	c := srv.Client()
	key := s3server.Prefix(t) + "/hello.txt"
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader("hello")}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key, Range: aws.String("bytes=1-3")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != "ell" {
		t.Errorf("ranged GetObject = %q, want %q", b, "ell")
	}
	other, err := srv.NewBucket(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if other == bucket {
		t.Errorf("NewBucket returned the run's bucket %q", other)
	}
	if _, err := os.Stat(srv.Dir() + "/" + bucket); err != nil {
		t.Errorf("bucket folder missing in the data dir: %v", err)
	}
}
