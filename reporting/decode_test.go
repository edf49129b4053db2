package reporting_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/virtualaipatient/integration/reporting"
)

func TestStrictRequestBodies(t *testing.T) {
	e := newEnv(t)
	tok := e.mint(e.a, "user-1", caseChest)
	tests := []struct {
		name string
		path string
		body string
	}{
		{name: "upper-case name", path: "/launch", body: `{"LAUNCH_TOKEN":"` + tok + `"}`},
		{name: "mixed-case name", path: "/launch", body: `{"Launch_Token":"` + tok + `"}`},
		{name: "duplicate name", path: "/launch",
			body: `{"launch_token":"a.b.c","launch_token":"` + tok + `"}`},
		{name: "null", path: "/launch", body: `null`},
		{name: "array", path: "/launch", body: `["` + tok + `"]`},
		{name: "empty", path: "/launch", body: ``},
		{name: "trailing value", path: "/launch", body: `{"launch_token":"` + tok + `"} 1`},
		{name: "invalid utf-8", path: "/launch", body: "{\"launch_token\":\"\xff\"}"},
		{name: "exchange case-variant name", path: "/launch/exchange", body: `{"Code":"x"}`},
		{name: "exchange duplicate name", path: "/launch/exchange",
			body: `{"code":"x","code":"y"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.do(e.request(http.MethodPost, tt.path, "", strings.NewReader(tt.body)))
			assert.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
			assert.Equal(t, reporting.CodeInvalidJSON, problemCode(t, rec))
		})
	}

	rec := e.launchJSON(tok)
	assert.Equal(t, http.StatusCreated, rec.Code, "the token was not consumed by the above")
}

func TestStrictAssignmentBody(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		body string
	}{
		{name: "case-variant name", body: `{"Case_ID":"sepsis-early"}`},
		{name: "duplicate name", body: `{"case_id":"sepsis-early","case_id":"acs-chest-pain"}`},
		{name: "duplicate name apart", body: `{"mode":"practice","case_id":"sepsis-early",` +
			`"mode":"assessment"}`},
		{name: "unknown field", body: `{"case_id":"sepsis-early","relaunch":"resume"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.putAssignment(e.a, "cohort-1", "asg-1", tt.body)
			assert.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
			assert.Equal(t, reporting.CodeInvalidJSON, problemCode(t, rec))
		})
	}

	ok := e.putAssignment(e.a, "cohort-1", "asg-1",
		`{"case_id":"sepsis-early","opens_at":"2026-03-02T08:00:00Z"}`)
	assert.Equal(t, http.StatusCreated, ok.Code, ok.Body.String())
}
