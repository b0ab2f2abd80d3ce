package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Config is a YAML file naming backends and the stores on them:
//
//	backends:
//	  lake:
//	    type: s3                  # a registered scheme
//	    options:                  # the backend's Config fields
//	      bucket: analytics
//	      region: eu-west-1
//	      secret_access_key: ${AWS_SECRET_ACCESS_KEY}
//	stores:
//	  raw:
//	    backend: lake
//	    root_path: raw/events     # folder inside the backend
//
// String values may use ${VAR} (an error when VAR is unset) and
// ${VAR:-default}; "$$" is a literal "$". Values taken from the environment
// are treated as secrets: they are scrubbed from every error message of the
// stores opened from the config. Unknown fields are errors.
type Config struct {
	Backends map[string]BackendConfig `yaml:"backends"`
	Stores   map[string]StoreConfig   `yaml:"stores"`

	secrets []string
}

// BackendConfig names a backend type and its options.
type BackendConfig struct {
	Type    string    `yaml:"type"`
	Options yaml.Node `yaml:"options"`
}

// StoreConfig places a store on a backend.
type StoreConfig struct {
	Backend  string `yaml:"backend"`
	RootPath string `yaml:"root_path"`
}

// LoadConfig reads and parses the YAML config file at path.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("store: config %s: %w", path, err)
	}
	c, err := ParseConfig(b)
	if err != nil {
		return nil, fmt.Errorf("store: config %s: %w", path, err)
	}
	return c, nil
}

// ParseConfig parses a YAML config (see Config), interpolating ${VAR}.
func ParseConfig(data []byte) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	var secrets []string
	if err := interpolate(&root, "", &secrets); err != nil {
		return nil, err
	}
	c := &Config{secrets: secrets}
	if len(root.Content) == 0 {
		return c, nil
	}
	if err := decodeStrict(&root, c); err != nil {
		return nil, err
	}
	for name, sc := range c.Stores {
		if _, ok := c.Backends[sc.Backend]; !ok {
			return nil, fmt.Errorf("%w: stores.%s: backend %q is not defined under backends", ErrInvalidConfig, name, sc.Backend)
		}
	}
	for name, bc := range c.Backends {
		if bc.Type == "" {
			return nil, fmt.Errorf("%w: backends.%s: type is required", ErrInvalidConfig, name)
		}
	}
	return c, nil
}

// StoreNames lists the configured stores, sorted.
func (c *Config) StoreNames() []string {
	out := make([]string, 0, len(c.Stores))
	for n := range c.Stores {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Open opens the named store with DefaultRegistry.
func (c *Config) Open(ctx context.Context, name string) (*Store, error) {
	return DefaultRegistry.OpenConfig(ctx, c, name)
}

// OpenConfig opens the store called name in c. Each call opens a new backend.
func (r *Registry) OpenConfig(ctx context.Context, c *Config, name string) (*Store, error) {
	sc, ok := c.Stores[name]
	if !ok {
		return nil, fmt.Errorf("store: %w: no store %q in config (have: %s)", ErrInvalidConfig, name, strings.Join(c.StoreNames(), ", "))
	}
	bc := c.Backends[sc.Backend]
	d, err := r.driver(bc.Type)
	if err != nil {
		return nil, fmt.Errorf("store: backends.%s: %w", sc.Backend, err)
	}
	var opts *yaml.Node
	if bc.Options.Kind != 0 {
		opts = &bc.Options
	}
	b, err := d.OpenOptions(ctx, opts)
	if err != nil {
		return nil, redactErr(fmt.Sprintf("store: backends.%s (%s): %v", sc.Backend, bc.Type, err), err, c.secrets)
	}
	st := New(b)
	st.secrets = c.secrets
	return st.Sub(sc.RootPath)
}

var envRef = regexp.MustCompile(`\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

// interpolate replaces ${VAR} in every scalar of n, recording the values it
// substituted as secrets. Errors name the YAML location and the variable,
// never a value.
func interpolate(n *yaml.Node, where string, secrets *[]string) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if !strings.Contains(n.Value, "$") {
			return nil
		}
		var firstErr error
		n.Value = envRef.ReplaceAllStringFunc(n.Value, func(m string) string {
			if m == "$$" {
				return "$"
			}
			sub := envRef.FindStringSubmatch(m)
			v, ok := os.LookupEnv(sub[1])
			if !ok || v == "" {
				if sub[2] != "" {
					return sub[3]
				}
				if firstErr == nil {
					firstErr = fmt.Errorf("%w: %s: environment variable %s is not set", ErrInvalidConfig, strings.TrimPrefix(where, "."), sub[1])
				}
				return ""
			}
			*secrets = append(*secrets, v)
			return v
		})
		return firstErr
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := interpolate(n.Content[i+1], where+"."+n.Content[i].Value, secrets); err != nil {
				return err
			}
		}
	case yaml.DocumentNode, yaml.SequenceNode:
		for i, c := range n.Content {
			w := where
			if n.Kind == yaml.SequenceNode {
				w = fmt.Sprintf("%s[%d]", where, i)
			}
			if err := interpolate(c, w, secrets); err != nil {
				return err
			}
		}
	}
	return nil
}

// decodeStrict decodes n into out, failing on fields out does not have.
// Error messages from the YAML library quote field names and line numbers,
// not values.
func decodeStrict(n *yaml.Node, out any) error {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(n); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	dec := yaml.NewDecoder(&buf)
	dec.KnownFields(true)
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("%w: %s", ErrInvalidConfig, scrubYAMLError(err))
	}
	return nil
}

// scrubYAMLError removes quoted values from yaml type errors ("cannot
// unmarshal !!str `hunter2` into int"), keeping the line and field.
var yamlValue = regexp.MustCompile("`[^`]*`")

func scrubYAMLError(err error) string { return yamlValue.ReplaceAllString(err.Error(), "`…`") }
