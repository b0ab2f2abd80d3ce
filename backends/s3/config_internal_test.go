package s3

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/remotestore/remotestore/store"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want Config
	}{
		{"s3://bkt", Config{Bucket: "bkt"}},
		{"s3://bkt/a/b/", Config{Bucket: "bkt", Prefix: "/a/b/"}},
		{"s3://bkt/p?region=eu-west-1&endpoint=http://127.0.0.1:7070&use_path_style=true",
			Config{Bucket: "bkt", Prefix: "/p", Region: "eu-west-1", Endpoint: "http://127.0.0.1:7070", UsePathStyle: true}},
		{"s3://bkt?profile=dev&anonymous=1&part_size=16777216&concurrency=8&max_attempts=5&no_conditional_writes=true",
			Config{Bucket: "bkt", Profile: "dev", Anonymous: true, PartSize: 16 << 20, Concurrency: 8, MaxAttempts: 5, NoConditionalWrites: true}},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseURL(u)
		if err != nil {
			t.Errorf("ParseURL(%s): %v", tc.url, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseURL(%s) = %+v, want %+v", tc.url, got, tc.want)
		}
	}
}

func TestParseURLRejects(t *testing.T) {
	for _, tc := range []struct{ url, msg string }{
		{"s3:///prefix", "no bucket"},
		{"s3://bkt?colour=red", `unknown query parameter "colour"`},
		{"s3://bkt?region=a&region=b", "given 2 times"},
		{"s3://bkt?part_size=big", "part_size"},
		{"s3://bkt?use_path_style=maybe", "use_path_style"},
		{"s3://bkt?secret_access_key=hunter2hunter2", "credentials are not accepted"},
		{"s3://AKIA:hunter2hunter2@bkt/p", "credentials in the URL"},
		{"gs://bkt", "scheme"},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ParseURL(u)
		if !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseURL(%s) = %v, want ErrInvalidConfig mentioning %q", tc.url, err, tc.msg)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParseURL(%s): error shows the secret: %v", tc.url, err)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := Config{Bucket: "bkt", Prefix: "/a//b/", Endpoint: "http://127.0.0.1:1"}
	prefix, err := ok.validate()
	if err != nil || prefix != "a/b" {
		t.Fatalf("validate() = %q, %v; want a/b", prefix, err)
	}
	if ok.PartSize != DefaultPartSize || ok.Concurrency != DefaultConcurrency {
		t.Errorf("defaults not filled in: %+v", ok)
	}
	for _, tc := range []struct {
		c   Config
		msg string
	}{
		{Config{}, "bucket is required"},
		{Config{Bucket: "a/b"}, "no slashes"},
		{Config{Bucket: "b", Prefix: "../up"}, "prefix"},
		{Config{Bucket: "b", Endpoint: "127.0.0.1:7070"}, "endpoint"},
		{Config{Bucket: "b", PartSize: 1 << 20}, "part_size"},
		{Config{Bucket: "b", Concurrency: -1}, "concurrency"},
		{Config{Bucket: "b", AccessKeyID: "AKIAEXAMPLE"}, "go together"},
		{Config{Bucket: "b", SessionToken: "tok"}, "session_token"},
		{Config{Bucket: "b", Anonymous: true, AccessKeyID: "a", SecretAccessKey: "s"}, "exclude"},
	} {
		_, err := tc.c.validate()
		if !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("validate(%+v) = %v, want ErrInvalidConfig mentioning %q", tc.c, err, tc.msg)
		}
	}
}

// TestConfigSecrets checks that static keys decode from YAML but never
// print, and that New accepts them without sending a request.
func TestConfigSecrets(t *testing.T) {
	var c Config
	src := "bucket: b\nendpoint: http://127.0.0.1:1\naccess_key_id: AKIAEXAMPLE\nsecret_access_key: hunter2hunter2\n"
	if err := yaml.Unmarshal([]byte(src), &c); err != nil {
		t.Fatal(err)
	}
	if c.SecretAccessKey.Reveal() != "hunter2hunter2" {
		t.Fatalf("secret_access_key decoded as %q", c.SecretAccessKey.Reveal())
	}
	for _, s := range []string{fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c)} {
		if strings.Contains(s, "hunter2") || strings.Contains(s, "AKIAEXAMPLE") {
			t.Errorf("config prints a secret: %s", s)
		}
	}
	b, err := New(context.Background(), c)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	creds, err := b.client.Options().Credentials.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != "AKIAEXAMPLE" || creds.SecretAccessKey != "hunter2hunter2" {
		t.Errorf("static credentials not used: %+v, %v", creds.AccessKeyID, err)
	}
}

// TestDefaultChain checks that without static keys the SDK's chain
// supplies credentials and region (here from the environment), and that
// empty options do not override it.
func TestDefaultChain(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAFROMENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secretfromenv")
	t.Setenv("AWS_REGION", "eu-north-1")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	b, err := New(context.Background(), Config{Bucket: "b", Region: "", AccessKeyID: ""})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if r := b.client.Options().Region; r != "eu-north-1" {
		t.Errorf("region = %q, want the environment's eu-north-1", r)
	}
	creds, err := b.client.Options().Credentials.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != "AKIAFROMENV" {
		t.Errorf("credentials = %q, %v; want the environment's", creds.AccessKeyID, err)
	}
	t.Setenv("AWS_REGION", "")
	if _, err := New(context.Background(), Config{Bucket: "b"}); !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), "no region") {
		t.Errorf("New without any region = %v, want ErrInvalidConfig (no region)", err)
	}
	b, err = New(context.Background(), Config{Bucket: "b", Endpoint: "http://127.0.0.1:1"})
	if err != nil || b.client.Options().Region != "us-east-1" {
		t.Errorf("New with an endpoint and no region: %v; want region us-east-1", err)
	}
}

func TestKeys(t *testing.T) {
	b := &Backend{bucket: "bkt", prefix: "root/p"}
	if got := b.key("a/b"); got != "root/p/a/b" {
		t.Errorf("key = %q", got)
	}
	if got := b.dirPrefix(""); got != "root/p/" {
		t.Errorf("dirPrefix(root) = %q", got)
	}
	if got := b.URI("x y"); got != "s3://bkt/root/p/x y" {
		t.Errorf("URI = %q", got)
	}
	for key, want := range map[string]string{"root/p/a/b": "a/b", "root/p/a/": "", "root/p/a//b": "", "root/px/a": "", "root/p/": ""} {
		got, ok := b.path(key)
		if got != want || ok != (want != "") {
			t.Errorf("path(%q) = %q, %v; want %q", key, got, ok, want)
		}
	}
	b.prefix = ""
	if got := b.dirPrefix(""); got != "" {
		t.Errorf("dirPrefix(bucket root) = %q", got)
	}
	if got := copySource("bkt", "a b/100%+x?.txt"); got != "bkt/a%20b/100%25%2Bx%3F.txt" {
		t.Errorf("copySource = %q", got)
	}
}
