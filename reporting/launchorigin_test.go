package reporting_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/reporting"
)

// postForm posts token as the launch form with the given request headers,
// given as name and value pairs.
func (e *env) postForm(token string, headers ...string) *httptest.ResponseRecorder {
	form := url.Values{"launch_token": {token}}
	req := e.request(http.MethodPost, "/launch", "", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}

	return e.do(req)
}

// TestLaunchFormOrigin posts launch forms as pages of several origins
// would: only the partner's registered origins (by default its issuer's)
// may post, and a refused post leaves the token unused.
func TestLaunchFormOrigin(t *testing.T) {
	const (
		own   = "https://partner-a.example" // partner A's issuer origin
		other = "https://partner-b.example"
		evil  = "https://evil.example"
	)
	tests := []struct {
		name    string
		headers []string
		status  int
	}{
		{name: "no browser headers", status: http.StatusSeeOther},
		{name: "the issuer's origin", headers: []string{"Origin", own},
			status: http.StatusSeeOther},
		{name: "the issuer's origin, cross-site", headers: []string{"Origin", own,
			"Sec-Fetch-Site", "cross-site"}, status: http.StatusSeeOther},
		{name: "another site", headers: []string{"Origin", evil, "Sec-Fetch-Site", "cross-site",
			"Referer", evil + "/lure"}, status: http.StatusForbidden},
		{name: "another site, same-site claimed", headers: []string{"Origin", evil,
			"Sec-Fetch-Site", "same-site"}, status: http.StatusForbidden},
		{name: "another partner's origin", headers: []string{"Origin", other},
			status: http.StatusForbidden},
		{name: "opaque origin", headers: []string{"Origin", "null"},
			status: http.StatusForbidden},
		{name: "empty origin", headers: []string{"Origin", ""}, status: http.StatusForbidden},
		{name: "two origins", headers: []string{"Origin", own, "Origin", evil},
			status: http.StatusForbidden},
		{name: "no origin, cross-site", headers: []string{"Sec-Fetch-Site", "cross-site"},
			status: http.StatusForbidden},
		{name: "no origin, same-site", headers: []string{"Sec-Fetch-Site", "same-site"},
			status: http.StatusSeeOther},
		{name: "no origin, typed by the user", headers: []string{"Sec-Fetch-Site", "none"},
			status: http.StatusSeeOther},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			tok := e.mint(e.a, fmt.Sprintf("user-%d", i), caseChest)
			rec := e.postForm(tok, tt.headers...)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			if tt.status == http.StatusSeeOther {
				assert.True(t, strings.HasPrefix(rec.Header().Get("Location"), learnerApp+"#code="))
				return
			}

			assert.Equal(t, reporting.CodeOriginNotAllowed, problemCode(t, rec))
			assert.Empty(t, rec.Header().Get("Location"))

			// Refused before the session: the token is still unused.
			again := e.postForm(tok, "Origin", own)
			assert.Equal(t, http.StatusSeeOther, again.Code, again.Body.String())
		})
	}
}

// TestLaunchFormOriginConfigured registers the origin of the page that
// serves the launch form, which is not the issuer's.
func TestLaunchFormOriginConfigured(t *testing.T) {
	e := newEnvWithPartners(t, func(p *launch.Partner) {
		p.FormOrigins = []string{"https://courses." + strings.TrimPrefix(p.Issuer, "https://")}
	})
	tests := []struct {
		name   string
		origin string
		status int
	}{
		{name: "the registered origin", origin: "https://courses.partner-a.example",
			status: http.StatusSeeOther},
		{name: "the issuer's origin is not the default any more",
			origin: "https://partner-a.example", status: http.StatusForbidden},
		{name: "another partner's registered origin",
			origin: "https://courses.partner-b.example", status: http.StatusForbidden},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.postForm(e.mint(e.a, fmt.Sprintf("user-%d", i), caseChest),
				"Origin", tt.origin)
			assert.Equal(t, tt.status, rec.Code, rec.Body.String())
		})
	}
}

// TestLaunchFormOriginPage shows a navigating browser's refused post as the
// sign-in error page with the stable code; a server-to-server launch is
// not checked.
func TestLaunchFormOriginPage(t *testing.T) {
	e := newEnv(t)
	rec := e.postForm(e.mint(e.a, "user-1", caseChest), "Origin", "https://evil.example",
		"Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	require.Equal(t, http.StatusForbidden, rec.Code)
	assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Contains(t, rec.Body.String(), "<code>"+reporting.CodeOriginNotAllowed+"</code>")
	assert.Contains(t, rec.Body.String(), "did not start on your platform")

	req := e.request(http.MethodPost, "/launch", "",
		strings.NewReader(`{"launch_token":"`+e.mint(e.a, "user-2", caseChest)+`"}`))
	req.Header.Set("Origin", "https://evil.example")
	assert.Equal(t, http.StatusCreated, e.do(req).Code, "JSON launches are not form posts")
}
