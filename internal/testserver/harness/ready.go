package harness

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrExited reports that a server process exited before it was ready.
var ErrExited = errors.New("exited early")

// ErrNotReady reports that a server did not get ready in time.
var ErrNotReady = errors.New("not ready")

// WaitReady calls ready every interval until it returns nil. It returns
// ErrExited when the process exits first, ctx.Err() when ctx ends first,
// and an error wrapping ErrNotReady and ready's last error ("not ready
// after LIMIT: ERR") when limit passes first.
func (p *Process) WaitReady(ctx context.Context, limit, interval time.Duration, ready func() error) error {
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-p.exited:
			return ErrExited
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		err := ready()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w after %v: %w", ErrNotReady, limit, err)
		}
		time.Sleep(interval)
	}
}
