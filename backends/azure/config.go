package azure

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/remotestore/remotestore/store"
)

// Scheme is the URL scheme of the Azure Blob backend, and the one its
// URIs use ("az://container/name").
const Scheme = "az"

// SchemeLong is the second URL scheme the backend registers,
// "azure://container/prefix"; it opens the same backend as Scheme.
const SchemeLong = "azure"

// Defaults and limits of the transfer settings.
const (
	// DefaultBlockSize is the size of the blocks a writer stages and the
	// chunk size of concurrent ranged reads.
	DefaultBlockSize = 8 << 20
	// DefaultConcurrency is how many blocks one writer stages, or chunks
	// one reader fetches, at once.
	DefaultConcurrency = 4
	// MinBlockSize is the smallest block_size accepted.
	MinBlockSize = 64 << 10
	// MaxBlockSize is the largest block Azure accepts (4000 MiB).
	MaxBlockSize = 4000 << 20
	// MaxBlocks is the most blocks one blob may have.
	MaxBlocks = 50000
)

// Credential kinds, the values of Config.Credential.
const (
	// CredentialAuto ("" or "auto") picks the first of: the secret set in
	// the config (account_key, sas_token or connection_string), then the
	// environment (AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_KEY,
	// AZURE_STORAGE_SAS_TOKEN), then DefaultAzureCredential.
	CredentialAuto = "auto"
	// CredentialSharedKey signs requests with the account key
	// (account_key, or AZURE_STORAGE_KEY / AZURE_STORAGE_ACCOUNT_KEY).
	CredentialSharedKey = "shared_key"
	// CredentialSAS appends a shared access signature to every request
	// (sas_token, or AZURE_STORAGE_SAS_TOKEN).
	CredentialSAS = "sas"
	// CredentialConnectionString takes the endpoint and the account key or
	// SAS from a connection string (connection_string, or
	// AZURE_STORAGE_CONNECTION_STRING).
	CredentialConnectionString = "connection_string"
	// CredentialDefault uses azidentity's DefaultAzureCredential:
	// environment service principal, workload identity, managed identity,
	// Azure CLI, Azure Developer CLI.
	CredentialDefault = "default"
	// CredentialAnonymous sends unsigned requests (public containers).
	CredentialAnonymous = "anonymous"
)

// Config configures an Azure Blob backend. Container is required; the
// account comes from Account, Endpoint, a connection string or
// AZURE_STORAGE_ACCOUNT. Credentials are picked as Credential says
// (default: auto, see CredentialAuto).
type Config struct {
	// Container is the blob container's name. Required.
	Container string `yaml:"container"`
	// Prefix is the folder inside the container the backend serves (""
	// for the whole container). It is cleaned like a store path.
	Prefix string `yaml:"prefix"`
	// Account is the storage account's name. Empty: taken from Endpoint,
	// from the connection string, or from AZURE_STORAGE_ACCOUNT
	// (AZURE_STORAGE_ACCOUNT_NAME).
	Account string `yaml:"account"`
	// Endpoint is the blob service URL of the account. Empty:
	// https://ACCOUNT.blob.core.windows.net. Set it for Azurite
	// ("http://127.0.0.1:10000/devstoreaccount1"), sovereign clouds
	// ("https://ACCOUNT.blob.core.chinacloudapi.cn") and private endpoints.
	Endpoint string `yaml:"endpoint"`
	// Credential selects how requests are authorized: "auto" (or empty),
	// "shared_key", "sas", "connection_string", "default" or "anonymous"
	// (see the Credential constants).
	Credential string `yaml:"credential"`
	// AccountKey is the account's base64 shared key. Not accepted in URLs.
	AccountKey store.Secret `yaml:"account_key"`
	// SASToken is a shared access signature ("sv=…&sig=…", with or without
	// the leading "?"). Not accepted in URLs.
	SASToken store.Secret `yaml:"sas_token"`
	// ConnectionString is an Azure Storage connection string
	// ("DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…" or with
	// BlobEndpoint and SharedAccessSignature). Not accepted in URLs.
	ConnectionString store.Secret `yaml:"connection_string"`
	// BlockSize is the size of the blocks writers stage and the chunk size
	// of concurrent ranged reads, in bytes (default DefaultBlockSize, at
	// least MinBlockSize, at most MaxBlockSize).
	BlockSize int64 `yaml:"block_size"`
	// Concurrency is how many blocks a writer stages, or chunks a reader
	// fetches, at once (default DefaultConcurrency). A writer holds up to
	// Concurrency+1 block buffers, a large read Concurrency+1 chunk buffers.
	Concurrency int `yaml:"concurrency"`
	// MaxAttempts is how many times the SDK tries a request before giving
	// up (default: the SDK's, 4: one try and three retries).
	MaxAttempts int `yaml:"max_attempts"`
}

