package sqlstore

import "errors"

// ErrMigration is returned by [Migrate] when the schema cannot be brought
// up to date: a migration file is misnamed, or applying one failed.
var ErrMigration = errors.New("migration failed")
