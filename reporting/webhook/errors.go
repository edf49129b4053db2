package webhook

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrConfig is returned by [New] when Config lacks the store or the
	// endpoint source, a value is out of range, or an entry of
	// [StaticEndpoints] is invalid (an [*EndpointError]).
	ErrConfig = errors.New("webhook: invalid configuration")
	// ErrLeaseTooShort is returned by [New] when Config.Lease is below
	// 2·Timeout + ClockSkew: too short for an attempt to end before a
	// dispatcher with a skewed clock may claim the event again. It
	// matches ErrConfig too.
	ErrLeaseTooShort = fmt.Errorf("%w: lease too short for the timeout and clock skew",
		ErrConfig)
	// ErrEndpoint is matched by an endpoint that has no partner, a URL
	// that is not absolute https (http needs a loopback host or
	// InsecureAllowHTTP), no secret or a secret that is not "whsec_"
	// followed by base64. [New] refuses such an entry of
	// [StaticEndpoints] with an [*EndpointError]; from another
	// [EndpointSource] the endpoint is skipped, the partner's events left
	// pending, and the error logged at most once per partner every
	// ten minutes.
	ErrEndpoint = errors.New("webhook: invalid endpoint")
	// ErrNoPurge is returned by [Dispatcher.PurgeDelivered] when the store
	// cannot purge delivered events.
	ErrNoPurge = errors.New("webhook: store cannot purge delivered events")
)

// EndpointError is returned by [New] for an invalid entry of
// [StaticEndpoints]. It matches [ErrConfig], [ErrEndpoint] and its cause
// with errors.Is. Its message names the partner, never a secret.
type EndpointError struct {
	// PartnerID is the endpoint's partner; empty when it names none.
	PartnerID string
	// Index is the endpoint's position in the list.
	Index int
	// Err is what is wrong; it matches ErrEndpoint.
	Err error
}

// Error names the endpoint by index and partner and says what is wrong.
func (e *EndpointError) Error() string {
	return fmt.Sprintf("%s: endpoint %d (partner %q): %s", ErrConfig, e.Index, e.PartnerID,
		strings.TrimPrefix(e.Err.Error(), "webhook: "))
}

// Unwrap returns ErrConfig and the cause.
func (e *EndpointError) Unwrap() []error { return []error{ErrConfig, e.Err} }
