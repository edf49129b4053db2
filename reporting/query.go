package reporting

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Query strings are read as strictly as JSON bodies: every endpoint names
// the parameters it accepts, and a request with another one, with one of
// them twice or with an empty value, or whose query string does not
// parse, is refused with 400 bad_request. Details name the parameter (when
// its name is short and plain) and never its value.

// readQuery returns the request's query parameters when each one is among
// accepted, given once and not empty.
func readQuery(r *http.Request, accepted ...string) (url.Values, *Problem) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest("the query string is malformed: send name=value pairs, " +
			"percent-encoded and separated by &")
	}

	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}

	slices.Sort(names)
	for _, name := range names {
		if !slices.Contains(accepted, name) {
			return nil, unknownParameter(name, accepted)
		}

		switch {
		case len(q[name]) > 1:
			return nil, badRequest(fmt.Sprintf("query parameter %q is given more than once", name))
		case q[name][0] == "":
			return nil, badRequest(fmt.Sprintf("query parameter %q is empty; give a value or "+
				"leave the parameter out", name))
		}
	}

	return q, nil
}

// plainName is the form of a query parameter name that a problem detail
// may repeat: short, of letters, digits and a few separators. Any other
// name (a token pasted as a name, a long or odd string) is not repeated.
var plainName = regexp.MustCompile(`^[A-Za-z0-9_.\-\[\]]{1,40}$`)

// unknownParameter is the 400 answer to a parameter the endpoint does not
// accept, naming the accepted ones.
func unknownParameter(name string, accepted []string) *Problem {
	what := "a query parameter this endpoint does not accept"
	if plainName.MatchString(name) {
		what = fmt.Sprintf("unknown query parameter %q", name)
	}

	if len(accepted) == 0 {
		return badRequest(what + "; this endpoint takes no query parameters")
	}

	// A near miss of case or separator: attempt-policy, Cohort_ID.
	near := strings.ReplaceAll(strings.ToLower(name), "-", "_")
	if near != name && slices.Contains(accepted, near) && plainName.MatchString(name) {
		what += fmt.Sprintf(" (did you mean %q?)", near)
	}

	return badRequest(what + "; this endpoint accepts " + strings.Join(accepted, ", "))
}

// queryHoldsToken reports whether a raw query string carries something
// shaped like a JWT, as a parameter's name or value, whatever the
// parameter: a token in a URL reaches browser histories, proxies and
// access logs. Pieces that do not unescape are looked at as they are.
func queryHoldsToken(raw string) bool {
	if raw == "" {
		return false
	}

	pieces := strings.FieldsFunc(raw, func(r rune) bool { return r == '&' || r == ';' || r == '=' })
	for _, p := range pieces {
		if s, err := url.QueryUnescape(p); err == nil {
			p = s
		}

		if looksLikeJWT(strings.TrimSpace(p)) {
			return true
		}
	}

	return false
}

// looksLikeJWT reports whether s has the shape of a compact JWS: three
// dot-separated segments of the base64url alphabet, a non-empty payload,
// and a first segment that decodes to the start of a JSON object.
func looksLikeJWT(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return false
	}

	for _, p := range parts {
		if strings.TrimLeft(p, base64URLAlphabet) != "" {
			return false
		}
	}

	head, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return false
	}

	return strings.HasPrefix(strings.TrimLeft(string(head), " \t\r\n"), "{")
}

const base64URLAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// tokenInQuery is the 400 answer to a request whose query string carries a
// token.
func tokenInQuery() *Problem {
	return newProblem(http.StatusBadRequest, CodeTokenInQuery,
		"never put a token in a URL: post the launch token in the body and send API "+
			"credentials in the Authorization header; treat this token as exposed")
}
