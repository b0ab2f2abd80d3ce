package grpcplugin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/hashicorp/go-hclog"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/remotestore/remotestore/iomanager"
	pb "github.com/remotestore/remotestore/iomanager/internal/iomanagerv1"
	"github.com/remotestore/remotestore/store"
)

// Server implements iomanager.v1's IOManagerService over iomanager.Manager
// sessions. Every error leaves as a gRPC status (ToStatus).
type Server struct {
	pb.UnimplementedIOManagerServiceServer
	ss *sessions
}

// NewServer returns a Server. getenv (os.Getenv when nil) supplies the
// default session's store; log may be nil.
func NewServer(log hclog.Logger, getenv func(string) string) *Server {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	return &Server{ss: &sessions{byID: map[string]*session{}, getenv: getenv, log: log, open: openStore}}
}

// Close closes every session (stores and transfer folders).
func (s *Server) Close() { s.ss.closeAll() }

var _ pb.IOManagerServiceServer = (*Server)(nil)

// Configure opens a session.
func (s *Server) Configure(ctx context.Context, req *pb.ConfigureRequest) (*pb.ConfigureResponse, error) {
	_, resp, err := s.ss.configure(ctx, req, newSessionID())
	return resp, ToStatus(err)
}

// CloseSession closes a session.
func (s *Server) CloseSession(_ context.Context, req *pb.CloseSessionRequest) (*pb.CloseSessionResponse, error) {
	return &pb.CloseSessionResponse{}, ToStatus(s.ss.closeSession(req.GetSession()))
}

// HandleOutput receives the descriptor, then the payload, and stores it.
func (s *Server) HandleOutput(stream pb.IOManagerService_HandleOutputServer) error {
	resp, err := s.handleOutput(stream)
	if err != nil {
		return ToStatus(err)
	}
	return stream.SendAndClose(resp)
}

func (s *Server) handleOutput(stream pb.IOManagerService_HandleOutputServer) (*pb.HandleOutputResponse, error) {
	ctx := stream.Context()
	first, err := stream.Recv()
	if err != nil {
		return nil, err
	}
	d := first.GetDescriptor_()
	if d == nil {
		return nil, fmt.Errorf("iomanager: %w: HandleOutput must start with a descriptor", store.ErrInvalidConfig)
	}
	sess, err := s.ss.get(ctx, d.GetSession())
	if err != nil {
		return nil, err
	}
	oc := iomanager.OutputContext{Target: targetFromPB(d.GetTarget()), Partitions: partitionsFromPB(d.GetPartitions()),
		Window: windowFromPB(d.GetTimeWindow()), Metadata: d.GetMetadata(), Format: d.GetFormat()}
	kind := kindFromPB(d.GetKind())
	if kind == 0 {
		return nil, fmt.Errorf("iomanager: %w: descriptor has no payload kind", store.ErrInvalidConfig)
	}
	chunks := &chunkReader{next: func() ([]byte, error) {
		msg, err := stream.Recv()
		if err != nil {
			return nil, err // io.EOF at the end of the client stream
		}
		if msg.GetDescriptor_() != nil {
			return nil, fmt.Errorf("iomanager: %w: a second descriptor in one HandleOutput", store.ErrInvalidConfig)
		}
		return msg.GetChunk(), nil
	}}
	mem := memory.DefaultAllocator
	var payload iomanager.Payload
	if tf := d.GetTransferFile(); tf != "" {
		path, err := insideDir(sess.transferDir, tf)
		if err != nil {
			return nil, err
		}
		defer os.Remove(path)
		if kind == iomanager.KindObject {
			f, err := os.Open(path)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			payload = iomanager.Object(f, d.GetSizeHint())
		} else {
			rr, err := openMappedIPC(path, mem)
			if err != nil {
				return nil, err
			}
			defer rr.Release()
			payload = iomanager.Table(rr)
		}
	} else if kind == iomanager.KindObject {
		payload = iomanager.Object(chunks, d.GetSizeHint())
	} else {
		rd, err := ipc.NewReader(chunks, ipc.WithAllocator(mem))
		if err != nil {
			return nil, fmt.Errorf("iomanager: reading the table (Arrow IPC stream): %w", err)
		}
		defer rd.Release()
		payload = iomanager.Table(rd)
	}
	res, err := sess.m.HandleOutput(ctx, oc, payload)
	if err != nil {
		return nil, err
	}
	// Drain what the client may still send (nothing, normally).
	for {
		if _, err := stream.Recv(); err != nil {
			break
		}
	}
	return resultToPB(res), nil
}

