package s3_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	s3store "github.com/remotestore/remotestore/backends/s3"
	s3server "github.com/remotestore/remotestore/internal/testserver/s3"
	"github.com/remotestore/remotestore/store"
	"github.com/remotestore/remotestore/store/storetest"
)

// The tests run against versitygw, a real S3-compatible server started on
// 127.0.0.1 for this test binary (see internal/testserver/s3).
func TestMain(m *testing.M) { os.Exit(s3server.Main(m)) }

// config returns a backend config for the test server, rooted at a new
// prefix of the run's bucket.
func config(t testing.TB) s3store.Config {
	srv := s3server.Get(t)
	return s3store.Config{
		Bucket:          srv.Bucket(t),
		Prefix:          s3server.Prefix(t),
		Endpoint:        srv.Endpoint,
		Region:          s3server.Region,
		UsePathStyle:    true,
		AccessKeyID:     store.Secret(srv.AccessKey),
		SecretAccessKey: store.Secret(srv.SecretKey),
		PartSize:        s3store.MinPartSize, // several parts even in the short large tests
	}
}

// harness gives the suite a store over an empty prefix of the run's bucket
// per test; the prefix is the backend's own root, and the suite's second
// pass adds a Sub on top.
var harness = storetest.Harness{
	NewStore: func(ctx context.Context, t testing.TB) (*store.Store, error) {
		b, err := s3store.New(ctx, config(t))
		if err != nil {
			return nil, err
		}
		return store.New(b), nil
	},
	Options: storetest.Options{LargeSize: 24 << 20},
}

func TestConformance(t *testing.T) { storetest.Run(t, harness) }

func BenchmarkConformance(b *testing.B) { storetest.RunBenchmarks(b, harness) }

// TestOpenURL opens the store by URL with credentials from the environment
// (the SDK's default chain), writes, reads and lists through it.
func TestOpenURL(t *testing.T) {
	srv := s3server.Get(t)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	u := "s3://" + srv.Bucket(t) + "/" + s3server.Prefix(t) + "?endpoint=" + url.QueryEscape(srv.Endpoint) +
		"&region=" + s3server.Region + "&use_path_style=true"
	st, err := store.OpenURL(t.Context(), u)
	if err != nil {
		t.Fatalf("OpenURL: %v", err)
	}
	defer st.Close()
	if err := st.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := st.WriteString(t.Context(), "a/b.txt", "hello", nil); err != nil {
		t.Fatal(err)
	}
	got, err := st.ReadString(t.Context(), "a/b.txt")
	if err != nil || got != "hello" {
		t.Errorf("ReadString = %q, %v", got, err)
	}
	if !strings.HasPrefix(st.URI("a/b.txt"), "s3://"+srv.Bucket(t)+"/t/") {
		t.Errorf("URI = %q", st.URI("a/b.txt"))
	}
	var client *s3.Client
	if !st.As(&client) || client == nil {
		t.Error("Store.As(**s3.Client) = false")
	}
	if _, err := client.HeadBucket(t.Context(), &s3.HeadBucketInput{Bucket: aws.String(srv.Bucket(t))}); err != nil {
		t.Errorf("the native client does not work: %v", err)
	}
}

// TestErrorKinds checks the classification of real server answers, and
// that the SDK's error stays reachable.
func TestErrorKinds(t *testing.T) {
	srv := s3server.Get(t)
	open := func(mutate func(*s3store.Config)) *store.Store {
		c := config(t)
		c.MaxAttempts = 1
		mutate(&c)
		b, err := s3store.New(t.Context(), c)
		if err != nil {
			t.Fatal(err)
		}
		return store.New(b)
	}
	ctx := t.Context()

	bad := open(func(c *s3store.Config) { c.SecretAccessKey = "wrong-secret-wrong-secret" })
	_, err := bad.Stat(ctx, "x")
	if !errors.Is(err, store.ErrPermission) {
		t.Errorf("Stat with a wrong secret = %v, want ErrPermission", err)
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Errorf("the SDK error is not reachable through %v", err)
	}
	if strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("the error shows the secret: %v", err)
	}

	missing := open(func(c *s3store.Config) { c.Bucket = "no-such-bucket-" + strings.ToLower(s3server.Prefix(t)[2:12]) })
	if err := missing.Ping(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Ping of a missing bucket = %v, want ErrNotFound", err)
	}

	down := open(func(c *s3store.Config) { c.Endpoint = "http://127.0.0.1:1" })
	if _, err := down.ReadBytes(ctx, "x"); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("read from a closed port = %v, want ErrUnavailable", err)
	}

	st := open(func(*s3store.Config) {})
	_, err = st.ReadBytes(ctx, "nothing/here")
	if !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "s3://"+srv.Bucket(t)+"/") {
		t.Errorf("read of a missing file = %v, want ErrNotFound naming the s3:// location", err)
	}
	if err := st.WriteString(ctx, "dup", "1", nil); err != nil {
		t.Fatal(err)
	}
	if err := st.WriteString(ctx, "dup", "2", nil); !errors.Is(err, store.ErrAlreadyExists) {
		t.Errorf("second write without overwrite = %v, want ErrAlreadyExists", err)
	}
}
