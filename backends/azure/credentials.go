package azure

import (
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/remotestore/remotestore/store"
)

// Environment variables the backend reads when the config leaves the
// account or the credentials open. The second spelling of each is the one
// of fsspec's adlfs.
const (
	// EnvConnectionString holds a connection string (endpoint and key or SAS).
	EnvConnectionString = "AZURE_STORAGE_CONNECTION_STRING"
	// EnvAccount names the storage account.
	EnvAccount = "AZURE_STORAGE_ACCOUNT"
	// EnvAccountName names the storage account (adlfs's spelling).
	EnvAccountName = "AZURE_STORAGE_ACCOUNT_NAME"
	// EnvKey holds the account's shared key.
	EnvKey = "AZURE_STORAGE_KEY"
	// EnvAccountKey holds the account's shared key (adlfs's spelling).
	EnvAccountKey = "AZURE_STORAGE_ACCOUNT_KEY"
	// EnvSASToken holds a shared access signature.
	EnvSASToken = "AZURE_STORAGE_SAS_TOKEN"
)

// emulatorKey is the published key of Azurite's default account
// devstoreaccount1 (UseDevelopmentStorage=true); it is not a secret.
const emulatorKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

// access is the outcome of resolving a Config against the environment:
// where the account's blob service is and how to authorize.
type access struct {
	serviceURL string // blob service URL, ending in "/"
	account    string // may be "" for SAS, anonymous and token credentials
	kind       string // one of the Credential constants but auto
	source     string // where the secret came from, for messages ("AZURE_STORAGE_KEY")
	key        string // shared key
	sas        string // SAS query, without "?"
}

// getenv reads one variable; tests replace it.
type getenv func(string) string

// firstEnv returns the first of names that is set, and its name.
func firstEnv(env getenv, names ...string) (value, name string) {
	for _, n := range names {
		if v := env(n); v != "" {
			return v, n
		}
	}
	return "", ""
}

