package reporting

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/session"
)

// handleLaunch creates a session from a launch token, posted as JSON by the
// partner's backend or as a form by the learner's browser.
func (h *Handler) handleLaunch(w http.ResponseWriter, r *http.Request) {
	browser := mediaType(r) == "application/x-www-form-urlencoded"
	if p := launchQueryProblem(r.URL.RawQuery); p != nil {
		failLaunch(w, r, browser, p)
		return
	}

	token, p := h.readLaunchToken(w, r, browser)
	if p != nil {
		failLaunch(w, r, browser, p)
		return
	}

	l, p := h.verifyLaunch(r.Context(), token)
	if p == nil && browser {
		// Before the session: a refused post leaves the token unused.
		p = formOriginProblem(r, l)
	}

	if p != nil {
		failLaunch(w, r, browser, p)
		return
	}

	code, res, p := h.launchVerified(r.Context(), l)
	if p != nil {
		failLaunch(w, r, browser, p)
		return
	}

	target := h.learnerURL(code.code)
	if browser {
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}

	writeJSON(w, http.StatusCreated, LaunchResponse{
		SessionID:     res.Session.ID,
		LaunchURL:     target,
		CodeExpiresAt: NewTime(code.expires),
	})
}

// launchQueryProblem refuses any query string on POST /launch: a
// parameter named launch_token gets token_in_query whatever its value (a
// value shaped like a JWT gets it from ServeHTTP, whatever its name), any
// other parameter bad_request.
func launchQueryProblem(raw string) *Problem {
	if raw == "" {
		return nil
	}

	if q, _ := url.ParseQuery(raw); q.Has("launch_token") {
		return newProblem(http.StatusBadRequest, CodeTokenInQuery,
			"post the launch token in the body, never in the URL")
	}

	return badRequest("POST /launch takes no query parameters; post only the launch token, " +
		"in the body")
}

// failLaunch answers a failed launch. A form post navigated by the
// learner's browser (it accepts text/html) gets the short sign-in error
// page with the problem's status and stable code, so a learner in a web
// view never faces a JSON document; any other caller gets the problem.
func failLaunch(w http.ResponseWriter, r *http.Request, browser bool, p *Problem) {
	if browser && acceptsHTML(r.Header.Get("Accept")) {
		w.Header().Set("Cache-Control", "no-store")
		writeSignInProblem(w, p)
		return
	}

	writeProblem(w, p)
}

// acceptsHTML reports whether an Accept header names text/html or
// application/xhtml+xml with a non-zero quality, as a browser navigating
// to a page does.
func acceptsHTML(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		media, params, _ := strings.Cut(part, ";")
		media = strings.ToLower(strings.TrimSpace(media))
		if media != "text/html" && media != "application/xhtml+xml" {
			continue
		}

		if q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok &&
			strings.Trim(q, "0.") == "" {
			continue
		}

		return true
	}

	return false
}

func (h *Handler) readLaunchToken(w http.ResponseWriter, r *http.Request,
	browser bool) (string, *Problem) {
	if !browser {
		var req LaunchRequest
		if p := decodeJSON(w, r, h.cfg.MaxBodyBytes, &req); p != nil {
			return "", p
		}

		return req.LaunchToken, nil
	}

	r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		return "", bodyProblem(err)
	}

	form := r.PostForm
	if len(form) != 1 || len(form["launch_token"]) != 1 {
		return "", newProblem(http.StatusBadRequest, CodeBadRequest,
			"post exactly one launch_token field")
	}

	return form.Get("launch_token"), nil
}

type issuedCode struct {
	code    string
	expires time.Time
}

// verifyLaunch verifies the token without consuming it: the session
// service consumes it in the launch transaction.
func (h *Handler) verifyLaunch(ctx context.Context, token string) (*launch.Launch, *Problem) {
	if token == "" {
		return nil, newProblem(http.StatusBadRequest, CodeBadRequest, "launch_token is required")
	}

	l, err := h.cfg.Verifier.VerifyUnconsumed(ctx, token)
	if err != nil {
		return nil, launchTokenProblem(err)
	}

	return l, nil
}

