package reporting_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/reporting"
)

// problemOf decodes a problem response.
func problemOf(t *testing.T, rec *httptest.ResponseRecorder) reporting.Problem {
	t.Helper()
	var p reporting.Problem
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p), rec.Body.String())
	assert.Equal(t, rec.Code, p.Status)

	return p
}

// secretValue is a query value no problem detail may repeat.
const secretValue = "s3cret-value"

// TestQueryParametersStrict sends unknown, repeated, empty and malformed
// query parameters to every endpoint: each is a 400 bad_request naming
// the parameter, never its value, instead of being silently ignored.
func TestQueryParametersStrict(t *testing.T) {
	e := newEnv(t)
	require.Equal(t, http.StatusCreated, e.putAssignment(e.a, "cohort-1", "asg-1",
		`{"case_id":"acs-chest-pain"}`).Code)
	const analytics = "/cohorts/cohort-1/analytics"
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		noAuth     bool
		wantDetail string
	}{
		{name: "misspelled cohort_id", path: "/sessions?cohort=" + secretValue,
			wantDetail: `unknown query parameter "cohort"; this endpoint accepts cohort_id, ` +
				"updated_since, cursor, limit, include_previews"},
		{name: "cohort misspelled on cases", path: "/cases?cohort=" + secretValue,
			wantDetail: `unknown query parameter "cohort"; this endpoint accepts cohort_id`},
		{name: "empty cohort_id on cases", path: "/cases?cohort_id=",
			wantDetail: `query parameter "cohort_id" is empty`},
		{name: "cohort_id without a value", path: "/cases?cohort_id",
			wantDetail: `query parameter "cohort_id" is empty`},
		{name: "page_size for limit", path: "/sessions?page_size=10",
			wantDetail: `unknown query parameter "page_size"`},
		{name: "attempt-policy for attempt_policy", path: analytics + "?attempt-policy=last",
			wantDetail: `unknown query parameter "attempt-policy" ` +
				`(did you mean "attempt_policy"?)`},
		{name: "repeated cohort_id",
			path:       "/sessions?cohort_id=cohort-1&cohort_id=" + secretValue,
			wantDetail: `query parameter "cohort_id" is given more than once`},
		{name: "repeated limit", path: "/sessions?limit=5&limit=6",
			wantDetail: `query parameter "limit" is given more than once`},
		{name: "empty case_id on analytics", path: analytics + "?case_id=",
			wantDetail: `query parameter "case_id" is empty`},
		{name: "empty from on analytics", path: analytics + "?from=",
			wantDetail: `query parameter "from" is empty`},
		{name: "empty case_major on analytics", path: analytics + "?case_major=",
			wantDetail: `query parameter "case_major" is empty`},
		{name: "semicolon separator", path: "/sessions?limit=5;cohort_id=" + secretValue,
			wantDetail: "the query string is malformed"},
		{name: "bad escape", path: "/sessions?cohort_id=%zz" + secretValue,
			wantDetail: "the query string is malformed"},
		{name: "odd name not repeated", path: "/sessions?%3Cb%3E" + secretValue + "=1",
			wantDetail: "a query parameter this endpoint does not accept"},
		{name: "session summary", path: "/sessions/s-1?fields=" + secretValue,
			wantDetail: `unknown query parameter "fields"; ` +
				"this endpoint takes no query parameters"},
		{name: "get assignment", path: "/cohorts/cohort-1/assignments/asg-1?x=" + secretValue,
			wantDetail: "takes no query parameters"},
		{name: "put assignment", method: http.MethodPut,
			path: "/cohorts/cohort-1/assignments/asg-1?x=1", body: `{"case_id":"acs-chest-pain"}`,
			wantDetail: "takes no query parameters"},
		{name: "delete assignment", method: http.MethodDelete,
			path:       "/cohorts/cohort-1/assignments/asg-1?x=1",
			wantDetail: "takes no query parameters"},
		{name: "delete learner", method: http.MethodDelete, path: "/learners/u-1?x=1",
			wantDetail: "takes no query parameters"},
		{name: "openapi document", path: "/openapi.json?x=1", noAuth: true,
			wantDetail: "takes no query parameters"},
		{name: "exchange", method: http.MethodPost, path: "/launch/exchange?x=1", noAuth: true,
			body: `{"code":"c"}`, wantDetail: "takes no query parameters"},
		{name: "launch", method: http.MethodPost, path: "/launch?x=1", noAuth: true,
			body:       `{"launch_token":"` + e.mint(e.a, "user-1", caseChest) + `"}`,
			wantDetail: "POST /launch takes no query parameters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}

			cred := e.credential(e.a)
			if tt.noAuth {
				cred = ""
			}

			req := e.request(method, tt.path, cred, nil)
			if tt.body != "" {
				req = e.request(method, tt.path, cred, strings.NewReader(tt.body))
			}

			rec := e.do(req)
			require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
			p := problemOf(t, rec)
			assert.Equal(t, reporting.CodeBadRequest, p.Code)
			assert.Contains(t, p.Detail, tt.wantDetail)
			assert.NotContains(t, p.Detail, secretValue, "a detail never repeats a value")
		})
	}

	// Nothing above changed anything: the assignment is there, and the
	// refused launch left its token unused.
	assert.Equal(t, http.StatusOK, e.get(e.a, "/cohorts/cohort-1/assignments/asg-1").Code)
	rec := e.launchJSON(e.mint(e.a, "user-2", caseChest))
	assert.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
}

