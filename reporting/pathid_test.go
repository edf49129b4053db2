package reporting_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/session"
)

// badIDs are path ids, percent-encoded, that no launch could name.
var badIDs = []struct {
	name    string
	escaped string
}{
	{name: "NUL", escaped: "a%00b"},
	{name: "control character", escaped: "a%07b"},
	{name: "line feed", escaped: "a%0Ab"},
	{name: "invalid UTF-8", escaped: "a%FFb"},
	{name: "right-to-left override", escaped: "a%E2%80%AEb"},
	{name: "zero-width space", escaped: "a%E2%80%8Bb"},
	{name: "blank", escaped: "%20%20"},
	{name: "257 bytes", escaped: strings.Repeat("x", 257)},
	{name: "5000 bytes", escaped: strings.Repeat("x", 5000)},
}

// TestPathIDs checks every path id before any store is asked: a write
// with an invalid id is a 400, a read or a delete answers exactly as for a
// missing record, and nothing is stored.
func TestPathIDs(t *testing.T) {
	e := newEnv(t, func(c *reporting.Config) {
		c.ReportingRate = reporting.RateLimit{PerSecond: 1e6, Burst: 1e6}
	})
	const body = `{"case_id":"acs-chest-pain"}`
	require.Equal(t, http.StatusCreated, e.putAssignment(e.a, "cohort-1", "asg-1", body).Code)
	cred := e.credential(e.a)
	missing := e.get(e.a, "/sessions/does-not-exist")
	require.Equal(t, http.StatusNotFound, missing.Code)

	for _, id := range badIDs {
		t.Run(id.name, func(t *testing.T) {
			for _, path := range []string{"/cohorts/" + id.escaped + "/assignments/asg-2",
				"/cohorts/cohort-1/assignments/" + id.escaped} {
				rec := e.do(e.request(http.MethodPut, path, cred, strings.NewReader(body)))
				assert.Equal(t, http.StatusBadRequest, rec.Code, path)
				assert.Equal(t, reporting.CodeBadRequest, problemCode(t, rec))
			}

			reads := []struct{ method, path string }{
				{http.MethodGet, "/cohorts/cohort-1/assignments/" + id.escaped},
				{http.MethodGet, "/cohorts/" + id.escaped + "/assignments/asg-1"},
				{http.MethodDelete, "/cohorts/cohort-1/assignments/" + id.escaped},
				{http.MethodDelete, "/cohorts/" + id.escaped + "/assignments/asg-1"},
				{http.MethodGet, "/sessions/" + id.escaped},
				{http.MethodGet, "/cohorts/" + id.escaped + "/analytics"},
				{http.MethodGet, "/cases?cohort_id=" + id.escaped},
				{http.MethodGet, "/sessions?cohort_id=" + id.escaped},
			}
			for _, r := range reads {
				rec := e.do(e.request(r.method, r.path, cred, nil))
				assert.Equal(t, http.StatusNotFound, rec.Code, r.path)
				assert.Equal(t, missing.Body.String(), rec.Body.String(), "as if missing")
			}
		})
	}

	_, err := e.service.GetAssignment(context.Background(), partnerA, "asg-2")
	assert.ErrorIs(t, err, session.ErrNotFound, "nothing was stored")
	assert.Equal(t, http.StatusOK, e.get(e.a, "/cohorts/cohort-1/assignments/asg-1").Code,
		"the assignment named with a bad cohort id is not deleted")
}

// TestPathIDsAccepted checks ids that launch tokens may carry: accents,
// spaces, an escaped slash, 256 bytes.
func TestPathIDsAccepted(t *testing.T) {
	e := newEnv(t)
	for _, id := range []string{"Médecine 2026", "org/42", strings.Repeat("é", 128), "a..b"} {
		t.Run(id, func(t *testing.T) {
			path := "/cohorts/" + url.PathEscape(id) + "/assignments/" + url.PathEscape(id)
			put := e.do(e.request(http.MethodPut, path, e.credential(e.a),
				strings.NewReader(`{"case_id":"acs-chest-pain"}`)))
			require.Equal(t, http.StatusCreated, put.Code, put.Body.String())
			got := decode[reporting.Assignment](t, e.get(e.a, path))
			assert.Equal(t, id, got.AssignmentID)
			assert.Equal(t, id, got.CohortID)
		})
	}
}

// TestDeleteLearnerPathID checks the partner user id of a deletion: it
// follows launch.CheckID like every other path id (400 otherwise), and a
// sub shaped like an e-mail address, which launches refuse, stays
// deletable.
func TestDeleteLearnerPathID(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name    string
		escaped string
		status  int
	}{
		{name: "NUL", escaped: "a%00b", status: http.StatusBadRequest},
		{name: "line feed", escaped: "a%0Ab", status: http.StatusBadRequest},
		{name: "invalid UTF-8", escaped: "a%FFb", status: http.StatusBadRequest},
		{name: "257 bytes", escaped: strings.Repeat("x", 257), status: http.StatusBadRequest},
		{name: "format character", escaped: "a%E2%80%8Bb", status: http.StatusBadRequest},
		{name: "dot", escaped: "%2e", status: http.StatusBadRequest},
		{name: "dot dot", escaped: "%2e%2e", status: http.StatusBadRequest},
		{name: "blank", escaped: "%20%20", status: http.StatusBadRequest},
		{name: "escaped slash", escaped: "org%2F42", status: http.StatusOK},
		{name: "256 bytes", escaped: strings.Repeat("x", 256), status: http.StatusOK},
		{name: "shaped like an e-mail address", escaped: "jane%40example.org", status: http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.deleteLearner(e.a, tt.escaped)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			if tt.status == http.StatusBadRequest {
				assert.Equal(t, reporting.CodeBadRequest, problemCode(t, rec))
			}
		})
	}
}
