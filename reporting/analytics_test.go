package reporting_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/reporting/analytics"
)

func TestCohortAnalytics(t *testing.T) {
	e := newEnv(t)
	_ = e.putAssignment(e.a, "cohort-1", "asg-1", `{"case_id":"acs-chest-pain","mode":"assessment"}`)

	empty := decode[analytics.Report](t, e.get(e.a, "/cohorts/cohort-1/analytics"))
	assert.Equal(t, int64(0), *empty.Sessions.ByStatus.Total.Value)
	assert.Nil(t, empty.Scores.AllGraded.Mean.Value)

	e.completeSession(e.a, "u1", caseA)
	single := decode[analytics.Report](t, e.get(e.a, "/cohorts/cohort-1/analytics"))
	assert.True(t, single.Scores.AllGraded.Mean.Suppressed)

	for _, u := range []string{"u2", "u3", "u4", "u5"} {
		e.completeSession(e.a, u, caseA)
	}

	rec := e.get(e.a, "/cohorts/cohort-1/analytics?case_id=acs-chest-pain&attempt_policy=last")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	five := decode[analytics.Report](t, rec)
	assert.Equal(t, 76.75, *five.Scores.Reporting.Mean.Value)
	assert.Equal(t, int64(5), *five.Scores.Reporting.N.Value)
	assert.Equal(t, 1, *five.Scope.CaseMajor)
	assert.Equal(t, 30, *five.Learners.Enrolled)
	require.NotNil(t, five.Scope.AsOf, "the report says when its statuses were taken")
	assert.Equal(t, e.clock.Now().UTC().Format(reporting.TimeLayout), *five.Scope.AsOf)

	other := decode[analytics.Report](t, e.get(e.b, "/cohorts/cohort-1/analytics"))
	assert.Equal(t, int64(0), *other.Sessions.ByStatus.Total.Value,
		"partner B's cohort-1 sees none of partner A's sessions")

	tests := []struct {
		name   string
		path   string
		status int
		code   string
	}{
		{"unknown cohort", "/cohorts/nope/analytics", 404, reporting.CodeNotFound},
		{"bad policy", "/cohorts/cohort-1/analytics?attempt_policy=worst", 400, reporting.CodeBadRequest},
		{"bad time", "/cohorts/cohort-1/analytics?from=yesterday", 400, reporting.CodeBadRequest},
		{"empty window", "/cohorts/cohort-1/analytics?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z",
			422, reporting.CodeUnprocessable},
		{"major without case", "/cohorts/cohort-1/analytics?case_major=2", 422, reporting.CodeUnprocessable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.get(e.a, tt.path)
			assert.Equal(t, tt.status, rec.Code, rec.Body.String())
			assert.Equal(t, tt.code, problemCode(t, rec))
		})
	}
}

func TestUnavailableSources(t *testing.T) {
	e := newEnv(t, func(c *reporting.Config) {
		c.Analytics, c.Changes, c.Catalog = nil, nil, nil
	})
	for _, path := range []string{"/cohorts/cohort-1/analytics", "/sessions", "/cases"} {
		rec := e.get(e.a, path)
		assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
		assert.Equal(t, reporting.CodeFeatureUnavailable, problemCode(t, rec))
	}

	spec := e.do(e.request(http.MethodGet, "/openapi.json", "", nil))
	assert.Equal(t, http.StatusOK, spec.Code)
	assert.JSONEq(t, string(reporting.OpenAPI), spec.Body.String())
}
