package postgres_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/internal/testenv"
	"github.com/virtualaipatient/integration/store/postgres"
	"github.com/virtualaipatient/integration/store/storetest"
)

// TestPrivacyConformance runs the deletion and retention suite, scanning
// every column of every table of the schema (from information_schema)
// after a deletion.
func TestPrivacyConformance(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	var schemas sync.Map
	storetest.RunPrivacy(t, func(t *testing.T) storetest.PrivacyStore {
		schema := newSchema(t, dsn)
		st, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
		require.NoError(t, err)
		t.Cleanup(st.Close)
		schemas.Store(st, schema)

		return st
	}, func(t *testing.T, st storetest.PrivacyStore, needle string) map[string]int {
		schema, ok := schemas.Load(st)
		require.True(t, ok)
		return scanPostgres(t, dsn, schema.(string), needle)
	})
}

// scanPostgres counts the rows of every table and column of the schema
// whose value contains needle: bytea columns compared as bytes, every
// other type read as text.
func scanPostgres(t *testing.T, dsn, schema, needle string) map[string]int {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()

	rows, err := conn.Query(ctx, `SELECT table_name, column_name, data_type
		FROM information_schema.columns WHERE table_schema = $1
		ORDER BY table_name, ordinal_position`, schema)
	require.NoError(t, err)
	type column struct{ table, name, kind string }
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (column, error) {
		var c column
		return c, r.Scan(&c.table, &c.name, &c.kind)
	})
	require.NoError(t, err)
	require.NotEmpty(t, cols)

	hits := map[string]int{}
	for _, c := range cols {
		ident := pgx.Identifier{schema, c.table}.Sanitize()
		col := pgx.Identifier{c.name}.Sanitize()
		cond := `strpos(` + col + `::text, $1) > 0`
		if c.kind == "bytea" {
			cond = `position(convert_to($1, 'UTF8') in ` + col + `) > 0`
		}

		var n int
		require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM `+ident+
			` WHERE `+cond, needle).Scan(&n))
		if n > 0 {
			hits[c.table+"."+c.name] = n
		}
	}

	return hits
}

// TestPrivacyInventory reads every table and column of a migrated schema
// from information_schema and checks that docs/PRIVACY.md lists each.
func TestPrivacyInventory(t *testing.T) {
	ctx := context.Background()
	dsn := testenv.PostgresDSN(t)
	schema := newSchema(t, dsn)
	st, err := postgres.Open(ctx, dsn, postgres.Options{Schema: schema})
	require.NoError(t, err)
	st.Close()

	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()

	rows, err := conn.Query(ctx, `SELECT table_name, column_name
		FROM information_schema.columns WHERE table_schema = $1
		ORDER BY table_name, ordinal_position`, schema)
	require.NoError(t, err)
	columns := map[string][]string{}
	var table, column string
	_, err = pgx.ForEachRow(rows, []any{&table, &column}, func() error {
		columns[table] = append(columns[table], column)
		return nil
	})
	require.NoError(t, err)

	storetest.CheckPrivacyInventory(t, filepath.Join("..", "..", "docs", "PRIVACY.md"), columns)
}
