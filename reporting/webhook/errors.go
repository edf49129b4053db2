package webhook

import (
	"errors"
	"fmt"
)

var (
	// ErrConfig is returned by [New] when Config lacks the store or the
	// endpoint source, or a value is out of range.
	ErrConfig = errors.New("webhook: invalid configuration")
	// ErrLeaseTooShort is returned by [New] when Config.Lease is below
	// 2·Timeout + ClockSkew: too short for an attempt to end before a
	// dispatcher with a skewed clock may claim the event again. It
	// matches ErrConfig too.
	ErrLeaseTooShort = fmt.Errorf("%w: lease too short for the timeout and clock skew",
		ErrConfig)
	// ErrEndpoint is logged (and the partner's events left pending) when
	// an endpoint has no partner, a URL that is not absolute https (http
	// needs InsecureAllowHTTP), no secret or a secret that is not
	// "whsec_" followed by base64.
	ErrEndpoint = errors.New("webhook: invalid endpoint")
	// ErrNoPurge is returned by [Dispatcher.PurgeDelivered] when the store
	// cannot purge delivered events.
	ErrNoPurge = errors.New("webhook: store cannot purge delivered events")
)
