package azure

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

// testKey is a well-formed (base64) account key used where a key must
// never show in a message.
const testKey = "aHVudGVyMmh1bnRlcjJodW50ZXIyaHVudGVyMmh1bnRlcjI="

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want Config
	}{
		{"az://cont", Config{Container: "cont"}},
		{"azure://cont/a/b/", Config{Container: "cont", Prefix: "/a/b/"}},
		{"AZ://cont/p?account=acct1", Config{Container: "cont", Prefix: "/p", Account: "acct1"}},
		{"az://cont/p?endpoint=http://127.0.0.1:10000/devstoreaccount1&credential=shared_key",
			Config{Container: "cont", Prefix: "/p", Endpoint: "http://127.0.0.1:10000/devstoreaccount1", Credential: "shared_key"}},
		{"az://cont?block_size=1048576&concurrency=8&max_attempts=5",
			Config{Container: "cont", BlockSize: 1 << 20, Concurrency: 8, MaxAttempts: 5}},
		{"az://acct1.blob.core.windows.net/cont/p/q",
			Config{Container: "cont", Prefix: "p/q", Account: "acct1", Endpoint: "https://acct1.blob.core.windows.net"}},
		{"azure://acct1.blob.core.chinacloudapi.cn/cont?account=acct1",
			Config{Container: "cont", Account: "acct1", Endpoint: "https://acct1.blob.core.chinacloudapi.cn"}},
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
		{"az:///prefix", "no container"},
		{"az://cont?colour=red", `unknown query parameter "colour"`},
		{"az://cont?account=a&account=b", "given 2 times"},
		{"az://cont?block_size=big", "block_size"},
		{"az://cont?concurrency=many", "concurrency"},
		{"az://cont?account_key=" + testKey, "credentials are not accepted"},
		{"az://cont?sas_token=sv%3D2024%26sig%3Dhunter2hunter2", "credentials are not accepted"},
		{"az://cont?sv=2024-01-01&sig=hunter2hunter2", "credentials are not accepted"},
		{"az://cont?connection_string=AccountKey%3Dhunter2hunter2", "credentials are not accepted"},
		{"az://acct:hunter2hunter2@cont/p", "credentials in the URL"},
		{"az://cont/p#frag", "fragment"},
		{"az://acct1.blob.core.windows.net/", "no container after the host"},
		{"az://acct1.blob.core.windows.net/cont?account=other", `differs from the account "acct1"`},
		{"az://acct1.blob.core.windows.net/cont?endpoint=http://x", "exclude each other"},
		{"gs://cont", "scheme"},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ParseURL(u)
		if !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("ParseURL(%s) = %v, want ErrInvalidConfig mentioning %q", tc.url, err, tc.msg)
		}
		if err != nil && (strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), testKey)) {
			t.Errorf("ParseURL(%s): error shows the secret: %v", tc.url, err)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := Config{Container: "cont", Prefix: "/a//b/", Endpoint: "http://127.0.0.1:1/acct1"}
	prefix, err := ok.validate()
	if err != nil || prefix != "a/b" {
		t.Fatalf("validate() = %q, %v; want a/b", prefix, err)
	}
	if ok.BlockSize != DefaultBlockSize || ok.Concurrency != DefaultConcurrency {
		t.Errorf("defaults not filled in: %+v", ok)
	}
	for _, name := range []string{"abc", "a-b-c", "0ab", "$root", "$web", strings.Repeat("a", 63)} {
		if _, err := (&Config{Container: name}).validate(); err != nil {
			t.Errorf("container %q refused: %v", name, err)
		}
	}
	for _, tc := range []struct {
		c   Config
		msg string
	}{
		{Config{}, "container is required"},
		{Config{Container: "ab"}, `container "ab": a container name has 3 to 63 characters`},
		{Config{Container: "Data"}, `container "Data": a container name has lowercase`},
		{Config{Container: "a--b"}, "single hyphens"},
		{Config{Container: "-ab"}, "single hyphens"},
		{Config{Container: "ab-"}, "single hyphens"},
		{Config{Container: "a/b"}, "lowercase"},
		{Config{Container: "cont", Prefix: "../up"}, `prefix "../up"`},
		{Config{Container: "cont", Account: "My_Account"}, `account "My_Account": an account name has only lowercase letters and digits`},
		{Config{Container: "cont", Account: "ab"}, "3 to 24"},
		{Config{Container: "cont", Endpoint: "127.0.0.1:10000"}, "endpoint"},
		{Config{Container: "cont", Endpoint: "https://a.blob.core.windows.net/?sv=1&sig=hunter2hunter2"}, "takes no query"},
		{Config{Container: "cont", Endpoint: "https://user:hunter2hunter2@a.blob.core.windows.net"}, "credentials in the endpoint"},
		{Config{Container: "cont", Credential: "password"}, `credential "password"`},
		{Config{Container: "cont", BlockSize: 1 << 10}, "block_size 1024"},
		{Config{Container: "cont", BlockSize: MaxBlockSize + 1}, "block_size"},
		{Config{Container: "cont", Concurrency: -1}, "concurrency -1"},
		{Config{Container: "cont", MaxAttempts: -1}, "max_attempts"},
	} {
		_, err := tc.c.validate()
		if !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("validate(%+v) = %v, want ErrInvalidConfig mentioning %q", tc.c, err, tc.msg)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("validate: error shows the secret: %v", err)
		}
	}
}

