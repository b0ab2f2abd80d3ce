package grpcplugin_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/remotestore/remotestore/iomanager"
	"github.com/remotestore/remotestore/iomanager/grpcplugin"
	"github.com/remotestore/remotestore/parquet"
	"github.com/remotestore/remotestore/store"
)

// pluginBin is the plugin binary the tests launch: $REMOTESTORE_IOMANAGER_BIN,
// else cmd/iomanager built for the test run (or, before cmd/iomanager
// exists, the stand-in in testdata/plugin).
var pluginBin string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if b := os.Getenv("REMOTESTORE_IOMANAGER_BIN"); b != "" {
		pluginBin = b
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "iomanager-plugin-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	_, here, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(here), "..", "..")
	// The real binary; the stand-in only where cmd/iomanager is absent
	// (grpcplugin used as a library in another module).
	pkg := "./cmd/iomanager"
	if _, err := os.Stat(filepath.Join(root, "cmd", "iomanager", "main.go")); err != nil {
		pkg = "./iomanager/grpcplugin/testdata/plugin"
	}
	pluginBin = filepath.Join(dir, "iomanager")
	cmd := exec.Command("go", "build", "-o", pluginBin, pkg)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the plugin:", err)
		return 1
	}
	return m.Run()
}

type launched struct {
	pc  *plugin.Client
	c   *grpcplugin.Client
	dir string // the store's root folder
}

// launch starts the plugin through go-plugin's own client, with AutoMTLS,
// over a local store in a temp folder.
func launch(t testing.TB, env ...string) *launched {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(pluginBin)
	cmd.Env = append(os.Environ(), append([]string{grpcplugin.EnvStoreURL + "=file://" + dir}, env...)...)
	var stderr bytes.Buffer
	pc := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  grpcplugin.Handshake,
		VersionedPlugins: grpcplugin.PluginSets(nil),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		GRPCDialOptions:  grpcplugin.DialOptions(),
		Stderr:           &stderr,
		Logger:           hclog.New(&hclog.LoggerOptions{Name: "host", Level: hclog.Warn, Output: os.Stderr}),
	})
	t.Cleanup(pc.Kill)
	rpc, err := pc.Client()
	if err != nil {
		t.Fatalf("start plugin: %v\nstderr: %s", err, stderr.String())
	}
	if err := rpc.Ping(); err != nil {
		t.Fatalf("ping (health): %v", err)
	}
	raw, err := rpc.Dispense(grpcplugin.PluginName)
	if err != nil {
		t.Fatal(err)
	}
	if pc.NegotiatedVersion() != grpcplugin.ProtocolVersion {
		t.Fatal("protocol version")
	}
	return &launched{pc: pc, c: raw.(*grpcplugin.Client), dir: dir}
}

func records(lo, hi int, extra map[string]string) array.RecordReader {
	fields := []arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "v", Type: arrow.PrimitiveTypes.Float64}}
	var names []string
	for k := range extra {
		names = append(names, k)
	}
	for _, k := range names {
		fields = append(fields, arrow.Field{Name: k, Type: arrow.BinaryTypes.String})
	}
	sc := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for i := lo; i < hi; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.Float64Builder).Append(float64(i) / 2)
		for j, k := range names {
			b.Field(2 + j).(*array.StringBuilder).Append(extra[k])
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	rr, _ := array.NewRecordReader(sc, []arrow.RecordBatch{rec})
	return rr
}

func store1(t *testing.T, c *grpcplugin.Client, oc iomanager.OutputContext, rr array.RecordReader) *grpcplugin.OutputResult {
	t.Helper()
	defer rr.Release()
	res, err := c.HandleOutput(context.Background(), oc, iomanager.Table(rr))
	if err != nil {
		t.Fatalf("HandleOutput %s: %v", oc.Target, err)
	}
	return res
}

func fileExists(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("expected file: %v", err)
	}
}

