package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/remotestore/remotestore/store"
)

// errClosed is returned by operations on a closed backend.
var errClosed = errors.New("sftp: backend is closed")

// pool keeps the backend's SSH connection and its SFTP sessions, and
// replaces the connection when it dies: a store lives for a whole pipeline
// run, longer than a server or a network may keep one connection up.
type pool struct {
	s        *settings
	auth     *auth
	hostKey  ssh.HostKeyCallback
	algos    []string
	sftpOpts []sftp.ClientOption

	mu     sync.Mutex // guards cur and closed; held while dialing
	cur    *conn
	closed bool
	dials  atomic.Int64 // connections made, for tests and messages
}

// conn is one SSH connection and the SFTP sessions opened on it.
type conn struct {
	ssh  *ssh.Client
	dead chan struct{} // closed when the SSH connection has ended

	mu    sync.Mutex // guards sess; held while opening a session
	sess  []*session
	close sync.Once
}

// session is one SFTP session (a channel of the connection, served by its
// own sftp-server on the server). busy counts the operations, open files
// and writers using it.
type session struct {
	*sftp.Client
	busy atomic.Int32
}

// release ends one use of s.
func (s *session) release() { s.busy.Add(-1) }

func newPool(s *settings, a *auth, cb ssh.HostKeyCallback, algos []string) *pool {
	opts := []sftp.ClientOption{
		sftp.UseConcurrentReads(true),
		sftp.UseConcurrentWrites(true),
		sftp.MaxConcurrentRequestsPerFile(s.Concurrency),
		sftp.UseFstat(true),
	}
	if s.MaxPacket > 32<<10 {
		opts = append(opts, sftp.MaxPacketUnchecked(s.MaxPacket))
	} else {
		opts = append(opts, sftp.MaxPacketChecked(s.MaxPacket))
	}
	return &pool{s: s, auth: a, hostKey: cb, algos: algos, sftpOpts: opts}
}

// isDead reports whether the connection has ended.
func (c *conn) isDead() bool {
	select {
	case <-c.dead:
		return true
	default:
		return false
	}
}

// shutdown closes the sessions and the connection.
func (c *conn) shutdown() {
	c.close.Do(func() {
		c.mu.Lock()
		sess := c.sess
		c.mu.Unlock()
		for _, s := range sess {
			go s.Close() // waits for the session's reader, which the connection's end releases
		}
		c.ssh.Close()
	})
}

// conn returns the live connection, dialing a new one when there is none
// or the last one died.
func (p *pool) conn(ctx context.Context) (*conn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errClosed
	}
	if p.cur != nil && !p.cur.isDead() {
		return p.cur, nil
	}
	if p.cur != nil {
		p.cur.shutdown()
		p.cur = nil
	}
	c, err := p.dial(ctx)
	if err != nil {
		return nil, err
	}
	p.cur = c
	return c, nil
}

// session returns an SFTP session of the live connection for one use,
// which the caller ends with release: the least busy open session, or a
// new one when every open session is busy and fewer than Sessions are
// open. Sequential use so stays on one session; concurrent use spreads
// over up to Sessions of them.
func (p *pool) session(ctx context.Context) (*conn, *session, error) {
	c, err := p.conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var best *session
	for _, s := range c.sess {
		if best == nil || s.busy.Load() < best.busy.Load() {
			best = s
		}
	}
	if best == nil || best.busy.Load() > 0 && len(c.sess) < p.s.Sessions {
		s, err := p.openSession(ctx, c)
		switch {
		case err == nil:
			c.sess = append(c.sess, s)
			best = s
		case best == nil || c.isDead() || isConnErr(err):
			if c.isDead() || isConnErr(err) {
				go p.drop(c)
			}
			return nil, nil, err
		}
		// A session refused while others work (the server's MaxSessions):
		// share the least busy one.
	}
	best.busy.Add(1)
	return c, best, nil
}

