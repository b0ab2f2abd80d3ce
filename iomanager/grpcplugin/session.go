package grpcplugin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"

	"github.com/hashicorp/go-hclog"

	"github.com/remotestore/remotestore/iomanager"
	pb "github.com/remotestore/remotestore/iomanager/internal/iomanagerv1"
	"github.com/remotestore/remotestore/store"
)

// Environment variables a host may set instead of calling Configure: they
// open the default session ("").
const (
	EnvStoreURL    = "REMOTESTORE_STORE_URL"
	EnvConfigFile  = "REMOTESTORE_CONFIG_FILE"
	EnvStoreName   = "REMOTESTORE_STORE"
	EnvFormat      = "REMOTESTORE_FORMAT"
	EnvConcurrency = "REMOTESTORE_LOAD_CONCURRENCY"
)

// session is one opened store and its IO manager.
type session struct {
	id          string
	st          *store.Store
	m           *iomanager.Manager
	transferDir string // "" when file transfer is off
}

func (s *session) close() {
	if s.transferDir != "" {
		os.RemoveAll(s.transferDir)
	}
	s.st.Close()
}

// sessions holds the sessions of one server.
type sessions struct {
	mu     sync.Mutex
	byID   map[string]*session
	getenv func(string) string
	log    hclog.Logger
	open   func(ctx context.Context, req *pb.ConfigureRequest) (*store.Store, error)
}

// openStore opens the store a Configure request (or the environment) names.
func openStore(ctx context.Context, req *pb.ConfigureRequest) (*store.Store, error) {
	switch {
	case req.GetStoreUrl() != "" && req.GetConfigFile() != "":
		return nil, fmt.Errorf("iomanager: %w: give a store URL or a config file, not both", store.ErrInvalidConfig)
	case req.GetStoreUrl() != "":
		return store.OpenURL(ctx, req.GetStoreUrl())
	case req.GetConfigFile() != "":
		c, err := store.LoadConfig(req.GetConfigFile())
		if err != nil {
			return nil, err
		}
		name := req.GetStoreName()
		if name == "" && len(c.Stores) == 1 {
			name = c.StoreNames()[0]
		}
		return c.Open(ctx, name)
	}
	return nil, fmt.Errorf("iomanager: %w: no store: call Configure with a store URL or config file, or set %s (or %s and %s) for the plugin",
		store.ErrInvalidConfig, EnvStoreURL, EnvConfigFile, EnvStoreName)
}

func (ss *sessions) configure(ctx context.Context, req *pb.ConfigureRequest, id string) (*session, *pb.ConfigureResponse, error) {
	st, err := ss.open(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	format, err := iomanager.ParseFormat(req.GetFormat(), iomanager.FormatParquet)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	s := &session{id: id, st: st, m: iomanager.New(st, iomanager.Config{Format: format, Concurrency: int(req.GetLoadConcurrency())})}
	resp := &pb.ConfigureResponse{Session: id, StoreUri: st.String(), PluginVersion: "iomanager.v1"}
	for _, f := range iomanager.Formats {
		resp.Formats = append(resp.Formats, string(f))
	}
	if probeOK(req.GetProbePath(), req.GetProbeToken()) {
		dir, err := os.MkdirTemp(transferRoot(ss.getenv), "remotestore-xfer-")
		if err == nil {
			s.transferDir = dir
			resp.TransferDir, resp.FileTransfer = dir, true
		} else {
			ss.log.Warn("no transfer folder; using chunks", "error", err)
		}
	}
	ss.mu.Lock()
	if old := ss.byID[id]; old != nil {
		old.close()
	}
	ss.byID[id] = s
	ss.mu.Unlock()
	ss.log.Info("session opened", "session", id, "store", resp.StoreUri, "client", req.GetClientName(), "file_transfer", resp.FileTransfer)
	return s, resp, nil
}

// EnvTransferDir sets where session transfer folders are made (default
// /dev/shm when it is writable, so transfers never touch a disk; else the
// system temp folder).
const EnvTransferDir = "REMOTESTORE_TRANSFER_DIR"

func transferRoot(getenv func(string) string) string {
	if d := getenv(EnvTransferDir); d != "" {
		return d
	}
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if f, err := os.CreateTemp("/dev/shm", ".remotestore-probe-"); err == nil {
			f.Close()
			os.Remove(f.Name())
			return "/dev/shm"
		}
	}
	return os.TempDir()
}

// probeOK reports whether the host's probe file holds its token: the two
// processes see the same filesystem.
func probeOK(path, token string) bool {
	if path == "" || len(token) < 16 {
		return false
	}
	b, err := os.ReadFile(path)
	return err == nil && string(b) == token
}

// get returns the session id names; "" opens the default session from the
// environment on first use.
func (ss *sessions) get(ctx context.Context, id string) (*session, error) {
	ss.mu.Lock()
	s := ss.byID[id]
	ss.mu.Unlock()
	if s != nil {
		return s, nil
	}
	if id != "" {
		return nil, fmt.Errorf("iomanager: %w: unknown session %q (closed, or opened on another plugin process)", store.ErrInvalidConfig, id)
	}
	conc, _ := strconv.Atoi(ss.getenv(EnvConcurrency))
	req := &pb.ConfigureRequest{StoreUrl: ss.getenv(EnvStoreURL), ConfigFile: ss.getenv(EnvConfigFile),
		StoreName: ss.getenv(EnvStoreName), Format: ss.getenv(EnvFormat), LoadConcurrency: int32(conc)}
	s, _, err := ss.configure(ctx, req, "")
	return s, err
}

func (ss *sessions) closeSession(id string) error {
	ss.mu.Lock()
	s := ss.byID[id]
	delete(ss.byID, id)
	ss.mu.Unlock()
	if s == nil {
		return fmt.Errorf("iomanager: %w: unknown session %q", store.ErrInvalidConfig, id)
	}
	s.close()
	return nil
}

func (ss *sessions) closeAll() {
	ss.mu.Lock()
	all := ss.byID
	ss.byID = map[string]*session{}
	ss.mu.Unlock()
	for _, s := range all {
		s.close()
	}
}

func newSessionID() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(errors.New("iomanager: no randomness: " + err.Error()))
	}
	return hex.EncodeToString(b[:])
}