// env returns a getenv over a map.
func env(m map[string]string) getenv { return func(k string) string { return m[k] } }

func TestResolve(t *testing.T) {
	const azuriteConn = "DefaultEndpointsProtocol=http;AccountName=acct1;AccountKey=" + testKey + ";BlobEndpoint=http://127.0.0.1:10000/acct1;"
	for _, tc := range []struct {
		name string
		c    Config
		env  map[string]string
		want access
	}{
		{"config key", Config{Account: "acct1", AccountKey: testKey}, nil,
			access{serviceURL: "https://acct1.blob.core.windows.net/", account: "acct1", kind: CredentialSharedKey, source: "account_key", key: testKey}},
		{"env key", Config{}, map[string]string{EnvAccount: "acct1", EnvKey: testKey},
			access{serviceURL: "https://acct1.blob.core.windows.net/", account: "acct1", kind: CredentialSharedKey, source: EnvKey, key: testKey}},
		{"adlfs spellings", Config{}, map[string]string{EnvAccountName: "acct1", EnvAccountKey: testKey},
			access{serviceURL: "https://acct1.blob.core.windows.net/", account: "acct1", kind: CredentialSharedKey, source: EnvAccountKey, key: testKey}},
		{"config account over env account", Config{Account: "acct2"}, map[string]string{EnvAccount: "acct1", EnvKey: testKey},
			access{serviceURL: "https://acct2.blob.core.windows.net/", account: "acct2", kind: CredentialSharedKey, source: EnvKey, key: testKey}},
		{"env connection string", Config{}, map[string]string{EnvConnectionString: azuriteConn, EnvKey: "ignored"},
			access{serviceURL: "http://127.0.0.1:10000/acct1/", account: "acct1", kind: CredentialSharedKey, source: EnvConnectionString, key: testKey}},
		{"connection string with suffix", Config{ConnectionString: "DefaultEndpointsProtocol=https;AccountName=acct1;AccountKey=" + testKey + ";EndpointSuffix=core.usgovcloudapi.net"}, nil,
			access{serviceURL: "https://acct1.blob.core.usgovcloudapi.net/", account: "acct1", kind: CredentialSharedKey, source: "connection_string", key: testKey}},
		{"connection string with SAS", Config{ConnectionString: "BlobEndpoint=https://acct1.blob.core.windows.net/;SharedAccessSignature=sv=2024-01-01&sig=abcd"}, nil,
			access{serviceURL: "https://acct1.blob.core.windows.net/", account: "acct1", kind: CredentialSAS, source: "connection_string", sas: "sv=2024-01-01&sig=abcd"}},
		{"development storage", Config{ConnectionString: "UseDevelopmentStorage=true"}, nil,
			access{serviceURL: "http://127.0.0.1:10000/devstoreaccount1/", account: "devstoreaccount1", kind: CredentialSharedKey, source: "connection_string", key: emulatorKey}},
		{"env SAS", Config{Account: "acct1"}, map[string]string{EnvSASToken: "?sv=2024-01-01&sig=abcd"},
			access{serviceURL: "https://acct1.blob.core.windows.net/", account: "acct1", kind: CredentialSAS, source: EnvSASToken, sas: "sv=2024-01-01&sig=abcd"}},
		{"default credential", Config{}, map[string]string{EnvAccount: "acct1"},
			access{serviceURL: "https://acct1.blob.core.windows.net/", account: "acct1", kind: CredentialDefault}},
		{"forced default over env key", Config{Account: "acct1", Credential: CredentialDefault}, map[string]string{EnvKey: testKey},
			access{serviceURL: "https://acct1.blob.core.windows.net/", account: "acct1", kind: CredentialDefault}},
		{"anonymous", Config{Account: "acct1", Credential: CredentialAnonymous}, map[string]string{EnvKey: testKey},
			access{serviceURL: "https://acct1.blob.core.windows.net/", account: "acct1", kind: CredentialAnonymous}},
		{"emulator endpoint names the account", Config{Endpoint: "http://127.0.0.1:10000/devstoreaccount1"}, map[string]string{EnvKey: testKey},
			access{serviceURL: "http://127.0.0.1:10000/devstoreaccount1/", account: "devstoreaccount1", kind: CredentialSharedKey, source: EnvKey, key: testKey}},
		{"sovereign endpoint names the account", Config{Endpoint: "https://acct1.blob.core.chinacloudapi.cn/"}, map[string]string{EnvAccount: "other", EnvKey: testKey},
			access{serviceURL: "https://acct1.blob.core.chinacloudapi.cn/", account: "acct1", kind: CredentialSharedKey, source: EnvKey, key: testKey}},
	} {
		c := tc.c
		c.Container = "cont"
		if _, err := c.validate(); err != nil {
			t.Errorf("%s: validate: %v", tc.name, err)
			continue
		}
		got, err := resolve(&c, env(tc.env))
		if err != nil {
			t.Errorf("%s: resolve: %v", tc.name, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s: resolve = %+v,\nwant %+v", tc.name, got, tc.want)
		}
	}
}

func TestResolveRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Config
		env  map[string]string
		msg  string
	}{
		{"no account", Config{}, nil, "no storage account"},
		{"shared key without key", Config{Account: "acct1", Credential: CredentialSharedKey}, nil, "set account_key or AZURE_STORAGE_KEY"},
		{"sas without token", Config{Account: "acct1", Credential: CredentialSAS}, nil, "set sas_token or AZURE_STORAGE_SAS_TOKEN"},
		{"connection string without one", Config{Credential: CredentialConnectionString}, nil, "set connection_string or AZURE_STORAGE_CONNECTION_STRING"},
		{"two secrets", Config{Account: "acct1", AccountKey: testKey, SASToken: "sv=1&sig=hunter2hunter2"}, nil, "account_key and sas_token exclude each other"},
		{"kind against field", Config{Account: "acct1", Credential: CredentialSAS, AccountKey: testKey}, nil, `credential "sas" and account_key exclude each other`},
		{"anonymous with key", Config{Account: "acct1", Credential: CredentialAnonymous, AccountKey: testKey}, nil, "exclude each other"},
		{"key without account", Config{Endpoint: "https://storage.example.com"}, map[string]string{EnvKey: testKey}, "needs the account's name"},
		{"not a SAS", Config{Account: "acct1", SASToken: "hunter2hunter2"}, nil, "sas_token: not a SAS token"},
		{"env not a SAS", Config{Account: "acct1"}, map[string]string{EnvSASToken: "hunter2hunter2"}, "AZURE_STORAGE_SAS_TOKEN: not a SAS token"},
		{"bad env account", Config{}, map[string]string{EnvAccount: "Bad_Account", EnvKey: testKey}, "AZURE_STORAGE_ACCOUNT"},
		{"connection string account differs", Config{Account: "acct2"},
			map[string]string{EnvConnectionString: "AccountName=acct1;AccountKey=" + testKey},
			`account "acct2" differs from the account "acct1" of AZURE_STORAGE_CONNECTION_STRING`},
		{"connection string endpoint differs", Config{Endpoint: "http://127.0.0.1:1/acct1"},
			map[string]string{EnvConnectionString: "AccountName=acct1;AccountKey=" + testKey + ";BlobEndpoint=http://127.0.0.1:2/acct1"},
			"differs from the blob endpoint of AZURE_STORAGE_CONNECTION_STRING"},
		{"malformed connection string", Config{ConnectionString: "AccountName=acct1;hunter2hunter2"}, nil, "connection_string: malformed connection string"},
		{"connection string without secret", Config{ConnectionString: "AccountName=acct1"}, nil, "needs AccountKey or SharedAccessSignature"},
		{"connection string with both", Config{ConnectionString: "AccountName=acct1;AccountKey=" + testKey + ";SharedAccessSignature=sig=hunter2hunter2"}, nil, "both"},
		{"connection string without account", Config{ConnectionString: "AccountKey=" + testKey}, nil, "needs AccountName or BlobEndpoint"},
	} {
		c := tc.c
		c.Container = "cont"
		if _, err := c.validate(); err != nil {
			t.Errorf("%s: validate: %v", tc.name, err)
			continue
		}
		_, err := resolve(&c, env(tc.env))
		if !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: resolve = %v, want ErrInvalidConfig mentioning %q", tc.name, err, tc.msg)
		}
		if err != nil && (strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), testKey)) {
			t.Errorf("%s: error shows a secret: %v", tc.name, err)
		}
	}
}

