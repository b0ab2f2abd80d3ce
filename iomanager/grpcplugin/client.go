package grpcplugin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"

	"github.com/remotestore/remotestore/iomanager"
	pb "github.com/remotestore/remotestore/iomanager/internal/iomanagerv1"
	"github.com/remotestore/remotestore/parquet"
)

// Transfer picks how tables travel between host and plugin.
type Transfer int

// The transfers.
const (
	// TransferAuto uses a file in the session's transfer folder when host
	// and plugin share a filesystem (Configure with SameHost), else chunks.
	TransferAuto Transfer = iota
	// TransferChunks always streams Arrow IPC chunks over gRPC.
	TransferChunks
	// TransferFile always uses a transfer file (an error without one).
	TransferFile
)

// Client is the Go host side of the plugin: what tests and Go programs
// call through go-plugin's client (GRPCPlugin.GRPCClient returns one).
type Client struct {
	rpc pb.IOManagerServiceClient
	mem memory.Allocator

	session      string
	transferDir  string
	fileTransfer bool
	// Transfer is the data path preference (default TransferAuto).
	Transfer Transfer
}

// NewClient returns a Client over a gRPC connection to the plugin.
func NewClient(cc grpc.ClientConnInterface) *Client {
	return &Client{rpc: pb.NewIOManagerServiceClient(cc), mem: memory.DefaultAllocator}
}

// ConfigureOptions name the store of a session and its defaults.
type ConfigureOptions struct {
	StoreURL   string
	ConfigFile string
	StoreName  string
	Format     string
	// LoadConcurrency is the session's default number of partitions
	// read at once.
	LoadConcurrency int
	// SameHost asks for the file transfer: the client writes a probe file
	// and the plugin enables the transfer folder if it can read it.
	SameHost   bool
	ClientName string
}