func TestPluginRoundTrips(t *testing.T) {
	p := launch(t)
	ctx := context.Background()
	c := p.c

	t.Run("unpartitioned", func(t *testing.T) {
		res := store1(t, c, iomanager.OutputContext{Target: iomanager.Asset("wh", "orders")}, records(0, 1000, nil))
		if res.Rows != 1000 || res.Metadata[iomanager.KeyRowCount].Int != 1000 || len(res.Metadata[iomanager.KeyColumnSchema].Schema) != 2 {
			t.Fatalf("result %+v", res)
		}
		fileExists(t, filepath.Join(p.dir, "wh", "orders.parquet"))
		l, err := c.LoadInput(ctx, iomanager.InputContext{Target: iomanager.Asset("wh", "orders"), Columns: []string{"v"},
			Filters: []parquet.Filter{parquet.Lt("id", 10)}})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Release()
		if l.Table.NumRows() != 10 || l.Table.NumCols() != 1 || l.Rows != 10 {
			t.Fatalf("loaded %d rows × %d cols", l.Table.NumRows(), l.Table.NumCols())
		}
	})

	t.Run("daily", func(t *testing.T) {
		days := []string{"2024-01-01", "2024-01-02"}
		var keys []iomanager.PartitionKey
		for i, d := range days {
			k := iomanager.Partition(d)
			k.Window = &iomanager.TimeWindow{Start: time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 1, 2+i, 0, 0, 0, 0, time.UTC)}
			keys = append(keys, k)
			store1(t, c, iomanager.OutputContext{Target: iomanager.Asset("daily"), Partitions: []iomanager.PartitionKey{k}}, records(i*10, i*10+10, nil))
			fileExists(t, filepath.Join(p.dir, "daily", d+".parquet"))
		}
		l, err := c.LoadInput(ctx, iomanager.InputContext{Target: iomanager.Asset("daily"), Partitions: keys,
			Metadata: map[string]string{"partition_expr": "day"}})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Release()
		if l.Table.NumRows() != 20 || l.Table.Schema().Field(2).Name != "day" {
			t.Fatalf("loaded %d rows, schema %s", l.Table.NumRows(), l.Table.Schema())
		}
		parts, err := c.LoadInput(ctx, iomanager.InputContext{Target: iomanager.Asset("daily"), Partitions: keys, Shape: iomanager.ShapePartitions})
		if err != nil {
			t.Fatal(err)
		}
		defer parts.Release()
		if len(parts.Tables) != 2 || parts.Tables["2024-01-02"].NumRows() != 10 {
			t.Fatalf("per partition: %v", parts.Tables)
		}
		got, err := c.ListPartitions(ctx, []string{"daily"}, nil, nil, "")
		if err != nil || len(got) != 2 || got[1].Key != "2024-01-02" {
			t.Fatalf("ListPartitions %v %v", got, err)
		}
	})

	t.Run("multi", func(t *testing.T) {
		k := iomanager.MultiPartition(map[string]string{"region": "eu/west", "date": "2024-01-01"})
		store1(t, c, iomanager.OutputContext{Target: iomanager.Asset("multi"), Partitions: []iomanager.PartitionKey{k}}, records(0, 5, nil))
		fileExists(t, filepath.Join(p.dir, "multi", "2024-01-01", "eu%2Fwest.parquet"))
		l, err := c.LoadInput(ctx, iomanager.InputContext{Target: iomanager.Asset("multi"), Partitions: []iomanager.PartitionKey{k}})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Release()
		if l.Table.NumRows() != 5 || len(l.Table.Schema().FieldIndices("region")) != 1 {
			t.Fatalf("loaded %s", l.Table.Schema())
		}
	})

	t.Run("op output object", func(t *testing.T) {
		target := iomanager.Target{Op: iomanager.OpOutput{RunID: "run1", StepKey: "op_a", OutputName: "result"}}
		obj := bytes.Repeat([]byte("pickle!"), 400_000) // 2.8 MB: several chunks
		if _, err := c.HandleOutput(ctx, iomanager.OutputContext{Target: target}, iomanager.Object(bytes.NewReader(obj), int64(len(obj)))); err != nil {
			t.Fatal(err)
		}
		fileExists(t, filepath.Join(p.dir, "run1", "op_a", "result"))
		l, err := c.LoadInput(ctx, iomanager.InputContext{Target: target})
		if err != nil {
			t.Fatal(err)
		}
		if l.Kind != iomanager.KindObject || !bytes.Equal(l.Objects[""], obj) {
			t.Fatalf("object round trip: kind %v, %d bytes", l.Kind, len(l.Objects[""]))
		}
	})

	t.Run("30 partitions concurrently", func(t *testing.T) {
		var keys []iomanager.PartitionKey
		for i := 0; i < 30; i++ {
			k := iomanager.Partition(fmt.Sprintf("2024-02-%02d", i+1))
			keys = append(keys, k)
			store1(t, c, iomanager.OutputContext{Target: iomanager.Asset("thirty"), Partitions: []iomanager.PartitionKey{k}}, records(i*100, i*100+100, nil))
		}
		l, err := c.LoadInput(ctx, iomanager.InputContext{Target: iomanager.Asset("thirty"), Partitions: keys, Concurrency: 8})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Release()
		if l.Table.NumRows() != 3000 || len(l.Partitions) != 30 {
			t.Fatalf("%d rows from %d partitions", l.Table.NumRows(), len(l.Partitions))
		}
		ids := l.Table.Column(0).Data().Chunks()
		var prev int64 = -1
		for _, ch := range ids {
			for _, v := range ch.(*array.Int64).Int64Values() {
				if v != prev+1 {
					t.Fatalf("rows out of partition order: %d after %d", v, prev)
				}
				prev = v
			}
		}
	})

	t.Run("missing partitions", func(t *testing.T) {
		keys := []iomanager.PartitionKey{iomanager.Partition("2024-01-01"), iomanager.Partition("2023-12-31"), iomanager.Partition("2023-12-30")}
		_, err := c.LoadInput(ctx, iomanager.InputContext{Target: iomanager.Asset("daily"), Partitions: keys})
		var re *grpcplugin.RemoteError
		if !errors.Is(err, store.ErrNotFound) || !errors.As(err, &re) || re.Path != "daily/2023-12-31.parquet" ||
			!strings.Contains(err.Error(), "2023-12-31, 2023-12-30") {
			t.Fatalf("want NotFound naming the missing partitions, got %v (%+v)", err, re)
		}
		l, err := c.LoadInput(ctx, iomanager.InputContext{Target: iomanager.Asset("daily"), Partitions: keys, AllowMissingPartitions: true})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Release()
		if l.Table.NumRows() != 10 || len(l.Missing) != 2 {
			t.Fatalf("allowed missing: %d rows, missing %v", l.Table.NumRows(), l.Missing)
		}
	})

	t.Run("multi-partition output", func(t *testing.T) {
		var keys []iomanager.PartitionKey
		sc := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "date", Type: arrow.BinaryTypes.String}, {Name: "color", Type: arrow.BinaryTypes.String}}, nil)
		b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
		n := 0
		for _, d := range []string{"2024-05-01", "2024-05-02", "2024-05-03"} {
			for _, col := range []string{"red", "blue"} {
				keys = append(keys, iomanager.MultiPartition(map[string]string{"date": d, "color": col}))
				for k := 0; k < 7; k++ {
					b.Field(0).(*array.Int64Builder).Append(int64(n))
					b.Field(1).(*array.StringBuilder).Append(d)
					b.Field(2).(*array.StringBuilder).Append(col)
					n++
				}
			}
		}
		rec := b.NewRecordBatch()
		b.Release()
		rr, _ := array.NewRecordReader(sc, []arrow.RecordBatch{rec})
		rec.Release()
		res := store1(t, c, iomanager.OutputContext{Target: iomanager.Asset("grid"), Partitions: keys}, rr)
		if res.Rows != 42 || len(res.Partitions) != 6 || res.Metadata[iomanager.KeyPartitionRowCounts].Text == "" {
			t.Fatalf("result %+v", res)
		}
		fileExists(t, filepath.Join(p.dir, "grid", "blue", "2024-05-02.parquet")) // dimensions by name: color, date
		l, err := c.LoadInput(ctx, iomanager.InputContext{Target: iomanager.Asset("grid"), Partitions: keys[2:4]})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Release()
		if l.Table.NumRows() != 14 {
			t.Fatalf("%d rows", l.Table.NumRows())
		}
	})

	t.Run("stat and delete", func(t *testing.T) {
		ref := iomanager.OutputContext{Target: iomanager.Asset("daily"), Partitions: []iomanager.PartitionKey{iomanager.Partition("2024-01-01"), iomanager.Partition("1999-01-01")}}
		st, err := c.Stat(ctx, ref)
		if err != nil || st.Exists || !st.Partitions[0].Exists || st.Partitions[1].Exists {
			t.Fatalf("stat %+v %v", st, err)
		}
		n, err := c.Delete(ctx, iomanager.OutputContext{Target: iomanager.Asset("daily"), Partitions: ref.Partitions[:1]})
		if err != nil || n != 1 {
			t.Fatalf("delete %d %v", n, err)
		}
	})

	t.Run("invalid input is InvalidConfig", func(t *testing.T) {
		rr := records(0, 1, nil)
		defer rr.Release()
		_, err := c.HandleOutput(ctx, iomanager.OutputContext{Target: iomanager.Asset("x"), Metadata: map[string]string{"format": "csv"}}, iomanager.Table(rr))
		var re *grpcplugin.RemoteError
		if !errors.Is(err, store.ErrInvalidConfig) || !errors.As(err, &re) || re.Details["target"] != "x" {
			t.Fatalf("got %v", err)
		}
	})
}

