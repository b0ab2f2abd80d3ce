package grpcplugin

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ChunkSize is the largest payload chunk sent in one message (1 MiB).
const ChunkSize = 1 << 20

// MaxMessageSize is the gRPC message size limit both sides set: a chunk
// plus headers fits with room to spare, and descriptors with many
// partitions do too.
const MaxMessageSize = 64 << 20

// chunkWriter cuts a byte stream into messages of at most ChunkSize.
type chunkWriter struct {
	buf  []byte
	send func([]byte) error
	n    int64
}

func newChunkWriter(send func([]byte) error) *chunkWriter {
	return &chunkWriter{buf: make([]byte, 0, ChunkSize), send: send}
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	total := len(p)
	for len(p) > 0 {
		k := min(ChunkSize-len(w.buf), len(p))
		w.buf = append(w.buf, p[:k]...)
		p = p[k:]
		if len(w.buf) == ChunkSize {
			if err := w.Flush(); err != nil {
				return total - len(p), err
			}
		}
	}
	w.n += int64(total)
	return total, nil
}

// Flush sends what is buffered. The buffer is reused: gRPC marshals a
// message before Send returns.
func (w *chunkWriter) Flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	err := w.send(w.buf)
	w.buf = w.buf[:0]
	return err
}

// chunkReader reads a byte stream from consecutive chunk messages; next
// returns the next chunk, or io.EOF at the end of the payload.
type chunkReader struct {
	next func() ([]byte, error)
	cur  []byte
	err  error
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.cur, r.err = r.next()
		if r.err != nil && len(r.cur) == 0 {
			return 0, r.err
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

// writeIPCFile writes rr's batches as an Arrow IPC file in dir and returns
// its path and size.
func writeIPCFile(ctx context.Context, dir, pattern string, rr array.RecordReader, mem memory.Allocator) (string, int64, int64, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", 0, 0, err
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, ChunkSize)
	w, err := ipc.NewFileWriter(bw, ipc.WithSchema(rr.Schema()), ipc.WithAllocator(mem))
	if err != nil {
		return "", 0, 0, err
	}
	var rows int64
	for rr.Next() {
		if err := ctx.Err(); err != nil {
			w.Close()
			return "", 0, 0, err
		}
		rec := rr.RecordBatch()
		if err := w.Write(rec); err != nil {
			w.Close()
			return "", 0, 0, err
		}
		rows += rec.NumRows()
	}
	if err := rr.Err(); err != nil {
		w.Close()
		return "", 0, 0, err
	}
	if err := w.Close(); err != nil {
		return "", 0, 0, err
	}
	if err := bw.Flush(); err != nil {
		return "", 0, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return "", 0, 0, err
	}
	if err := f.Close(); err != nil {
		return "", 0, 0, err
	}
	ok = true
	return f.Name(), st.Size(), rows, nil
}

// mappedIPC is an Arrow IPC file mapped into memory, read as a RecordReader.
type mappedIPC struct {
	data   []byte
	unmap  func() error
	fr     *ipc.FileReader
	i      int
	cur    arrow.RecordBatch
	err    error
	closed bool
}

// openMappedIPC maps the IPC file at path and reads it.
func openMappedIPC(path string, mem memory.Allocator) (*mappedIPC, error) {
	data, unmap, err := mapFile(path)
	if err != nil {
		return nil, err
	}
	fr, err := ipc.NewFileReader(bytes.NewReader(data), ipc.WithAllocator(mem))
	if err != nil {
		unmap()
		return nil, fmt.Errorf("iomanager: transfer file %s: not an Arrow IPC file: %w", path, err)
	}
	return &mappedIPC{data: data, unmap: unmap, fr: fr}, nil
}

func (m *mappedIPC) Retain()                        {}
func (m *mappedIPC) Schema() *arrow.Schema          { return m.fr.Schema() }
func (m *mappedIPC) RecordBatch() arrow.RecordBatch { return m.cur }
func (m *mappedIPC) Record() arrow.RecordBatch      { return m.cur }
func (m *mappedIPC) Err() error                     { return m.err }

func (m *mappedIPC) Next() bool {
	if m.err != nil || m.i >= m.fr.NumRecords() {
		return false
	}
	rec, err := m.fr.RecordBatch(m.i)
	if err != nil {
		m.err = err
		return false
	}
	m.i++
	m.cur = rec
	return true
}

// Release unmaps the file.
func (m *mappedIPC) Release() {
	if m.closed {
		return
	}
	m.closed = true
	m.fr.Close()
	m.unmap()
}

// insideDir checks that path names a regular file directly inside dir
// (the session's transfer folder): a host cannot make the plugin read or
// delete anything else.
func insideDir(dir, path string) (string, error) {
	if dir == "" {
		return "", errors.New("iomanager: this session has no transfer folder (file transfer is off)")
	}
	clean := filepath.Clean(path)
	if filepath.Dir(clean) != filepath.Clean(dir) || strings.HasPrefix(filepath.Base(clean), "..") {
		return "", fmt.Errorf("iomanager: transfer file %q is not inside the session's transfer folder", path)
	}
	fi, err := os.Lstat(clean)
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("iomanager: transfer file %q is not a regular file", path)
	}
	return clean, nil
}
