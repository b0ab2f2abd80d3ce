package parquet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/remotestore/remotestore/store"
)

// Names of the remote-store (Python ParquetDatasetStore) layout.
const (
	rsManifestName = "manifest.json"
	rsSuccessName  = "_SUCCESS"
)

// rsManifest is remote_store.ext.parquet.DatasetManifest.
type rsManifest struct {
	DatasetKey   string            `json:"dataset_key"`
	Parts        []string          `json:"parts"`
	RowCount     int64             `json:"row_count"`
	SchemaHash   string            `json:"schema_hash"`
	Compression  string            `json:"compression"`
	CreatedAtUTC string            `json:"created_at_utc"`
	RunID        *string           `json:"run_id,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"`
}

// parseRSManifest validates like DatasetManifest.from_json.
func parseRSManifest(b []byte) (*rsManifest, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%w: invalid JSON: %v", ErrCorrupt, err)
	}
	var missing []string
	for _, k := range []string{"dataset_key", "parts", "row_count", "schema_hash", "compression", "created_at_utc"} {
		if _, ok := raw[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: missing fields: %s", ErrCorrupt, strings.Join(missing, ", "))
	}
	var m rsManifest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	for _, p := range m.Parts {
		if c, err := store.CleanPath(p); err != nil || c != p || p == "" {
			return nil, fmt.Errorf("%w: part %q is not a clean relative path", ErrCorrupt, p)
		}
	}
	return &m, nil
}

func (m *rsManifest) json() ([]byte, error) {
	// Python writes sorted keys with indent 2; encoding/json sorts map keys.
	obj := map[string]any{
		"dataset_key": m.DatasetKey, "parts": m.Parts, "row_count": m.RowCount,
		"schema_hash": m.SchemaHash, "compression": m.Compression, "created_at_utc": m.CreatedAtUTC,
	}
	if m.RunID != nil {
		obj["run_id"] = *m.RunID
	}
	if m.Metadata != nil {
		obj["metadata"] = m.Metadata
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(obj); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// pythonUTCNow is datetime.now(UTC).isoformat().
func pythonUTCNow() string {
	return time.Now().UTC().Format("2006-01-02T15:04:05.000000-07:00")
}

// loadRemoteStore reads a remote-store layout dataset: it refuses one
// without _SUCCESS, and one whose manifest lists a missing part.
func (d *DatasetStore) loadRemoteStore(ctx context.Context, ds *store.Store) (*snapshot, error) {
	ok, err := ds.IsFile(ctx, rsSuccessName)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s is missing (the write did not finish or is in progress)", ErrIncomplete, rsSuccessName)
	}
	b, err := ds.ReadBytes(ctx, rsManifestName)
	if err != nil {
		return nil, err
	}
	m, err := parseRSManifest(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ds.URI(rsManifestName), err)
	}
	s := &snapshot{layout: LayoutRemoteStore, rs: m}
	var missing []string
	for _, p := range m.Parts {
		info, err := ds.Stat(ctx, p)
		if errors.Is(err, store.ErrNotFound) || (err == nil && info.IsFolder) {
			missing = append(missing, p)
			continue
		}
		if err != nil {
			return nil, err
		}
		s.files = append(s.files, dataFile{Path: p, Rows: -1, Bytes: info.Size})
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("%w: manifest lists missing parts %s", ErrIncomplete, strings.Join(missing, ", "))
	}
	if len(s.files) > 0 {
		sc, err := d.fileSchema(ctx, ds, s.files[0].Path)
		if err != nil {
			return nil, err
		}
		s.schema = sc
	}
	return s, nil
}
