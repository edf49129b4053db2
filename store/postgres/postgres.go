package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/virtualaipatient/integration/internal/sqlstore"
	"github.com/virtualaipatient/integration/session"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the key of the advisory lock held while migrating.
const migrationLock = 0x5641505f4d494752 // "VAP_MIGR"

// Options configure [Open]. The zero value is ready to use.
type Options struct {
	// Schema, when set, is where the tables live: Open creates it if
	// missing and puts it alone on every connection's search_path. It
	// must match ^[a-z_][a-z0-9_]{0,62}$. Empty means the DSN's own
	// search_path (usually public).
	Schema string
	// MaxConns caps the pool; zero keeps pgxpool's default (the DSN's
	// pool_max_conns, else the greater of 4 and the number of CPUs).
	MaxConns int32
	// Now stamps session change times; default the database's clock
	// (clock_timestamp()), which every process sharing the database sees
	// alike, so clock skew between them cannot make GET /sessions paging
	// miss a change. Set it in tests only.
	Now func() time.Time
}

// Store is a [session.Store] (and [session.TokenPurger]) on a PostgreSQL
// database. Its methods are those of the shared SQL store; it is safe for
// concurrent use. Call Close when done.
type Store struct {
	*sqlstore.Store
	pool *pgxpool.Pool
	db   *sql.DB
}

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// Open connects to the database of the DSN (a postgres:// URL or key=value
// string), applies the pending migrations and returns the store.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if opts.Schema != "" && !schemaName.MatchString(opts.Schema) {
		return nil, ErrSchema
	}

	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse dsn: %w", err)
	}

	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}

	var prelude []string
	prelude = append(prelude, fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", migrationLock))
	if opts.Schema != "" {
		quoted := pgx.Identifier{opts.Schema}.Sanitize()
		cfg.ConnConfig.RuntimeParams["search_path"] = quoted
		prelude = append(prelude, "CREATE SCHEMA IF NOT EXISTS "+quoted,
			"SET LOCAL search_path TO "+quoted)
	}

	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}

	db := stdlib.OpenDBFromPool(pool)
	err = sqlstore.Migrate(ctx, db, dialect, migrations, "migrations", prelude...)
	if err != nil {
		_ = db.Close()
		pool.Close()
		return nil, err
	}

	st := &Store{Store: sqlstore.New(db, dialect), pool: pool, db: db}
	st.SetClock(opts.Now)

	return st, nil
}

// Close closes the connections. Calls in flight fail.
func (s *Store) Close() {
	_ = s.db.Close()
	s.pool.Close()
}

var dialect = &sqlstore.Dialect{
	Name:            "postgres",
	TimeArg:         func(t time.Time) any { return t },
	UniqueViolation: uniqueViolation,
	JSONElements:    jsonElements,
	JSONFlag: func(obj, key string) string {
		return "CASE WHEN (" + obj + " -> '" + key + "') = 'true'::jsonb THEN 1 ELSE 0 END"
	},
	LockRows:    "FOR NO KEY UPDATE",
	AnalyticsTx: &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	ChangeClock: changeClock,
}

// changeClock is the database's clock, when the statement runs (not when
// its transaction began), less ago microseconds.
func changeClock(ago string) string {
	if ago == "" {
		return "clock_timestamp()"
	}

	return "(clock_timestamp() - " + ago + "::bigint * interval '1 microsecond')"
}

// jsonElements lists the elements of a jsonb array; anything else (null,
// an object) gives no rows.
func jsonElements(alias, col, key string) string {
	v := col
	if key != "" {
		v = "(" + col + " -> '" + key + "')"
	}

	return "jsonb_array_elements(CASE WHEN jsonb_typeof(" + v + ") = 'array' THEN " + v +
		" ELSE '[]'::jsonb END) AS " + alias + "(value)"
}

// uniqueViolation recognises SQLSTATE 23505 and returns the constraint
// name, which the schema sets to those of package sqlstore.
func uniqueViolation(err error) (string, bool) {
	var e *pgconn.PgError
	if !errors.As(err, &e) || e.Code != "23505" {
		return "", false
	}

	return e.ConstraintName, true
}

var (
	_ session.Store       = (*Store)(nil)
	_ session.TokenPurger = (*Store)(nil)
)
