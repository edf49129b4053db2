package reporting_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/reporting"
)

// ssoLaunch is a launch as package launch/oidc hands it to CompleteLaunch.
func (e *env) ssoLaunch(tokenID, cohort string) *launch.Launch {
	return &launch.Launch{PartnerID: partnerA, Issuer: "https://idp.partner-a.example",
		TokenID: tokenID, ExpiresAt: e.clock.Now().Add(5 * time.Minute),
		Subject: "sso-subject-4711", Name: "Ada Lovelace", Role: launch.RoleLearner,
		CohortID: cohort, CaseID: caseChest}
}

func (e *env) complete(l *launch.Launch) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.handler.CompleteLaunch(rec, httptest.NewRequest(http.MethodGet, "/sso/callback", nil), l)

	return rec
}

// TestCompleteLaunchFailurePage checks that a sign-in failing after
// verification shows the learner the short sign-in page, not a problem
// body: the status, the stable code, a hint, and nothing of the launch.
func TestCompleteLaunchFailurePage(t *testing.T) {
	tests := []struct {
		name   string
		opts   []envOption
		before func(e *env)
		launch func(e *env) *launch.Launch
		status int
		code   string
	}{
		{name: "unknown cohort", launch: func(e *env) *launch.Launch {
			return e.ssoLaunch("oidc-unknown-cohort", "cohort-9")
		}, status: http.StatusUnprocessableEntity, code: reporting.CodeLaunchUnprocessable},
		{name: "closed assignment", before: func(e *env) {
			put := e.putAssignment(e.a, "cohort-1", "asg-1", `{"case_id":"acs-chest-pain",`+
				`"opens_at":"2026-02-01T00:00:00Z","closes_at":"2026-03-01T00:00:00Z"}`)
			require.Equal(t, http.StatusCreated, put.Code, put.Body.String())
		}, launch: func(e *env) *launch.Launch {
			return e.ssoLaunch("oidc-closed", "cohort-1")
		}, status: http.StatusForbidden, code: reporting.CodeLaunchNotPermitted},
		{name: "rate limited", opts: []envOption{func(c *reporting.Config) {
			c.LaunchRate = reporting.RateLimit{PerSecond: 0.01, Burst: 1}
		}}, before: func(e *env) {
			ok := e.complete(e.ssoLaunch("oidc-first", "cohort-1"))
			require.Equal(t, http.StatusSeeOther, ok.Code, ok.Body.String())
		}, launch: func(e *env) *launch.Launch {
			return e.ssoLaunch("oidc-second", "cohort-1")
		}, status: http.StatusTooManyRequests, code: reporting.CodeRateLimited},
		{name: "replayed", before: func(e *env) {
			ok := e.complete(e.ssoLaunch("oidc-once", "cohort-1"))
			require.Equal(t, http.StatusSeeOther, ok.Code, ok.Body.String())
		}, launch: func(e *env) *launch.Launch {
			return e.ssoLaunch("oidc-once", "cohort-1")
		}, status: http.StatusConflict, code: reporting.CodeLaunchReplayed},
		{name: "no launch", launch: func(*env) *launch.Launch { return nil },
			status: http.StatusBadRequest, code: reporting.CodeBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts...)
			if tt.before != nil {
				tt.before(e)
			}

			rec := e.complete(tt.launch(e))
			body := rec.Body.String()
			assert.Equal(t, tt.status, rec.Code, body)
			assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
			assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
			assert.Equal(t, "default-src 'none'", rec.Header().Get("Content-Security-Policy"))
			assert.Contains(t, body, "<code>"+tt.code+"</code>")
			assert.Contains(t, body, "<h1>Sign-in failed</h1>")
			for _, leak := range []string{"sso-subject-4711", "Ada Lovelace", "cohort-",
				caseChest, "oidc-", "{", "assignment is closed", "not registered"} {
				assert.NotContains(t, body, leak)
			}

			if tt.code == reporting.CodeRateLimited {
				assert.NotEmpty(t, rec.Header().Get("Retry-After"))
			}
		})
	}
}

// TestCompleteLaunchRedirects checks the success path stays a redirect to
// the learner app with the code in the fragment.
func TestCompleteLaunchRedirects(t *testing.T) {
	e := newEnv(t)
	rec := e.complete(e.ssoLaunch("oidc-ok", "cohort-1"))
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.True(t, strings.HasPrefix(rec.Header().Get("Location"), learnerApp+"#code="))
}
