// Package sqlstore is the session store shared by the SQL adapters
// store/sqlite and store/postgres: the queries, the mapping of rows to
// session values, the mapping of unique violations to the session
// sentinels, and the migration runner.
//
// Start from [New], given a *sql.DB and the engine's [Dialect]. Every query
// is written once, with $N placeholders, which both modernc.org/sqlite and
// PostgreSQL accept; what differs between the engines (the time encoding,
// how a unique violation is recognised) is in the Dialect.
package sqlstore
