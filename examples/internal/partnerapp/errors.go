package partnerapp

import "errors"

var (
	// ErrConfig is returned by New when a required Config field is missing
	// or a value is malformed.
	ErrConfig = errors.New("partnerapp: invalid configuration")
	// ErrNotAssigned is returned by the launch resolver when the form names
	// an assignment or case the cohort does not have.
	ErrNotAssigned = errors.New("partnerapp: not assigned to the cohort")
)
