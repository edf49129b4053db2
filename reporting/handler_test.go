package reporting_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

// do serves one request and checks the response against the OpenAPI
// document and the rules every response follows.
func (e *env) do(req *http.Request) *httptest.ResponseRecorder {
	e.t.Helper()
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	assert.Equal(e.t, "no-store", rec.Header().Get("Cache-Control"))
	if ct := rec.Header().Get("Content-Type"); rec.Code >= 400 {
		if ct == "text/html; charset=utf-8" {
			// Only a navigating browser's form post gets the error page.
			assert.Equal(e.t, "application/x-www-form-urlencoded",
				mediaTypeOf(req.Header.Get("Content-Type")))
			assert.Contains(e.t, req.Header.Get("Accept"), "text/html")
		} else {
			assert.Equal(e.t, "application/problem+json", ct)
		}
	}

	validateResponse(e.t, req, rec)

	return rec
}

func (e *env) request(method, path, token string, body io.Reader) *http.Request {
	req := httptest.NewRequest(method, base+path, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}

	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	return req
}

func (e *env) get(p partnerKeys, path string) *httptest.ResponseRecorder {
	return e.do(e.request(http.MethodGet, path, e.credential(p), nil))
}

func problemCode(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var p reporting.Problem
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	assert.Equal(t, rec.Code, p.Status)

	return p.Code
}

func decode[T any](t testing.TB, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &v), rec.Body.String())

	return v
}

// launchJSON launches server to server and returns the response.
func (e *env) launchJSON(token string) *httptest.ResponseRecorder {
	body, _ := json.Marshal(reporting.LaunchRequest{LaunchToken: token})
	return e.do(e.request(http.MethodPost, "/launch", "", strings.NewReader(string(body))))
}

func codeOf(t *testing.T, launchURL string) string {
	t.Helper()
	u, err := url.Parse(launchURL)
	require.NoError(t, err)
	frag, err := url.ParseQuery(u.Fragment)
	require.NoError(t, err)
	require.NotEmpty(t, frag.Get("code"))
	assert.Empty(t, u.RawQuery, "the code must never be in the query")

	return frag.Get("code")
}

func (e *env) exchange(code string) *httptest.ResponseRecorder {
	body, _ := json.Marshal(reporting.ExchangeRequest{Code: code})
	return e.do(e.request(http.MethodPost, "/launch/exchange", "", strings.NewReader(string(body))))
}

func TestLaunchServerToServer(t *testing.T) {
	e := newEnv(t)
	tok := e.mint(e.a, "user-1", caseChest)

	rec := e.launchJSON(tok)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	res := decode[reporting.LaunchResponse](t, rec)
	assert.NotEmpty(t, res.SessionID)
	assert.True(t, strings.HasPrefix(res.LaunchURL, learnerApp+"#code="))
	assert.Equal(t, e.clock.Now().Add(reporting.DefaultCodeTTL), res.CodeExpiresAt.Time)

	ex := e.exchange(codeOf(t, res.LaunchURL))
	require.Equal(t, http.StatusOK, ex.Code, ex.Body.String())
	grant := decode[reporting.ExchangeResponse](t, ex)
	assert.Equal(t, res.SessionID, grant.SessionID)
	assert.Equal(t, "Bearer", grant.TokenType)
	st, err := e.tokens.Verify(grant.SessionToken)
	require.NoError(t, err)
	assert.Equal(t, partnerA, st.PartnerID)

	again := e.exchange(codeOf(t, res.LaunchURL))
	assert.Equal(t, http.StatusBadRequest, again.Code)
	assert.Equal(t, reporting.CodeCodeInvalid, problemCode(t, again))

	replay := e.launchJSON(tok)
	assert.Equal(t, http.StatusConflict, replay.Code)
	assert.Equal(t, reporting.CodeLaunchReplayed, problemCode(t, replay))
}

