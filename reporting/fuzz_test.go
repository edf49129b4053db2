package reporting_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzRequests feeds untrusted bodies and query values to the parsers:
// every answer must be a documented status, never a panic or a 500.
func FuzzRequests(f *testing.F) {
	f.Add(`{"code":"abc"}`, "eyJ2IjoxfQ")
	f.Add(`{"launch_token":"a.b.c"}`, "!!")
	f.Add(`[1,2]`, "")
	e := newEnv(f)
	cred := e.credential(e.a)
	f.Fuzz(func(t *testing.T, body, cursor string) {
		for _, path := range []string{"/launch", "/launch/exchange"} {
			req := httptest.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			e.handler.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("%s: status %d", path, rec.Code)
			}
		}

		req := httptest.NewRequest(http.MethodGet,
			base+"/sessions?cursor="+url.QueryEscape(cursor), nil)
		req.Header.Set("Authorization", "Bearer "+cred)
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("sessions: status %d", rec.Code)
		}
	})
}