// TestQueryParametersAccepted checks that each documented parameter, given
// once with a value, is still accepted.
func TestQueryParametersAccepted(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{
		"/cases",
		"/cases?cohort_id=cohort-1",
		"/sessions?cohort_id=cohort-1&updated_since=2026-03-01T00:00:00Z&limit=5" +
			"&include_previews=true",
		"/cohorts/cohort-1/analytics?case_id=acs-chest-pain&case_major=1" +
			"&from=2026-03-01T00:00:00Z&to=2026-03-03T00:00:00Z&attempt_policy=last",
		"/cohorts/cohort-1/analytics?assignment_id=asg-1&case_set_id=core-emergencies",
	} {
		rec := e.get(e.a, path)
		assert.Equal(t, http.StatusOK, rec.Code, "%s: %s", path, rec.Body.String())
	}
}

// TestQueryParametersMatchTheSpec sends an undocumented parameter to every
// operation of the OpenAPI document: the handler's answer lists exactly
// the query parameters the document gives that operation, so the two never
// drift apart.
func TestQueryParametersMatchTheSpec(t *testing.T) {
	e := newEnv(t)
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(reporting.OpenAPI, &doc))
	type param struct {
		Name string `json:"name"`
		In   string `json:"in"`
	}

	pathValues := strings.NewReplacer("{cohort_id}", "cohort-1", "{assignment_id}", "asg-1",
		"{session_id}", "s-1", "{partner_user_id}", "u-1")
	count := 0
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			if method == "parameters" {
				continue
			}

			var op struct {
				Parameters []param `json:"parameters"`
			}
			require.NoError(t, json.Unmarshal(raw, &op))
			var names []string
			for _, p := range op.Parameters {
				if p.In == "query" {
					names = append(names, p.Name)
				}
			}

			t.Run(method+" "+path, func(t *testing.T) {
				req := e.request(strings.ToUpper(method), pathValues.Replace(path)+"?zz_probe=1",
					e.credential(e.a), strings.NewReader(`{}`))
				rec := e.do(req)
				require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
				detail := problemOf(t, rec).Detail
				if len(names) == 0 {
					assert.Contains(t, detail, "takes no query parameters")
					return
				}

				want := "this endpoint accepts " + strings.Join(names, ", ")
				assert.True(t, strings.HasSuffix(detail, want), "%q does not end with %q",
					detail, want)
			})
			count++
		}
	}

	assert.Equal(t, 11, count, "every operation was probed")
}

// aJWT is shaped like a compact JWS: {"alg":"ES256"}.{"sub":"x"}.sig
const aJWT = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"

// TestTokenInQuery puts something shaped like a JWT in the query string of
// any path, with any method and under any name: 400 token_in_query, before
// any credential check, and the token is never repeated.
func TestTokenInQuery(t *testing.T) {
	e := newEnv(t)
	tok := e.mint(e.a, "user-1", caseChest)
	launchBody := `{"launch_token":"` + tok + `"}`
	tests := []struct {
		name   string
		method string
		target string
		body   string
	}{
		{name: "post launch, another name", method: http.MethodPost,
			target: "/launch?t=" + url.QueryEscape(aJWT), body: launchBody},
		{name: "post launch, the token as a name", method: http.MethodPost,
			target: "/launch?" + aJWT, body: launchBody},
		{name: "post launch, launch_token", method: http.MethodPost,
			target: "/launch?launch_token=" + tok, body: launchBody},
		{name: "get launch", method: http.MethodGet, target: "/launch?launch_token=" + tok},
		{name: "head launch", method: http.MethodHead, target: "/launch?x=" + aJWT},
		{name: "put launch", method: http.MethodPut, target: "/launch?x=" + aJWT},
		{name: "after a semicolon", method: http.MethodGet, target: "/launch?a=1;b=" + aJWT},
		{name: "escaped", method: http.MethodGet,
			target: "/launch?x=" + strings.ReplaceAll(aJWT, ".", "%2E")},
		{name: "API credential in the query", method: http.MethodGet,
			target: "/sessions?access_token=" + e.credential(e.a)},
		{name: "unknown path", method: http.MethodGet, target: "/nowhere?t=" + aJWT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, base+tt.target, strings.NewReader(tt.body))
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}

			// Not e.do: GET /launch is no operation of the document.
			rec := httptest.NewRecorder()
			e.handler.ServeHTTP(rec, req)
			require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
			assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
			if tt.method == http.MethodHead {
				return
			}

			p := problemOf(t, rec)
			assert.Equal(t, reporting.CodeTokenInQuery, p.Code)
			for _, s := range []string{aJWT, tok, "eyJ"} {
				assert.NotContains(t, rec.Body.String(), s)
			}
		})
	}

	rec := e.launchJSON(tok)
	assert.Equal(t, http.StatusCreated, rec.Code, "the token was not consumed by the above")
}

// TestTokenInQueryBrowserPage shows a navigating browser's form post with
// a token in the query as the sign-in error page.
func TestTokenInQueryBrowserPage(t *testing.T) {
	e := newEnv(t)
	form := url.Values{"launch_token": {e.mint(e.a, "user-1", caseChest)}}
	req := e.request(http.MethodPost, "/launch?t="+aJWT, "", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")

	rec := e.do(req)
	require.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Contains(t, rec.Body.String(), "<code>"+reporting.CodeTokenInQuery+"</code>")
	assert.NotContains(t, rec.Body.String(), aJWT)
}

// TestNotATokenInQuery keeps values with dots that are no JWT out of
// token_in_query.
func TestNotATokenInQuery(t *testing.T) {
	e := newEnv(t)
	for _, v := range []string{"1.2.3", "a.b.c", "2026-03-01T00:00:00.000Z"} {
		rec := e.get(e.a, "/sessions?cohort_id="+url.QueryEscape(v))
		assert.NotEqual(t, reporting.CodeTokenInQuery, problemOf(t, rec).Code, v)
	}
}
