package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// migration is one numbered schema change: a file "NNNN_name.sql".
type migration struct {
	version int
	name    string
	sql     string
}

// Migrate brings the schema up to date: in one transaction it runs the
// prelude statements (the PostgreSQL adapter takes an advisory lock there),
// creates schema_migrations if missing and applies, in order, every
// migration of dir in fsys whose version is not recorded in it. Files are
// named "NNNN_name.sql"; other files are ignored. A failure rolls back
// every migration of the call and returns an error wrapping
// [ErrMigration].
func Migrate(ctx context.Context, db *sql.DB, d *Dialect, fsys fs.FS, dir string,
	prelude ...string) error {
	all, err := readMigrations(fsys, dir)
	if err != nil {
		return fmt.Errorf("%s: %w: %w", d.Name, ErrMigration, err)
	}

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %w: begin: %w", d.Name, ErrMigration, err)
	}
	defer func() { _ = tx.Rollback() }()

	if err := applyMigrations(ctx, tx, all, prelude); err != nil {
		return fmt.Errorf("%s: %w: %w", d.Name, ErrMigration, err)
	}

	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: %w: commit: %w", d.Name, ErrMigration, err)
	}

	return nil
}

func readMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}

	var all []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}

		num, _, ok := strings.Cut(name, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil || version <= 0 {
			return nil, fmt.Errorf("migration %q is not named NNNN_name.sql", name)
		}

		text, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, err
		}

		all = append(all, migration{version: version, name: name, sql: string(text)})
	}

	sort.Slice(all, func(i, j int) bool { return all[i].version < all[j].version })
	for i := 1; i < len(all); i++ {
		if all[i].version == all[i-1].version {
			return nil, fmt.Errorf("migrations %q and %q share a version",
				all[i-1].name, all[i].name)
		}
	}

	return all, nil
}

func applyMigrations(ctx context.Context, tx *sql.Tx, all []migration, prelude []string) error {
	for _, stmt := range prelude {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}

	_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version     integer NOT NULL PRIMARY KEY,
		name        text    NOT NULL,
		applied_at  text    NOT NULL)`)
	if err != nil {
		return err
	}

	done, err := appliedVersions(ctx, tx)
	if err != nil {
		return err
	}

	for _, m := range all {
		if done[m.version] {
			continue
		}

		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}

		_, err := tx.ExecContext(ctx,
			`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.version, m.name, time.Now().UTC().Format(time.RFC3339Nano))
		if err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
	}

	return nil
}

func appliedVersions(ctx context.Context, tx *sql.Tx) (map[int]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	done := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}

		done[v] = true
	}

	return done, rows.Err()
}
