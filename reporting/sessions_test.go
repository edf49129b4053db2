package reporting_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/session"
)

// mintPreview returns an instructor's launch token of the partner.
func (e *env) mintPreview(p partnerKeys, sub, caseID string) string {
	tok, err := p.minter.Mint(context.Background(), launch.LaunchRequest{Subject: sub,
		Role: launch.RoleInstructor, CohortID: "cohort-1", CaseID: caseID})
	require.NoError(e.t, err)

	return tok
}

// listIDs pages GET /sessions from the start with the extra query and
// returns the summaries by session id.
func (e *env) listIDs(t *testing.T, extra string) map[string]reporting.SessionSummary {
	t.Helper()
	out := map[string]reporting.SessionSummary{}
	path := "/sessions?cohort_id=cohort-1" + extra
	for range 10 {
		rec := e.get(e.a, path)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		page := decode[reporting.SessionPage](t, rec)
		for _, s := range page.Sessions {
			out[s.SessionID] = s
		}

		if !page.HasMore {
			return out
		}

		path = "/sessions?cursor=" + page.NextCursor
	}

	t.Fatal("too many pages")
	return nil
}

func TestPreviewsInSummaries(t *testing.T) {
	e := newEnv(t)
	_ = e.putAssignment(e.a, "cohort-1", "asg-1", `{"case_id":"acs-chest-pain"}`)
	learnerID := e.completeSession(e.a, "user-1", caseA)

	// The same partner user previews as an instructor, then launches as a
	// learner again: the learner launch must not resume the preview.
	rec := e.launchJSON(e.mintPreview(e.a, "user-2", caseChest))
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	previewID := decode[reporting.LaunchResponse](t, rec).SessionID
	rec = e.launchJSON(e.mint(e.a, "user-2", caseChest))
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	secondID := decode[reporting.LaunchResponse](t, rec).SessionID
	assert.NotEqual(t, previewID, secondID, "a learner launch never resumes a preview")
	e.clock.Advance(time.Minute)

	one := decode[reporting.SessionSummary](t, e.get(e.a, "/sessions/"+previewID))
	assert.True(t, one.Preview, "GET /sessions/{id} marks the preview")
	two := decode[reporting.SessionSummary](t, e.get(e.a, "/sessions/"+learnerID))
	assert.False(t, two.Preview)

	tests := []struct {
		name  string
		extra string
		want  []string
	}{
		{name: "previews left out by default", want: []string{learnerID, secondID}},
		{name: "explicitly left out", extra: "&include_previews=false",
			want: []string{learnerID, secondID}},
		{name: "included on request", extra: "&include_previews=true",
			want: []string{learnerID, secondID, previewID}},
		{name: "included across pages", extra: "&include_previews=true&limit=1",
			want: []string{learnerID, secondID, previewID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.listIDs(t, tt.extra)
			assert.Len(t, got, len(tt.want))
			for _, id := range tt.want {
				require.Contains(t, got, id)
				assert.Equal(t, id == previewID, got[id].Preview)
			}
		})
	}
}

func TestListPreviewsQueryErrors(t *testing.T) {
	e := newEnv(t)
	page := decode[reporting.SessionPage](t, e.get(e.a, "/sessions?include_previews=true"))

	tests := []struct {
		name string
		path string
		code string
	}{
		{name: "not a boolean", path: "/sessions?include_previews=yes",
			code: reporting.CodeBadRequest},
		{name: "cursor made with previews",
			path: "/sessions?include_previews=false&cursor=" + page.NextCursor,
			code: reporting.CodeInvalidCursor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.get(e.a, tt.path)
			assert.Equal(t, http.StatusBadRequest, rec.Code)
			assert.Equal(t, tt.code, problemCode(t, rec))
		})
	}

	same := e.get(e.a, "/sessions?include_previews=true&cursor="+page.NextCursor)
	assert.Equal(t, http.StatusOK, same.Code, "the same choice may be repeated")
}

func TestAnonymisedSessionsNotServed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_ = e.putAssignment(e.a, "cohort-1", "asg-1", `{"case_id":"acs-chest-pain"}`)
	e.completeSession(e.a, "user-1", caseA)
	keptID := e.completeSession(e.a, "user-2", caseA)

	// user-1 is deleted; the partner keeps anonymous aggregates.
	e.service.Policies = session.StaticPolicies{partnerA: {KeepAnonymousAggregates: true}}
	receipt, err := e.service.DeleteLearner(ctx, partnerA, "user-1")
	require.NoError(t, err)
	require.Equal(t, 1, receipt.Counts.SessionsAnonymised)
	e.clock.Advance(time.Minute)

	got := e.listIDs(t, "&include_previews=true")
	assert.Len(t, got, 1, "the anonymised session is not listed")
	assert.Contains(t, got, keptID)
	for _, s := range got {
		assert.NotEmpty(t, s.PartnerUserID)
	}

	// An anonymised session is absent one by one as well.
	anon, err := e.service.GetSession(ctx, partnerA, keptID)
	require.NoError(t, err)
	anon.ID, anon.PartnerUserID, anon.LearnerID = "anon-1", "", "tombstone-1"
	require.NoError(t, e.store.InsertSession(ctx, anon))
	rec := e.get(e.a, "/sessions/anon-1")
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Equal(t, reporting.CodeNotFound, problemCode(t, rec))
}
