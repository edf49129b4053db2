package reporting_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/virtualaipatient/integration/reporting"
)

// BenchmarkLaunch measures POST /launch through the full handler on the
// memory store: verification, session creation and the one-time code.
func BenchmarkLaunch(b *testing.B) {
	e := newEnv(b, func(c *reporting.Config) {
		c.LaunchRate = reporting.RateLimit{PerSecond: 1e9, Burst: 1 << 30}
	})
	tokens := make([]string, b.N)
	for i := range tokens {
		tokens[i] = e.mint(e.a, fmt.Sprintf("user-%d", i), caseChest)
	}

	b.ResetTimer()
	for i := range b.N {
		body, _ := json.Marshal(reporting.LaunchRequest{LaunchToken: tokens[i]})
		req := httptest.NewRequest(http.MethodPost, base+"/launch", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkGetSession measures GET /sessions/{id} with credential checks.
func BenchmarkGetSession(b *testing.B) {
	e := newEnv(b, func(c *reporting.Config) {
		c.ReportingRate = reporting.RateLimit{PerSecond: 1e9, Burst: 1 << 30}
	})
	_ = e.putAssignment(e.a, "cohort-1", "asg-1", `{"case_id":"acs-chest-pain"}`)
	id := e.completeSession(e.a, "u1", caseA)
	cred := e.credential(e.a)

	b.ResetTimer()
	for range b.N {
		req := httptest.NewRequest(http.MethodGet, base+"/sessions/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+cred)
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkNewSessionSummary measures the pure summary builder.
func BenchmarkNewSessionSummary(b *testing.B) {
	e := newEnv(b)
	_ = e.putAssignment(e.a, "cohort-1", "asg-1", `{"case_id":"acs-chest-pain"}`)
	id := e.completeSession(e.a, "u1", caseA)
	s, err := e.service.GetSession(b.Context(), partnerA, id)
	if err != nil {
		b.Fatal(err)
	}

	now := time.Now()
	b.ResetTimer()
	for range b.N {
		_ = reporting.NewSessionSummary(s, "Chest pain", now)
	}
}
