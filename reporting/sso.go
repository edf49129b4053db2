package reporting

import (
	"net/http"

	"github.com/virtualaipatient/integration/launch"
)

// CompleteLaunch continues a launch verified by single sign-on (package
// launch/oidc) exactly like a launch token posted by the learner's
// browser: it rate-limits the partner, creates the session (consuming the
// launch's (Issuer, TokenID) once, in the same transaction), issues a
// one-time code and redirects (303) to the learner app with the code in
// the URL fragment. Failures are the launch endpoint's problem responses.
// Its signature is that of the oidc handler's Complete.
func (h *Handler) CompleteLaunch(w http.ResponseWriter, r *http.Request, l *launch.Launch) {
	w.Header().Set("Cache-Control", "no-store")
	if l == nil {
		writeProblem(w, newProblem(http.StatusBadRequest, CodeBadRequest, "no launch"))
		return
	}

	code, _, p := h.launchVerified(r.Context(), l)
	if p != nil {
		writeProblem(w, p)
		return
	}

	http.Redirect(w, r, h.learnerURL(code.code), http.StatusSeeOther)
}
