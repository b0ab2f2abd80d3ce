package grpcplugin

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/hashicorp/go-hclog"
	"google.golang.org/grpc"

	"github.com/remotestore/remotestore/iomanager"
	pb "github.com/remotestore/remotestore/iomanager/internal/iomanagerv1"
	"github.com/remotestore/remotestore/store"
)

// recordingStream is a LoadInput server stream that keeps what is sent.
type recordingStream struct {
	grpc.ServerStream
	ctx  context.Context
	msgs []*pb.LoadInputResponse
}

func (r *recordingStream) Send(m *pb.LoadInputResponse) error { r.msgs = append(r.msgs, m); return nil }
func (r *recordingStream) Context() context.Context           { return r.ctx }

// TestLoadInputPassesParquetFiles: a host that accepts Parquet gets each
// partition's file in place (local store, shared filesystem), as a copy in
// the transfer folder, or as chunks holding the stored bytes; the part
// headers say which partition column to add; hosts that do not accept
// Parquet still get Arrow IPC.
func TestLoadInputPassesParquetFiles(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	st, err := store.OpenURL(ctx, "file://"+data)
	if err != nil {
		t.Fatal(err)
	}
	m := iomanager.New(st, iomanager.Config{})
	sc := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil)
	days := []string{"2024-01-01", "2024-01-02"}
	var pks []*pb.PartitionKey
	for _, d := range days {
		b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
		b.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2, 3}, nil)
		rec := b.NewRecordBatch()
		rr, _ := array.NewRecordReader(sc, []arrow.RecordBatch{rec})
		if _, err := m.HandleOutput(ctx, iomanager.OutputContext{Target: iomanager.Asset("ev"),
			Partitions: []iomanager.PartitionKey{iomanager.Partition(d)}}, iomanager.Table(rr)); err != nil {
			t.Fatal(err)
		}
		rr.Release()
		rec.Release()
		b.Release()
		pks = append(pks, &pb.PartitionKey{Key: d})
	}
	st.Close()

	xfer := t.TempDir()
	srv := NewServer(hclog.NewNullLogger(), func(k string) string {
		if k == EnvTransferDir {
			return xfer
		}
		return ""
	})
	defer srv.Close()
	probe := filepath.Join(t.TempDir(), "probe")
	token := strings.Repeat("t0k3n", 4)
	os.WriteFile(probe, []byte(token), 0o600)
	cr, err := srv.Configure(ctx, &pb.ConfigureRequest{StoreUrl: "file://" + data, ProbePath: probe, ProbeToken: token})
	if err != nil || !cr.FileTransfer {
		t.Fatalf("Configure: %v %+v", err, cr)
	}
	target := &pb.Target{Target: &pb.Target_AssetKey{AssetKey: &pb.AssetKey{Path: []string{"ev"}}}}
	load := func(req *pb.LoadInputRequest) (parts []*pb.PartHeader, chunks [][]byte, rows int64) {
		t.Helper()
		req.Session, req.Target, req.Partitions = cr.Session, target, pks
		rs := &recordingStream{ctx: ctx}
		if err := srv.loadInput(req, rs); err != nil {
			t.Fatalf("LoadInput: %v", err)
		}
		for _, msg := range rs.msgs {
			switch {
			case msg.GetPart() != nil:
				parts = append(parts, msg.GetPart())
				chunks = append(chunks, nil)
			case msg.GetChunk() != nil:
				chunks[len(chunks)-1] = append(chunks[len(chunks)-1], msg.GetChunk()...)
			case msg.GetTrailer() != nil:
				rows = msg.GetTrailer().GetRowCount()
			}
		}
		return parts, chunks, rows
	}
	stored := func(day string) []byte {
		b, err := os.ReadFile(filepath.Join(data, "ev", day+".parquet"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	// In place.
	parts, _, rows := load(&pb.LoadInputRequest{AcceptParquet: true, AcceptLocalPaths: true})
	if len(parts) != 2 || rows != 6 {
		t.Fatalf("%d parts, %d rows", len(parts), rows)
	}
	for i, p := range parts {
		want, _ := filepath.EvalSymlinks(filepath.Join(data, "ev", days[i]+".parquet"))
		if p.Encoding != pb.Encoding_ENCODING_PARQUET || p.LocalPath != want || p.TransferFile != "" || p.Key != days[i] ||
			p.Rows != 3 || len(p.Constants) != 1 || p.Constants[0].Name != "partition" || p.Constants[0].Value != days[i] {
			t.Fatalf("in place, part %d: %+v", i, p)
		}
	}
	// Copied into the transfer folder.
	parts, _, _ = load(&pb.LoadInputRequest{AcceptParquet: true, Columns: []string{"id"}})
	for i, p := range parts {
		if p.LocalPath != "" || filepath.Dir(p.TransferFile) != filepath.Join(cr.TransferDir) || !p.ColumnsSet ||
			len(p.Columns) != 1 || len(p.Constants) != 0 {
			t.Fatalf("copied, part %d: %+v", i, p)
		}
		if got, _ := os.ReadFile(p.TransferFile); !bytes.Equal(got, stored(days[i])) {
			t.Fatalf("copy of %s differs", days[i])
		}
		os.Remove(p.TransferFile)
	}
	// As chunks; the copies are gone afterwards.
	parts, chunks, _ := load(&pb.LoadInputRequest{AcceptParquet: true, Transfer: pb.Transfer_TRANSFER_CHUNKS})
	for i, p := range parts {
		if p.TransferFile != "" || p.LocalPath != "" || !bytes.Equal(chunks[i], stored(days[i])) {
			t.Fatalf("chunks, part %d: %+v (%d bytes)", i, p, len(chunks[i]))
		}
	}
	// Not accepted: one Arrow IPC part.
	parts, _, rows = load(&pb.LoadInputRequest{})
	if len(parts) != 1 || parts[0].Encoding != pb.Encoding_ENCODING_ARROW_IPC || rows != 6 {
		t.Fatalf("without accept_parquet: %+v, %d rows", parts, rows)
	}
	os.Remove(parts[0].TransferFile)
	if left, _ := os.ReadDir(cr.TransferDir); len(left) != 0 {
		t.Errorf("transfer folder holds %v", left)
	}
}