func TestLaunchBrowser(t *testing.T) {
	e := newEnv(t)
	form := url.Values{"launch_token": {e.mint(e.a, "user-1", caseChest)}}
	req := e.request(http.MethodPost, "/launch", "", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")

	rec := e.do(req)
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	loc := rec.Header().Get("Location")
	assert.True(t, strings.HasPrefix(loc, learnerApp+"#code="))

	ex := e.exchange(codeOf(t, loc))
	assert.Equal(t, http.StatusOK, ex.Code)
}

func mediaTypeOf(v string) string {
	media, _, _ := strings.Cut(v, ";")
	return strings.TrimSpace(media)
}

// TestLaunchBrowserFailurePage posts failing launches as a browser would:
// a navigating browser gets the short HTML page with the stable code, a
// script posting the form without asking for HTML gets the problem.
func TestLaunchBrowserFailurePage(t *testing.T) {
	e := newEnv(t)
	used := e.mint(e.a, "user-1", caseChest)
	require.Equal(t, http.StatusCreated, e.launchJSON(used).Code)

	const navigate = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	tests := []struct {
		name   string
		query  string
		token  string
		accept string
		status int
		code   string
	}{
		{name: "malformed token", token: "a.b.c", accept: navigate, status: 401,
			code: "token_malformed"},
		{name: "replayed token", token: used, accept: navigate, status: 409,
			code: reporting.CodeLaunchReplayed},
		{name: "token in query", query: "?launch_token=x", token: "x", accept: navigate,
			status: 400, code: reporting.CodeTokenInQuery},
		{name: "html refused with q=0", token: "a.b.c", accept: "text/html;q=0, */*",
			status: 401, code: "token_malformed"},
		{name: "script without accept", token: "a.b.c", status: 401, code: "token_malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"launch_token": {tt.token}}
			req := e.request(http.MethodPost, "/launch"+tt.query, "",
				strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.accept != "" {
				req.Header.Set("Accept", tt.accept)
			}

			rec := e.do(req)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			if !strings.HasPrefix(tt.accept, "text/html,") {
				assert.Equal(t, tt.code, problemCode(t, rec))
				return
			}

			body := rec.Body.String()
			assert.Contains(t, body, "<code>"+tt.code+"</code>")
			assert.NotContains(t, body, tt.token, "the page never shows the token")
			assert.Equal(t, "default-src 'none'", rec.Header().Get("Content-Security-Policy"))
		})
	}
}

func TestLaunchErrors(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		code   string
	}{
		{"token in query", func() *http.Request {
			r := e.request(http.MethodPost, "/launch?launch_token=x", "", strings.NewReader(`{}`))
			return r
		}, 400, reporting.CodeTokenInQuery},
		{"wrong content type", func() *http.Request {
			r := e.request(http.MethodPost, "/launch", "", strings.NewReader(`x`))
			r.Header.Set("Content-Type", "text/plain")
			return r
		}, 415, reporting.CodeUnsupportedMedia},
		{"unknown field", func() *http.Request {
			return e.request(http.MethodPost, "/launch", "", strings.NewReader(`{"launch_token":"a","x":1}`))
		}, 400, reporting.CodeInvalidJSON},
		{"two values", func() *http.Request {
			return e.request(http.MethodPost, "/launch", "", strings.NewReader(`{"launch_token":"a"}{}`))
		}, 400, reporting.CodeInvalidJSON},
		{"too large", func() *http.Request {
			big := `{"launch_token":"` + strings.Repeat("a", reporting.DefaultMaxBodyBytes) + `"}`
			return e.request(http.MethodPost, "/launch", "", strings.NewReader(big))
		}, 413, reporting.CodeBodyTooLarge},
		{"empty token", func() *http.Request {
			return e.request(http.MethodPost, "/launch", "", strings.NewReader(`{"launch_token":""}`))
		}, 400, reporting.CodeBadRequest},
		{"bad token", func() *http.Request {
			return e.request(http.MethodPost, "/launch", "", strings.NewReader(`{"launch_token":"a.b.c"}`))
		}, 401, "token_malformed"},
		{"api credential as launch token", func() *http.Request {
			body := `{"launch_token":"` + e.credential(e.a) + `"}`
			return e.request(http.MethodPost, "/launch", "", strings.NewReader(body))
		}, 401, "token_type_invalid"},
		{"not assigned case", func() *http.Request {
			body := `{"launch_token":"` + e.mint(e.a, "u", "unknown-case") + `"}`
			return e.request(http.MethodPost, "/launch", "", strings.NewReader(body))
		}, 422, reporting.CodeLaunchUnprocessable},
		{"exchange unknown code", func() *http.Request {
			return e.request(http.MethodPost, "/launch/exchange", "", strings.NewReader(`{"code":"nope"}`))
		}, 400, reporting.CodeCodeInvalid},
		{"method not allowed", func() *http.Request {
			return e.request(http.MethodGet, "/launch", "", nil)
		}, 405, reporting.CodeMethodNotAllowed},
		{"unknown path", func() *http.Request {
			return e.request(http.MethodGet, "/nowhere", "", nil)
		}, 404, reporting.CodeNoEndpoint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.do(tt.req())
			assert.Equal(t, tt.status, rec.Code, rec.Body.String())
			assert.Equal(t, tt.code, problemCode(t, rec))
		})
	}
}

