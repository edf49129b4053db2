package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/virtualaipatient/integration/session"
)

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ops implements [session.Tx] on a querier: the database itself (each
// statement its own transaction) or one transaction.
type ops struct {
	q querier
	d *Dialect
	// now stamps session change times unless dbClock is set.
	now func() time.Time
	// dbClock makes the database's clock (Dialect.ChangeClock) stamp
	// session change times: the default when the dialect has one.
	dbClock bool
}

// Store implements [session.Store] and [session.TokenPurger] on a *sql.DB.
type Store struct {
	ops
	db *sql.DB
	// codesPurged is when expired launch codes were last deleted, in
	// Unix nanoseconds.
	codesPurged atomic.Int64
}

// New returns a store on db, whose schema must be up to date (see
// [Migrate]). The store does not own db: closing it is the caller's job.
func New(db *sql.DB, d *Dialect) *Store {
	return &Store{ops: ops{q: db, d: d, now: time.Now, dbClock: d.ChangeClock != nil}, db: db}
}

// SetClock sets the clock that stamps session change times (see
// [Store.ListChangedSessions]) and judges one-time code expiry on purge.
// Default time.Now, and for change times the database's clock when the
// dialect has one (Dialect.ChangeClock); a clock set here replaces both.
// A nil clock keeps the defaults. Call it before using the store.
func (s *Store) SetClock(now func() time.Time) {
	if now != nil {
		s.now, s.dbClock = now, false
	}
}

// WithTx runs fn in one transaction; see [session.Store]. The transaction
// is begun with the database's default options: the SQLite adapter's DSN
// makes it BEGIN IMMEDIATE, PostgreSQL runs it at READ COMMITTED.
func (s *Store) WithTx(ctx context.Context, fn func(tx session.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.d.wrap("begin transaction", err)
	}

	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()

	if err := fn(&ops{q: tx, d: s.d, now: s.now, dbClock: s.dbClock}); err != nil {
		return err
	}

	committed = true
	if err := tx.Commit(); err != nil {
		return s.d.wrap("commit", err)
	}

	return nil
}

// PurgeTokens deletes consumed tokens that expired before t and returns
// how many it deleted.
func (s *Store) PurgeTokens(ctx context.Context, before time.Time) (int, error) {
	res, err := s.q.ExecContext(ctx,
		`DELETE FROM consumed_tokens WHERE expires_at < $1`, s.d.time(before))
	if err != nil {
		return 0, s.d.wrap("purge tokens", err)
	}

	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.d.wrap("purge tokens", err)
	}

	return int(n), nil
}

// notFound wraps session.ErrNotFound for a lookup.
func (o *ops) notFound(op string) error {
	return fmt.Errorf("%s: %s: %w", o.d.Name, op, session.ErrNotFound)
}

// fail maps err from a statement: sql.ErrNoRows to ErrNotFound, and a
// unique violation named in keys to its sentinel alone (the driver's
// message may quote key values). Other errors are wrapped.
func (o *ops) fail(op string, err error, keys map[string]error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return o.notFound(op)
	}

	if name, ok := o.d.UniqueViolation(err); ok {
		if sentinel, ok := keys[name]; ok {
			return fmt.Errorf("%s: %s: %w", o.d.Name, op, sentinel)
		}
	}

	return o.d.wrap(op, err)
}

// exec runs a statement that changes one row and maps its errors.
func (o *ops) exec(ctx context.Context, op string, keys map[string]error,
	query string, args ...any) (int64, error) {
	res, err := o.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, o.fail(op, err, keys)
	}

	n, err := res.RowsAffected()
	if err != nil {
		return 0, o.d.wrap(op, err)
	}

	return n, nil
}