// openSession starts one SFTP session on c, giving up when ctx ends.
func (p *pool) openSession(ctx context.Context, c *conn) (*session, error) {
	type result struct {
		s   *sftp.Client
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := sftp.NewClient(c.ssh, p.sftpOpts...)
		ch <- result{s, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fmt.Errorf("sftp: start the sftp subsystem on %s: %w", p.s.addr, r.err)
		}
		return &session{Client: r.s}, nil
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.s != nil {
				r.s.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// drop retires c after a connection failure, so the next operation dials
// a new one.
func (p *pool) drop(c *conn) {
	p.mu.Lock()
	if p.cur == c {
		p.cur = nil
	}
	p.mu.Unlock()
	c.shutdown()
}

// close closes the connection; later operations fail with errClosed.
func (p *pool) close() {
	p.mu.Lock()
	c := p.cur
	p.cur, p.closed = nil, true
	p.mu.Unlock()
	if c != nil {
		c.shutdown()
	}
}

// dial connects, logs in and starts the keepalive; ctx and Timeout bound
// it. Errors are classified: refused or unreachable → store.ErrUnavailable,
// a refused login or host key → store.ErrPermission.
func (p *pool) dial(parent context.Context) (*conn, error) {
	s := p.s
	ctx, cancel := context.WithTimeout(parent, s.Timeout)
	defer cancel()
	where := fmt.Sprintf("%s@%s", s.User, s.addr)
	d := net.Dialer{KeepAlive: 30 * time.Second}
	nc, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		if parent.Err() != nil {
			return nil, fmt.Errorf("sftp: connect to %s: %w", where, parent.Err())
		}
		return nil, fmt.Errorf("sftp: connect to %s: %w: %w", where, store.ErrUnavailable, err)
	}
	// The handshake has no context: a deadline and a watcher bound it.
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
	methods, release := p.auth.methods()
	cfg := &ssh.ClientConfig{
		User:              s.User,
		Auth:              methods,
		HostKeyCallback:   p.hostKey,
		HostKeyAlgorithms: p.algos,
		ClientVersion:     "SSH-2.0-remotestore",
	}
	sc, chans, reqs, err := ssh.NewClientConn(nc, s.addr, cfg)
	release()
	stopped := stop()
	if err != nil {
		nc.Close()
		if !stopped && parent.Err() != nil {
			return nil, fmt.Errorf("sftp: connect to %s: %w", where, parent.Err())
		}
		if !stopped {
			return nil, fmt.Errorf("sftp: connect to %s: %w: no SSH login within %v", where, store.ErrUnavailable, s.Timeout)
		}
		return nil, p.loginErr(where, err)
	}
	nc.SetDeadline(time.Time{})
	c := &conn{ssh: ssh.NewClient(sc, chans, reqs), dead: make(chan struct{})}
	go func() {
		c.ssh.Wait()
		close(c.dead)
	}()
	if s.KeepAlive > 0 {
		go keepAlive(c, s.KeepAlive)
	}
	p.dials.Add(1)
	return c, nil
}

// loginErr explains a failed SSH handshake or login.
func (p *pool) loginErr(where string, err error) error {
	var hk *hostKeyError
	switch {
	case errors.As(err, &hk):
		return fmt.Errorf("sftp: connect to %s: %w", where, hk)
	case isAuthErr(err):
		return fmt.Errorf("sftp: log in to %s: %w: the server refused every credential (tried %s)", where, store.ErrPermission, p.auth.describe())
	case errors.Is(err, io.EOF) || isNetErr(err):
		return fmt.Errorf("sftp: connect to %s: %w: SSH handshake: %w", where, store.ErrUnavailable, err)
	}
	return fmt.Errorf("sftp: connect to %s: SSH handshake: %w", where, err)
}

// isAuthErr reports a login the server refused.
func isAuthErr(err error) bool {
	var se *ssh.ServerAuthError
	if errors.As(err, &se) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "unable to authenticate") || strings.Contains(msg, "no supported methods remain")
}

// keepAlive sends a keepalive request every interval while c lives; a
// request that gets no answer within an interval closes c, so the next
// operation dials anew instead of waiting on a dead connection.
func keepAlive(c *conn, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-c.dead:
			return
		case <-t.C:
		}
		answered := make(chan struct{})
		go func() {
			c.ssh.SendRequest("keepalive@openssh.com", true, nil)
			close(answered)
		}()
		select {
		case <-answered:
		case <-c.dead:
			return
		case <-time.After(interval):
			c.ssh.Close()
			return
		}
	}
}

// isConnErr reports an error that means the connection (or the session)
// is gone, as opposed to a refused operation.
func isConnErr(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, sftp.ErrSSHFxConnectionLost) || errors.Is(err, sftp.ErrSSHFxNoConnection) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.ErrClosedPipe) {
		return true
	}
	return isNetErr(err)
}

// isNetErr reports a network-level failure.
func isNetErr(err error) bool {
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNABORTED)
}

// retry runs op on a session; when it fails because the connection died
// (a server restart, an idle connection cut by a firewall), it dials a
// new connection and runs op once more. Only idempotent operations go
// through retry; the others use once.
func (p *pool) retry(ctx context.Context, op func(*session) error) error {
	for attempt := 0; ; attempt++ {
		c, s, err := p.session(ctx)
		if err != nil {
			return err
		}
		err = op(s)
		s.release()
		if err == nil || attempt > 0 || ctx.Err() != nil || !p.lost(c, err) {
			return err
		}
	}
}

// once runs op on a session without retrying; a connection failure retires
// the connection for the next operation.
func (p *pool) once(ctx context.Context, op func(*session) error) error {
	c, s, err := p.session(ctx)
	if err != nil {
		return err
	}
	err = op(s)
	s.release()
	if err != nil {
		p.lost(c, err)
	}
	return err
}

// lost reports whether err means c is gone, and retires c if so.
func (p *pool) lost(c *conn, err error) bool {
	if !isConnErr(err) && !errors.Is(err, io.EOF) && !c.isDead() {
		return false
	}
	if !c.isDead() && errors.Is(err, io.EOF) && !isConnErr(err) {
		// io.EOF is also SFTP's end-of-file status; only a dead connection
		// makes it a connection failure. Give the connection's reader a
		// moment to notice.
		select {
		case <-c.dead:
		case <-time.After(50 * time.Millisecond):
			return false
		}
	}
	p.drop(c)
	return true
}
