// Package sqlite is the embedded session store: a [session.Store] in one
// SQLite file, through the pure Go driver modernc.org/sqlite (no cgo).
//
// Start from [Open]. It applies the schema migrations embedded in the
// binary and returns a [Store]. Connections run in WAL mode with a busy
// timeout, foreign keys on and synchronous=FULL, and every transaction
// begins IMMEDIATE (it takes the write lock at once), so several *sql.DB
// handles on one file (two service instances sharing it) queue for the
// lock instead of failing with SQLITE_BUSY or deadlocking.
//
// Replay protection is the primary key (issuer, token_id) of the
// consumed_tokens table, written in the same transaction as the session.
// Times are stored as INTEGER microseconds since the Unix epoch (UTC) and
// structured values as JSON text.
//
// NOTE: all writers share one file lock; for several hosts use package
// store/postgres.
package sqlite
