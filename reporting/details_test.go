package reporting_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/reporting"
)

// TestAuthorizationHeaders checks the credential rules: one Authorization
// header only, and a challenge that says whether the request lacked a
// credential (no error code, RFC 6750 section 3.1) or had a bad one.
func TestAuthorizationHeaders(t *testing.T) {
	e := newEnv(t)
	good := "Bearer " + e.credential(e.a)
	tests := []struct {
		name          string
		headers       []string
		wantStatus    int
		wantChallenge string
	}{
		{name: "one valid credential", headers: []string{good}, wantStatus: http.StatusOK},
		{name: "none", wantStatus: http.StatusUnauthorized, wantChallenge: "Bearer"},
		{name: "another scheme", headers: []string{"Basic dXNlcjpwYXNz"},
			wantStatus: http.StatusUnauthorized, wantChallenge: "Bearer"},
		{name: "bad credential", headers: []string{"Bearer a.b.c"},
			wantStatus: http.StatusUnauthorized, wantChallenge: `Bearer error="invalid_token"`},
		{name: "two headers, valid first", headers: []string{good, "Bearer a.b.c"},
			wantStatus: http.StatusUnauthorized, wantChallenge: `Bearer error="invalid_request"`},
		{name: "the same valid credential twice", headers: []string{good, good},
			wantStatus: http.StatusUnauthorized, wantChallenge: `Bearer error="invalid_request"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := e.request(http.MethodGet, "/cases", "", nil)
			for _, h := range tt.headers {
				req.Header.Add("Authorization", h)
			}

			rec := e.do(req)
			require.Equal(t, tt.wantStatus, rec.Code, rec.Body.String())
			assert.Equal(t, tt.wantChallenge, rec.Header().Get("WWW-Authenticate"))
			if tt.wantStatus == http.StatusOK {
				return
			}

			p := problemOf(t, rec)
			assert.NotEmpty(t, p.Code)
			if len(tt.headers) == 2 {
				assert.Equal(t, reporting.CodeUnauthorized, p.Code)
				assert.Contains(t, p.Detail, "exactly one Authorization header")
			}
		})
	}
}

// TestRequireSessionAuthorizationHeaders applies the same rules to the
// learner app's session tokens.
func TestRequireSessionAuthorizationHeaders(t *testing.T) {
	e := newEnv(t)
	res := decode[reporting.LaunchResponse](t, e.launchJSON(e.mint(e.a, "user-1", caseChest)))
	grant := decode[reporting.ExchangeResponse](t, e.exchange(codeOf(t, res.LaunchURL)))
	app := e.handler.RequireSession(http.HandlerFunc(func(w http.ResponseWriter,
		_ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	tests := []struct {
		name          string
		headers       []string
		wantStatus    int
		wantChallenge string
	}{
		{name: "one", headers: []string{"Bearer " + grant.SessionToken}, wantStatus: http.StatusOK},
		{name: "none", wantStatus: http.StatusUnauthorized, wantChallenge: "Bearer"},
		{name: "two", headers: []string{"Bearer " + grant.SessionToken, "Bearer x"},
			wantStatus: http.StatusUnauthorized, wantChallenge: `Bearer error="invalid_request"`},
		{name: "bad", headers: []string{"Bearer x"}, wantStatus: http.StatusUnauthorized,
			wantChallenge: `Bearer error="invalid_token"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/app/api/me", nil)
			for _, h := range tt.headers {
				req.Header.Add("Authorization", h)
			}

			rec := httptest.NewRecorder()
			app.ServeHTTP(rec, req)
			assert.Equal(t, tt.wantStatus, rec.Code)
			assert.Equal(t, tt.wantChallenge, rec.Header().Get("WWW-Authenticate"))
		})
	}
}

// TestAnalyticsRuleDetails names the parameters and the rule a refused
// analytics query broke, never their values.
func TestAnalyticsRuleDetails(t *testing.T) {
	e := newEnv(t)
	const path = "/cohorts/cohort-1/analytics"
	tests := []struct {
		name       string
		query      string
		wantDetail string
		values     []string
	}{
		{name: "from after to",
			query:      "?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z",
			wantDetail: "to must be after from", values: []string{"2026-03-0"}},
		{name: "from equal to", query: "?from=2026-03-02T00:00:00Z&to=2026-03-02T00:00:00Z",
			wantDetail: "to must be after from", values: []string{"2026-03-02"}},
		{name: "case_major without case_id", query: "?case_major=7",
			wantDetail: "case_major needs case_id", values: []string{"7"}},
		{name: "invalid case_set_id", query: "?case_set_id=..",
			wantDetail: "case_set_id must be a valid id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.get(e.a, path+tt.query)
			p := problemOf(t, rec)
			assert.Contains(t, p.Detail, tt.wantDetail)
			assert.NotContains(t, p.Detail, "break a rule")
			for _, v := range tt.values {
				assert.NotContains(t, p.Detail, v)
			}
		})
	}
}

