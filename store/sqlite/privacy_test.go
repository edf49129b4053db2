package sqlite_test

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/store/sqlite"
	"github.com/virtualaipatient/integration/store/storetest"
)

// TestPrivacyConformance runs the deletion and retention suite, scanning
// every column of every table in sqlite_master after a deletion.
func TestPrivacyConformance(t *testing.T) {
	var paths sync.Map
	storetest.RunPrivacy(t, func(t *testing.T) storetest.PrivacyStore {
		path := newPath(t)
		st, err := sqlite.Open(context.Background(), path, sqlite.Options{})
		require.NoError(t, err)
		t.Cleanup(func() { _ = st.Close() })
		paths.Store(st, path)

		return st
	}, func(t *testing.T, st storetest.PrivacyStore, needle string) map[string]int {
		path, ok := paths.Load(st)
		require.True(t, ok)
		return scanSQLite(t, path.(string), needle)
	})
}

// scanSQLite counts the rows of every table and column whose value, read
// as text, contains needle.
func scanSQLite(t *testing.T, path, needle string) map[string]int {
	ctx := context.Background()
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer func() { _ = db.Close() }()

	tables := queryStrings(t, db, `SELECT name FROM sqlite_master
		WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	require.Contains(t, tables, "learners")
	hits := map[string]int{}
	for _, table := range tables {
		cols := queryStrings(t, db, `SELECT name FROM pragma_table_info(?)`, table)
		require.NotEmpty(t, cols, table)
		for _, col := range cols {
			var n int
			q := `SELECT count(*) FROM "` + table + `" WHERE instr(CAST("` + col +
				`" AS TEXT), ?) > 0`
			require.NoError(t, db.QueryRowContext(ctx, q, needle).Scan(&n))
			if n > 0 {
				hits[table+"."+col] = n
			}
		}
	}

	return hits
}

func queryStrings(t *testing.T, db *sql.DB, query string, args ...any) []string {
	rows, err := db.QueryContext(context.Background(), query, args...)
	require.NoError(t, err)
	defer func() { _ = rows.Close() }()

	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		require.False(t, strings.ContainsAny(s, `"`), "identifier %q", s)
		out = append(out, s)
	}

	require.NoError(t, rows.Err())
	return out
}
