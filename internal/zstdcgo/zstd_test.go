package zstdcgo_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	pqcompress "github.com/apache/arrow-go/v18/parquet/compress"
	kzstd "github.com/klauspost/compress/zstd"

	"github.com/remotestore/remotestore/internal/zstdcgo"
)

// pages are inputs shaped like Parquet pages: empty, tiny, compressible
// and random, below and above 128 KiB (where CompressBound changes form).
func pages() map[string][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 300<<10)
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	var text bytes.Buffer
	for i := 0; text.Len() < 1<<20; i++ {
		text.WriteString("0123456789abcdef")
		text.WriteByte(byte(i))
	}
	return map[string][]byte{
		"empty":        {},
		"one":          {42},
		"text-1MiB":    text.Bytes(),
		"text-100KiB":  text.Bytes()[:100<<10],
		"random-300Ki": random,
		"random-1KiB":  random[:1024],
	}
}

func codec(t *testing.T) pqcompress.Codec {
	t.Helper()
	c, err := pqcompress.GetCodec(pqcompress.Codecs.Zstd)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRegistered checks which codec arrow-go uses: ours with cgo, its
// own pure-Go one without.
func TestRegistered(t *testing.T) {
	name := fmt.Sprintf("%T", codec(t))
	if mine := strings.HasPrefix(name, "zstdcgo."); mine != zstdcgo.Enabled {
		t.Fatalf("registered zstd codec is %s; Enabled = %v", name, zstdcgo.Enabled)
	}
	t.Logf("zstd codec: %s", name)
}

// TestRoundTrip encodes at several levels into dst buffers as arrow-go
// sizes them, and decodes into exact, nil and too-small buffers.
func TestRoundTrip(t *testing.T) {
	c := codec(t)
	for name, src := range pages() {
		for _, level := range []int{pqcompress.DefaultCompressionLevel, 1, 3, 9} {
			bound := c.CompressBound(int64(max(len(src), 1)))
			dst := make([]byte, 0, bound)
			enc := c.EncodeLevel(dst, src, level)
			if len(enc) > 0 && len(src) > 0 && &enc[0] != &dst[:1][0] {
				t.Errorf("%s level %d: encoded outside a dst of CompressBound capacity", name, level)
			}
			if int64(len(enc)) > bound {
				t.Errorf("%s level %d: %d bytes > bound %d", name, level, len(enc), bound)
			}
			for _, dcap := range []int{len(src), 0, len(src) / 2} {
				out, err := pqcompress.Decode(c, make([]byte, dcap), enc)
				if err != nil {
					t.Fatalf("%s level %d dst %d: %v", name, level, dcap, err)
				}
				if !bytes.Equal(out, src) {
					t.Fatalf("%s level %d dst %d: round trip differs (%d bytes, want %d)", name, level, dcap, len(out), len(src))
				}
			}
			if got := c.Decode(nil, c.Encode(nil, src)); !bytes.Equal(got, src) {
				t.Fatalf("%s: Encode/Decode with nil buffers differs", name)
			}
		}
	}
}

// TestInteropWithPureGo checks both directions against klauspost/compress,
// arrow-go's pure-Go zstd: files written with one codec read with the
// other.
func TestInteropWithPureGo(t *testing.T) {
	c := codec(t)
	kenc, err := kzstd.NewWriter(nil, kzstd.WithZeroFrames(true), kzstd.WithEncoderLevel(kzstd.SpeedFastest))
	if err != nil {
		t.Fatal(err)
	}
	kdec, err := kzstd.NewReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer kdec.Close()
	for name, src := range pages() {
		got, err := kdec.DecodeAll(c.EncodeLevel(nil, src, 1), nil)
		if err != nil || !bytes.Equal(got, src) {
			t.Fatalf("%s: klauspost cannot read ours: %v", name, err)
		}
		got, err = pqcompress.Decode(c, make([]byte, len(src)), kenc.EncodeAll(src, nil))
		if err != nil || !bytes.Equal(got, src) {
			t.Fatalf("%s: we cannot read klauspost's: %v", name, err)
		}
	}
}

// TestMalformed returns errors, not panics, through pqcompress.Decode.
func TestMalformed(t *testing.T) {
	c := codec(t)
	src := pages()["text-1MiB"]
	enc := c.EncodeLevel(nil, src, 1)
	for name, bad := range map[string][]byte{
		"garbage":   []byte("this is not a zstd frame at all"),
		"truncated": enc[:len(enc)/2],
	} {
		if _, err := pqcompress.Decode(c, make([]byte, len(src)), bad); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}

// TestStreaming round-trips through NewWriterLevel and NewReader.
func TestStreaming(t *testing.T) {
	sc, ok := codec(t).(pqcompress.StreamingCodec)
	if !ok {
		t.Fatal("the zstd codec does not stream")
	}
	src := pages()["text-1MiB"]
	var buf bytes.Buffer
	w, err := sc.NewWriterLevel(&buf, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(src); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r := sc.NewReader(&buf)
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if !bytes.Equal(got, src) {
		t.Fatal("streamed round trip differs")
	}
}

// benchPages are 1 MiB pages as Parquet plain-encodes the store's
// benchmark columns: int64 ids, float64 = id/2, and 16-hex-digit strings
// (4-byte length prefix each).
func benchPages() map[string][]byte {
	ids := make([]byte, 0, 1<<20)
	floats := make([]byte, 0, 1<<20)
	strs := make([]byte, 0, 1<<20)
	for id := uint64(0); len(ids) < 1<<20; id++ {
		ids = binary.LittleEndian.AppendUint64(ids, id)
		floats = binary.LittleEndian.AppendUint64(floats, math.Float64bits(float64(id)*0.5))
	}
	for id := uint64(0); len(strs)+20 <= 1<<20; id++ {
		strs = binary.LittleEndian.AppendUint32(strs, 16)
		strs = fmt.Appendf(strs, "%016x", id*2654435761)
	}
	return map[string][]byte{"int64": ids, "float64": floats, "string": strs}
}

// BenchmarkCodec compares the registered codec with klauspost's (as
// arrow-go configures it) on 1 MiB pages at level 1, the Parquet store's
// default.
func BenchmarkCodec(b *testing.B) {
	c, _ := pqcompress.GetCodec(pqcompress.Codecs.Zstd)
	kenc, _ := kzstd.NewWriter(nil, kzstd.WithZeroFrames(true), kzstd.WithEncoderLevel(kzstd.SpeedFastest), kzstd.WithEncoderConcurrency(1), kzstd.WithAllLitEntropyCompression(true))
	kdec, _ := kzstd.NewReader(nil, kzstd.WithDecoderConcurrency(1))
	for name, src := range benchPages() {
		enc := c.EncodeLevel(nil, src, 1)
		kenced := kenc.EncodeAll(src, nil)
		dst := make([]byte, 0, c.CompressBound(int64(len(src))))
		out := make([]byte, len(src))
		b.Run(name+"/encode/registered", func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				c.EncodeLevel(dst, src, 1)
			}
			b.ReportMetric(float64(len(enc))/float64(len(src)), "ratio")
		})
		b.Run(name+"/encode/klauspost", func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				kenc.EncodeAll(src, dst[:0])
			}
			b.ReportMetric(float64(len(kenced))/float64(len(src)), "ratio")
		})
		b.Run(name+"/decode/registered", func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				c.Decode(out, enc)
			}
		})
		b.Run(name+"/decode/klauspost", func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				kdec.DecodeAll(enc, out[:0])
			}
		})
	}
}
