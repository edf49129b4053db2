package oidc

import (
	"html/template"
	"net/http"
)

// hints are the learner-facing explanations of each error code.
var hints = map[string]string{
	"partner_unknown":        "This sign-in link names no known organisation.",
	"request_invalid":        "The sign-in link is malformed. Start again from your platform.",
	"state_mismatch":         "This sign-in was already used or has expired. Start again.",
	"flow_store_unavailable": "Sign-in is unavailable right now. Try again in a moment.",
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

var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in failed</title>
<meta name="viewport" content="width=device-width"></head>
<body><h1>Sign-in failed</h1><p>{{.Hint}}</p>
<p>Error code: <code>{{.Code}}</code></p></body></html>
`))

// fail shows the learner a short page with the error's stable code. No
// detail of err reaches the page.
func (h *Handler) fail(w http.ResponseWriter, err error) {
	code := Code(err)
	if code == "" {
		code = "internal_error"
	}

	hint := hints[code]
	if hint == "" {
		hint = "Sign-in failed. Start again from your platform."
	}

	noStore(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status(err))
	_ = errorPage.Execute(w, struct{ Code, Hint string }{code, hint})
}