// LoadInput streams an input back: header, parts, trailer.
func (s *Server) LoadInput(req *pb.LoadInputRequest, stream pb.IOManagerService_LoadInputServer) error {
	return ToStatus(s.loadInput(req, stream))
}

func (s *Server) loadInput(req *pb.LoadInputRequest, stream pb.IOManagerService_LoadInputServer) error {
	ctx := stream.Context()
	sess, err := s.ss.get(ctx, req.GetSession())
	if err != nil {
		return err
	}
	ic := iomanager.InputContext{Target: targetFromPB(req.GetTarget()), Partitions: partitionsFromPB(req.GetPartitions()),
		Window: windowFromPB(req.GetTimeWindow()), Metadata: req.GetMetadata(), Format: req.GetFormat(),
		Filters: filtersFromPB(req.GetFilters()), AllowMissingPartitions: req.GetAllowMissingPartitions(),
		Shape: shapeFromPB(req.GetShape()), Concurrency: int(req.GetConcurrency())}
	if len(req.GetColumns()) > 0 {
		ic.Columns = req.GetColumns()
	}
	useFile := sess.transferDir != "" && (req.GetTransfer() == pb.Transfer_TRANSFER_FILE ||
		req.GetTransfer() == pb.Transfer_TRANSFER_AUTO && ic.Shape != iomanager.ShapeBatches)
	if req.GetAcceptParquet() {
		ic.Passthrough = passthrough(useFile, req.GetAcceptLocalPaths(), sess.transferDir)
	}
	in, err := sess.m.LoadInput(ctx, ic)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := stream.Send(&pb.LoadInputResponse{Msg: &pb.LoadInputResponse_Header{Header: &pb.LoadHeader{
		Kind: kindToPB(in.Kind), Partitions: in.Partitions, Missing: in.Missing, Uri: in.URI}}}); err != nil {
		return err
	}
	if req.GetTransfer() == pb.Transfer_TRANSFER_FILE && sess.transferDir == "" {
		return fmt.Errorf("iomanager: %w: file transfer asked for, but the session has no shared transfer folder (Configure with a probe file)", store.ErrNotSupported)
	}
	sendChunk := func(b []byte) error {
		return stream.Send(&pb.LoadInputResponse{Msg: &pb.LoadInputResponse_Chunk{Chunk: b}})
	}
	var rows int64
	for {
		part, err := in.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		hdr := &pb.PartHeader{Key: part.Key}
		if part.Partition != nil {
			hdr.Dimensions = part.Partition.Dimensions
		}
		if part.Parquet != nil {
			if err := sendParquetFile(stream, hdr, part.Parquet, useFile, sendChunk); err != nil {
				return err
			}
			rows += part.Parquet.Rows
			continue
		}
		if part.Records != nil {
			n, err := s.sendTable(ctx, stream, hdr, part.Records, useFile, sess.transferDir, sendChunk)
			part.Records.Release()
			if err != nil {
				return err
			}
			rows += n
			continue
		}
		hdr.Size = int64(len(part.Object))
		if err := stream.Send(&pb.LoadInputResponse{Msg: &pb.LoadInputResponse_Part{Part: hdr}}); err != nil {
			return err
		}
		cw := newChunkWriter(sendChunk)
		if _, err := io.Copy(cw, bytes.NewReader(part.Object)); err != nil {
			return err
		}
		if err := cw.Flush(); err != nil {
			return err
		}
	}
	if in.Kind == iomanager.KindObject {
		rows = -1
	}
	return stream.Send(&pb.LoadInputResponse{Msg: &pb.LoadInputResponse_Trailer{Trailer: &pb.LoadTrailer{RowCount: rows,
		Metadata: metadataToPB(map[string]iomanager.MetadataValue{
			iomanager.KeyURI:      {Kind: iomanager.MetaPath, Text: in.URI},
			iomanager.KeyRowCount: {Kind: iomanager.MetaInt, Int: rows},
		})}}})
}

