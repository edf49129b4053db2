package reporting

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/session"
)

type contextKey int

const (
	partnerKey contextKey = iota
	sessionKey
)

// PartnerFromContext returns the partner id a verified API credential put
// in the request context, and whether there is one.
func PartnerFromContext(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(partnerKey).(string)
	return id, ok && id != ""
}

// SessionFromContext returns the session [Handler.RequireSession] put in the
// request context, and whether there is one.
func SessionFromContext(ctx context.Context) (session.Session, bool) {
	s, ok := ctx.Value(sessionKey).(session.Session)
	return s, ok
}

// bearer returns the request's bearer token, or "" when the request has
// none: no Authorization header, or one of another scheme. A request with
// more than one Authorization header gets errTwoCredentials: no header
// is chosen over another.
func bearer(r *http.Request) (string, error) {
	values := r.Header.Values("Authorization")
	switch len(values) {
	case 0:
		return "", nil
	case 1:
	default:
		return "", errTwoCredentials
	}

	scheme, token, ok := strings.Cut(values[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", nil
	}

	return strings.TrimSpace(token), nil
}

// errTwoCredentials is a request with more than one Authorization header.
var errTwoCredentials = errors.New("reporting: more than one Authorization header")

// requirePartner verifies the API credential, applies the partner's rate
// limit and puts the partner id in the context. The partner comes from the
// credential only.
func (h *Handler) requirePartner(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, err := bearer(r)
		if err != nil || token == "" {
			unauthorized(w, err)
			return
		}

		cred, err := h.cfg.Verifier.VerifyAPICredential(r.Context(), token)
		if err != nil {
			unauthorized(w, err)
			return
		}

		if d := h.reports.wait(cred.PartnerID, h.now()); d > 0 {
			writeProblem(w, retryProblem(d))
			return
		}

		ctx := context.WithValue(r.Context(), partnerKey, cred.PartnerID)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// RequireSession is middleware for the VAP backend's learner-app endpoints:
// it verifies the session bearer token issued by POST /launch/exchange,
// loads the session it is bound to and puts it in the request context
// ([SessionFromContext]). A missing, invalid or expired token, or a session
// that no longer exists, gets a 401 problem.
func (h *Handler) RequireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		token, err := bearer(r)
		if err != nil || token == "" {
			unauthorized(w, err)
			return
		}

		tok, err := h.cfg.Tokens.Verify(token)
		if err != nil {
			unauthorized(w, err)
			return
		}

		s, err := h.cfg.Service.GetSession(r.Context(), tok.PartnerID, tok.SessionID)
		if errors.Is(err, session.ErrNotFound) {
			// A valid token of a session that is gone: a bad credential.
			unauthorized(w, err)
			return
		}

		if err != nil {
			writeProblem(w, storeProblem(err))
			return
		}

		ctx := context.WithValue(r.Context(), sessionKey, s)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// unauthorized answers 401 with the launch package's code and hint when
// err has them. A request without a credential (err nil) gets a bare
// Bearer challenge, with no error code (RFC 6750, section 3.1); two
// Authorization headers get error="invalid_request"; a credential that
// failed verification gets error="invalid_token".
func unauthorized(w http.ResponseWriter, err error) {
	challenge, code, hint := `Bearer error="invalid_token"`, launch.Code(err), tokenDetail(err)
	switch {
	case err == nil:
		challenge, code, hint = "Bearer", CodeUnauthorized,
			"send a credential as Authorization: Bearer <token>"
	case errors.Is(err, errTwoCredentials):
		challenge, code, hint = `Bearer error="invalid_request"`, CodeUnauthorized,
			"send exactly one Authorization header"
	case code == "" || code == "config_invalid":
		code, hint = CodeUnauthorized, "send a valid bearer token"
	}

	w.Header().Set("WWW-Authenticate", challenge)
	writeProblem(w, newProblem(http.StatusUnauthorized, code, hint))
}

// storeProblem is the 503 for a store (or another dependency) that failed
// with err. The problem never shows err; the handler logs it (see
// Config.Logger).
func storeProblem(err error) *Problem {
	p := newProblem(http.StatusServiceUnavailable, CodeStoreUnavailable,
		"the store did not answer; retry later")
	p.cause = err

	return p
}