func TestCodeExpires(t *testing.T) {
	e := newEnv(t)
	rec := e.launchJSON(e.mint(e.a, "user-1", caseChest))
	require.Equal(t, http.StatusCreated, rec.Code)
	res := decode[reporting.LaunchResponse](t, rec)

	e.clock.Advance(reporting.DefaultCodeTTL)
	ex := e.exchange(codeOf(t, res.LaunchURL))
	assert.Equal(t, http.StatusBadRequest, ex.Code)
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	sessionTok, _, err := e.tokens.Issue("s", partnerA)
	require.NoError(t, err)

	tests := []struct {
		name  string
		token string
		code  string
	}{
		{"missing", "", reporting.CodeUnauthorized},
		{"garbage", "abc", "token_malformed"},
		{"launch token", e.mint(e.a, "u", caseChest), "token_type_invalid"},
		{"session token", sessionTok, "issuer_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.do(e.request(http.MethodGet, "/cases", tt.token, nil))
			assert.Equal(t, http.StatusUnauthorized, rec.Code)
			assert.Contains(t, []string{tt.code, "token_type_invalid"}, problemCode(t, rec))
		})
	}
}

func TestCases(t *testing.T) {
	e := newEnv(t)
	put := e.putAssignment(e.a, "cohort-1", "asg-1", `{"case_set_id":"core-emergencies",
		"due_at":"2026-03-09T17:00:00Z","max_attempts":3,"mode":"assessment"}`)
	require.Equal(t, http.StatusCreated, put.Code, put.Body.String())

	catalog := decode[reporting.CaseListing](t, e.get(e.a, "/cases"))
	assert.Nil(t, catalog.CohortID)
	require.Len(t, catalog.Cases, 2, "the draft case is not listed")
	assert.Equal(t, "1.0", catalog.Cases[0].LatestVersion)
	require.Len(t, catalog.CaseSets, 1)

	rec := e.get(e.a, "/cases?cohort_id=cohort-1")
	require.Equal(t, http.StatusOK, rec.Code)
	listing := decode[reporting.CaseListing](t, rec)
	require.Len(t, listing.Assignments, 1)
	a := listing.Assignments[0]
	assert.Equal(t, "Core emergencies", a.Title)
	require.Len(t, a.Cases, 2)
	assert.Equal(t, "Chest pain", a.Cases[0].Title)
	assert.Equal(t, "2026-03-09T17:00:00Z", a.DueAt.Format(time.RFC3339))

	empty := decode[reporting.CaseListing](t, e.get(e.b, "/cases?cohort_id=cohort-1"))
	assert.Empty(t, empty.Assignments, "partner B's cohort of the same id has none")

	missing := e.get(e.a, "/cases?cohort_id=nope")
	assert.Equal(t, http.StatusNotFound, missing.Code)
}

func (e *env) putAssignment(p partnerKeys, cohort, id, body string) *httptest.ResponseRecorder {
	return e.do(e.request(http.MethodPut, "/cohorts/"+cohort+"/assignments/"+id,
		e.credential(p), strings.NewReader(body)))
}

