package launch

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// kindError is the type of every sentinel error of this package. Its code and
// hint are stable: callers and dashboards may rely on them.
type kindError struct {
	code string
	msg  string
	hint string
}

func (e *kindError) Error() string { return "launch: " + e.msg }

func newKind(code, msg, hint string) error {
	return &kindError{code: code, msg: msg, hint: hint}
}

var (
	// ErrConfig is returned by constructors (NewVerifier, NewMinter,
	// NewSessionTokens, NewKeySet...) when a configuration value is missing,
	// out of range or inconsistent.
	ErrConfig = newKind("config_invalid", "invalid configuration",
		"fix the configuration value named in the error")

	// ErrTokenTooLarge is returned when the raw token exceeds the size cap.
	// Its hint (see Hint) names the kind of token that was expected.
	ErrTokenTooLarge = newKind("token_too_large", "token too large",
		"tokens are small (about a kilobyte); send the token alone, not another document")

	// ErrMalformed is returned when the token is not exactly three strict
	// base64url segments (no padding, no JWE) holding JSON objects.
	ErrMalformed = newKind("token_malformed", "malformed token",
		"send a compact JWS: three unpadded base64url segments separated by dots")

	// ErrDuplicateMember is returned when the header or the claims contain
	// the same member name twice.
	ErrDuplicateMember = newKind("member_duplicated", "duplicate member name",
		"each header parameter and claim may appear only once")

	// ErrAlgorithmNotAllowed is returned when the "alg" header is "none",
	// unknown, or not in the partner's list of algorithms.
	ErrAlgorithmNotAllowed = newKind("algorithm_not_allowed", "algorithm not allowed",
		"sign with one of the algorithms registered for your partner account")

	// ErrForbiddenHeader is returned when the header carries "crit" or tries
	// to supply its own key ("jwk", "jku", "x5u", "x5c").
	ErrForbiddenHeader = newKind("header_forbidden", "forbidden header parameter",
		"remove crit, jwk, jku, x5u and x5c from the header; keys are registered in advance")

	// ErrType is returned when the "typ" header is not the one expected for
	// this kind of token (launch, API credential or session).
	ErrType = newKind("token_type_invalid", "unexpected token type",
		"set the typ header expected for this kind of token")

	// ErrKeyNotFound is returned when no registered key matches the token:
	// unknown "kid", missing "kid" while the partner has several keys, or a
	// key that does not fit the algorithm (the Hint then says which
	// algorithm the key is for).
	ErrKeyNotFound = newKind("key_not_found", "signing key not found",
		"set kid to a key published in your JWKS or registered with VAP")

	// ErrKeySetUnavailable is returned when the partner's keys come from a
	// JWKS URL that has never been fetched successfully.
	ErrKeySetUnavailable = newKind("key_set_unavailable", "key set unavailable",
		"make the JWKS URL reachable and serve at least one usable signing key")

	// ErrBadSignature is returned when the signature does not verify.
	ErrBadSignature = newKind("signature_invalid", "invalid signature",
		"sign the exact header and payload with the registered private key")

	// ErrIssuer is returned when "iss" matches no registered partner exactly.
	ErrIssuer = newKind("issuer_invalid", "unknown issuer",
		"set iss to the exact issuer registered for your partner account")

	// ErrAudience is returned when "aud" does not contain the audience this
	// verifier expects.
	ErrAudience = newKind("audience_invalid", "audience not accepted",
		"set aud to the audience VAP gave you for this kind of token")

	// ErrExpired is returned, wrapped in a *TimeError, when "exp" plus the
	// leeway is in the past. Its hint (see Hint) fits the kind of token.
	ErrExpired = newKind("token_expired", "token expired",
		"mint the token right before the redirect and check the server clock")

	// ErrNotYetValid is returned, wrapped in a *TimeError, when "nbf" minus
	// the leeway is in the future.
	ErrNotYetValid = newKind("token_not_yet_valid", "token not yet valid",
		"check the server clock or drop nbf")

	// ErrIssuedInFuture is returned, wrapped in a *TimeError, when "iat"
	// minus the leeway is in the future.
	ErrIssuedInFuture = newKind("token_issued_in_future", "token issued in the future",
		"synchronise the server clock (NTP)")

	// ErrLifetimeExceeded is returned when "exp" minus "iat" is above the
	// maximum lifetime allowed for the partner.
	ErrLifetimeExceeded = newKind("token_lifetime_exceeded", "token lifetime too long",
		"use a lifetime of at most the configured maximum (5 minutes at most)")

	// ErrMissingClaim is returned when a required claim is absent or empty.
	ErrMissingClaim = newKind("claim_missing", "missing claim",
		"add the claim named in the error")

	// ErrInvalidClaim is returned when a claim has the wrong JSON type or a
	// value outside its allowed set or size.
	ErrInvalidClaim = newKind("claim_invalid", "invalid claim",
		"fix the type or value of the claim named in the error")

	// ErrReplayed is returned when the token's (iss, jti) was already used.
	ErrReplayed = newKind("token_replayed", "token already used",
		"mint a new token for every launch; tokens are single use")

	// ErrReplayGuardUnavailable is returned when the replay guard cannot
	// answer; the launch then fails closed.
	ErrReplayGuardUnavailable = newKind("replay_guard_unavailable", "replay guard unavailable",
		"retry later; the single-use store did not answer")

	// ErrKeyUnsupported is returned by key helpers, minters and verifiers for
	// a key of an unsupported type or size (RSA below 2048 bits, a curve
	// other than P-256, an HMAC secret shorter than 32 bytes...).
	ErrKeyUnsupported = newKind("key_unsupported", "unsupported key",
		"use an ECDSA P-256, Ed25519 or RSA (2048 bits or more) key")
)

