package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/session"
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

// TestSecureDelete deletes a learner and then reads the database files
// byte by byte: with secure_delete on, the freed pages hold no trace of
// the partner user id or the name.
func TestSecureDelete(t *testing.T) {
	ctx := context.Background()
	path := newPath(t)
	const sub, name = "secure-delete-sub-5c1e0b", "Dr Freedpage Quillfeather"
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	require.NoError(t, err)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	_, err = st.UpsertLearner(ctx, session.Learner{PartnerID: "partner-a", ID: "learner-1",
		Subject: sub, Name: name, CreatedAt: now, LastSeenAt: now})
	require.NoError(t, err)
	require.NoError(t, st.Close(), "the last close checkpoints the WAL into the file")
	requireFilesHold(t, path, sub, true)

	st, err = sqlite.Open(ctx, path, sqlite.Options{})
	require.NoError(t, err)
	err = st.WithTx(ctx, func(tx session.Tx) error {
		_, err := tx.(session.LearnerEraser).EraseLearner(ctx, "partner-a", sub,
			session.ErasePolicy{})
		return err
	})
	require.NoError(t, err)
	require.NoError(t, st.Close())

	requireFilesHold(t, path, sub, false)
	requireFilesHold(t, path, name, false)
}

// requireFilesHold checks whether the database file and its WAL and
// shared-memory files, if any, contain needle.
func requireFilesHold(t *testing.T, path, needle string, want bool) {
	t.Helper()
	found := false
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		b, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			continue
		}

		require.NoError(t, err)
		if strings.Contains(string(b), needle) {
			found = true
			t.Logf("%s holds %q", filepath.Base(p), needle)
		}
	}

	assert.Equal(t, want, found)
}

// TestPrivacyInventory reads every table and column of a migrated
// database from its catalog and checks that docs/PRIVACY.md lists each.
func TestPrivacyInventory(t *testing.T) {
	path := newPath(t)
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	require.NoError(t, err)
	require.NoError(t, st.Close())

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer func() { _ = db.Close() }()

	schema := map[string][]string{}
	for _, table := range queryStrings(t, db, `SELECT name FROM sqlite_master
		WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`) {
		schema[table] = queryStrings(t, db, `SELECT name FROM pragma_table_info(?)`, table)
	}

	storetest.CheckPrivacyInventory(t, filepath.Join("..", "..", "docs", "PRIVACY.md"), schema)
}
