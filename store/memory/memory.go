package memory

import (
	"context"
	"sync"
	"time"

	"github.com/virtualaipatient/integration/session"
)

// Store is an in-memory [session.Store]. The zero value is not usable; call
// [New]. It is safe for concurrent use.
type Store struct {
	mu sync.RWMutex
	d  *data
}

var (
	_ session.Store       = (*Store)(nil)
	_ session.TokenPurger = (*Store)(nil)
)

// Option configures [New].
type Option func(*Store)

// WithClock sets the clock that stamps session change times (see
// [Store.ListChangedSessions]). Default time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *Store) {
		if now != nil {
			s.d.now = now
		}
	}
}

// New returns an empty store.
func New(opts ...Option) *Store {
	s := &Store{d: newData()}
	for _, o := range opts {
		o(s)
	}

	return s
}

// WithTx runs fn with the store locked for writing. Writes are applied at
// once and undone in reverse order when fn fails or panics, so a rolled-back
// transaction leaves no trace. Transactions are serialized.
func (s *Store) WithTx(ctx context.Context, fn func(tx session.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}

	s.mu.Lock()
	defer s.mu.Unlock()

	tx := &txn{d: s.d, undo: []func(){}}
	committed := false
	defer func() {
		// A panic in fn rolls back too, before the lock is released and
		// the panic goes on.
		if !committed {
			tx.rollback()
		}

		tx.done = true
	}()

	if err := fn(tx); err != nil {
		return err
	}

	committed = true

	return nil
}

// read runs fn on a read-only view.
func (s *Store) read(fn func(tx *txn) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()

	return fn(&txn{d: s.d})
}

// write runs fn as its own transaction.
func (s *Store) write(ctx context.Context, fn func(tx *txn) error) error {
	return s.WithTx(ctx, func(tx session.Tx) error {
		t, _ := tx.(*txn)
		return fn(t)
	})
}

// PurgeTokens deletes consumed tokens that expired before the time.
func (s *Store) PurgeTokens(ctx context.Context, before time.Time) (int, error) {
	n := 0
	err := s.write(ctx, func(tx *txn) error {
		for k, tok := range tx.d.tokens {
			if tok.ExpiresAt.Before(before) {
				delete(tx.d.tokens, k)
				n++
			}
		}

		return nil
	})

	return n, err
}

// ListIdleSessions implements [session.IdleSessionLister].
func (s *Store) ListIdleSessions(ctx context.Context, q session.IdleQuery) ([]session.Session, error) {
	var out []session.Session
	err := s.read(func(tx *txn) error {
		var err error
		out, err = tx.listIdle(q)
		return err
	})

	return out, err
}
