package oidc

import (
	"errors"
	"fmt"
	"net/http"
)

// kindError is the type of every sentinel error of this package. Its code
// and status are stable.
type kindError struct {
	code   string
	msg    string
	status int
}

func (e *kindError) Error() string { return "oidc: " + e.msg }

func newKind(code, msg string, status int) error {
	return &kindError{code: code, msg: msg, status: status}
}

var (
	// ErrConfig is returned by NewHandler, NewCookieFlows and
	// Config.Validate when a configuration value is missing, out of range
	// or inconsistent.
	ErrConfig = newKind("config_invalid", "invalid configuration",
		http.StatusInternalServerError)

	// ErrUnknownPartner is returned when a login names no configured
	// partner.
	ErrUnknownPartner = newKind("partner_unknown", "unknown partner", http.StatusNotFound)

	// ErrBadRequest is returned when a login or callback request is
	// malformed: a parameter missing, repeated, too long or out of its
	// allowed characters.
	ErrBadRequest = newKind("request_invalid", "invalid request", http.StatusBadRequest)

	// ErrFlowNotFound is returned by a FlowStore's TakeFlow (and the
	// cookie keeper) when no flow has the state, or it was taken already,
	// or it expired. The callback also returns it when the browser lacks
	// the flow's cookie or binding cookie.
	ErrFlowNotFound = newKind("flow_not_found", "sign-in flow not found", http.StatusBadRequest)

	// ErrStateMismatch is returned by the callback when its state is
	// missing or matches no open flow of this browser (unknown, used,
	// expired, or started in another browser: login CSRF). It also wraps
	// ErrFlowNotFound when the store or the cookies said so.
	ErrStateMismatch = newKind("state_mismatch", "state mismatch", http.StatusBadRequest)

	// ErrFlowStore is returned when the flow store fails (other than
	// ErrFlowNotFound); the sign-in then fails closed.
	ErrFlowStore = newKind("flow_store_unavailable", "flow store unavailable",
		http.StatusServiceUnavailable)

	// ErrFlowStoreFull is returned by MemoryFlows.SaveFlow when it holds
	// its maximum of live flows, and so by the login, which then shows a
	// page with status 503. Another FlowStore may return it (or wrap it)
	// to get the same page.
	ErrFlowStoreFull = newKind("flow_store_full", "too many sign-ins in progress",
		http.StatusServiceUnavailable)

	// ErrSignInRateLimited is returned by the login and the initiate
	// endpoint when a partner starts sign-ins faster than
	// HandlerConfig.SignInRate allows. Its page has status 429 and a
	// Retry-After header.
	ErrSignInRateLimited = newKind("sign_in_rate_limited", "too many sign-ins started",
		http.StatusTooManyRequests)

	// ErrProviderError is returned when the provider redirected back with
	// an OAuth error (the learner refused, the provider failed...).
	ErrProviderError = newKind("provider_error", "identity provider refused the sign-in",
		http.StatusUnauthorized)

	// ErrProviderUnavailable is returned when the provider's discovery
	// document cannot be fetched or is unusable.
	ErrProviderUnavailable = newKind("provider_unavailable", "identity provider unavailable",
		http.StatusServiceUnavailable)

	// ErrIssuerMismatch is returned when the discovery document, the
	// callback's "iss" parameter or the ID token names an issuer other
	// than the configured one, byte for byte.
	ErrIssuerMismatch = newKind("issuer_mismatch", "issuer mismatch", http.StatusUnauthorized)

	// ErrTokenExchange is returned when the token endpoint rejects the
	// code or cannot be reached. A rejection comes as an *ExchangeError.
	ErrTokenExchange = newKind("token_exchange_failed", "token exchange failed",
		http.StatusBadGateway)

	// ErrAudienceMismatch is returned when the ID token's "aud" does not
	// contain the partner's client id.
	ErrAudienceMismatch = newKind("audience_mismatch", "id token for another client",
		http.StatusUnauthorized)

	// ErrIDTokenInvalid is returned when the ID token is absent from the
	// token response or fails go-oidc's verification (signature, key,
	// algorithm, expiry).
	ErrIDTokenInvalid = newKind("id_token_invalid", "invalid id token", http.StatusUnauthorized)

	// ErrNonceMismatch is returned when the ID token's "nonce" is missing,
	// empty or not the one of the flow.
	ErrNonceMismatch = newKind("nonce_mismatch", "nonce mismatch", http.StatusUnauthorized)

	// ErrClaimMissing is returned, inside a *ClaimError, when a claim the
	// mapping needs is absent or empty.
	ErrClaimMissing = newKind("claim_missing", "missing claim", http.StatusForbidden)

	// ErrClaimInvalid is returned, inside a *ClaimError, when a claim has
	// the wrong JSON type, an unknown value, or several matching groups.
	ErrClaimInvalid = newKind("claim_invalid", "invalid claim", http.StatusForbidden)

	// ErrEmailNotVerified is returned when the partner requires a verified
	// email and "email_verified" is absent or false.
	ErrEmailNotVerified = newKind("email_unverified", "email not verified",
		http.StatusForbidden)
)

// ClaimError names the claim that failed. It matches its Kind
// (ErrClaimMissing or ErrClaimInvalid) with errors.Is. It never holds the
// claim's value.
type ClaimError struct {
	// Kind is ErrClaimMissing or ErrClaimInvalid.
	Kind error
	// Claim is the claim's name, from the configuration.
	Claim string
}

// Error returns the sentinel message and the claim's name.
func (e *ClaimError) Error() string { return fmt.Sprintf("%v: %q", e.Kind, e.Claim) }

// Unwrap returns the sentinel error.
func (e *ClaimError) Unwrap() error { return e.Kind }

// ExchangeError is the token endpoint's rejection of a code. It matches
// ErrTokenExchange with errors.Is.
type ExchangeError struct {
	// StatusCode is the HTTP status of the token response.
	StatusCode int
	// ErrorCode is the OAuth "error" code, such as "invalid_grant"; its
	// description is never kept.
	ErrorCode string
}

// Error returns the sentinel message with the status and OAuth code.
func (e *ExchangeError) Error() string {
	return fmt.Sprintf("%v: status %d, %q", ErrTokenExchange, e.StatusCode, e.ErrorCode)
}

// Unwrap returns ErrTokenExchange.
func (e *ExchangeError) Unwrap() error { return ErrTokenExchange }

// Code returns the stable machine-readable code of the first sentinel of
// this package in err's chain, such as "nonce_mismatch", or "" when err is
// nil or comes from elsewhere.
func Code(err error) string {
	var k *kindError
	if errors.As(err, &k) {
		return k.code
	}

	return ""
}

// status is the HTTP status shown for err.
func status(err error) int {
	var k *kindError
	if errors.As(err, &k) {
		return k.status
	}

	return http.StatusInternalServerError
}

// errorf wraps a sentinel with a fixed detail that never holds token
// content or claim values.
func errorf(kind error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)
}
