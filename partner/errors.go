package partner

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/virtualaipatient/integration/reporting"
)

var (
	// ErrConfig is returned by NewRing, NewClient and NewTokenSource when a
	// required value is missing or a value is out of range, and by ring and
	// client methods that need a part of the configuration that was not
	// given (a launch without a Ring, for example).
	ErrConfig = errors.New("partner: invalid configuration")

	// ErrNoStagedKey is returned by [Ring.Promote] when no key was staged.
	ErrNoStagedKey = errors.New("partner: no staged key")

	// ErrBadRequest matches an [*APIError] with status 400 or 422: VAP
	// refused the parameters or body as given. Retrying will not help.
	ErrBadRequest = errors.New("partner: request refused")

	// ErrUnauthorized matches an [*APIError] with status 401: the API
	// credential or launch token was refused (see APIError.Code).
	ErrUnauthorized = errors.New("partner: unauthorized")

	// ErrForbidden matches an [*APIError] with status 403, such as a launch
	// the assignment does not permit now.
	ErrForbidden = errors.New("partner: forbidden")

	// ErrNotFound matches an [*APIError] with status 404 and code
	// "not_found": the record does not exist or belongs to another
	// partner. A 404 for a path where VAP has no endpoint (code
	// "no_such_endpoint", or a bare 404 from a proxy) does not match: it
	// says the client's BaseURL is wrong, not that the record is gone.
	ErrNotFound = errors.New("partner: not found")

	// ErrConflict matches an [*APIError] with status 409, such as a replayed
	// launch token or a conflicting assignment.
	ErrConflict = errors.New("partner: conflict")

	// ErrRateLimited matches an [*APIError] with status 429, returned once
	// the retries allowed by the RetryPolicy are used up.
	ErrRateLimited = errors.New("partner: rate limited")

	// ErrUnavailable matches an [*APIError] with status 503, or a 502 or
	// 504 from a proxy in front of VAP, returned once the retries allowed
	// by the RetryPolicy are used up.
	ErrUnavailable = errors.New("partner: service unavailable")

	// ErrResponse is returned when VAP's answer cannot be read: a body that
	// is not the documented JSON, or one above the size limit.
	ErrResponse = errors.New("partner: malformed response")

	// ErrCredential is returned by reporting calls when the token source
	// fails to supply an API credential (for example, a signer that
	// fails). It wraps the source's error; the call is not retried.
	ErrCredential = errors.New("partner: api credential unavailable")

	// ErrInvalidID is returned, before any request, when an id parameter
	// (session, cohort or assignment id) is empty, "." or "..".
	ErrInvalidID = errors.New("partner: invalid id")

	// ErrLaunchOutcomeUnknown is returned by [Client.Launch] when the
	// request may have reached VAP but no answer was read: any transport
	// error (connection reset, timeout, a custom RoundTripper's error)
	// except a DNS, dial or certificate failure before a connection. The
	// launch is not retried, because its token is single use; launch
	// again with a new token if the learner asks. The error also wraps
	// the transport's cause.
	ErrLaunchOutcomeUnknown = errors.New("partner: launch outcome unknown")
)

// APIError is an error answered by VAP's API: an RFC 9457 problem, or a
// bare HTTP error when the body is not a problem document. A problem
// matches ErrBadRequest, ErrUnauthorized, ErrForbidden, ErrNotFound,
// ErrConflict, ErrRateLimited or ErrUnavailable by status with errors.Is.
// A bare error (Code "") matches only ErrRateLimited and ErrUnavailable
// (429, 502, 503, 504): a bare 404 comes from something other than VAP's
// API, most often a BaseURL without the API's base path, and must not read
// as "this record does not exist".
type APIError struct {
	// Op names the call, such as "get session summary".
	Op string
	// Status is the HTTP status code.
	Status int
	// Code is the problem's stable machine-readable code (such as
	// "not_found" or "token_expired"), or "" if the body had none.
	Code string
	// Title is the problem's short summary, or the status text.
	Title string
	// Detail is VAP's one-line hint for developers, or "".
	Detail string
	// RetryAfter is the wait asked for by a Retry-After header, or 0.
	RetryAfter time.Duration
}

// Error returns "partner: <op>: vap answered <status> <code>", or, for a
// bare error, says that the answer was not a VAP problem document.
func (e *APIError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("partner: %s: answered %d %s without a problem document "+
			"(is ClientConfig.BaseURL the API's base URL?)", e.Op, e.Status,
			strings.ToLower(http.StatusText(e.Status)))
	}

	return fmt.Sprintf("partner: %s: vap answered %d %s", e.Op, e.Status, e.Code)
}

// Is reports whether target is the sentinel error for e's status.
func (e *APIError) Is(target error) bool {
	s := statusSentinel(e.Status)
	if e.Code == "" && s != ErrRateLimited && s != ErrUnavailable {
		return false
	}

	if s == ErrNotFound && e.Code != reporting.CodeNotFound {
		return false
	}

	return s != nil && s == target
}

func statusSentinel(status int) error {
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return ErrBadRequest
	case http.StatusUnauthorized:
		return ErrUnauthorized
	case http.StatusForbidden:
		return ErrForbidden
	case http.StatusNotFound:
		return ErrNotFound
	case http.StatusConflict:
		return ErrConflict
	case http.StatusTooManyRequests:
		return ErrRateLimited
	case http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout:
		return ErrUnavailable
	}

	return nil
}

// configError wraps ErrConfig with a fixed detail.
func configError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
}
