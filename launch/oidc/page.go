package oidc

import (
	"errors"
	"net/http"

	"github.com/virtualaipatient/integration/internal/signinpage"
)

// hints are the learner-facing explanations of each error code.
var hints = map[string]string{
	"partner_unknown":        "This sign-in link names no known organisation.",
	"request_invalid":        "The sign-in link is malformed. Start again from your platform.",
	"state_mismatch":         "This sign-in was already used or has expired. Start again.",
	"flow_store_unavailable": "Sign-in is unavailable right now. Try again in a moment.",
	"flow_store_full":        "Too many sign-ins are in progress. Try again in a moment.",
	"sign_in_rate_limited":   "Too many sign-ins are starting. Try again in a moment.",
	"provider_error":         "Your organisation's sign-in did not complete.",
	"provider_unavailable":   "Your organisation's sign-in service cannot be reached.",
	"issuer_mismatch":        "The sign-in came from an unexpected service.",
	"token_exchange_failed":  "Sign-in could not be completed. Start again.",
	"audience_mismatch":      "The sign-in was meant for another application.",
	"id_token_invalid":       "The sign-in could not be verified.",
	"nonce_mismatch":         "The sign-in could not be verified. Start again.",
	"claim_missing":          "Your account lacks information needed to open the case.",
	"claim_invalid":          "Your account's information could not be used.",
	"email_unverified":       "Your email address must be verified first.",
}

// fail logs the failed step and shows the learner a short page with the
// error's stable code. No detail of err reaches the page or the log.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, step string, a attempt,
	err error) {
	code := Code(err)
	if code == "" {
		code = "internal_error"
	}

	h.logFailure(r.Context(), step, code, a, err)
	var re *retryError
	if errors.As(err, &re) {
		setRetryAfter(w, re.after)
	}

	signinpage.Write(w, status(err), code, hints[code])
}
