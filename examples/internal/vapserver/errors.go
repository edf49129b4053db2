package vapserver

import "errors"

// ErrConfig is returned by New when a required Config field is missing or
// a value is malformed.
var ErrConfig = errors.New("vapserver: invalid configuration")
