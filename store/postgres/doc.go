// Package postgres is the session store for several VAP service instances
// sharing one PostgreSQL database, through pgx v5 (a pgxpool.Pool).
//
// Start from [Open]. It applies the schema migrations embedded in the
// binary, under a transaction-scoped advisory lock so that instances
// opening at once do not race, and returns a [Store]. [Options.Schema]
// keeps the tables in a schema of their own (tests use a random one).
//
// Transactions run at READ COMMITTED. Uniqueness rules are constraints:
// the primary key (issuer, token_id) of consumed_tokens gives replay
// protection (a violation wraps launch.ErrReplayed), and session updates
// are a compare-and-swap on the revision column. Times are timestamptz
// (microseconds) and structured values jsonb.
package postgres