// resolve works out the endpoint and the credentials of c (already
// validated), reading the environment where the config leaves them open.
// Its errors name settings and variables, never their values.
func resolve(c *Config, env getenv) (access, error) {
	bad := func(format string, args ...any) (access, error) {
		return access{}, fmt.Errorf("%w: azure: %s", store.ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	kind := c.Credential
	if kind == CredentialAuto {
		kind = ""
	}
	var set []string
	fieldKind := ""
	for _, f := range []struct {
		name string
		v    store.Secret
		kind string
	}{
		{"account_key", c.AccountKey, CredentialSharedKey},
		{"sas_token", c.SASToken, CredentialSAS},
		{"connection_string", c.ConnectionString, CredentialConnectionString},
	} {
		if f.v != "" {
			set = append(set, f.name)
			fieldKind = f.kind
		}
	}
	switch {
	case len(set) > 1:
		return bad("%s exclude each other: set one", strings.Join(set, " and "))
	case len(set) == 1 && kind == "":
		kind = fieldKind
	case len(set) == 1 && kind != fieldKind:
		return bad("credential %q and %s exclude each other", kind, set[0])
	}
	a := access{kind: kind}
	if kind == "" { // auto, with nothing in the config: the environment, then DefaultAzureCredential
		switch {
		case env(EnvConnectionString) != "":
			a.kind = CredentialConnectionString
		case env(EnvKey) != "" || env(EnvAccountKey) != "":
			a.kind = CredentialSharedKey
		case env(EnvSASToken) != "":
			a.kind = CredentialSAS
		default:
			a.kind = CredentialDefault
		}
	}

	endpoint, account := c.Endpoint, c.Account
	switch a.kind {
	case CredentialConnectionString:
		cs, source := c.ConnectionString.Reveal(), "connection_string"
		if cs == "" {
			cs, source = env(EnvConnectionString), EnvConnectionString
		}
		if cs == "" {
			return bad("credential connection_string: set connection_string or %s", EnvConnectionString)
		}
		p, err := parseConnectionString(cs)
		if err != nil {
			return bad("%s: %v", source, err)
		}
		if account != "" && p.account != "" && account != p.account {
			return bad("account %q differs from the account %q of %s (unset it, or choose another credential)", account, p.account, source)
		}
		if endpoint != "" && p.endpoint != "" && strings.TrimSuffix(endpoint, "/") != strings.TrimSuffix(p.endpoint, "/") {
			return bad("endpoint %q differs from the blob endpoint of %s", redactEndpoint(endpoint), source)
		}
		if endpoint == "" {
			endpoint = p.endpoint
		}
		if account == "" {
			account = p.account
		}
		a.source, a.key, a.sas = source, p.key, p.sas
		if a.key != "" {
			a.kind = CredentialSharedKey
		} else {
			a.kind = CredentialSAS
		}
	case CredentialSharedKey:
		a.key, a.source = c.AccountKey.Reveal(), "account_key"
		if a.key == "" {
			a.key, a.source = firstEnv(env, EnvKey, EnvAccountKey)
		}
		if a.key == "" {
			return bad("credential shared_key: set account_key or %s", EnvKey)
		}
	case CredentialSAS:
		a.sas, a.source = c.SASToken.Reveal(), "sas_token"
		if a.sas == "" {
			a.sas, a.source = env(EnvSASToken), EnvSASToken
		}
		if a.sas == "" {
			return bad("credential sas: set sas_token or %s", EnvSASToken)
		}
	}
	if a.sas != "" {
		a.sas = strings.TrimPrefix(a.sas, "?")
		q, err := url.ParseQuery(a.sas)
		if err != nil || q.Get("sig") == "" {
			return bad("%s: not a SAS token (want a query such as sv=…&sr=…&sig=…)", a.source)
		}
	}

	if account == "" && endpoint == "" {
		account, _ = firstEnv(env, EnvAccount, EnvAccountName)
		if account != "" {
			if err := checkAccount(account); err != nil {
				return bad("%s %q: %v", EnvAccount, account, err)
			}
		}
	}
	switch {
	case endpoint != "":
		e, err := parseEndpoint(endpoint)
		if err != nil {
			return bad("endpoint %q: %v", redactEndpoint(endpoint), err)
		}
		if account == "" {
			account = accountFromEndpoint(e)
		}
		a.serviceURL = strings.TrimSuffix(e.String(), "/") + "/"
	case account != "":
		a.serviceURL = "https://" + account + ".blob.core.windows.net/"
	default:
		return bad("no storage account: set account (URL ?account=…, config account:), %s, or an endpoint", EnvAccount)
	}
	a.account = account
	if a.kind == CredentialSharedKey && a.account == "" {
		return bad("credential shared_key needs the account's name: set account or %s", EnvAccount)
	}
	return a, nil
}

// connString is the part of a connection string the backend uses.
type connString struct {
	account, endpoint, key, sas string
}

// parseConnectionString reads "Key=Value;…" as Azure does. Its errors
// name keys, never values.
func parseConnectionString(cs string) (connString, error) {
	kv := map[string]string{}
	for _, part := range strings.Split(strings.TrimRight(strings.TrimSpace(cs), ";"), ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return connString{}, fmt.Errorf("malformed connection string: a part has no \"=\"")
		}
		kv[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if strings.EqualFold(kv["UseDevelopmentStorage"], "true") {
		return connString{account: "devstoreaccount1", endpoint: "http://127.0.0.1:10000/devstoreaccount1", key: emulatorKey}, nil
	}
	p := connString{account: kv["AccountName"], endpoint: kv["BlobEndpoint"], key: kv["AccountKey"], sas: kv["SharedAccessSignature"]}
	if p.endpoint == "" {
		if p.account == "" {
			return connString{}, fmt.Errorf("connection string needs AccountName or BlobEndpoint")
		}
		proto, suffix := kv["DefaultEndpointsProtocol"], kv["EndpointSuffix"]
		if proto == "" {
			proto = "https"
		}
		if suffix == "" {
			suffix = "core.windows.net"
		}
		p.endpoint = proto + "://" + p.account + ".blob." + suffix
	}
	switch {
	case p.key != "" && p.sas != "":
		return connString{}, fmt.Errorf("connection string has both AccountKey and SharedAccessSignature")
	case p.key == "" && p.sas == "":
		return connString{}, fmt.Errorf("connection string needs AccountKey or SharedAccessSignature")
	}
	if p.account != "" {
		if err := checkAccount(p.account); err != nil {
			return connString{}, fmt.Errorf("connection string's AccountName %q: %v", p.account, err)
		}
	}
	return p, nil
}

// newClient builds the SDK client for a, with c's retry settings.
func newClient(c *Config, a access) (*azblob.Client, error) {
	opts := &azblob.ClientOptions{}
	opts.Telemetry.ApplicationID = "remotestore"
	if c.MaxAttempts > 0 {
		opts.Retry.MaxRetries = int32(c.MaxAttempts - 1)
		if c.MaxAttempts == 1 {
			opts.Retry.MaxRetries = -1 // azcore: below zero means no retries
		}
	}
	var (
		client *azblob.Client
		err    error
	)
	switch a.kind {
	case CredentialSharedKey:
		cred, cerr := azblob.NewSharedKeyCredential(a.account, a.key)
		if cerr != nil { // "decode account key: illegal base64 data at input byte N": no key in it
			return nil, fmt.Errorf("%w: azure: %s: %v", store.ErrInvalidConfig, a.source, cerr)
		}
		client, err = azblob.NewClientWithSharedKeyCredential(a.serviceURL, cred, opts)
	case CredentialSAS:
		client, err = azblob.NewClientWithNoCredential(a.serviceURL+"?"+a.sas, opts)
	case CredentialAnonymous:
		client, err = azblob.NewClientWithNoCredential(a.serviceURL, opts)
	case CredentialDefault:
		var cred azcore.TokenCredential
		cred, err = azidentity.NewDefaultAzureCredential(nil)
		if err != nil {
			return nil, fmt.Errorf("%w: azure: DefaultAzureCredential: %v", store.ErrInvalidConfig, err)
		}
		client, err = azblob.NewClient(a.serviceURL, cred, opts)
	default:
		return nil, fmt.Errorf("%w: azure: unknown credential kind %q", store.ErrInvalidConfig, a.kind)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: azure: creating the client: %v", store.ErrInvalidConfig, scrubSecrets(err, a.sas, a.key))
	}
	return client, nil
}

// osEnv is the process environment.
func osEnv(name string) string { return os.Getenv(name) }
