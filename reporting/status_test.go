package reporting_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/internal/testlog"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/reporting/analytics"
	"github.com/virtualaipatient/integration/store/storetest"
)

// downSource is a change lister and analytics source whose store is down.
type downSource struct{}

var errDown = errors.New("connection refused")

func (downSource) ListChangedSessions(context.Context, string,
	reporting.ChangeQuery) ([]reporting.ChangedSession, error) {
	return nil, errDown
}

func (downSource) CohortAnalytics(context.Context, string, analytics.Query) (analytics.Report, error) {
	return analytics.Report{}, errDown
}

func TestLaunchNotPermitted(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{name: "closed", body: `{"case_id":"acs-chest-pain","opens_at":"2026-02-01T00:00:00Z",` +
			`"closes_at":"2026-03-01T00:00:00Z"}`},
		{name: "not open yet", body: `{"case_id":"acs-chest-pain","opens_at":"2026-04-01T00:00:00Z"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			put := e.putAssignment(e.a, "cohort-1", "asg-1", tt.body)
			require.Equal(t, http.StatusCreated, put.Code, put.Body.String())

			rec := e.launchJSON(e.mint(e.a, "user-1", caseChest))
			assert.Equal(t, http.StatusForbidden, rec.Code, rec.Body.String())
			assert.Equal(t, reporting.CodeLaunchNotPermitted, problemCode(t, rec))
		})
	}
}

func TestStoreUnavailable(t *testing.T) {
	var logs testlog.Buffer
	e := newEnv(t, func(c *reporting.Config) {
		c.Changes, c.Analytics = downSource{}, downSource{}
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	for _, tt := range []struct{ path, route string }{
		{path: "/sessions", route: "GET " + base + "/sessions"},
		{path: "/cohorts/cohort-1/analytics", route: "GET " + base + "/cohorts/{cohort}/analytics"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			rec := e.get(e.a, tt.path)
			assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
			assert.Equal(t, reporting.CodeStoreUnavailable, problemCode(t, rec))
			assert.NotContains(t, rec.Body.String(), errDown.Error(), "store errors stay private")
			assert.Contains(t, logs.String(), `route="`+tt.route+`" code=store_unavailable`+
				` error="connection refused"`, "the host sees why")
		})
	}

	t.Run("launch", func(t *testing.T) {
		fault := storetest.NewFaultStore(e.store)
		fault.FailOn("InsertSession")
		e.service.Store = fault
		tok := e.mint(e.a, "user-2", caseChest)
		rec := e.launchJSON(tok)
		assert.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
		assert.Equal(t, reporting.CodeStoreUnavailable, problemCode(t, rec))
		assert.Contains(t, logs.String(), `route="POST `+base+`/launch"`)
		assert.NotContains(t, logs.String(), tok)
		assert.NotContains(t, logs.String(), "user-2")
	})

	t.Run("refusals are not logged", func(t *testing.T) {
		before := logs.String()
		rec := e.launchJSON("a.b.c")
		assert.Equal(t, http.StatusUnauthorized, rec.Code)
		assert.Equal(t, before, logs.String())
	})
}

func TestOpenAPIServer(t *testing.T) {
	tests := []struct {
		name string
		base string
		want string
	}{
		{name: "default", base: "", want: reporting.DefaultBasePath},
		{name: "custom", base: "/vap/v1", want: "/vap/v1"},
		{name: "trailing slash", base: "/vap/v1/", want: "/vap/v1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *reporting.Config) { c.BasePath = tt.base })
			rec := httptest.NewRecorder()
			e.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.want+"/openapi.json", nil))
			require.Equal(t, http.StatusOK, rec.Code)
			var doc struct {
				Servers []struct {
					URL string `json:"url"`
				} `json:"servers"`
				Paths map[string]any `json:"paths"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
			require.Len(t, doc.Servers, 1)
			assert.Equal(t, tt.want, doc.Servers[0].URL)
			assert.Contains(t, doc.Paths, "/launch")
		})
	}
}