// formOriginProblem refuses a browser's form post that comes from a page
// the launch's partner did not register (login CSRF: a learner's own token
// posted from another site in a victim's browser). A present Origin header
// decides: it must be one of the launch's FormOrigins, so "null" (an
// opaque origin: a sandboxed frame, a data: URL, a cross-origin redirect)
// never is. Without Origin, Sec-Fetch-Site "cross-site" is refused, as the
// site cannot be checked. A client that sends neither header is not a
// browser that a page could drive, and is let through.
func formOriginProblem(r *http.Request, l *launch.Launch) *Problem {
	refused := newProblem(http.StatusForbidden, CodeOriginNotAllowed,
		"post the launch form from a page of an origin registered for your partner account, "+
			"and let the browser send that origin: a Referrer-Policy of no-referrer or "+
			"same-origin makes it send Origin: null; use strict-origin-when-cross-origin "+
			"(the default) or strict-origin")
	if origins := r.Header.Values("Origin"); len(origins) > 0 {
		if len(origins) == 1 && l.AllowsFormOrigin(origins[0]) {
			return nil
		}

		return refused
	}

	if strings.EqualFold(r.Header.Get("Sec-Fetch-Site"), "cross-site") {
		return refused
	}

	return nil
}

// launchVerified rate-limits the partner and the learner of a verified
// launch, creates the session (consuming the launch's token id in the same
// transaction) and issues a one-time code. Launch tokens and single
// sign-on share it.
func (h *Handler) launchVerified(ctx context.Context,
	l *launch.Launch) (issuedCode, session.LaunchResult, *Problem) {
	// The partner's budget first, so that a partner's refused launches
	// add no learner limiter; a learner's refused launch then gives its
	// call back to the partner, so that one learner cannot spend it.
	now := h.now()
	partnerCall, d := h.launches.reserve(l.PartnerID, now)
	if d > 0 {
		return issuedCode{}, session.LaunchResult{}, retryProblem(d)
	}

	learnerCall, d := h.learners.reserve(l.PartnerID, l.Subject, now)
	if d > 0 {
		partnerCall.CancelAt(now)
		return issuedCode{}, session.LaunchResult{}, retryProblem(d)
	}

	res, err := h.cfg.Service.Launch(ctx, *l)
	if errors.Is(err, launch.ErrReplayed) {
		// Whoever replays a spent token spends the partner's budget but
		// not the learner's, so that one leaked token cannot lock the
		// learner out of launching.
		learnerCall.CancelAt(now)
	}

	if err != nil {
		return issuedCode{}, session.LaunchResult{}, launchProblem(err)
	}

	expires := h.now().Add(h.cfg.CodeTTL)
	grant := CodeGrant{SessionID: res.Session.ID, PartnerID: res.Session.PartnerID}
	code, err := h.cfg.Codes.Issue(ctx, grant, expires)
	if err != nil {
		return issuedCode{}, session.LaunchResult{}, storeProblem(err)
	}

	return issuedCode{code: code, expires: expires}, res, nil
}

// learnerURL is the learner app's URL with the code in the fragment.
func (h *Handler) learnerURL(code string) string {
	u := *h.appURL
	u.Fragment = ""
	u.RawFragment = ""

	return u.String() + "#" + url.Values{"code": {code}}.Encode()
}

func launchTokenProblem(err error) *Problem {
	if errors.Is(err, launch.ErrReplayed) {
		return newProblem(http.StatusConflict, CodeLaunchReplayed, launch.Hint(err))
	}

	if errors.Is(err, launch.ErrReplayGuardUnavailable) ||
		errors.Is(err, launch.ErrKeySetUnavailable) {
		return storeProblem(err)
	}

	code := launch.Code(err)
	if code == "" {
		code = CodeUnauthorized
	}

	return newProblem(http.StatusUnauthorized, code, tokenDetail(err))
}

