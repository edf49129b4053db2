package sqlite

import (
	"errors"

	"github.com/virtualaipatient/integration/internal/sqlstore"
)

var (
	// ErrMigration is returned by Open when the embedded migrations cannot
	// be applied to the file.
	ErrMigration = sqlstore.ErrMigration
	// ErrPath is returned by Open when the path is empty or holds a '?'.
	ErrPath = errors.New("sqlite: invalid database path")
)
