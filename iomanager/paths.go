package iomanager

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/remotestore/remotestore/store"
)

// Paths follow Dagster's UPathIOManager, so data written by one is found by
// the other:
//
//	asset, unpartitioned          base/asset/key/path.ext
//	asset, one dimension          base/asset/key/path/<key>.ext
//	asset, multi-partitioned      base/asset/key/path/<dim-a key>/<dim-b key>.ext   (dimensions by name)
//	op output                     base/<run id>/<step key>/<output name>[/<mapping key>].ext
//
// Every segment (asset key parts, op ids, partition keys) goes through
// EscapeSegment, so a "/" or ".." inside a key never makes a folder or
// leaves base. Dagster itself escapes only a leading "/" and ".." segments;
// keys without "%", "/", "\" and control characters (all of Dagster's
// time-window keys, and the usual static and dynamic keys) map to the same
// path in both.

// EscapeSegment turns s into one path segment: "%", "/", "\", control
// characters and the bytes of invalid UTF-8 are percent-encoded ("a/b" →
// "a%2Fb"), and the segments "." and ".." become "%2E" and "%2E%2E". The
// mapping is one-to-one (UnescapeSegment inverts it). An empty s is an
// ErrInvalidPath error.
func EscapeSegment(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("iomanager: %w: empty path segment (an empty asset key part or partition key)", store.ErrInvalidPath)
	}
	if s == "." {
		return "%2E", nil
	}
	if s == ".." {
		return "%2E%2E", nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n <= 1 {
				fmt.Fprintf(&b, "%%%02X", c)
				i++
				continue
			}
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		if c == '%' || c == '/' || c == '\\' || c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
		i++
	}
	return b.String(), nil
}

// UnescapeSegment inverts EscapeSegment (any valid %XX encoding).
func UnescapeSegment(s string) (string, error) {
	out, err := url.PathUnescape(s)
	if err != nil {
		return "", fmt.Errorf("iomanager: %w: bad escape in %q", store.ErrInvalidPath, s)
	}
	return out, nil
}

// joinEscaped escapes every part and joins them with "/".
func joinEscaped(parts []string) (string, error) {
	out := make([]string, len(parts))
	for i, p := range parts {
		e, err := EscapeSegment(p)
		if err != nil {
			return "", err
		}
		out[i] = e
	}
	return strings.Join(out, "/"), nil
}

// TargetPath returns the store path of t without an extension:
// "asset/key/path" or "run/step/output[/mapping]".
func TargetPath(t Target) (string, error) {
	if t.IsAsset() {
		p, err := joinEscaped(t.AssetKey)
		if err != nil {
			return "", fmt.Errorf("%w (asset key %q)", err, t.AssetKey)
		}
		return p, nil
	}
	o := t.Op
	if o.RunID == "" || o.StepKey == "" || o.OutputName == "" {
		return "", fmt.Errorf("iomanager: %w: neither an asset key nor a full op output (run id %q, step key %q, output %q)",
			store.ErrInvalidPath, o.RunID, o.StepKey, o.OutputName)
	}
	parts := []string{o.RunID, o.StepKey, o.OutputName}
	if o.MappingKey != "" {
		parts = append(parts, o.MappingKey)
	}
	return joinEscaped(parts)
}

// PartitionPath returns the path of partition p below its asset's folder,
// without an extension: the key, or for multi-partitions the dimension keys
// in dimension-name order ("2024-01-31/eu").
func PartitionPath(p PartitionKey) (string, error) {
	var parts []string
	if p.IsMulti() {
		parts = p.orderedValues()
	} else {
		k := p.Key
		if k == "" && len(p.Dimensions) == 1 {
			for _, v := range p.Dimensions {
				k = v
			}
		}
		parts = []string{k}
	}
	s, err := joinEscaped(parts)
	if err != nil {
		return "", fmt.Errorf("%w (partition %q)", err, p.String())
	}
	return s, nil
}

// Path returns the store path of one output file: the target's path, the
// partition's (nil for none) and ext (".parquet", or "").
func Path(t Target, p *PartitionKey, ext string) (string, error) {
	base, err := TargetPath(t)
	if err != nil {
		return "", err
	}
	if p != nil {
		pp, err := PartitionPath(*p)
		if err != nil {
			return "", err
		}
		base += "/" + pp
	}
	return base + ext, nil
}
