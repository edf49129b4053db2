package partner

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// formScript submits the launch form as soon as the page loads. It is
// allowed by its hash in the page's Content-Security-Policy; without
// script, the page shows a submit button instead.
const formScript = `document.getElementById("vap-launch").submit();`

// formPage is the launch form page. The token is a hidden field of a POST
// form, never part of a URL. The button has no name, so that
// launch_token is the only field posted.
var formPage = template.Must(template.New("launch").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="strict-origin">
<meta name="robots" content="noindex, nofollow">
<title>Opening Virtual AI Patient</title>
</head>
<body>
<form id="vap-launch" method="post" action="{{.Action}}">
<input type="hidden" name="launch_token" value="{{.Token}}">
<p>Opening Virtual AI Patient&hellip;</p>
<button type="submit">Continue to Virtual AI Patient</button>
</form>
<script>` + formScript + `</script>
</body>
</html>
`))

// formScriptHash is the CSP hash source of formScript.
var formScriptHash = func() string {
	sum := sha256.Sum256([]byte(formScript))

	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

// formPolicy returns the Content-Security-Policy of the launch form page:
// nothing may load, only formScript may run, and the form may go only to
// VAP's origin and the extra origins given.
func formPolicy(base *url.URL, extra []string) (string, error) {
	origins := []string{base.Scheme + "://" + base.Host}
	for _, raw := range extra {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") ||
			strings.ContainsAny(u.Host, " ;,'") {
			return "", configError("form action origins must be absolute http(s) URLs")
		}

		origins = append(origins, u.Scheme+"://"+u.Host)
	}

	return "default-src 'none'; script-src " + formScriptHash +
		"; form-action " + strings.Join(origins, " ") +
		"; base-uri 'none'; frame-ancestors 'none'", nil
}

// WriteLaunchForm signs a launch token for l and writes a page that posts
// it to VAP's POST /launch from the learner's browser, which VAP answers
// with a redirect into its learner app. Serve it from the partner's own
// origin, to a user the partner has authenticated.
//
// The page is sent with Cache-Control: no-store, the referrer policy
// strict-origin (the post carries the partner's origin, never a path, and
// VAP checks it against launch.Partner.FormOrigins; under no-referrer
// browsers would send Origin "null", which VAP refuses), a
// Content-Security-Policy that loads nothing, runs only its own submit
// script (allowed by hash) and lets the form go only to VAP (see
// ClientConfig.FormActionOrigins), and refuses to be framed. Without
// script, the learner presses the page's button.
//
// NOTE: browsers enforce form-action on the redirect that follows the
// post; when VAP's learner app has another origin than its API, list it in
// ClientConfig.FormActionOrigins.
func (c *Client) WriteLaunchForm(ctx context.Context, w http.ResponseWriter, l Launch) error {
	page, err := c.launchFormPage(ctx, l)
	if err != nil {
		return err
	}

	return c.writeFormPage(w, page)
}

// launchFormPage signs l and renders the page.
func (c *Client) launchFormPage(ctx context.Context, l Launch) ([]byte, error) {
	token, err := c.mintLaunch(ctx, l)
	if err != nil {
		return nil, err
	}

	var page bytes.Buffer
	data := struct{ Action, Token string }{Action: c.endpoint("launch"), Token: token}
	if err := formPage.Execute(&page, data); err != nil {
		return nil, fmt.Errorf("partner: launch form: %w", err)
	}

	return page.Bytes(), nil
}

func (c *Client) writeFormPage(w http.ResponseWriter, page []byte) error {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(page)))
	h.Set("Content-Security-Policy", c.formCSP)
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "strict-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(page); err != nil {
		return fmt.Errorf("partner: launch form: %w", err)
	}

	return nil
}

// LaunchFormHandler returns an http.Handler that answers a POST (the
// Launch button of a form on the partner's own page) with the launch form
// page of WriteLaunchForm. resolve tells, from the partner's own session on
// the request, who is launched into what; when it returns an error the
// handler answers 403 without detail. A failure to sign answers 500 without
// detail.
//
// Because the page it answers carries a signed launch for the signed-in
// learner, no other site may ask for it: other methods answer 405 (a link
// or a navigation from another site cannot launch anyone), and a
// cross-origin request is refused with 403 by net/http's
// CrossOriginProtection (from its Sec-Fetch-Site or Origin header) before
// resolve is called.
func (c *Client) LaunchFormHandler(resolve func(*http.Request) (Launch, error)) http.Handler {
	launch := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)

			return
		}

		l, err := resolve(r)
		if err != nil {
			http.Error(w, "forbidden", http.StatusForbidden)

			return
		}

		page, err := c.launchFormPage(r.Context(), l)
		if err != nil {
			http.Error(w, "launch unavailable", http.StatusInternalServerError)

			return
		}

		_ = c.writeFormPage(w, page)
	})

	return http.NewCrossOriginProtection().Handler(launch)
}
