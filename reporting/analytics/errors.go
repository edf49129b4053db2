package analytics

import "errors"

var (
	// ErrInvalidQuery is returned by [Query.Normalize] and [Compute] when a
	// query is malformed: no cohort, an unknown attempt policy, a minimum
	// cell size below MinCellSizeFloor, a case major without a case, or a
	// window whose end is not after its start.
	ErrInvalidQuery = errors.New("analytics: invalid query")
)
