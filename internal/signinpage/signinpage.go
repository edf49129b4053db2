package signinpage

import (
	"html/template"
	"net/http"
)

// DefaultHint is shown when a caller has no hint for a code.
const DefaultHint = "Sign-in failed. Start again from your platform."

var page = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in failed</title>
<meta name="viewport" content="width=device-width"></head>
<body><h1>Sign-in failed</h1><p>{{.Hint}}</p>
<p>Error code: <code>{{.Code}}</code></p></body></html>
`))

// Write sends the error page with status, the stable code and a hint for
// the learner (DefaultHint when empty), HTML-escaped. Callers pass fixed
// texts only: never token content, claim values or error details. The
// response is not cached, sends no referrer and runs no script.
func Write(w http.ResponseWriter, status int, code, hint string) {
	if hint == "" {
		hint = DefaultHint
	}

	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = page.Execute(w, struct{ Code, Hint string }{code, hint})
}