// Configure opens a session on the plugin; later calls use it.
func (c *Client) Configure(ctx context.Context, o ConfigureOptions) error {
	req := &pb.ConfigureRequest{StoreUrl: o.StoreURL, ConfigFile: o.ConfigFile, StoreName: o.StoreName,
		Format: o.Format, LoadConcurrency: int32(o.LoadConcurrency), ClientName: o.ClientName}
	if o.SameHost {
		dir, err := os.MkdirTemp("", "remotestore-probe-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		var b [16]byte
		_, _ = rand.Read(b[:])
		req.ProbePath, req.ProbeToken = filepath.Join(dir, "probe"), hex.EncodeToString(b[:])
		if err := os.WriteFile(req.ProbePath, []byte(req.ProbeToken), 0o600); err != nil {
			return err
		}
	}
	resp, err := c.rpc.Configure(ctx, req)
	if err != nil {
		return FromStatus(err)
	}
	c.session, c.transferDir, c.fileTransfer = resp.GetSession(), resp.GetTransferDir(), resp.GetFileTransfer()
	return nil
}

// FileTransfer reports whether the session has a shared transfer folder.
func (c *Client) FileTransfer() bool { return c.fileTransfer }

// CloseSession closes the session opened by Configure.
func (c *Client) CloseSession(ctx context.Context) error {
	if c.session == "" {
		return nil
	}
	_, err := c.rpc.CloseSession(ctx, &pb.CloseSessionRequest{Session: c.session})
	c.session, c.transferDir, c.fileTransfer = "", "", false
	return FromStatus(err)
}

// OutputResult is what the plugin reports about a stored output.
type OutputResult struct {
	URI        string
	Rows       int64
	Bytes      int64
	Partitions []iomanager.PartitionResult
	Metadata   map[string]iomanager.MetadataValue
}

func (c *Client) useFile() bool {
	return c.fileTransfer && c.Transfer != TransferChunks
}

// HandleOutput stores data as oc describes. data.Records is read to the end
// but not released.
func (c *Client) HandleOutput(ctx context.Context, oc iomanager.OutputContext, data iomanager.Payload) (*OutputResult, error) {
	res, err := c.handleOutput(ctx, oc, data)
	return res, FromStatus(err)
}

func (c *Client) handleOutput(ctx context.Context, oc iomanager.OutputContext, data iomanager.Payload) (*OutputResult, error) {
	if c.Transfer == TransferFile && !c.fileTransfer {
		return nil, errors.New("iomanager: file transfer asked for, but the session has none (Configure with SameHost)")
	}
	d := &pb.OutputDescriptor{Session: c.session, Target: targetToPB(oc.Target), Partitions: partitionsToPB(oc.Partitions),
		TimeWindow: windowToPB(oc.Window), Metadata: oc.Metadata, Format: oc.Format, SizeHint: data.Size}
	if data.Records != nil {
		d.Kind = pb.PayloadKind_PAYLOAD_KIND_TABLE
	} else {
		d.Kind = pb.PayloadKind_PAYLOAD_KIND_OBJECT
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if data.Records != nil && c.useFile() {
		path, size, _, err := writeIPCFile(ctx, c.transferDir, "out-*.arrow", data.Records, c.mem)
		if err != nil {
			return nil, err
		}
		defer os.Remove(path) // the plugin removes it too; whoever is first
		d.TransferFile, d.SizeHint = path, size
	}
	stream, err := c.rpc.HandleOutput(cctx)
	if err != nil {
		return nil, err
	}
	if err := stream.Send(&pb.HandleOutputRequest{Msg: &pb.HandleOutputRequest_Descriptor_{Descriptor_: d}}); err != nil {
		_, rerr := stream.CloseAndRecv()
		return nil, errors.Join(err, rerr)
	}
	if d.TransferFile == "" {
		cw := newChunkWriter(func(b []byte) error {
			return stream.Send(&pb.HandleOutputRequest{Msg: &pb.HandleOutputRequest_Chunk{Chunk: b}})
		})
		var err error
		if data.Records != nil {
			err = writeIPCStream(cw, data.Records)
		} else {
			_, err = io.Copy(cw, data.Object)
		}
		if err == nil {
			err = cw.Flush()
		}
		if err != nil {
			if _, rerr := stream.CloseAndRecv(); rerr != nil && !errors.Is(err, io.EOF) {
				return nil, rerr // the plugin's error explains the failed send
			}
			return nil, err
		}
	}
	resp, err := stream.CloseAndRecv()
	if err != nil {
		return nil, err
	}
	out := &OutputResult{URI: resp.GetUri(), Rows: resp.GetRowCount(), Bytes: resp.GetBytes(), Metadata: metadataFromPB(resp.GetMetadata())}
	for _, p := range resp.GetPartitions() {
		out.Partitions = append(out.Partitions, iomanager.PartitionResult{Key: p.GetKey(), Path: p.GetPath(), URI: p.GetUri(), Rows: p.GetRows(), Bytes: p.GetBytes()})
	}
	return out, nil
}

func writeIPCStream(w io.Writer, rr array.RecordReader) error {
	iw := ipc.NewWriter(w, ipc.WithSchema(rr.Schema()))
	for rr.Next() {
		if err := iw.Write(rr.RecordBatch()); err != nil {
			iw.Close()
			return err
		}
	}
	if err := rr.Err(); err != nil {
		iw.Close()
		return err
	}
	return iw.Close()
}

// Loaded is a finished load.
type Loaded struct {
	Kind       iomanager.Kind
	URI        string
	Partitions []string
	Missing    []string
	// Table is the combined table (ShapeTable, ShapeBatches, unpartitioned).
	Table arrow.Table
	// Tables are the per-partition tables (ShapePartitions).
	Tables map[string]arrow.Table
	// Objects are stored objects by partition key ("" when unpartitioned).
	Objects map[string][]byte
	Rows    int64
	// FileParts counts the parts that came as transfer files.
	FileParts int
}

// Release releases the tables.
func (l *Loaded) Release() {
	if l.Table != nil {
		l.Table.Release()
	}
	for _, t := range l.Tables {
		t.Release()
	}
}

// LoadInput loads what ic describes and collects it in memory.
func (c *Client) LoadInput(ctx context.Context, ic iomanager.InputContext) (*Loaded, error) {
	l, err := c.loadInput(ctx, ic)
	return l, FromStatus(err)
}

func (c *Client) loadInput(ctx context.Context, ic iomanager.InputContext) (*Loaded, error) {
	filters, err := filtersToPB(ic.Filters)
	if err != nil {
		return nil, err
	}
	req := &pb.LoadInputRequest{Session: c.session, Target: targetToPB(ic.Target), Partitions: partitionsToPB(ic.Partitions),
		TimeWindow: windowToPB(ic.Window), Metadata: ic.Metadata, Columns: ic.Columns, Filters: filters,
		AllowMissingPartitions: ic.AllowMissingPartitions, Shape: shapeToPB(ic.Shape), Concurrency: int32(ic.Concurrency),
		Format: ic.Format, Transfer: pb.Transfer(c.Transfer)}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := c.rpc.LoadInput(cctx, req)
	if err != nil {
		return nil, err
	}
	first, err := stream.Recv()
	if err != nil {
		return nil, err
	}
	h := first.GetHeader()
	if h == nil {
		return nil, errors.New("iomanager: protocol: LoadInput did not start with a header")
	}
	l := &Loaded{Kind: kindFromPB(h.GetKind()), URI: h.GetUri(), Partitions: h.GetPartitions(), Missing: h.GetMissing()}
	ok := false
	defer func() {
		if !ok {
			l.Release()
		}
	}()
	var pending *pb.LoadInputResponse
	recv := func() (*pb.LoadInputResponse, error) {
		if pending != nil {
			m := pending
			pending = nil
			return m, nil
		}
		return stream.Recv()
	}
	for {
		msg, err := recv()
		if err != nil {
			return nil, err
		}
		if t := msg.GetTrailer(); t != nil {
			l.Rows = t.GetRowCount()
			break
		}
		part := msg.GetPart()
		if part == nil {
			return nil, errors.New("iomanager: protocol: chunk without a part header")
		}
		var tbl arrow.Table
		var obj []byte
		if tf := part.GetTransferFile(); tf != "" {
			l.FileParts++
			tbl, obj, err = c.readTransferFile(tf, l.Kind)
		} else {
			cr := &chunkReader{next: func() ([]byte, error) {
				m, err := stream.Recv()
				if err != nil {
					return nil, err
				}
				if ch, ok := m.GetMsg().(*pb.LoadInputResponse_Chunk); ok {
					return ch.Chunk, nil
				}
				pending = m
				return nil, io.EOF
			}}
			if l.Kind == iomanager.KindObject {
				obj, err = io.ReadAll(cr)
			} else {
				tbl, err = readIPCStream(cr, c.mem)
				if err == nil {
					_, err = io.Copy(io.Discard, cr)
				}
			}
		}
		if err != nil {
			return nil, fmt.Errorf("iomanager: reading part %q: %w", part.GetKey(), err)
		}
		switch {
		case obj != nil || l.Kind == iomanager.KindObject:
			if l.Objects == nil {
				l.Objects = map[string][]byte{}
			}
			l.Objects[part.GetKey()] = obj
		case ic.Shape == iomanager.ShapePartitions && len(ic.Partitions) > 0:
			if l.Tables == nil {
				l.Tables = map[string]arrow.Table{}
			}
			l.Tables[part.GetKey()] = tbl
		default:
			if l.Table != nil {
				l.Table.Release()
			}
			l.Table = tbl
		}
	}
	ok = true
	return l, nil
}

func (c *Client) readTransferFile(path string, kind iomanager.Kind) (arrow.Table, []byte, error) {
	defer os.Remove(path)
	if kind == iomanager.KindObject {
		b, err := os.ReadFile(path)
		return nil, b, err
	}
	rr, err := openMappedIPC(path, c.mem)
	if err != nil {
		return nil, nil, err
	}
	defer rr.Release()
	t, err := parquet.CollectTable(rr)
	return t, nil, err
}

func readIPCStream(r io.Reader, mem memory.Allocator) (arrow.Table, error) {
	rd, err := ipc.NewReader(r, ipc.WithAllocator(mem))
	if err != nil {
		return nil, err
	}
	defer rd.Release()
	return parquet.CollectTable(rd)
}

// Stat reports whether an output (or which of its partitions) exists.
func (c *Client) Stat(ctx context.Context, ref iomanager.OutputContext) (*iomanager.Status, error) {
	resp, err := c.rpc.Stat(ctx, &pb.StatRequest{Session: c.session, Target: targetToPB(ref.Target),
		Partitions: partitionsToPB(ref.Partitions), Metadata: ref.Metadata, Format: ref.Format})
	if err != nil {
		return nil, FromStatus(err)
	}
	st := &iomanager.Status{Exists: resp.GetExists(), URI: resp.GetUri(), Size: resp.GetSize()}
	if resp.GetModTime() != nil {
		st.ModTime = resp.GetModTime().AsTime()
	}
	for _, p := range resp.GetPartitions() {
		ps := iomanager.PartitionStatus{Key: p.GetKey(), Exists: p.GetExists(), URI: p.GetUri(), Size: p.GetSize()}
		if p.GetModTime() != nil {
			ps.ModTime = p.GetModTime().AsTime()
		}
		st.Partitions = append(st.Partitions, ps)
	}
	return st, nil
}

// Delete removes an output or some of its partitions.
func (c *Client) Delete(ctx context.Context, ref iomanager.OutputContext) (int, error) {
	resp, err := c.rpc.Delete(ctx, &pb.DeleteRequest{Session: c.session, Target: targetToPB(ref.Target),
		Partitions: partitionsToPB(ref.Partitions), Metadata: ref.Metadata, Format: ref.Format})
	if err != nil {
		return 0, FromStatus(err)
	}
	return int(resp.GetDeleted()), nil
}

// ListPartitions lists an asset's stored partitions.
func (c *Client) ListPartitions(ctx context.Context, assetKey []string, dims []string, md map[string]string, format string) ([]iomanager.PartitionKey, error) {
	resp, err := c.rpc.ListPartitions(ctx, &pb.ListPartitionsRequest{Session: c.session, AssetKey: &pb.AssetKey{Path: assetKey},
		Dimensions: dims, Metadata: md, Format: format})
	if err != nil {
		return nil, FromStatus(err)
	}
	return partitionsFromPB(resp.GetPartitions()), nil
}
