package parquet

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/remotestore/remotestore/store"
)

// The hive layout keeps its metadata in a folder that pyarrow's dataset
// discovery skips (it starts with "_").
const (
	metaDir      = "_remotestore"
	versionsDir  = metaDir + "/versions"
	stagingDir   = metaDir + "/staging"
	formatName   = "remotestore.parquet-dataset/1"
	versionWidth = 20
)

// manifest is one committed version of a hive-layout dataset: the complete
// list of its files. It is written once, under a name no other commit can
// take (create-if-absent), and never changed.
type manifest struct {
	Format       string            `json:"format"`
	Version      int64             `json:"version"`
	TxnID        string            `json:"txn_id"`
	Operation    string            `json:"operation"`
	CreatedAtUTC string            `json:"created_at_utc"`
	Schema       string            `json:"schema"`      // base64 Arrow IPC schema, partition columns included
	SchemaText   string            `json:"schema_text"` // for people
	PartitionBy  []string          `json:"partition_by,omitempty"`
	Compression  string            `json:"compression"`
	RowCount     int64             `json:"row_count"`
	Bytes        int64             `json:"bytes"`
	Files        []manifestFile    `json:"files"`
	RunID        string            `json:"run_id,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"`
}

// manifestFile is one data file, its path relative to the dataset folder.
type manifestFile struct {
	Path  string `json:"path"`
	Rows  int64  `json:"rows"`
	Bytes int64  `json:"bytes"`
}

func versionPath(v int64) string {
	return fmt.Sprintf("%s/%0*d.json", versionsDir, versionWidth, v)
}

func encodeSchema(sc *arrow.Schema) string {
	return base64.StdEncoding.EncodeToString(flight.SerializeSchema(sc, memory.DefaultAllocator))
}

func decodeSchema(s string) (*arrow.Schema, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	return flight.DeserializeSchema(b, memory.DefaultAllocator)
}

// latestVersion lists the versions folder and returns the highest version,
// or 0 when there is none.
func latestVersion(ctx context.Context, ds *store.Store) (int64, error) {
	var latest int64
	for info, err := range ds.ListFiles(ctx, versionsDir, &store.ListOptions{MaxDepth: 1}) {
		if err != nil {
			return 0, err
		}
		name, ok := strings.CutSuffix(info.Name(), ".json")
		if !ok {
			continue
		}
		v, err := strconv.ParseInt(name, 10, 64)
		if err != nil || v <= 0 {
			continue
		}
		latest = max(latest, v)
	}
	return latest, nil
}

// readManifest reads and validates version v.
func readManifest(ctx context.Context, ds *store.Store, v int64) (*manifest, error) {
	b, err := ds.ReadBytes(ctx, versionPath(v))
	if err != nil {
		return nil, err
	}
	var m manifest
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, ds.URI(versionPath(v)), err)
	}
	if m.Format != formatName || m.Version != v || m.Schema == "" {
		return nil, fmt.Errorf("%w: %s: not a %s manifest of version %d", ErrCorrupt, ds.URI(versionPath(v)), formatName, v)
	}
	return &m, nil
}

// commitManifest writes m as version m.Version, failing with
// store.ErrAlreadyExists when another commit took that version first.
func commitManifest(ctx context.Context, ds *store.Store, m *manifest) error {
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	m.RowCount, m.Bytes = 0, 0
	for _, f := range m.Files {
		m.RowCount += f.Rows
		m.Bytes += f.Bytes
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	err = ds.WriteBytes(ctx, versionPath(m.Version), b, &store.WriteOptions{ContentType: "application/json"})
	if err != nil && !errors.Is(err, store.ErrAlreadyExists) {
		return fmt.Errorf("commit version %d: %w", m.Version, err)
	}
	return err
}
