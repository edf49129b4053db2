package partner_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/partner"
)

// formPage is a rendered launch form page.
type formPage struct {
	header http.Header
	body   string
}

func renderForm(t *testing.T, c *partner.Client, l partner.Launch) formPage {
	t.Helper()
	rec := httptest.NewRecorder()
	require.NoError(t, c.WriteLaunchForm(context.Background(), rec, l))
	require.Equal(t, http.StatusOK, rec.Code)

	return formPage{header: rec.Header(), body: rec.Body.String()}
}

var (
	actionAttr = regexp.MustCompile(`<form id="vap-launch" method="post" action="([^"]*)">`)
	tokenInput = regexp.MustCompile(`<input type="hidden" name="launch_token" value="([^"]*)">`)
	scriptTag  = regexp.MustCompile(`<script>([^<]*)</script>`)
)

// postForm submits the page's form as a browser would, without following
// the redirect.
func postForm(t *testing.T, hc *http.Client, page formPage) *http.Response {
	t.Helper()
	action := actionAttr.FindStringSubmatch(page.body)
	token := tokenInput.FindStringSubmatch(page.body)
	require.Len(t, action, 2)
	require.Len(t, token, 2)

	noRedirect := *hc
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}
	resp, err := noRedirect.PostForm(action[1], url.Values{"launch_token": {token[1]}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })

	return resp
}

func TestLaunchFormPage(t *testing.T) {
	e := newEnv(t)
	page := renderForm(t, e.client, learner("learner-001"))

	csp := page.header.Get("Content-Security-Policy")
	for _, directive := range []string{
		"default-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
		"form-action " + e.vap.URL + " https://learn.vap.example;",
	} {
		assert.Contains(t, csp, directive)
	}

	script := scriptTag.FindStringSubmatch(page.body)
	require.Len(t, script, 2)
	assert.Equal(t, partner.FormScript, script[1])
	sum := sha256.Sum256([]byte(script[1]))
	assert.Contains(t, csp, "script-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")

	assert.Equal(t, "no-store", page.header.Get("Cache-Control"))
	assert.Equal(t, "strict-origin", page.header.Get("Referrer-Policy"),
		"the post's Origin must name the partner, not null")
	assert.Equal(t, "DENY", page.header.Get("X-Frame-Options"))
	assert.Equal(t, "text/html; charset=utf-8", page.header.Get("Content-Type"))
	assert.Contains(t, page.body, `<button type="submit">`, "no-script fallback")

	action := actionAttr.FindStringSubmatch(page.body)
	require.Len(t, action, 2)
	u, err := url.Parse(action[1])
	require.NoError(t, err)
	assert.Empty(t, u.RawQuery, "no token in the URL")
	assert.Empty(t, u.Fragment)
	assert.Equal(t, 1, strings.Count(page.body, "<input"), "launch_token is the only field")

	resp := postForm(t, e.vap.Client(), page)
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Location"), learnerApp+"#code="))

	replay := postForm(t, e.vap.Client(), page)
	assert.Equal(t, http.StatusConflict, replay.StatusCode, "the token is single use")
}

func TestLaunchFormEscapes(t *testing.T) {
	e := newEnv(t)
	c, err := partner.NewClient(partner.ClientConfig{
		BaseURL: e.vap.URL + `/a"b<c>`, Ring: e.ring, APIAudience: apiAud,
	})
	require.NoError(t, err)

	page := renderForm(t, c, learner("learner-001"))
	assert.NotContains(t, page.body, `a"b`)
	assert.NotContains(t, page.body, `<c>`)
}

func TestLaunchFormHandler(t *testing.T) {
	e := newEnv(t)
	h := e.client.LaunchFormHandler(func(r *http.Request) (partner.Launch, error) {
		user := r.Header.Get("X-Test-User")
		if user == "" {
			return partner.Launch{}, partner.ErrForbidden
		}

		return learner(user), nil
	})

	tests := []struct {
		name       string
		method     string
		user       string
		headers    map[string]string
		wantStatus int
		wantToken  bool
	}{
		{name: "signed-in user", method: http.MethodPost, user: "learner-001",
			headers:    map[string]string{"Sec-Fetch-Site": "same-origin"},
			wantStatus: http.StatusOK, wantToken: true},
		{name: "same origin", method: http.MethodPost, user: "learner-002",
			headers:    map[string]string{"Origin": "http://example.com"},
			wantStatus: http.StatusOK, wantToken: true},
		{name: "no user", method: http.MethodPost, wantStatus: http.StatusForbidden},
		{name: "another site", method: http.MethodPost, user: "learner-001",
			headers:    map[string]string{"Sec-Fetch-Site": "cross-site"},
			wantStatus: http.StatusForbidden},
		{name: "another origin", method: http.MethodPost, user: "learner-001",
			headers:    map[string]string{"Origin": "https://evil.example"},
			wantStatus: http.StatusForbidden},
		{name: "a link or navigation", method: http.MethodGet, user: "learner-001",
			headers:    map[string]string{"Sec-Fetch-Site": "cross-site"},
			wantStatus: http.StatusMethodNotAllowed},
		{name: "bad method", method: http.MethodDelete, user: "learner-001",
			wantStatus: http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "/vap/launch", nil)
			if tt.user != "" {
				req.Header.Set("X-Test-User", tt.user)
			}

			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}

			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			body, err := io.ReadAll(rec.Body)
			require.NoError(t, err)

			assert.Equal(t, tt.wantStatus, rec.Code)
			assert.Equal(t, tt.wantToken, tokenInput.Match(body))
		})
	}
}
