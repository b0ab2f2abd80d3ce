package store

import "testing"

// TestSecretKey: parameters that may carry a secret are scrubbed from
// messages; names of files, environment variables and public host keys
// stay readable.
func TestSecretKey(t *testing.T) {
	for k, want := range map[string]bool{
		"secret_access_key": true, "password": true, "sas_token": true, "account_key": true, "X-Amz-Signature": true,
		"key_file": false, "password_env": false, "key_passphrase_env": false, "host_key": false, "known_hosts": false,
		"key_prefix": false, "region": false,
	} {
		if got := secretKey(k); got != want {
			t.Errorf("secretKey(%q) = %v, want %v", k, got, want)
		}
	}
}
