package postgres

import (
	"errors"

	"github.com/virtualaipatient/integration/internal/sqlstore"
)

var (
	// ErrMigration is returned by Open when the embedded migrations cannot
	// be applied to the database.
	ErrMigration = sqlstore.ErrMigration
	// ErrSchema is returned by Open when Options.Schema is not a plain
	// lowercase identifier.
	ErrSchema = errors.New("postgres: invalid schema name")
)
