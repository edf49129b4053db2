package storetest

import "errors"

// ErrInjected is returned by a [FaultStore] operation chosen to fail.
var ErrInjected = errors.New("storetest: injected fault")
