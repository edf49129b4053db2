package reporting

import (
	"math"
	"net/http"
	"strconv"

	"github.com/virtualaipatient/integration/internal/signinpage"
	"github.com/virtualaipatient/integration/launch"
)

// originNotAllowedHint is the sign-in page's hint for origin_not_allowed:
// for the learner, and for the platform's support, who may see the page
// when a launch page hides its origin.
const originNotAllowedHint = "This sign-in did not start on your platform, or its page hid " +
	"where it came from. Start again from there; if this keeps happening, tell the " +
	"platform's support that its launch page must send its origin (a Referrer-Policy of " +
	"strict-origin-when-cross-origin or strict-origin, not no-referrer or same-origin)."

// signInHints are the learner-facing explanations of the codes that
// CompleteLaunch may show. They name no case, cohort or person.
var signInHints = map[string]string{
	CodeBadRequest:          signinpage.DefaultHint,
	CodeRateLimited:         "Many people are signing in right now. Try again in a moment.",
	CodeLaunchReplayed:      "This sign-in was already used. Start again from your platform.",
	CodeLaunchNotPermitted:  "This case is not open to you now. Ask your instructor.",
	CodeOriginNotAllowed:    originNotAllowedHint,
	CodeLaunchUnprocessable: "This case cannot be opened from your course. Tell your instructor.",
	CodeConflict:            "Sign-in was interrupted. Start again from your platform.",
	CodeStoreUnavailable:    "Sign-in is unavailable right now. Try again in a moment.",
}

// CompleteLaunch continues a launch verified by single sign-on (package
// launch/oidc) exactly like a launch token posted by the learner's
// browser: it rate-limits the partner, creates the session (consuming the
// launch's (Issuer, TokenID) once, in the same transaction), issues a
// one-time code and redirects (303) to the learner app with the code in
// the URL fragment. Its signature is that of the oidc handler's Complete.
//
// A failure is shown to the learner as the same short HTML page that
// package launch/oidc shows for a failed sign-in: the status and stable
// code of the launch endpoint's problem (such as launch_not_permitted or
// rate_limited, with Retry-After) and a short hint, never the launch's
// content or an internal detail.
func (h *Handler) CompleteLaunch(w http.ResponseWriter, r *http.Request, l *launch.Launch) {
	w.Header().Set("Cache-Control", "no-store")
	if l == nil {
		writeSignInProblem(w, newProblem(http.StatusBadRequest, CodeBadRequest, "no launch"))
		return
	}

	code, _, p := h.launchVerified(r.Context(), l)
	if p != nil {
		h.logFailure(r.Context(), "single sign-on launch", p.Code, p.cause)
		writeSignInProblem(w, p)
		return
	}

	http.Redirect(w, r, h.learnerURL(code.code), http.StatusSeeOther)
}

// writeSignInProblem shows p to the learner's browser as the sign-in
// error page: p's status and code, a hint for the code, never p's detail.
func writeSignInProblem(w http.ResponseWriter, p *Problem) {
	noteFailure(w, p)
	if p.retryAfter > 0 {
		secs := int(math.Ceil(p.retryAfter.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	}

	signinpage.Write(w, p.Status, p.Code, signInHints[p.Code])
}
