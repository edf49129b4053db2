package reporting_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/session"
)

func TestFailedAssignmentRegistersNoCohort(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{name: "unknown case", body: `{"case_id":"nope-case"}`,
			status: http.StatusUnprocessableEntity, code: reporting.CodeUnprocessable},
		{name: "draft case", body: `{"case_id":"draft-case"}`,
			status: http.StatusUnprocessableEntity, code: reporting.CodeUnprocessable},
		{name: "bad policy", body: `{"case_id":"sepsis-early","attempt_policy":"worst"}`,
			status: http.StatusUnprocessableEntity, code: reporting.CodeUnprocessable},
		{name: "negative attempts", body: `{"case_id":"sepsis-early","max_attempts":-1}`,
			status: http.StatusUnprocessableEntity, code: reporting.CodeUnprocessable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			put := e.putAssignment(e.a, "brand-new", "asg-1", tt.body)
			assert.Equal(t, tt.status, put.Code, put.Body.String())
			assert.Equal(t, tt.code, problemCode(t, put))

			cases := e.get(e.a, "/cases?cohort_id=brand-new")
			assert.Equal(t, http.StatusNotFound, cases.Code, "no cohort registered")
		})
	}
}

func TestRegisteredAssignmentReplacesAdHoc(t *testing.T) {
	e := newEnv(t)

	// A learner launches a case nobody assigned: a practice assignment is
	// created on the fly.
	rec := e.launchJSON(e.mint(e.a, "user-1", caseSepsis))
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	practiceID := decode[reporting.LaunchResponse](t, rec).SessionID
	listing := decode[reporting.CaseListing](t, e.get(e.a, "/cases?cohort_id=cohort-1"))
	require.Len(t, listing.Assignments, 1)
	adHocID := listing.Assignments[0].AssignmentID

	// The partner's own assignment of the case takes its place.
	put := e.putAssignment(e.a, "cohort-1", "exam-1",
		`{"case_id":"sepsis-early","mode":"assessment","max_attempts":1}`)
	require.Equal(t, http.StatusCreated, put.Code, put.Body.String())
	gone := e.get(e.a, "/cohorts/cohort-1/assignments/"+adHocID)
	assert.Equal(t, http.StatusNotFound, gone.Code, "the ad-hoc assignment is retired")
	listing = decode[reporting.CaseListing](t, e.get(e.a, "/cases?cohort_id=cohort-1"))
	require.Len(t, listing.Assignments, 1)
	assert.Equal(t, "exam-1", listing.Assignments[0].AssignmentID)

	kept := decode[reporting.SessionSummary](t, e.get(e.a, "/sessions/"+practiceID))
	assert.Equal(t, adHocID, kept.AssignmentID, "its sessions are kept")

	rec = e.launchJSON(e.mint(e.a, "user-1", caseSepsis))
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	examID := decode[reporting.LaunchResponse](t, rec).SessionID
	exam := decode[reporting.SessionSummary](t, e.get(e.a, "/sessions/"+examID))
	assert.Equal(t, "exam-1", exam.AssignmentID)
	assert.Equal(t, "assessment", string(exam.Mode))

	again := e.putAssignment(e.a, "cohort-1", "exam-2", `{"case_id":"sepsis-early"}`)
	assert.Equal(t, http.StatusConflict, again.Code, "a registered assignment never yields")
	assert.Equal(t, reporting.CodeAssignmentConflict, problemCode(t, again))
}

func TestLaunchCaseOfSeveralSets(t *testing.T) {
	e := newEnv(t)
	_, err := e.service.PutCaseSet(context.Background(), session.CaseSet{ID: "chest-only",
		Title: "Chest", Cases: []session.CaseRef{{CaseID: caseChest}}})
	require.NoError(t, err)
	for id, set := range map[string]string{"asg-core": caseSetCore, "asg-chest": "chest-only"} {
		put := e.putAssignment(e.a, "cohort-1", id, `{"case_set_id":"`+set+`"}`)
		require.Equal(t, http.StatusCreated, put.Code, put.Body.String())
	}

	rec := e.launchJSON(e.mint(e.a, "user-1", caseChest))
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
	assert.Equal(t, reporting.CodeLaunchUnprocessable, problemCode(t, rec))
	assert.Contains(t, rec.Body.String(), "name the case set")
}
