package grpcplugin

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/remotestore/remotestore/iomanager"
	"github.com/remotestore/remotestore/parquet"
	"github.com/remotestore/remotestore/store"
)

// The error table: every sentinel travels as its code and ErrorInfo reason
// and comes back as the same sentinel, path included.
func TestErrorTableRoundTrip(t *testing.T) {
	want := map[error]codes.Code{
		store.ErrNotFound: codes.NotFound, store.ErrAlreadyExists: codes.AlreadyExists,
		store.ErrPermission: codes.PermissionDenied, store.ErrInvalidPath: codes.InvalidArgument,
		store.ErrNotSupported: codes.Unimplemented, store.ErrUnavailable: codes.Unavailable,
	}
	for _, k := range errorKinds {
		err := &store.Error{Op: "read", Path: "a/b.parquet", URI: "mem://a/b.parquet", Backend: "mem", Kind: k.kind}
		se := ToStatus(err)
		st, _ := status.FromError(se)
		if c, ok := want[k.kind]; ok && st.Code() != c {
			t.Errorf("%s: code %s, want %s", k.name, st.Code(), c)
		}
		var info *errdetails.ErrorInfo
		for _, d := range st.Details() {
			info, _ = d.(*errdetails.ErrorInfo)
		}
		if info == nil || info.Reason != store.KindName(err) || info.Reason != k.name || info.Metadata["path"] != "a/b.parquet" || info.Domain != ErrorDomain {
			t.Errorf("%s: ErrorInfo %+v", k.name, info)
		}
		back := FromStatus(se)
		var re *RemoteError
		if !errors.Is(back, k.kind) || !errors.As(back, &re) || re.Path != "a/b.parquet" || back.Error() != err.Error() {
			t.Errorf("%s: back as %v (%+v)", k.name, back, re)
		}
	}
	// Without a detail, the code alone decides.
	if err := FromStatus(status.Error(codes.NotFound, "gone")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("code-only NotFound: %v", err)
	}
	// An unclassified error is Unknown with no kind.
	if st, _ := status.FromError(ToStatus(errors.New("boom"))); st.Code() != codes.Unknown || len(st.Details()) != 0 {
		t.Errorf("unclassified: %v %v", st.Code(), st.Details())
	}
	// iomanager errors carry their target.
	ie := &iomanager.Error{Op: "load-input", Target: "a/b", Path: "a/b/x.parquet", Err: fmt.Errorf("%w: 1 of 2 partitions are missing", store.ErrNotFound)}
	re := FromStatus(ToStatus(ie)).(*RemoteError)
	if re.Kind != store.ErrNotFound || re.Path != "a/b/x.parquet" || re.Details["target"] != "a/b" {
		t.Errorf("iomanager error: %+v", re)
	}
}

// The Python shim's table (errors.KINDS) names the same kinds with the same codes.
func TestErrorTableAgreesWithPython(t *testing.T) {
	_, here, _, _ := runtime.Caller(0)
	py := filepath.Join(filepath.Dir(here), "..", "..", "python-shim", "src", "remotestore_dagster", "errors.py")
	src, err := os.ReadFile(py)
	if err != nil {
		t.Skipf("no Python shim: %v", err)
	}
	block := string(src)
	if i := strings.Index(block, "KINDS:"); i >= 0 {
		block = block[i:]
		block = block[:strings.Index(block, "}")]
	}
	re := regexp.MustCompile(`"(\w+)":\s*\(\w+,\s*grpc\.StatusCode\.(\w+)\)`)
	got := map[string]string{}
	for _, m := range re.FindAllStringSubmatch(block, -1) {
		got[m[1]] = m[2]
	}
	if len(got) == 0 {
		t.Fatalf("no KINDS table found in %s", py)
	}
	pyName := func(c codes.Code) string {
		return map[codes.Code]string{codes.Canceled: "CANCELLED"}[c]
	}
	for _, k := range errorKinds {
		code := strings.ToUpper(regexp.MustCompile(`([a-z])([A-Z])`).ReplaceAllString(k.code.String(), "${1}_${2}"))
		if n := pyName(k.code); n != "" {
			code = n
		}
		if got[k.name] != code {
			t.Errorf("kind %s: Go code %s, Python %q", k.name, code, got[k.name])
		}
	}
	if len(got) != len(errorKinds) {
		t.Errorf("Python has %d kinds, Go %d", len(got), len(errorKinds))
	}
}

