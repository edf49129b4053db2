package demo

import (
	_ "embed"
	"net/http"
)

//go:embed assets/style.css
var styleSheet []byte

// StylePath is where both example apps serve StyleHandler.
const StylePath = "/assets/style.css"

// StyleHandler serves the style sheet the example pages share.
func StyleHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "max-age=300")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(styleSheet)
	})
}

// PageHeaders sets the security headers of an example HTML page: a
// Content-Security-Policy that allows only the server's own scripts,
// styles and calls, and forms posted to formAction (a source list such as
// "'self'"), no framing, no referrer and no caching.
func PageHeaders(w http.ResponseWriter, formAction string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; "+
		"style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; "+
		"form-action "+formAction+"; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
}