// TestNewWithoutIO checks that New builds a client for every credential
// kind without sending a request (the endpoint is a closed port), and
// refuses a key that is not base64 without printing it.
func TestNewWithoutIO(t *testing.T) {
	for _, k := range []string{CredentialSharedKey, CredentialSAS, CredentialDefault, CredentialAnonymous} {
		c := Config{Container: "cont", Account: "acct1", Endpoint: "http://127.0.0.1:1/acct1", Credential: k}
		switch k {
		case CredentialSharedKey:
			c.AccountKey = testKey
		case CredentialSAS:
			c.SASToken = "sv=2024-01-01&sig=abcd"
		}
		b, err := New(context.Background(), c)
		if err != nil {
			t.Errorf("New(credential %s): %v", k, err)
			continue
		}
		if b.Client() == nil || b.ContainerClient() == nil || b.Container() != "cont" {
			t.Errorf("New(credential %s) = %+v", k, b)
		}
	}
	_, err := New(context.Background(), Config{Container: "cont", Account: "acct1", AccountKey: "not base64: hunter2hunter2!"})
	if !errors.Is(err, store.ErrInvalidConfig) || !strings.Contains(err.Error(), "account_key") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("New with a malformed key = %v, want ErrInvalidConfig naming account_key without the key", err)
	}
}

