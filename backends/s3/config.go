package s3

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/remotestore/remotestore/store"
)

// Scheme is the URL scheme of the S3 backend.
const Scheme = "s3"

// Defaults of the transfer settings.
const (
	// DefaultPartSize is the multipart part size and the chunk size of
	// concurrent ranged reads.
	DefaultPartSize = 8 << 20
	// DefaultConcurrency is how many parts or chunks one writer or reader
	// moves at once.
	DefaultConcurrency = 4
	// MinPartSize is the smallest part S3 accepts (except the last one).
	MinPartSize = 5 << 20
	// MaxPartSize is the largest part S3 accepts.
	MaxPartSize = 5 << 30
	// MaxParts is the most parts one multipart upload may have.
	MaxParts = 10000
)

// Config configures an S3 backend. Every field is optional but Bucket;
// an empty field leaves the SDK's default in place (region and credentials
// from the environment, shared config, web identity, instance role).
type Config struct {
	// Bucket is the bucket's name. Required.
	Bucket string `yaml:"bucket"`
	// Prefix is the folder inside the bucket the backend serves ("" for
	// the whole bucket). It is cleaned like a store path.
	Prefix string `yaml:"prefix"`
	// Region is the bucket's region. Empty: the SDK's (AWS_REGION, shared
	// config); when that is empty too and Endpoint is set, "us-east-1".
	Region string `yaml:"region"`
	// Endpoint is the base URL of an S3-compatible server
	// ("http://127.0.0.1:7070"). Empty: AWS.
	Endpoint string `yaml:"endpoint"`
	// UsePathStyle addresses buckets as endpoint/bucket/key instead of
	// bucket.endpoint/key; most S3-compatible servers need it.
	UsePathStyle bool `yaml:"use_path_style"`
	// Profile is the shared-config profile to load (~/.aws/config).
	Profile string `yaml:"profile"`
	// AccessKeyID, SecretAccessKey and SessionToken are static credentials.
	// Set them only when the default chain cannot supply credentials; empty
	// values never override the chain. Not accepted in URLs.
	AccessKeyID     store.Secret `yaml:"access_key_id"`
	SecretAccessKey store.Secret `yaml:"secret_access_key"`
	SessionToken    store.Secret `yaml:"session_token"`
	// Anonymous sends unsigned requests (public buckets).
	Anonymous bool `yaml:"anonymous"`
	// PartSize is the multipart part size and the chunk size of concurrent
	// ranged reads, in bytes (default DefaultPartSize, at least MinPartSize).
	PartSize int64 `yaml:"part_size"`
	// Concurrency is how many parts a writer uploads, or chunks a reader
	// fetches, at once (default DefaultConcurrency). A writer holds up to
	// Concurrency+1 part buffers, a large read Concurrency+1 chunk buffers.
	Concurrency int `yaml:"concurrency"`
	// MaxAttempts is how many times the SDK tries a request before giving
	// up (default: the SDK's, 3).
	MaxAttempts int `yaml:"max_attempts"`
	// NoConditionalWrites is for servers without conditional writes
	// (If-None-Match: * on PutObject and CompleteMultipartUpload): writes
	// and copies that must not overwrite then check with a HEAD request just
	// before publishing, which leaves a small race (see the package doc).
	NoConditionalWrites bool `yaml:"no_conditional_writes"`
}

func init() {
	store.Register(Scheme, store.NewDriver(ParseURL, func(ctx context.Context, c Config) (store.Backend, error) {
		return New(ctx, c)
	}))
}

// urlParams lists the query parameters ParseURL accepts.
const urlParams = "region, endpoint, use_path_style, profile, anonymous, part_size, concurrency, max_attempts, no_conditional_writes"

