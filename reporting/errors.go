package reporting

import "errors"

var (
	// ErrConfig is returned by [New] when a required Config field is
	// missing or a value is out of range.
	ErrConfig = errors.New("reporting: invalid configuration")
	// ErrCodeInvalid is returned by [CodeStore.Redeem] when a one-time code
	// is unknown, already redeemed or expired. The three cases are not
	// told apart.
	ErrCodeInvalid = errors.New("reporting: invalid one-time code")
)

// Problem codes: the stable "code" member of problem responses. Launch
// token and credential failures carry launch.Code values instead, such as
// "token_expired".
const (
	// CodeBadRequest is a malformed parameter or path (400), including a
	// query parameter the endpoint does not accept, one given twice and
	// one with an empty value.
	CodeBadRequest = "bad_request"
	// CodeInvalidJSON is a body that is not exactly one JSON object of the
	// expected fields (400).
	CodeInvalidJSON = "invalid_json"
	// CodeTokenInQuery is a token in the query string (400): a parameter
	// named launch_token on POST /launch, or, on any path and with any
	// method, a name or value shaped like a JWT.
	CodeTokenInQuery = "token_in_query"
	// CodeInvalidCursor is a paging cursor that cannot be read or does not fit
	// the query (400).
	CodeInvalidCursor = "invalid_cursor"
	// CodeUnauthorized is a missing or invalid credential, when launch gives
	// no finer code (401).
	CodeUnauthorized = "unauthorized"
	// CodeForbidden is a credential that may not do this (403).
	CodeForbidden = "forbidden"
	// CodeNotFound is a record that does not exist or belongs to another
	// partner (404).
	CodeNotFound = "not_found"
	// CodeNoEndpoint is a path where the API has no endpoint, such as a
	// request sent with a wrong base path (404).
	CodeNoEndpoint = "no_such_endpoint"
	// CodeMethodNotAllowed is a method the path does not accept (405).
	CodeMethodNotAllowed = "method_not_allowed"
	// CodeLaunchReplayed is a launch token already used (409).
	CodeLaunchReplayed = "launch_replayed"
	// CodeConflict is a write that lost to concurrent ones (409).
	CodeConflict = "conflict"
	// CodeBodyTooLarge is a body above the configured cap (413).
	CodeBodyTooLarge = "body_too_large"
	// CodeUnsupportedMedia is a body of the wrong content type (415).
	CodeUnsupportedMedia = "unsupported_media_type"
	// CodeUnprocessable is valid JSON or parameters that break a rule (422).
	CodeUnprocessable = "unprocessable"
	// CodeCodeInvalid is a one-time code unknown, used or expired (400).
	CodeCodeInvalid = "code_invalid"
	// CodeRateLimited is a call above the partner's rate limit (429).
	CodeRateLimited = "rate_limited"
	// CodeStoreUnavailable is a store that did not answer (503).
	CodeStoreUnavailable = "store_unavailable"
	// CodeFeatureUnavailable is an endpoint whose backing source is not
	// configured (503).
	CodeFeatureUnavailable = "unavailable"
	// CodeAssignmentConflict is an assignment whose case or case set the
	// cohort already has, or whose id belongs to another cohort (409).
	CodeAssignmentConflict = "assignment_conflict"
	// CodeLaunchNotPermitted is a launch the assignment does not allow now:
	// not open, closed, attempts exhausted, out of sequence, not assigned
	// (403).
	CodeLaunchNotPermitted = "launch_not_permitted"
	// CodeOriginNotAllowed is a browser's launch form posted from a page
	// whose origin the partner did not register (launch.Partner.FormOrigins),
	// or from an opaque ("null") or cross-site origin that cannot be
	// checked (403). The launch token is not consumed. A page whose
	// Referrer-Policy is no-referrer or same-origin makes browsers send
	// Origin: null, so it is refused too.
	CodeOriginNotAllowed = "origin_not_allowed"
	// CodeLaunchUnprocessable is a verified launch that names an unknown
	// cohort or case, or no case where one is needed (422).
	CodeLaunchUnprocessable = "launch_unprocessable"
)