// TestConfigSecrets checks that secrets decode from YAML but never print.
func TestConfigSecrets(t *testing.T) {
	var c Config
	src := "container: cont\naccount: acct1\naccount_key: " + testKey + "\nsas_token: sv=1&sig=hunter2hunter2\nconnection_string: AccountKey=hunter2hunter2\n"
	if err := yaml.Unmarshal([]byte(src), &c); err != nil {
		t.Fatal(err)
	}
	if c.AccountKey.Reveal() != testKey || c.SASToken.Reveal() != "sv=1&sig=hunter2hunter2" {
		t.Fatalf("secrets decoded as %q, %q", c.AccountKey.Reveal(), c.SASToken.Reveal())
	}
	out, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), string(out)} {
		if strings.Contains(s, "hunter2") || strings.Contains(s, testKey) {
			t.Errorf("config prints a secret: %s", s)
		}
	}
}

// TestAccountFromEndpoint covers the account names derived from service
// URLs.
func TestAccountFromEndpoint(t *testing.T) {
	for raw, want := range map[string]string{
		"https://acct1.blob.core.windows.net":       "acct1",
		"https://acct1.blob.core.chinacloudapi.cn/": "acct1",
		"http://127.0.0.1:10000/devstoreaccount1":   "devstoreaccount1",
		"http://localhost:10000/devstoreaccount1/x": "devstoreaccount1",
		"https://storage.example.com":               "",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := accountFromEndpoint(u); got != want {
			t.Errorf("accountFromEndpoint(%s) = %q, want %q", raw, got, want)
		}
	}
}
