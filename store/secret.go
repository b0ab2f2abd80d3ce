package store

import "fmt"

// Secret is a configuration string that must never be printed: passwords,
// access keys, tokens. It formats as "***" with every fmt verb and marshals
// to YAML as "***"; Reveal returns the value for the one place that needs it.
type Secret string

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }

// String returns "***" (or "" when the secret is empty).
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "***"
}

// GoString returns the same as String, for %#v.
func (s Secret) GoString() string { return fmt.Sprintf("%q", s.String()) }

// Format prints "***" for every verb.
func (s Secret) Format(f fmt.State, verb rune) { fmt.Fprint(f, s.String()) }

// MarshalYAML hides the value when a config is written back out.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// MarshalText hides the value in JSON and other text encodings.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