// TimeError reports a time check that failed and by how much. It matches its
// sentinel (ErrExpired, ErrNotYetValid or ErrIssuedInFuture) with errors.Is.
type TimeError struct {
	// Kind is the sentinel error for the failed check.
	Kind error
	// Skew is the measured distance between the token's time and the
	// clock: how long ago exp passed, or how far ahead nbf or iat lie. It is
	// always above Leeway.
	Skew time.Duration
	// Leeway is the clock leeway that was granted.
	Leeway time.Duration

	// tokenType is the typ of the token checked, which picks the advice of
	// Error; "" gives advice for any token.
	tokenType string
}

// Error says what happened in whole seconds, against the leeway, and what
// to do, such as "launch: token expired 32s ago (beyond the 30s leeway);
// mint a new one just before the launch". Skew keeps the exact measure.
func (e *TimeError) Error() string {
	d := e.Skew.Truncate(time.Second)
	if d <= e.Leeway {
		// Beyond the leeway by less than a second: never "30s, beyond 30s".
		d += time.Second
	}

	switch e.Kind {
	case ErrExpired:
		return fmt.Sprintf("launch: token expired %v ago (beyond the %v leeway); %s", d,
			e.Leeway, renewal(e.tokenType))
	case ErrNotYetValid:
		return fmt.Sprintf("launch: token not valid for another %v (nbf lies beyond the %v "+
			"leeway); check the server clock or drop nbf", d, e.Leeway)
	case ErrIssuedInFuture:
		return fmt.Sprintf("launch: token issued %v in the future (iat lies beyond the %v "+
			"leeway); synchronise the server clock (NTP)", d, e.Leeway)
	}

	return fmt.Sprintf("%v: off by %v, beyond the %v leeway", e.Kind, d, e.Leeway)
}

// renewal is what to do about an expired token of type typ.
func renewal(typ string) string {
	switch typ {
	case TypeLaunch:
		return "mint a new one just before the launch"
	case TypeAPICredential:
		return "mint a new one just before the call"
	case TypeSession:
		return "launch again for a new session token"
	}

	return "mint a new one just before use"
}

// Unwrap returns the sentinel error.
func (e *TimeError) Unwrap() error { return e.Kind }

// Code returns the stable machine-readable code of the first error of this
// package found in err's chain, such as "token_expired", or "" if err is nil
// or comes from elsewhere.
func Code(err error) string {
	var k *kindError
	if errors.As(err, &k) {
		return k.code
	}

	return ""
}

// Hint returns a one-line explanation of how to fix err, meant for humans
// (partner developers, support), or "" if err is not from this package.
// The hint fits the error where its sentinel's would not: the kind of
// token that was too large or expired, a sub shaped like an e-mail
// address, a kid naming a key of another algorithm, a document given to
// ParseJWKS that is not a JWK Set.
func Hint(err error) string {
	var h *hintedError
	if errors.As(err, &h) {
		return h.hint
	}

	var k *kindError
	if errors.As(err, &k) {
		return k.hint
	}

	return ""
}

// hintedError gives an error of this package a hint of its own in place
// of its sentinel's; Code and errors.Is still find the sentinel.
type hintedError struct {
	err  error
	hint string
}

func (e *hintedError) Error() string { return e.err.Error() }

func (e *hintedError) Unwrap() error { return e.err }

// typeHints are the hints that depend on the kind of token, by typ and
// code. A launch token's are its sentinels' own, but for its size.
var typeHints = map[string]map[string]string{
	TypeLaunch: {
		"token_too_large": "launch tokens are small; post the token from Minter.Mint alone, " +
			"not another document",
	},
	TypeAPICredential: {
		"token_too_large": "API credentials are small; send only the token from " +
			"MintAPICredential, as Authorization: Bearer <token>",
		"token_expired": "mint a new API credential just before the calls (it lives at most " +
			"5 minutes) and check the server clock",
	},
	TypeSession: {
		"token_too_large": "session tokens are small; send the session_token from POST " +
			"/launch/exchange unchanged",
		"token_expired": "launch again for a new session token",
	},
}

// forTokenType fits err to the kind of token typ names: the hint of
// typeHints, and the advice of a *TimeError.
func forTokenType(typ string, err error) error {
	var te *TimeError
	if errors.As(err, &te) {
		te.tokenType = typ
	}

	if hint, ok := typeHints[typ][Code(err)]; ok {
		return &hintedError{err: err, hint: hint}
	}

	return err
}

// errorf wraps a sentinel with a fixed detail. Details never hold token
// content or claim values. An error of this package wrapped in the detail
// loses its own "launch: " prefix, so that messages read it once.
func errorf(kind error, format string, args ...any) error {
	return &detailError{err: fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)}
}

// detailError is an error built by errorf.
type detailError struct {
	err error
}

// Error returns the message with the inner "launch: " prefixes removed.
func (e *detailError) Error() string {
	return strings.ReplaceAll(e.err.Error(), ": launch: ", ": ")
}

// Unwrap returns the wrapped errors, for errors.Is and errors.As.
func (e *detailError) Unwrap() error { return e.err }