// ParseURL parses "s3://bucket/prefix?region=…&endpoint=…" into a Config.
// Unknown query parameters are errors, and so are credentials: put those in
// the environment, a profile or a YAML config.
func ParseURL(u *url.URL) (Config, error) {
	bad := func(format string, args ...any) (Config, error) {
		return Config{}, fmt.Errorf("%w: s3: %s", store.ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	if !strings.EqualFold(u.Scheme, Scheme) {
		return bad("scheme %q is not %q", u.Scheme, Scheme)
	}
	if u.User != nil {
		return bad("credentials in the URL are not accepted; use the environment (AWS_ACCESS_KEY_ID, AWS_PROFILE, …) or a config file")
	}
	if u.Host == "" {
		return bad("no bucket: use s3://bucket/prefix")
	}
	if u.Fragment != "" {
		return bad(`an s3 URL takes no fragment; write "#" in a prefix as %%23`)
	}
	c := Config{Bucket: u.Host, Prefix: u.Path}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return bad("malformed query: %v", err)
	}
	for k, vs := range q {
		if len(vs) != 1 {
			return bad("query parameter %q given %d times", k, len(vs))
		}
		v := vs[0]
		var perr error
		switch k {
		case "region":
			c.Region = v
		case "endpoint":
			c.Endpoint = v
		case "profile":
			c.Profile = v
		case "use_path_style":
			c.UsePathStyle, perr = strconv.ParseBool(v)
		case "anonymous":
			c.Anonymous, perr = strconv.ParseBool(v)
		case "no_conditional_writes":
			c.NoConditionalWrites, perr = strconv.ParseBool(v)
		case "part_size":
			c.PartSize, perr = strconv.ParseInt(v, 10, 64)
		case "concurrency":
			c.Concurrency, perr = strconv.Atoi(v)
		case "max_attempts":
			c.MaxAttempts, perr = strconv.Atoi(v)
		case "access_key_id", "secret_access_key", "session_token":
			return bad("query parameter %q: credentials are not accepted in URLs; use the environment, a profile or a config file", k)
		default:
			return bad("unknown query parameter %q (known: %s)", k, urlParams)
		}
		if perr != nil {
			return bad("query parameter %s=%q: not a valid value", k, v)
		}
	}
	return c, nil
}

// validate checks c and fills in defaults; it returns the cleaned prefix.
func (c *Config) validate() (string, error) {
	bad := func(format string, args ...any) (string, error) {
		return "", fmt.Errorf("%w: s3: %s", store.ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	if c.Bucket == "" {
		return bad("bucket is required")
	}
	if strings.ContainsAny(c.Bucket, "/\\ ") {
		return bad("bucket %q: a bucket name has no slashes or spaces", c.Bucket)
	}
	prefix, err := store.CleanPath(strings.Trim(c.Prefix, "/"))
	if err != nil {
		return bad("prefix %q: %v", c.Prefix, err)
	}
	if c.Endpoint != "" {
		e, err := url.Parse(c.Endpoint)
		if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" {
			return bad("endpoint %q: want an http or https URL such as http://127.0.0.1:7070", c.Endpoint)
		}
		if e.User != nil {
			return bad("endpoint: credentials in the endpoint URL are not accepted")
		}
	}
	switch {
	case c.PartSize == 0:
		c.PartSize = DefaultPartSize
	case c.PartSize < MinPartSize || c.PartSize > MaxPartSize:
		return bad("part_size %d: want %d to %d bytes", c.PartSize, MinPartSize, MaxPartSize)
	}
	switch {
	case c.Concurrency == 0:
		c.Concurrency = DefaultConcurrency
	case c.Concurrency < 1 || c.Concurrency > 256:
		return bad("concurrency %d: want 1 to 256", c.Concurrency)
	}
	if c.MaxAttempts < 0 {
		return bad("max_attempts %d: want 0 (the SDK's default) or more", c.MaxAttempts)
	}
	if (c.AccessKeyID == "") != (c.SecretAccessKey == "") {
		return bad("access_key_id and secret_access_key go together: set both or neither")
	}
	if c.SessionToken != "" && c.AccessKeyID == "" {
		return bad("session_token needs access_key_id and secret_access_key")
	}
	if c.Anonymous && c.AccessKeyID != "" {
		return bad("anonymous and static credentials exclude each other")
	}
	return prefix, nil
}