func TestAssignments(t *testing.T) {
	e := newEnv(t)
	body := `{"case_id":"acs-chest-pain","opens_at":"2026-03-02T08:00:00Z",` +
		`"closes_at":"2026-03-20T00:00:00Z","attempt_policy":"last"}`

	first := e.putAssignment(e.a, "cohort-1", "asg-1", body)
	require.Equal(t, http.StatusCreated, first.Code, first.Body.String())
	again := e.putAssignment(e.a, "cohort-1", "asg-1", body)
	require.Equal(t, http.StatusOK, again.Code, "PUT is idempotent")
	a1, a2 := decode[reporting.Assignment](t, first), decode[reporting.Assignment](t, again)
	assert.Equal(t, a1.Cases, a2.Cases)
	assert.Equal(t, "last", a2.AttemptPolicy)
	assert.Equal(t, "assessment", a2.Mode, "assignments default to assessment")

	got := e.get(e.a, "/cohorts/cohort-1/assignments/asg-1")
	assert.Equal(t, http.StatusOK, got.Code)

	tests := []struct {
		name   string
		rec    func() *httptest.ResponseRecorder
		status int
		code   string
	}{
		{"two targets", func() *httptest.ResponseRecorder {
			return e.putAssignment(e.a, "cohort-1", "x",
				`{"case_id":"acs-chest-pain","case_set_id":"core-emergencies"}`)
		}, 422, reporting.CodeUnprocessable},
		{"unknown case", func() *httptest.ResponseRecorder {
			return e.putAssignment(e.a, "cohort-1", "x", `{"case_id":"nope-case"}`)
		}, 422, reporting.CodeUnprocessable},
		{"bad policy", func() *httptest.ResponseRecorder {
			return e.putAssignment(e.a, "cohort-1", "x", `{"case_id":"sepsis-early","attempt_policy":"worst"}`)
		}, 422, reporting.CodeUnprocessable},
		{"same target twice", func() *httptest.ResponseRecorder {
			return e.putAssignment(e.a, "cohort-1", "x", `{"case_id":"acs-chest-pain"}`)
		}, 409, reporting.CodeAssignmentConflict},
		{"not json", func() *httptest.ResponseRecorder {
			return e.putAssignment(e.a, "cohort-1", "x", `[`)
		}, 400, reporting.CodeInvalidJSON},
		{"other partner reads", func() *httptest.ResponseRecorder {
			return e.get(e.b, "/cohorts/cohort-1/assignments/asg-1")
		}, 404, reporting.CodeNotFound},
		{"other partner deletes", func() *httptest.ResponseRecorder {
			return e.do(e.request(http.MethodDelete, "/cohorts/cohort-1/assignments/asg-1",
				e.credential(e.b), nil))
		}, 404, reporting.CodeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := tt.rec()
			assert.Equal(t, tt.status, rec.Code, rec.Body.String())
			assert.Equal(t, tt.code, problemCode(t, rec))
		})
	}

	del := e.do(e.request(http.MethodDelete, "/cohorts/cohort-1/assignments/asg-1", e.credential(e.a), nil))
	assert.Equal(t, http.StatusNoContent, del.Code)
	gone := e.get(e.a, "/cohorts/cohort-1/assignments/asg-1")
	assert.Equal(t, http.StatusNotFound, gone.Code)
}

// completeSession launches, starts and completes a session of partner p.
func (e *env) completeSession(p partnerKeys, sub string, points map[string]float64) string {
	rec := e.launchJSON(e.mint(p, sub, caseChest))
	require.Equal(e.t, http.StatusCreated, rec.Code, rec.Body.String())
	id := decode[reporting.LaunchResponse](e.t, rec).SessionID

	ctx := context.Background()
	_, err := e.service.Start(ctx, p.id, id)
	require.NoError(e.t, err)
	e.clock.Advance(20 * time.Minute)

	in := scoring.Input{Points: points, Errors: []scoring.FlaggedError{
		{Code: "COM.JARGON", Severity: scoring.SeverityMinor, Offset: time.Minute},
		{Code: "MED.CONTRAINDICATED_DRUG", Severity: scoring.SeverityMajor, PatientSafety: true,
			Offset: 5 * time.Minute},
	}}
	_, err = e.service.Complete(ctx, p.id, id, session.Completion{Input: &in})
	require.NoError(e.t, err)

	return id
}

var caseA = map[string]float64{"history_taking": 16, "physical_exam": 7,
	"diagnostic_reasoning": 6, "management": 8, "communication": 9}