// sendTable sends one table part: as an IPC file in the transfer folder,
// or as an IPC stream in chunks after the part header.
func (s *Server) sendTable(ctx context.Context, stream pb.IOManagerService_LoadInputServer, hdr *pb.PartHeader,
	rr array.RecordReader, useFile bool, dir string, sendChunk func([]byte) error) (int64, error) {
	if useFile {
		path, size, rows, err := writeIPCFile(ctx, dir, "load-*.arrow", rr, memory.DefaultAllocator)
		if err != nil {
			return 0, err
		}
		hdr.TransferFile, hdr.Size = path, size
		if err := stream.Send(&pb.LoadInputResponse{Msg: &pb.LoadInputResponse_Part{Part: hdr}}); err != nil {
			os.Remove(path)
			return 0, err
		}
		return rows, nil
	}
	if err := stream.Send(&pb.LoadInputResponse{Msg: &pb.LoadInputResponse_Part{Part: hdr}}); err != nil {
		return 0, err
	}
	cw := newChunkWriter(sendChunk)
	w := ipc.NewWriter(cw, ipc.WithSchema(rr.Schema()))
	var rows int64
	for rr.Next() {
		rec := rr.RecordBatch()
		if err := w.Write(rec); err != nil {
			w.Close()
			return 0, err
		}
		rows += rec.NumRows()
	}
	if err := rr.Err(); err != nil {
		w.Close()
		return 0, err
	}
	if err := w.Close(); err != nil {
		return 0, err
	}
	return rows, cw.Flush()
}

func refFrom(t *pb.Target, parts []*pb.PartitionKey, md map[string]string, format string) iomanager.OutputContext {
	return iomanager.OutputContext{Target: targetFromPB(t), Partitions: partitionsFromPB(parts), Metadata: md, Format: format}
}

// Stat reports whether an output or its partitions exist.
func (s *Server) Stat(ctx context.Context, req *pb.StatRequest) (*pb.StatResponse, error) {
	sess, err := s.ss.get(ctx, req.GetSession())
	if err != nil {
		return nil, ToStatus(err)
	}
	st, err := sess.m.Stat(ctx, refFrom(req.GetTarget(), req.GetPartitions(), req.GetMetadata(), req.GetFormat()))
	if err != nil {
		return nil, ToStatus(err)
	}
	out := &pb.StatResponse{Exists: st.Exists, Uri: st.URI, Size: st.Size}
	if !st.ModTime.IsZero() {
		out.ModTime = timestamppb.New(st.ModTime)
	}
	for _, p := range st.Partitions {
		ps := &pb.PartitionStat{Key: p.Key, Exists: p.Exists, Uri: p.URI, Size: p.Size}
		if !p.ModTime.IsZero() {
			ps.ModTime = timestamppb.New(p.ModTime)
		}
		out.Partitions = append(out.Partitions, ps)
	}
	return out, nil
}

// Delete removes an output or some of its partitions.
func (s *Server) Delete(ctx context.Context, req *pb.DeleteRequest) (*pb.DeleteResponse, error) {
	sess, err := s.ss.get(ctx, req.GetSession())
	if err != nil {
		return nil, ToStatus(err)
	}
	n, err := sess.m.Delete(ctx, refFrom(req.GetTarget(), req.GetPartitions(), req.GetMetadata(), req.GetFormat()))
	if err != nil {
		return nil, ToStatus(err)
	}
	return &pb.DeleteResponse{Deleted: int64(n)}, nil
}

// ListPartitions lists an asset's stored partitions.
func (s *Server) ListPartitions(ctx context.Context, req *pb.ListPartitionsRequest) (*pb.ListPartitionsResponse, error) {
	sess, err := s.ss.get(ctx, req.GetSession())
	if err != nil {
		return nil, ToStatus(err)
	}
	t := iomanager.Target{AssetKey: req.GetAssetKey().GetPath()}
	keys, err := sess.m.ListPartitions(ctx, t, req.GetDimensions(), req.GetMetadata(), req.GetFormat())
	if err != nil {
		return nil, ToStatus(err)
	}
	return &pb.ListPartitionsResponse{Partitions: partitionsToPB(keys)}, nil
}
