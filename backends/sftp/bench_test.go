package sftp_test

import (
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/pkg/sftp"

	sftpstore "github.com/remotestore/remotestore/backends/sftp"
	sftpserver "github.com/remotestore/remotestore/internal/testserver/sftp"
	"github.com/remotestore/remotestore/store"
)

// Benchmarks on the local sshd, the store and a raw pkg/sftp client side by
// side in one run. Settings come from the environment:
//
//	REMOTESTORE_SFTP_BENCH_SIZE        bytes per transfer (default 256 MiB)
//	REMOTESTORE_SFTP_BENCH_MAX_PACKET  max_packet of both clients (default 32768)
//	REMOTESTORE_SFTP_DATA_DIR          where sshd's files go (/dev/shm keeps the disk out of it)
//
//	REMOTESTORE_SFTP_DATA_DIR=/dev/shm go test ./backends/sftp -run '^$' -bench Transfer -benchtime 3x

func envInt(t testing.TB, name string, def int64) int64 {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// block is the repeating content of pattern: 64 KiB of varied bytes.
var block = func() []byte {
	b := make([]byte, 64<<10)
	for i := range b {
		b[i] = byte(i*31 + i>>9)
	}
	return b
}()

// pattern is an endless, cheap, non-seekable byte stream.
type pattern struct{ off int }

func (p *pattern) Read(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		c := copy(b[n:], block[p.off:])
		n += c
		p.off = (p.off + c) % len(block)
	}
	return n, nil
}