func TestGetSession(t *testing.T) {
	e := newEnv(t)
	_ = e.putAssignment(e.a, "cohort-1", "asg-1", `{"case_id":"acs-chest-pain","mode":"assessment"}`)
	id := e.completeSession(e.a, "user-1", caseA)

	rec := e.get(e.a, "/sessions/"+id)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	sum := decode[reporting.SessionSummary](t, rec)
	assert.Equal(t, "Chest pain", sum.CaseTitle)
	assert.Equal(t, session.StatusCompleted, sum.Status)
	require.NotNil(t, sum.Score)
	assert.Equal(t, 76.75, sum.Score.Percent)
	assert.Equal(t, "MED.CONTRAINDICATED_DRUG", sum.FlaggedErrors[0].Code, "safety first")
	assert.Equal(t, 1200.0, sum.ActiveSeconds)

	for _, path := range []string{"/sessions/" + id, "/sessions/does-not-exist"} {
		other := e.get(e.b, path)
		assert.Equal(t, http.StatusNotFound, other.Code)
		assert.JSONEq(t, `{"type":"urn:vap:problem:not_found","title":"Not Found","status":404,`+
			`"code":"not_found"}`, other.Body.String(), "absent and foreign look the same")
	}
}

func TestListSessions(t *testing.T) {
	e := newEnv(t)
	_ = e.putAssignment(e.a, "cohort-1", "asg-1", `{"case_id":"acs-chest-pain"}`)
	since := e.clock.Now()
	var ids []string
	for _, u := range []string{"u1", "u2", "u3"} {
		ids = append(ids, e.completeSession(e.a, u, caseA))
	}

	e.completeSession(e.b, "u1", caseA)
	e.clock.Advance(time.Minute)

	seen := map[string]bool{}
	path := "/sessions?cohort_id=cohort-1&limit=2&updated_since=" + since.Format(time.RFC3339)
	for range 3 {
		page := decode[reporting.SessionPage](t, e.get(e.a, path))
		for _, s := range page.Sessions {
			assert.False(t, seen[s.SessionID], "no repeats")
			assert.Equal(t, partnerA, s.PartnerID)
			seen[s.SessionID] = true
		}

		require.NotEmpty(t, page.NextCursor)
		path = "/sessions?limit=2&cohort_id=cohort-1&cursor=" + page.NextCursor
		if !page.HasMore {
			break
		}
	}

	assert.Len(t, seen, len(ids))

	bad := e.get(e.a, "/sessions?cursor=!!")
	assert.Equal(t, reporting.CodeInvalidCursor, problemCode(t, bad))
	foreign := e.get(e.b, "/sessions?cohort_id=nope")
	assert.Equal(t, http.StatusNotFound, foreign.Code)
}