func init() {
	d := store.NewDriver(ParseURL, func(ctx context.Context, c Config) (store.Backend, error) {
		return New(ctx, c)
	})
	store.Register(Scheme, d)
	store.Register(SchemeLong, d)
}

// urlParams lists the query parameters ParseURL accepts.
const urlParams = "account, endpoint, credential, block_size, concurrency, max_attempts"

// ParseURL parses a URL into a Config. Two forms are accepted, with the
// scheme az or azure:
//
//	az://container/prefix?account=myaccount
//	az://myaccount.blob.core.windows.net/container/prefix
//
// The second names the account by its blob host (the endpoint becomes
// https://HOST). Unknown query parameters are errors, and so are
// credentials (account keys, SAS tokens, connection strings): put those in
// the environment or a YAML config.
func ParseURL(u *url.URL) (Config, error) {
	bad := func(format string, args ...any) (Config, error) {
		return Config{}, fmt.Errorf("%w: azure: %s", store.ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	if !strings.EqualFold(u.Scheme, Scheme) && !strings.EqualFold(u.Scheme, SchemeLong) {
		return bad("scheme %q is not %q or %q", u.Scheme, Scheme, SchemeLong)
	}
	if u.User != nil {
		return bad("credentials in the URL are not accepted; use the environment (AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_KEY, …) or a config file")
	}
	if u.Host == "" {
		return bad("no container: use az://container/prefix?account=ACCOUNT")
	}
	if u.Fragment != "" {
		return bad(`an az URL takes no fragment; write "#" in a prefix as %%23`)
	}
	c := Config{Container: u.Host, Prefix: u.Path}
	if strings.Contains(u.Host, ".") {
		// az://ACCOUNT.blob.core.windows.net/container/prefix
		account, _, _ := strings.Cut(u.Host, ".")
		container, prefix, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
		if container == "" {
			return bad("no container after the host %q: use az://%s/container/prefix", u.Host, u.Host)
		}
		c = Config{Container: container, Prefix: prefix, Account: account, Endpoint: "https://" + u.Host}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return bad("malformed query")
	}
	for k, vs := range q {
		if len(vs) != 1 {
			return bad("query parameter %q given %d times", k, len(vs))
		}
		v := vs[0]
		var perr error
		switch k {
		case "account":
			if c.Account != "" && c.Account != v {
				return bad("account=%q differs from the account %q of the host", v, c.Account)
			}
			c.Account = v
		case "endpoint":
			if c.Endpoint != "" {
				return bad("endpoint= and an account host in the URL exclude each other")
			}
			c.Endpoint = v
		case "credential":
			c.Credential = v
		case "block_size":
			c.BlockSize, perr = strconv.ParseInt(v, 10, 64)
		case "concurrency":
			c.Concurrency, perr = strconv.Atoi(v)
		case "max_attempts":
			c.MaxAttempts, perr = strconv.Atoi(v)
		case "account_key", "key", "sas_token", "sas", "connection_string", "sig", "sv", "se", "sp", "st", "sr", "ss", "srt", "skoid":
			return bad("query parameter %q: credentials are not accepted in URLs; use the environment or a config file", k)
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
// Credentials are checked by resolve, which also reads the environment.
func (c *Config) validate() (string, error) {
	bad := func(format string, args ...any) (string, error) {
		return "", fmt.Errorf("%w: azure: %s", store.ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	if c.Container == "" {
		return bad("container is required")
	}
	if err := checkContainer(c.Container); err != nil {
		return bad("container %q: %v", c.Container, err)
	}
	prefix, err := store.CleanPath(strings.Trim(c.Prefix, "/"))
	if err != nil {
		return bad("prefix %q: %v", c.Prefix, err)
	}
	if c.Account != "" {
		if err := checkAccount(c.Account); err != nil {
			return bad("account %q: %v", c.Account, err)
		}
	}
	if c.Endpoint != "" {
		if _, err := parseEndpoint(c.Endpoint); err != nil {
			return bad("endpoint %q: %v", redactEndpoint(c.Endpoint), err)
		}
	}
	switch c.Credential {
	case "", CredentialAuto, CredentialSharedKey, CredentialSAS, CredentialConnectionString, CredentialDefault, CredentialAnonymous:
	default:
		return bad("credential %q: want one of auto, shared_key, sas, connection_string, default, anonymous", c.Credential)
	}
	switch {
	case c.BlockSize == 0:
		c.BlockSize = DefaultBlockSize
	case c.BlockSize < MinBlockSize || c.BlockSize > MaxBlockSize:
		return bad("block_size %d: want %d to %d bytes", c.BlockSize, MinBlockSize, MaxBlockSize)
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
	return prefix, nil
}

// checkContainer applies Azure's container naming rules: 3 to 63
// lowercase letters, digits and single hyphens, starting and ending with a
// letter or digit; or one of the special containers $root, $web, $logs.
func checkContainer(name string) error {
	switch name {
	case "$root", "$web", "$logs":
		return nil
	}
	if len(name) < 3 || len(name) > 63 {
		return fmt.Errorf("a container name has 3 to 63 characters")
	}
	for i := 0; i < len(name); i++ {
		switch ch := name[i]; {
		case ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9':
		case ch == '-' && i > 0 && i < len(name)-1 && name[i-1] != '-':
		default:
			return fmt.Errorf("a container name has lowercase letters, digits and single hyphens inside")
		}
	}
	return nil
}

// checkAccount applies Azure's account naming rules: 3 to 24 lowercase
// letters and digits.
func checkAccount(name string) error {
	if len(name) < 3 || len(name) > 24 {
		return fmt.Errorf("an account name has 3 to 24 characters")
	}
	for i := 0; i < len(name); i++ {
		if ch := name[i]; !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9') {
			return fmt.Errorf("an account name has only lowercase letters and digits")
		}
	}
	return nil
}

// parseEndpoint checks a blob service URL.
func parseEndpoint(raw string) (*url.URL, error) {
	e, err := url.Parse(raw)
	if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" {
		return nil, fmt.Errorf("want an http or https URL such as https://ACCOUNT.blob.core.windows.net or http://127.0.0.1:10000/devstoreaccount1")
	}
	if e.User != nil {
		return nil, fmt.Errorf("credentials in the endpoint URL are not accepted")
	}
	if e.RawQuery != "" {
		return nil, fmt.Errorf("the endpoint takes no query; put a SAS in sas_token or AZURE_STORAGE_SAS_TOKEN")
	}
	if e.Fragment != "" {
		return nil, fmt.Errorf("the endpoint takes no fragment")
	}
	return e, nil
}

// redactEndpoint prints an endpoint for a message without user info or
// query, which could hold secrets.
func redactEndpoint(raw string) string {
	e, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	e.User, e.RawQuery, e.Fragment = nil, "", ""
	return e.String()
}

// accountFromEndpoint derives the account's name from a blob service URL:
// the first label of ACCOUNT.blob.HOST, or the first path segment of an
// emulator's http://127.0.0.1:10000/ACCOUNT.
func accountFromEndpoint(e *url.URL) string {
	host := e.Hostname()
	if first, rest, ok := strings.Cut(host, "."); ok && strings.HasPrefix(rest, "blob.") {
		return first
	}
	if seg, _, _ := strings.Cut(strings.Trim(e.Path, "/"), "/"); seg != "" {
		return seg
	}
	return ""
}