func TestPluginFileTransfer(t *testing.T) {
	p := launch(t)
	ctx := context.Background()
	if err := p.c.Configure(ctx, grpcplugin.ConfigureOptions{StoreURL: "file://" + p.dir, SameHost: true}); err != nil {
		t.Fatal(err)
	}
	if !p.c.FileTransfer() {
		t.Fatal("same-host probe did not enable the file transfer")
	}
	res := store1(t, p.c, iomanager.OutputContext{Target: iomanager.Asset("ft")}, records(0, 50_000, nil))
	if res.Rows != 50_000 {
		t.Fatalf("rows %d", res.Rows)
	}
	l, err := p.c.LoadInput(ctx, iomanager.InputContext{Target: iomanager.Asset("ft")})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if l.Table.NumRows() != 50_000 || l.FileParts != 1 {
		t.Fatalf("%d rows, %d file parts", l.Table.NumRows(), l.FileParts)
	}
	// A transfer file outside the session's folder is refused.
	if err := p.c.CloseSession(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestSidecar(t *testing.T) {
	dir := t.TempDir()
	rf := filepath.Join(dir, "reattach.json")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, pluginBin, "serve", "--reattach-file", rf, "--store", "file://"+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	var rc *plugin.ReattachConfig
	for i := 0; ; i++ {
		var err error
		if rc, err = grpcplugin.ReadReattachFile(rf); err == nil {
			break
		}
		if i > 200 {
			t.Fatalf("no reattach file: %v\nstderr: %s", err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	fi, err := os.Stat(rc.Addr.String())
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket %s mode %v, %v", rc.Addr, fi.Mode(), err)
	}
	if rfi, _ := os.Stat(rf); rfi.Mode().Perm() != 0o600 {
		t.Fatalf("reattach file mode %v", rfi.Mode())
	}
	attach := func() (*plugin.Client, *grpcplugin.Client) {
		pc := plugin.NewClient(&plugin.ClientConfig{
			// A reattached client does not negotiate: it uses Plugins.
			HandshakeConfig: grpcplugin.Handshake, Plugins: grpcplugin.PluginSets(nil)[grpcplugin.ProtocolVersion],
			Reattach: rc, AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC}, GRPCDialOptions: grpcplugin.DialOptions(),
			Logger: hclog.NewNullLogger(),
		})
		rpc, err := pc.Client()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := rpc.Dispense(grpcplugin.PluginName)
		if err != nil {
			t.Fatal(err)
		}
		return pc, raw.(*grpcplugin.Client)
	}
	pc1, c1 := attach()
	store1(t, c1, iomanager.OutputContext{Target: iomanager.Asset("shared")}, records(0, 10, nil))
	// A worker that closes its client (Shutdown) and is killed must not stop the sidecar.
	if rpc, err := pc1.Client(); err == nil {
		rpc.Close()
	}
	pc1.Kill()
	pc2, c2 := attach()
	defer pc2.Kill()
	l, err := c2.LoadInput(ctx, iomanager.InputContext{Target: iomanager.Asset("shared")})
	if err != nil {
		t.Fatalf("second worker after the first left: %v\nstderr: %s", err, stderr.String())
	}
	defer l.Release()
	if l.Table.NumRows() != 10 {
		t.Fatalf("%d rows", l.Table.NumRows())
	}
}

// Run without the cookie, the plugin refuses to serve and says why (the
// real binary stays the CLI); nothing reaches stdout.
func TestNotLaunchedAsPlugin(t *testing.T) {
	cmd := exec.Command(pluginBin, "serve")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(stderr.String(), "--reattach-file") || stdout.Len() != 0 {
		t.Fatalf("exit %v, stdout %q, stderr %q", err, stdout.String(), stderr.String())
	}
}
