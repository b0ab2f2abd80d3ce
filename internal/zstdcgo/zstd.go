//go:build cgo

package zstdcgo

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/DataDog/zstd"
	pqcompress "github.com/apache/arrow-go/v18/parquet/compress"
)

const enabled = true

// defaultLevel is libzstd's ZSTD_CLEVEL_DEFAULT, used for
// pqcompress.DefaultCompressionLevel.
const defaultLevel = 3

func init() {
	pqcompress.RegisterCodec(pqcompress.Codecs.Zstd, codec{})
}

// codec implements pqcompress.Codec, ErrorCodec and StreamingCodec with
// libzstd. Compression and decompression contexts are pooled: creating
// one allocates its work space, which costs more than compressing a
// small page.
type codec struct{}

var ctxPool = sync.Pool{New: func() any { return zstd.NewCtx() }}

func level(l int) int {
	if l == pqcompress.DefaultCompressionLevel {
		return defaultLevel
	}
	return l
}

// Encode compresses src at the default level (see EncodeLevel).
func (c codec) Encode(dst, src []byte) []byte {
	return c.EncodeLevel(dst, src, pqcompress.DefaultCompressionLevel)
}

// EncodeLevel compresses src into one zstd frame. The frame is written in
// dst when its capacity is at least CompressBound(len(src)), else into a
// new slice. It panics only on a libzstd failure, which the Codec
// interface cannot report (libzstd fails only on a bad level or out of
// memory).
func (codec) EncodeLevel(dst, src []byte, l int) []byte {
	ctx := ctxPool.Get().(zstd.Ctx)
	out, err := ctx.CompressLevel(dst[:0], src, level(l))
	ctxPool.Put(ctx)
	if err != nil {
		panic(fmt.Errorf("zstd: compressing %d bytes at level %d: %w", len(src), l, err))
	}
	return out
}

// CompressBound is ZSTD_COMPRESSBOUND.
func (codec) CompressBound(n int64) int64 {
	return int64(zstd.CompressBound(int(n)))
}

// Decode decompresses src; it panics on malformed input (arrow-go calls
// DecodeWithError instead).
func (c codec) Decode(dst, src []byte) []byte {
	out, err := c.DecodeWithError(dst, src)
	if err != nil {
		panic(err)
	}
	return out
}

// DecodeWithError decompresses the zstd frames of src. The result is
// written into dst's capacity when it fits (arrow-go passes a buffer of
// the page's uncompressed size), else into a new slice.
func (codec) DecodeWithError(dst, src []byte) ([]byte, error) {
	if len(src) == 0 {
		return dst[:0], nil
	}
	ctx := ctxPool.Get().(zstd.Ctx)
	defer ctxPool.Put(ctx)
	if cap(dst) > 0 {
		n, err := ctx.DecompressInto(dst[:cap(dst)], src)
		if err == nil {
			return dst[:n], nil
		}
		if !zstd.IsDstSizeTooSmallError(err) {
			return nil, fmt.Errorf("zstd: decompressing %d bytes: %w", len(src), err)
		}
	}
	// No room: Decompress sizes a buffer from the frame header, and streams
	// when the header does not say.
	out, err := ctx.Decompress(nil, src)
	if err != nil {
		return nil, fmt.Errorf("zstd: decompressing %d bytes: %w", len(src), err)
	}
	return out, nil
}

// NewReader decompresses the zstd stream r.
func (codec) NewReader(r io.Reader) io.ReadCloser { return zstd.NewReader(r) }

// NewWriter compresses to w at the default level.
func (codec) NewWriter(w io.Writer) io.WriteCloser { return zstd.NewWriterLevel(w, defaultLevel) }

// NewWriterLevel compresses to w at level l.
func (codec) NewWriterLevel(w io.Writer, l int) (io.WriteCloser, error) {
	l = level(l)
	if l < -(1<<17) || l > 22 {
		return nil, errors.New("zstd: compression level out of range")
	}
	return zstd.NewWriterLevel(w, l), nil
}

var (
	_ pqcompress.ErrorCodec     = codec{}
	_ pqcompress.StreamingCodec = codec{}
)