// onlyReader hides every method but Read.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// BenchmarkTransfer writes and reads one file of REMOTESTORE_SFTP_BENCH_SIZE
// bytes, alternating the store and a raw pkg/sftp client (its own SSH
// connection, the same packet size and requests in flight, concurrent
// writes on) in each iteration (in turn first), so both see the same machine load; it
// reports both throughputs and the time ratio. The store's writes are
// atomic (temporary file, fsync, rename); the raw client writes in place
// without fsync.
//
//   - write: Store.Write from a stream (io.ReaderFrom) vs File.ReadFrom
//   - write-chunks: 64 KiB Write calls (a Parquet writer's way) vs the same on the raw File
//   - read: io.Copy of Store.Open (io.WriterTo) vs File.WriteTo
//   - read-chunks: 64 KiB Read calls vs the same on the raw File
func BenchmarkTransfer(b *testing.B) {
	size := envInt(b, "REMOTESTORE_SFTP_BENCH_SIZE", 256<<20)
	maxPacket := int(envInt(b, "REMOTESTORE_SFTP_BENCH_MAX_PACKET", sftpstore.DefaultMaxPacket))
	srv := sftpserver.Get(b)
	c := config(b)
	c.MaxPacket = maxPacket
	be, err := sftpstore.New(b.Context(), c)
	if err != nil {
		b.Fatal(err)
	}
	st := store.New(be)
	defer st.Close()
	conn, err := srv.Dial()
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	opts := []sftp.ClientOption{sftp.UseConcurrentWrites(true), sftp.MaxConcurrentRequestsPerFile(sftpstore.DefaultConcurrency)}
	if maxPacket > 32<<10 {
		opts = append(opts, sftp.MaxPacketUnchecked(maxPacket))
	} else {
		opts = append(opts, sftp.MaxPacket(maxPacket))
	}
	raw, err := sftp.NewClient(conn, opts...)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	ctx := b.Context()
	rawPath := c.Path + "/raw.bin"
	overwrite := &store.WriteOptions{Overwrite: true}

	storeWrite := func(b *testing.B, chunks bool) {
		if !chunks {
			if err := st.Write(ctx, "store.bin", onlyReader{io.LimitReader(&pattern{}, size)}, overwrite); err != nil {
				b.Fatal(err)
			}
			return
		}
		w, err := st.NewWriter(ctx, "store.bin", overwrite)
		if err != nil {
			b.Fatal(err)
		}
		defer w.Close()
		if err := copyChunks(w, size); err != nil {
			b.Fatal(err)
		}
		if err := w.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	rawWrite := func(b *testing.B, chunks bool) {
		f, err := raw.OpenFile(rawPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
		if err != nil {
			b.Fatal(err)
		}
		if chunks {
			err = copyChunks(f, size)
		} else {
			_, err = f.ReadFrom(io.LimitReader(&pattern{}, size))
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, mode := range []struct {
		name   string
		chunks bool
	}{{"write", false}, {"write-chunks", true}} {
		b.Run(mode.name, func(b *testing.B) {
			var tStore, tRaw time.Duration
			for i := 0; b.Loop(); i++ {
				tStore += pair(i, func() { storeWrite(b, mode.chunks) }, func() { rawWrite(b, mode.chunks) }, &tRaw)
			}
			report(b, size, tStore, tRaw)
		})
	}

	storeRead := func(b *testing.B, chunks bool) {
		rc, err := st.Open(ctx, "store.bin")
		if err != nil {
			b.Fatal(err)
		}
		defer rc.Close()
		var n int64
		if chunks {
			n, err = readChunks(rc)
		} else {
			n, err = io.Copy(io.Discard, rc)
		}
		if err != nil || n != size {
			b.Fatalf("store read %d bytes, %v", n, err)
		}
	}
	rawRead := func(b *testing.B, chunks bool) {
		f, err := raw.Open(rawPath)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		var n int64
		if chunks {
			n, err = readChunks(f)
		} else {
			n, err = f.WriteTo(io.Discard)
		}
		if err != nil || n != size {
			b.Fatalf("raw read %d bytes, %v", n, err)
		}
	}
	for _, mode := range []struct {
		name   string
		chunks bool
	}{{"read", false}, {"read-chunks", true}} {
		b.Run(mode.name, func(b *testing.B) {
			if info, err := st.Stat(ctx, "store.bin"); err != nil || info.Size != size {
				storeWrite(b, false)
				rawWrite(b, false)
			}
			b.ResetTimer()
			var tStore, tRaw time.Duration
			for i := 0; b.Loop(); i++ {
				tStore += pair(i, func() { storeRead(b, mode.chunks) }, func() { rawRead(b, mode.chunks) }, &tRaw)
			}
			report(b, size, tStore, tRaw)
		})
	}
}

// pair runs the store's and the raw client's transfer, the store first in
// even iterations and second in odd ones (so neither always runs on a warm
// or a cold machine), adds the raw time to *tRaw and returns the store's.
func pair(i int, store, raw func(), tRaw *time.Duration) time.Duration {
	timed := func(f func()) time.Duration {
		t0 := time.Now()
		f()
		return time.Since(t0)
	}
	if i%2 == 0 {
		ts := timed(store)
		*tRaw += timed(raw)
		return ts
	}
	*tRaw += timed(raw)
	return timed(store)
}

// copyChunks writes size bytes of the pattern to w in 64 KiB Write calls.
func copyChunks(w io.Writer, size int64) error {
	buf := make([]byte, 64<<10)
	p := &pattern{}
	for left := size; left > 0; {
		n := min(int64(len(buf)), left)
		p.Read(buf[:n])
		if _, err := w.Write(buf[:n]); err != nil {
			return err
		}
		left -= n
	}
	return nil
}

// readChunks reads r to the end in 64 KiB Read calls.
func readChunks(r io.Reader) (int64, error) {
	buf := make([]byte, 64<<10)
	var n int64
	for {
		k, err := r.Read(buf)
		n += int64(k)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

func report(b *testing.B, size int64, tStore, tRaw time.Duration) {
	n := float64(b.N)
	b.ReportMetric(float64(size)*n/tStore.Seconds()/1e6, "store-MB/s")
	b.ReportMetric(float64(size)*n/tRaw.Seconds()/1e6, "raw-MB/s")
	b.ReportMetric(tStore.Seconds()/tRaw.Seconds(), "store/raw-time")
	b.ReportMetric(0, "ns/op") // the pair's time is not one operation
}