// tokenDetail is the problem detail of a token that failed verification:
// the launch package's hint, after the failure itself when it names a
// claim ("invalid claim: role must be learner or instructor"). The launch
// package's messages name claims and rules, never tokens or values.
func tokenDetail(err error) string {
	hint := launch.Hint(err)
	if !errors.Is(err, launch.ErrInvalidClaim) && !errors.Is(err, launch.ErrMissingClaim) {
		return hint
	}

	msg := strings.TrimPrefix(err.Error(), "launch: ")
	if hint == "" {
		return msg
	}

	return msg + "; " + hint
}

// launchProblem maps the session service's launch errors.
func launchProblem(err error) *Problem {
	switch {
	case errors.Is(err, launch.ErrReplayed):
		return newProblem(http.StatusConflict, CodeLaunchReplayed,
			"mint a new token for every launch; tokens are single use")
	case errors.Is(err, session.ErrNotAssigned), errors.Is(err, session.ErrNotOpen),
		errors.Is(err, session.ErrClosed), errors.Is(err, session.ErrAttemptsExhausted),
		errors.Is(err, session.ErrOutOfSequence), errors.Is(err, session.ErrCaseSetDone):
		return newProblem(http.StatusForbidden, CodeLaunchNotPermitted, launchDetail(err))
	case errors.Is(err, session.ErrInvalidLaunch), errors.Is(err, session.ErrUnknownCohort),
		errors.Is(err, session.ErrUnknownCase), errors.Is(err, session.ErrChooseCase),
		errors.Is(err, session.ErrCaseRetired), errors.Is(err, session.ErrLaunchCaseSet):
		return newProblem(http.StatusUnprocessableEntity, CodeLaunchUnprocessable,
			launchDetail(err))
	case errors.Is(err, session.ErrConflict):
		return newProblem(http.StatusConflict, CodeConflict, "retry the launch with a new token")
	}

	return storeProblem(err)
}

// launchDetail names the rule a launch broke, in fixed words.
func launchDetail(err error) string {
	details := []struct {
		err  error
		text string
	}{
		{session.ErrNotAssigned, "the case is not assigned to the cohort"},
		{session.ErrNotOpen, "the assignment is not open yet"},
		{session.ErrClosed, "the assignment is closed"},
		{session.ErrAttemptsExhausted, "every allowed attempt is used"},
		{session.ErrOutOfSequence, "the case is not unlocked yet"},
		{session.ErrCaseSetDone, "every case of the set is completed"},
		{session.ErrUnknownCohort, "the cohort is not registered"},
		{session.ErrUnknownCase, "the case or case set is not published"},
		{session.ErrChooseCase, "name a case: the cohort has no single open assignment"},
		{session.ErrCaseRetired, "the case is retired"},
		{session.ErrLaunchCaseSet, "name the case set: several assigned case sets hold the case"},
	}
	for _, d := range details {
		if errors.Is(err, d.err) {
			return d.text
		}
	}

	return "the launch claims are incomplete"
}

// handleExchange redeems a one-time code, once, for a session bearer token.
func (h *Handler) handleExchange(w http.ResponseWriter, r *http.Request) {
	if _, p := readQuery(r); p != nil {
		writeProblem(w, p)
		return
	}

	var req ExchangeRequest
	if p := decodeJSON(w, r, h.cfg.MaxBodyBytes, &req); p != nil {
		writeProblem(w, p)
		return
	}

	grant, err := h.cfg.Codes.Redeem(r.Context(), req.Code, h.now())
	if errors.Is(err, ErrCodeInvalid) {
		writeProblem(w, newProblem(http.StatusBadRequest, CodeCodeInvalid,
			"codes are single use and expire quickly; launch again"))
		return
	}

	if err != nil {
		writeProblem(w, storeProblem(err))
		return
	}

	token, exp, err := h.cfg.Tokens.Issue(grant.SessionID, grant.PartnerID)
	if err != nil {
		writeProblem(w, storeProblem(err))
		return
	}

	writeJSON(w, http.StatusOK, ExchangeResponse{
		SessionID: grant.SessionID, SessionToken: token, TokenType: "Bearer",
		ExpiresAt: NewTime(exp),
	})
}
