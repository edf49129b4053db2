package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"

	"github.com/virtualaipatient/integration/internal/sqlstore"
	"github.com/virtualaipatient/integration/session"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DefaultBusyTimeout is how long a statement waits for another writer's
// lock when Options.BusyTimeout is zero.
const DefaultBusyTimeout = 10 * time.Second

// Options configure [Open]. The zero value is ready to use.
type Options struct {
	// BusyTimeout is how long a transaction waits for the write lock held
	// by another connection or process before failing; zero means
	// DefaultBusyTimeout.
	BusyTimeout time.Duration
	// MaxOpenConns caps the connections of the pool; zero means no cap.
	MaxOpenConns int
	// Now stamps session change times; default time.Now.
	Now func() time.Time
}

// Store is a [session.Store] (and [session.TokenPurger]) on a SQLite file.
// Its methods are those of the shared SQL store; it is safe for concurrent
// use. Call Close when done.
type Store struct {
	*sqlstore.Store
	db *sql.DB
}

// Open opens (creating it if needed) the SQLite database at path, applies
// the pending migrations and returns the store. The path is a file name;
// ":memory:" gives a private in-memory database on a single connection.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, ErrPath
	}

	db, err := sql.Open("sqlite", dsn(path, opts))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}

	db.SetMaxOpenConns(opts.MaxOpenConns)
	if path == ":memory:" {
		db.SetMaxOpenConns(1)
		db.SetConnMaxIdleTime(0)
		db.SetConnMaxLifetime(0)
	}

	if err := sqlstore.Migrate(ctx, db, dialect, migrations, "migrations"); err != nil {
		_ = db.Close()
		return nil, err
	}

	st := &Store{Store: sqlstore.New(db, dialect), db: db}
	st.SetClock(opts.Now)

	return st, nil
}

// Close closes the database. Calls in flight fail.
func (s *Store) Close() error {
	return s.db.Close()
}

// dsn builds the modernc.org/sqlite data source name: the path, then
// pragmas run on every new connection, busy_timeout first. secure_delete
// makes SQLite overwrite deleted content with zeros, so that a deleted
// learner's data does not linger in freed pages of the file.
func dsn(path string, opts Options) string {
	timeout := opts.BusyTimeout
	if timeout <= 0 {
		timeout = DefaultBusyTimeout
	}

	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(timeout.Milliseconds(), 10)+")")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "secure_delete(ON)")
	q.Set("_txlock", "immediate")

	return path + "?" + q.Encode()
}

var dialect = &sqlstore.Dialect{
	Name:            "sqlite",
	TimeArg:         func(t time.Time) any { return t.UnixMicro() },
	UniqueViolation: uniqueViolation,
	JSONElements:    jsonElements,
	JSONFlag: func(obj, key string) string {
		return "CASE WHEN (" + obj + " ->> '" + key + "') THEN 1 ELSE 0 END"
	},
}

// jsonElements lists the elements of a JSON array with json_each.
func jsonElements(alias, col, key string) string {
	if key == "" {
		return "json_each(" + col + ") AS " + alias
	}

	return "json_each(" + col + ", '$." + key + "') AS " + alias
}

// constraints maps the column lists SQLite names in a unique violation to
// the constraint names of package sqlstore.
var constraints = map[string]string{
	"case_versions.case_id, case_versions.major, case_versions.minor": sqlstore.CaseVersionKey,
	"assignments.partner_id, assignments.id":                          sqlstore.AssignmentKey,
	"assignments.partner_id, assignments.cohort_id, assignments.case_id, " +
		"assignments.case_set_id": sqlstore.AssignmentTargetKey,
	"learners.partner_id, learners.id":                 sqlstore.LearnerKey,
	"learners.partner_id, learners.subject":            sqlstore.LearnerSubjectKey,
	"consumed_tokens.issuer, consumed_tokens.token_id": sqlstore.TokenKey,
	"sessions.id": sqlstore.SessionKey,
	"sessions.partner_id, sessions.learner_id, sessions.case_id, " +
		"sessions.attempt": sqlstore.SessionAttemptKey,
}

// uniqueViolation recognises SQLITE_CONSTRAINT_UNIQUE and _PRIMARYKEY and
// finds the constraint from the column list of the message.
func uniqueViolation(err error) (string, bool) {
	var e *sqlite3.Error
	if !errors.As(err, &e) {
		return "", false
	}

	code := e.Code()
	if code != sqlite3lib.SQLITE_CONSTRAINT_UNIQUE &&
		code != sqlite3lib.SQLITE_CONSTRAINT_PRIMARYKEY {
		return "", false
	}

	const marker = "constraint failed: "
	msg := e.Error()
	i := strings.LastIndex(msg, marker)
	if i < 0 {
		return "", true
	}

	cols := msg[i+len(marker):]
	if j := strings.Index(cols, " ("); j >= 0 {
		cols = cols[:j]
	}

	return constraints[cols], true
}

var (
	_ session.Store       = (*Store)(nil)
	_ session.TokenPurger = (*Store)(nil)
)
