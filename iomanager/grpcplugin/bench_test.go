package grpcplugin_test

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	_ "github.com/remotestore/remotestore/backends/local"
	"github.com/remotestore/remotestore/iomanager"
	"github.com/remotestore/remotestore/iomanager/grpcplugin"
	"github.com/remotestore/remotestore/store"
)

// shmTempDir is a temp folder on /dev/shm when it exists, else t.TempDir.
func shmTempDir(b *testing.B) string {
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "iomanager-bench-"); err == nil {
			b.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return b.TempDir()
}

// benchSize is the table size of the transfer benchmarks:
// $REMOTESTORE_BENCH_SIZE bytes, default 1 GiB.
func benchSize(b *testing.B) int64 {
	if s := os.Getenv("REMOTESTORE_BENCH_SIZE"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			b.Fatalf("REMOTESTORE_BENCH_SIZE: %v", err)
		}
		return n
	}
	return 1 << 30
}

// bigTable returns a table of two int64 columns totalling about size bytes,
// in batches of 64Ki rows.
func bigTable(size int64) arrow.Table {
	rows := size / 16
	sc := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}, {Name: "b", Type: arrow.PrimitiveTypes.Int64}}, nil)
	var recs []arrow.RecordBatch
	const batch = 1 << 16
	for lo := int64(0); lo < rows; lo += batch {
		n := min(batch, rows-lo)
		bld := array.NewRecordBuilder(memory.DefaultAllocator, sc)
		a, c := bld.Field(0).(*array.Int64Builder), bld.Field(1).(*array.Int64Builder)
		a.Reserve(int(n))
		c.Reserve(int(n))
		for i := lo; i < lo+n; i++ {
			a.UnsafeAppend(i)
			c.UnsafeAppend(i * 7)
		}
		recs = append(recs, bld.NewRecordBatch())
		bld.Release()
	}
	t := array.NewTableFromRecords(sc, recs)
	for _, r := range recs {
		r.Release()
	}
	return t
}

// BenchmarkTransfer measures host ↔ plugin throughput of one table (1 GiB
// by default) on both data paths — Arrow IPC chunks over gRPC (AutoMTLS on,
// as in production) and a same-host IPC file in the session's transfer
// folder — next to the limits of this machine in the same run: a memcpy of
// the same size and a Unix-socket loopback stream (what gRPC rides on).
// The plugin stores into mem:// as Arrow IPC, so storage adds one copy.
//
//	go test ./iomanager/grpcplugin -run '^$' -bench Transfer -benchtime 2x
func BenchmarkTransfer(b *testing.B) {
	size := benchSize(b)
	b.Run("memcpy", func(b *testing.B) {
		src := make([]byte, size)
		dst := make([]byte, size)
		for i := range src {
			src[i] = byte(i)
		}
		b.SetBytes(size)
		b.ResetTimer()
		for b.Loop() {
			copy(dst, src)
		}
	})
	b.Run("unix-socket-loopback", func(b *testing.B) {
		dir := b.TempDir()
		ln, err := net.Listen("unix", filepath.Join(dir, "s"))
		if err != nil {
			b.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() { io.Copy(io.Discard, c); c.Close() }()
			}
		}()
		buf := make([]byte, grpcplugin.ChunkSize)
		b.SetBytes(size)
		b.ResetTimer()
		for b.Loop() {
			c, err := net.Dial("unix", ln.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			for sent := int64(0); sent < size; sent += int64(len(buf)) {
				if _, err := c.Write(buf); err != nil {
					b.Fatal(err)
				}
			}
			c.Close()
		}
	})

	tbl := bigTable(size)
	defer tbl.Release()
	p := launch(b)
	ctx := context.Background()
	// The store is a local folder on a memory filesystem when there is one,
	// so that storage costs little and the same for every path.
	root := shmTempDir(b)
	if err := p.c.Configure(ctx, grpcplugin.ConfigureOptions{StoreURL: "file://" + root, SameHost: true}); err != nil {
		b.Fatal(err)
	}
	if !p.c.FileTransfer() {
		b.Fatal("no file transfer")
	}
	md := map[string]string{"format": "arrow", "compression": "none"}
	// The same store calls in this process: what the transfer adds to.
	st, err := store.OpenURL(ctx, "file://"+shmTempDir(b))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	m := iomanager.New(st, iomanager.Config{})
	b.Run("upload-in-process", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			rr := array.NewTableReader(tbl, 1<<16)
			_, err := m.HandleOutput(ctx, iomanager.OutputContext{Target: iomanager.Asset("big"), Metadata: md}, iomanager.Table(rr))
			rr.Release()
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("download-in-process", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			t, err := m.ReadTable(ctx, iomanager.InputContext{Target: iomanager.Asset("big"), Metadata: md})
			if err != nil {
				b.Fatal(err)
			}
			t.Release()
		}
	})
	for _, path := range []struct {
		name string
		t    grpcplugin.Transfer
	}{{"chunks", grpcplugin.TransferChunks}, {"file", grpcplugin.TransferFile}} {
		b.Run("upload-"+path.name, func(b *testing.B) {
			p.c.Transfer = path.t
			b.SetBytes(size)
			b.ResetTimer()
			for b.Loop() {
				rr := array.NewTableReader(tbl, 1<<16)
				_, err := p.c.HandleOutput(ctx, iomanager.OutputContext{Target: iomanager.Asset("big"), Metadata: md}, iomanager.Table(rr))
				rr.Release()
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("download-"+path.name, func(b *testing.B) {
			p.c.Transfer = path.t
			b.SetBytes(size)
			b.ResetTimer()
			for b.Loop() {
				l, err := p.c.LoadInput(ctx, iomanager.InputContext{Target: iomanager.Asset("big"), Metadata: md})
				if err != nil {
					b.Fatal(err)
				}
				if l.Table.NumRows() != tbl.NumRows() {
					b.Fatalf("%d rows", l.Table.NumRows())
				}
				l.Release()
			}
		})
	}
}