// TestInvalidJSONDetails names the field at fault, as a JSON pointer, and
// the kind of problem, never the value.
func TestInvalidJSONDetails(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		body   string
		want   string
		values []string
	}{
		{name: "time not RFC 3339", body: `{"case_id":"sepsis-early","opens_at":"tomorrow"}`,
			want: "/opens_at must be an RFC 3339 time", values: []string{"tomorrow"}},
		{name: "time a number", body: `{"case_id":"sepsis-early","closes_at":5}`,
			want: "/closes_at must be an RFC 3339 time, not a number"},
		{name: "fraction for an integer", body: `{"case_id":"sepsis-early","max_attempts":1.5}`,
			want: "/max_attempts must be an integer", values: []string{"1.5"}},
		{name: "huge number for an integer",
			body: `{"case_id":"sepsis-early","max_attempts":1e400}`,
			want: "/max_attempts must be an integer", values: []string{"1e400"}},
		{name: "integer out of range",
			body:   `{"case_id":"sepsis-early","max_attempts":99999999999999999999}`,
			want:   "/max_attempts must be an integer within range",
			values: []string{"99999999999999999999"}},
		{name: "number out of range",
			body: `{"case_id":"sepsis-early","pass_threshold":1e400}`,
			want: "/pass_threshold must be a number within range", values: []string{"1e400"}},
		{name: "string for an integer", body: `{"case_id":"sepsis-early","max_attempts":"3"}`,
			want: "/max_attempts must be an integer, not a string"},
		{name: "number for a string", body: `{"case_id":"sepsis-early","mode":1}`,
			want: "/mode must be a string, not a number"},
		{name: "unknown field", body: `{"case_id":"sepsis-early","relaunch":"resume"}`,
			want: "/relaunch is not a documented field", values: []string{"resume"}},
		{name: "case-variant field", body: `{"Case_ID":"sepsis-early"}`,
			want: "/Case_ID is not a documented field", values: []string{"sepsis-early"}},
		{name: "duplicate field", body: `{"case_id":"sepsis-early","case_id":"acs-chest-pain"}`,
			want: "/case_id is given more than once", values: []string{"sepsis", "acs"}},
		{name: "not JSON", body: `{"case_id":"sepsis-early",}`,
			want: "the body is not valid JSON (near byte 25)", values: []string{"sepsis"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.putAssignment(e.a, "cohort-1", "asg-1", tt.body)
			require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
			p := problemOf(t, rec)
			assert.Equal(t, reporting.CodeInvalidJSON, p.Code)
			assert.True(t, strings.HasPrefix(p.Detail, tt.want), "%q does not start with %q",
				p.Detail, tt.want)
			for _, v := range tt.values {
				assert.NotContains(t, p.Detail, v)
			}
		})
	}
}

// TestOriginNotAllowedDetail says how a partner page makes the browser
// send its origin, in the problem and on the sign-in page.
func TestOriginNotAllowedDetail(t *testing.T) {
	e := newEnv(t)
	rec := e.postForm(e.mint(e.a, "user-1", caseChest), "Origin", "null")
	require.Equal(t, http.StatusForbidden, rec.Code)
	p := problemOf(t, rec)
	assert.Equal(t, reporting.CodeOriginNotAllowed, p.Code)
	for _, s := range []string{"Referrer-Policy", "no-referrer", "same-origin", "Origin: null",
		"strict-origin-when-cross-origin", "strict-origin"} {
		assert.Contains(t, p.Detail, s)
	}

	page := e.postForm(e.mint(e.a, "user-2", caseChest), "Origin", "null",
		"Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	require.Equal(t, http.StatusForbidden, page.Code)
	for _, s := range []string{"did not start on your platform", "no-referrer", "same-origin",
		"strict-origin-when-cross-origin"} {
		assert.Contains(t, page.Body.String(), s)
	}
}