func TestConvertRoundTrips(t *testing.T) {
	w := &iomanager.TimeWindow{Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)}
	parts := []iomanager.PartitionKey{
		{Key: "2024-01-01", Window: w},
		iomanager.MultiPartition(map[string]string{"a": "x", "b": "y"}),
		{Key: "k", Dimensions: map[string]string{"col": "k"}},
	}
	back := partitionsFromPB(partitionsToPB(parts))
	for i := range parts {
		if back[i].Key != parts[i].Key || len(back[i].Dimensions) != len(parts[i].Dimensions) ||
			(parts[i].Window != nil && !back[i].Window.Start.Equal(w.Start)) {
			t.Errorf("partition %d: %+v → %+v", i, parts[i], back[i])
		}
	}
	for _, tg := range []iomanager.Target{iomanager.Asset("a", "b"), {Op: iomanager.OpOutput{RunID: "r", StepKey: "s", OutputName: "o", MappingKey: "m"}}} {
		if got := targetFromPB(targetToPB(tg)); got.String() != tg.String() {
			t.Errorf("target %v → %v", tg, got)
		}
	}
	ts := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	fs := []parquet.Filter{parquet.Eq("a", "x"), parquet.Ge("n", int64(3)), parquet.Lt("f", 1.5), parquet.Ne("b", true),
		parquet.Gt("t", ts), parquet.In("c", "p", int64(2))}
	pbf, err := filtersToPB(fs)
	if err != nil {
		t.Fatal(err)
	}
	gotF := filtersFromPB(pbf)
	if fmt.Sprint(gotF) != fmt.Sprint(fs) {
		t.Errorf("filters %v → %v", fs, gotF)
	}
	md := map[string]iomanager.MetadataValue{
		"i": {Kind: iomanager.MetaInt, Int: 3}, "f": {Kind: iomanager.MetaFloat, Float: 2.5}, "t": {Kind: iomanager.MetaText, Text: "x"},
		"p": {Kind: iomanager.MetaPath, Text: "/a"}, "u": {Kind: iomanager.MetaURL, Text: "s3://b"}, "j": {Kind: iomanager.MetaJSON, Text: "{}"},
		"b": {Kind: iomanager.MetaBool, Bool: true}, "s": {Kind: iomanager.MetaTableSchema, Schema: []iomanager.Column{{Name: "a", Type: "int64", Nullable: true}}},
	}
	if got := metadataFromPB(metadataToPB(md)); fmt.Sprint(got) != fmt.Sprint(md) {
		t.Errorf("metadata %v → %v", md, got)
	}
	for _, s := range []iomanager.Shape{iomanager.ShapeTable, iomanager.ShapePartitions, iomanager.ShapeBatches} {
		if shapeFromPB(shapeToPB(s)) != s {
			t.Errorf("shape %v", s)
		}
	}
	for _, k := range []iomanager.Kind{iomanager.KindTable, iomanager.KindObject} {
		if kindFromPB(kindToPB(k)) != k {
			t.Errorf("kind %v", k)
		}
	}
	if !proto.Equal(targetToPB(iomanager.Asset("a")), targetToPB(iomanager.Asset("a"))) {
		t.Error("proto equality")
	}
}

func TestChunkWriterAndReader(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 350_000) // 3.5 MB
	var chunks [][]byte
	cw := newChunkWriter(func(b []byte) error {
		if len(b) > ChunkSize {
			t.Fatalf("chunk of %d bytes", len(b))
		}
		chunks = append(chunks, append([]byte(nil), b...))
		return nil
	})
	for off := 0; off < len(data); off += 77_777 {
		cw.Write(data[off:min(off+77_777, len(data))])
	}
	cw.Flush()
	if len(chunks) != 4 {
		t.Fatalf("%d chunks", len(chunks))
	}
	i := 0
	cr := &chunkReader{next: func() ([]byte, error) {
		if i == len(chunks) {
			return nil, io.EOF
		}
		i++
		return chunks[i-1], nil
	}}
	got, err := io.ReadAll(cr)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("reassembled %d bytes, %v", len(got), err)
	}
}

func TestTransferFileMustBeInsideTheSessionFolder(t *testing.T) {
	dir := t.TempDir()
	inside := filepath.Join(dir, "out-1.arrow")
	os.WriteFile(inside, []byte("x"), 0o600)
	if _, err := insideDir(dir, inside); err != nil {
		t.Errorf("inside: %v", err)
	}
	outside := filepath.Join(t.TempDir(), "x")
	os.WriteFile(outside, []byte("x"), 0o600)
	os.Symlink(outside, filepath.Join(dir, "link"))
	for _, p := range []string{outside, filepath.Join(dir, "..", "x"), filepath.Join(dir, "link"), filepath.Join(dir, "missing")} {
		if _, err := insideDir(dir, p); err == nil {
			t.Errorf("%s accepted", p)
		}
	}
	if _, err := insideDir("", inside); err == nil {
		t.Error("no transfer folder accepted")
	}
}

func TestP256TLSProvider(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "server.pem")
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if cfg, err := TLSProvider(getenv)(); cfg != nil || err != nil {
		t.Fatalf("without the variables: %v %v", cfg, err)
	}
	// A client certificate as a host would make it.
	clientPEM := selfSigned(t)
	env["PLUGIN_CLIENT_CERT"], env[EnvServerCertFile] = clientPEM, out
	cfg, err := TLSProvider(getenv)()
	if err != nil || cfg == nil {
		t.Fatalf("provider: %v", err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		t.Fatalf("server key %T %v, want ECDSA P-256", cert.PublicKey, pub)
	}
	if cfg.ClientAuth.String() != "RequireAndVerifyClientCert" || cfg.ClientCAs == nil {
		t.Fatalf("client auth %v", cfg.ClientAuth)
	}
	env["PLUGIN_CLIENT_CERT"] = "not pem"
	if _, err := TLSProvider(getenv)(); err == nil {
		t.Fatal("bad client cert accepted")
	}
}

func selfSigned(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