func TestRequireSession(t *testing.T) {
	e := newEnv(t)
	rec := e.launchJSON(e.mint(e.a, "user-1", caseChest))
	res := decode[reporting.LaunchResponse](t, rec)
	grant := decode[reporting.ExchangeResponse](t, e.exchange(codeOf(t, res.LaunchURL)))

	app := e.handler.RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := reporting.SessionFromContext(r.Context())
		require.True(t, ok)
		_, _ = io.WriteString(w, s.ID)
	}))

	tests := []struct {
		name   string
		token  string
		status int
	}{
		{"valid", grant.SessionToken, http.StatusOK},
		{"api credential", e.credential(e.a), http.StatusUnauthorized},
		{"missing", "", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/app/api/me", nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}

			w := httptest.NewRecorder()
			app.ServeHTTP(w, req)
			assert.Equal(t, tt.status, w.Code)
			if tt.status == http.StatusOK {
				assert.Equal(t, res.SessionID, w.Body.String())
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, func(c *reporting.Config) {
		c.ReportingRate = reporting.RateLimit{PerSecond: 1, Burst: 2}
	})
	for range 2 {
		assert.Equal(t, http.StatusOK, e.get(e.a, "/cases").Code)
	}

	rec := e.get(e.a, "/cases")
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.Equal(t, "1", rec.Header().Get("Retry-After"))
	assert.Equal(t, http.StatusOK, e.get(e.b, "/cases").Code, "limits are per partner")
}

func TestAssignmentRegistersCohort(t *testing.T) {
	e := newEnv(t)

	// A cohort the partner never registered is registered by its first
	// assignment, for that partner only.
	put := e.putAssignment(e.a, "new-cohort", "asg-new", `{"case_id":"sepsis-early"}`)
	require.Equal(t, http.StatusCreated, put.Code, put.Body.String())

	got := e.get(e.a, "/cohorts/new-cohort/assignments/asg-new")
	assert.Equal(t, http.StatusOK, got.Code)

	cases := e.get(e.a, "/cases?cohort_id=new-cohort")
	require.Equal(t, http.StatusOK, cases.Code, cases.Body.String())
	assert.Contains(t, cases.Body.String(), "sepsis-early")

	other := e.get(e.b, "/cohorts/new-cohort/assignments/asg-new")
	assert.Equal(t, http.StatusNotFound, other.Code)
	assert.Equal(t, reporting.CodeNotFound, problemCode(t, other))

	otherCases := e.get(e.b, "/cases?cohort_id=new-cohort")
	assert.Equal(t, http.StatusNotFound, otherCases.Code, otherCases.Body.String())
}

// TestAssignmentRules checks that an assignment the service could never
// grade is refused when it is put, with the wire name of the field: a
// threshold override at or below the rubric's cap, or with more than 4
// decimals, and times outside 1970 to 9999. A threshold above the cap is
// kept, and its sessions complete and are judged by it.
func TestAssignmentRules(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		name, body, detail string
	}{
		{"threshold at the cap", `{"case_id":"acs-chest-pain","pass_threshold":0.5}`,
			"pass_threshold: must lie above the caps of case acs-chest-pain version 1.0"},
		{"threshold below the cap", `{"case_id":"acs-chest-pain","pass_threshold":0}`,
			"pass_threshold: must lie above the caps"},
		{"threshold of a set's case", `{"case_set_id":"core-emergencies","pass_threshold":0.3}`,
			"pass_threshold: must lie above the caps"},
		{"five decimals", `{"case_id":"acs-chest-pain","pass_threshold":0.12345}`,
			"pass_threshold: must have at most 4 decimals"},
		{"above one", `{"case_id":"acs-chest-pain","pass_threshold":1.5}`,
			"pass_threshold: must be in [0, 1]"},
		{"bad policy", `{"case_id":"acs-chest-pain","attempt_policy":"worst"}`,
			"attempt_policy: must be best, last, first or mean"},
		{"zero opens_at", `{"case_id":"acs-chest-pain","opens_at":"0001-01-01T00:00:00Z"}`,
			"opens_at must lie between 1970-01-01 and 9999-12-31"},
		{"year zero due_at", `{"case_id":"acs-chest-pain","due_at":"0000-01-01T00:00:00Z"}`,
			"due_at must lie between 1970-01-01 and 9999-12-31"},
		{"before 1970", `{"case_id":"acs-chest-pain","closes_at":"1969-12-31T23:59:59Z"}`,
			"closes_at must lie between 1970-01-01 and 9999-12-31"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.putAssignment(e.a, "cohort-1", "asg-bad", tt.body)
			require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
			var p reporting.Problem
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
			assert.Equal(t, reporting.CodeUnprocessable, p.Code)
			assert.Contains(t, p.Detail, tt.detail)
			assert.Equal(t, http.StatusNotFound,
				e.get(e.a, "/cohorts/cohort-1/assignments/asg-bad").Code, "nothing written")
		})
	}

	rec := e.putAssignment(e.a, "cohort-1", "asg-1", `{"case_id":"acs-chest-pain","pass_threshold":0.8}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	id := e.completeSession(e.a, "user-1", caseA)
	sum := decode[reporting.SessionSummary](t, e.get(e.a, "/sessions/"+id))
	require.NotNil(t, sum.Score)
	assert.Equal(t, scoring.OutcomeFailed, sum.Outcome,
		"76.75% fails the override of 0.8, where the rubric's 0.7 would pass it")

	again := e.putAssignment(e.a, "cohort-1", "asg-1", `{"case_id":"acs-chest-pain","pass_threshold":0.5}`)
	assert.Equal(t, http.StatusUnprocessableEntity, again.Code, "an update is checked too")
}
