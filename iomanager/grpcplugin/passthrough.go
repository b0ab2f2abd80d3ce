package grpcplugin

import (
	"io"
	"os"

	"github.com/remotestore/remotestore/iomanager"
	pb "github.com/remotestore/remotestore/iomanager/internal/iomanagerv1"
)

// passthrough is how a host that decodes Parquet itself receives
// partitions: copies in the session's transfer folder (useFile), else in
// the system temp folder to be streamed as chunks; files of a local store
// named in place when the host accepts that (native) and shares our
// filesystem (useFile: the probe succeeded).
func passthrough(useFile, native bool, transferDir string) *iomanager.Passthrough {
	dir := ""
	if useFile {
		dir = transferDir
	}
	return &iomanager.Passthrough{Native: native && useFile, Create: func() (*os.File, error) {
		return os.CreateTemp(dir, "load-*.parquet")
	}}
}

// sendParquetFile sends one partition's Parquet file: its header naming
// the file in place or the copy in the transfer folder, or the header and
// the copy's bytes as chunks (the copy is then deleted here).
func sendParquetFile(stream pb.IOManagerService_LoadInputServer, hdr *pb.PartHeader, pf *iomanager.ParquetFile,
	useFile bool, sendChunk func([]byte) error) error {
	hdr.Encoding = pb.Encoding_ENCODING_PARQUET
	hdr.Size, hdr.Rows = pf.Size, pf.Rows
	hdr.Columns, hdr.ColumnsSet, hdr.Select = pf.Columns, pf.Columns != nil, pf.Select
	hdr.DictionaryColumns = pf.Dictionary
	for _, c := range pf.Constants {
		hdr.Constants = append(hdr.Constants, &pb.ConstColumn{Name: c.Name, Value: c.Value})
	}
	send := func() error { return stream.Send(&pb.LoadInputResponse{Msg: &pb.LoadInputResponse_Part{Part: hdr}}) }
	switch {
	case pf.Native != "":
		hdr.LocalPath = pf.Native
		return send()
	case useFile:
		hdr.TransferFile = pf.Copy
		if err := send(); err != nil {
			os.Remove(pf.Copy)
			return err
		}
		return nil
	}
	defer os.Remove(pf.Copy)
	if err := send(); err != nil {
		return err
	}
	f, err := os.Open(pf.Copy)
	if err != nil {
		return err
	}
	defer f.Close()
	cw := newChunkWriter(sendChunk)
	if _, err := io.Copy(cw, f); err != nil {
		return err
	}
	return cw.Flush()
}
