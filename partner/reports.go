package partner

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/reporting/analytics"
	"github.com/virtualaipatient/integration/scoring"
)

// Cases returns the assignments of the partner's cohort cohortID (GET
// /cases?cohort_id=...), or, when cohortID is empty, the catalog of
// published cases and case sets the partner may assign.
func (c *Client) Cases(ctx context.Context, cohortID string) (*reporting.CaseListing, error) {
	q := url.Values{}
	if cohortID != "" {
		q.Set("cohort_id", cohortID)
	}

	var out reporting.CaseListing
	err := c.do(ctx, apiCall{op: "list cases", method: http.MethodGet,
		path: c.endpoint("cases"), query: q, out: &out, auth: true})
	if err != nil {
		return nil, err
	}

	return &out, nil
}

// Summary returns the summary of one session. A session that does not
// exist or belongs to another partner gives an *APIError matching
// ErrNotFound.
func (c *Client) Summary(ctx context.Context, sessionID string) (*reporting.SessionSummary, error) {
	var out reporting.SessionSummary
	err := c.do(ctx, apiCall{op: "get session summary", method: http.MethodGet,
		path: c.endpoint("sessions", sessionID), ids: ids("session id", sessionID), out: &out, auth: true})
	if err != nil {
		return nil, err
	}

	return &out, nil
}

// SessionQuery selects the changed sessions listed by Sessions.
type SessionQuery struct {
	// CohortID narrows to one cohort; empty lists every cohort.
	CohortID string
	// UpdatedSince lists sessions changed at or after this time; zero
	// lists from the beginning.
	UpdatedSince time.Time
	// Cursor resumes a listing: a NextCursor kept from an earlier page.
	// When set, CohortID and UpdatedSince are ignored (the cursor carries
	// them).
	Cursor string
	// PageSize is the number of sessions per page, at most
	// reporting.MaxPageSize. Default: the server's, reporting.DefaultPageSize.
	PageSize int
	// IncludePreviews also lists instructors' preview sessions (their
	// summaries have Preview set). By default they are left out, so that a
	// gradebook never counts them. Ignored with a Cursor, which carries it.
	IncludePreviews bool
}

func (q SessionQuery) values() url.Values {
	v := url.Values{}
	if q.PageSize > 0 {
		v.Set("limit", strconv.Itoa(q.PageSize))
	}

	if q.Cursor != "" {
		v.Set("cursor", q.Cursor)

		return v
	}

	if q.CohortID != "" {
		v.Set("cohort_id", q.CohortID)
	}

	if !q.UpdatedSince.IsZero() {
		v.Set("updated_since", q.UpdatedSince.UTC().Format(time.RFC3339Nano))
	}

	if q.IncludePreviews {
		v.Set("include_previews", "true")
	}

	return v
}

// SessionPage returns one page of session summaries changed since
// q.UpdatedSince, ordered by change time, or the page after q.Cursor.
func (c *Client) SessionPage(ctx context.Context, q SessionQuery) (*reporting.SessionPage, error) {
	var out reporting.SessionPage
	err := c.do(ctx, apiCall{op: "list sessions", method: http.MethodGet,
		path: c.endpoint("sessions"), query: q.values(), out: &out, auth: true})
	if err != nil {
		return nil, err
	}

	return &out, nil
}

// SessionPages iterates over every page of the listing of q, following
// NextCursor until a page reports no more changes. Keep the NextCursor of
// the last page to poll again later. On failure it yields the error once
// and stops; a server that reports more pages with no cursor, or with a
// cursor the iteration has followed already (a cycle), gives ErrResponse.
func (c *Client) SessionPages(ctx context.Context,
	q SessionQuery) iter.Seq2[*reporting.SessionPage, error] {
	return func(yield func(*reporting.SessionPage, error) bool) {
		followed := map[string]bool{}
		for {
			page, err := c.SessionPage(ctx, q)
			if err != nil {
				yield(nil, err)

				return
			}

			if !yield(page, nil) || !page.HasMore {
				return
			}

			if q.Cursor != "" {
				followed[q.Cursor] = true
			}

			if page.NextCursor == "" || followed[page.NextCursor] {
				yield(nil, fmt.Errorf("%w: list sessions: the cursor did not advance", ErrResponse))

				return
			}

			q.Cursor = page.NextCursor
		}
	}
}

// Sessions iterates over every session summary of the listing of q,
// across pages. A session changed again during the listing may come
// twice; keep the summary with the highest Revision. On failure it yields
// the error once and stops. To resume later from where it ended, use
// SessionPages and keep the last NextCursor.
func (c *Client) Sessions(ctx context.Context,
	q SessionQuery) iter.Seq2[reporting.SessionSummary, error] {
	return func(yield func(reporting.SessionSummary, error) bool) {
		for page, err := range c.SessionPages(ctx, q) {
			if err != nil {
				yield(reporting.SessionSummary{}, err)

				return
			}

			for _, s := range page.Sessions {
				if !yield(s, nil) {
					return
				}
			}
		}
	}
}

// AnalyticsQuery narrows a cohort analytics report. Its zero value reports
// on the whole cohort with the attempt policy best.
type AnalyticsQuery struct {
	// AssignmentID narrows to one assignment, when set.
	AssignmentID string
	// CaseSetID narrows to sessions launched under a case set, when set.
	CaseSetID string
	// CaseID narrows to one case, when set.
	CaseID string
	// CaseMajor narrows to one major version of CaseID; 0 lets VAP take the
	// highest.
	CaseMajor int
	// From is the inclusive start of the window on start time; zero is
	// unbounded.
	From time.Time
	// To is the exclusive end of the window; zero is unbounded.
	To time.Time
	// AttemptPolicy picks each learner's reporting session. Default best.
	AttemptPolicy scoring.AttemptPolicy
}

func (q AnalyticsQuery) values() url.Values {
	v := url.Values{}
	set := func(name, value string) {
		if value != "" {
			v.Set(name, value)
		}
	}
	set("assignment_id", q.AssignmentID)
	set("case_set_id", q.CaseSetID)
	set("case_id", q.CaseID)
	set("attempt_policy", string(q.AttemptPolicy))
	if q.CaseMajor > 0 {
		v.Set("case_major", strconv.Itoa(q.CaseMajor))
	}

	for name, t := range map[string]time.Time{"from": q.From, "to": q.To} {
		if !t.IsZero() {
			v.Set(name, t.UTC().Format(time.RFC3339Nano))
		}
	}

	return v
}

// Analytics returns the analytics report of the partner's cohort cohortID,
// narrowed by q.
func (c *Client) Analytics(ctx context.Context, cohortID string,
	q AnalyticsQuery) (*analytics.Report, error) {
	var out analytics.Report
	err := c.do(ctx, apiCall{op: "get cohort analytics", method: http.MethodGet,
		path: c.endpoint("cohorts", cohortID, "analytics"), query: q.values(), out: &out,
		auth: true, ids: ids("cohort id", cohortID)})
	if err != nil {
		return nil, err
	}

	return &out, nil
}

// PutAssignment creates or replaces the assignment assignmentID of the
// partner's cohort cohortID and returns it as stored. The call is
// idempotent and retried like a read.
func (c *Client) PutAssignment(ctx context.Context, cohortID, assignmentID string,
	in reporting.AssignmentInput) (*reporting.Assignment, error) {
	var out reporting.Assignment
	err := c.do(ctx, apiCall{op: "put assignment", method: http.MethodPut,
		path: c.endpoint("cohorts", cohortID, "assignments", assignmentID), body: in,
		out: &out, auth: true, ids: ids("cohort id", cohortID, "assignment id", assignmentID)})
	if err != nil {
		return nil, err
	}

	return &out, nil
}

// Assignment returns the assignment assignmentID of the cohort cohortID.
func (c *Client) Assignment(ctx context.Context,
	cohortID, assignmentID string) (*reporting.Assignment, error) {
	var out reporting.Assignment
	err := c.do(ctx, apiCall{op: "get assignment", method: http.MethodGet,
		path: c.endpoint("cohorts", cohortID, "assignments", assignmentID), out: &out,
		auth: true, ids: ids("cohort id", cohortID, "assignment id", assignmentID)})
	if err != nil {
		return nil, err
	}

	return &out, nil
}

// DeleteAssignment deletes the assignment assignmentID of the cohort
// cohortID. Deleting an assignment that does not exist gives an *APIError
// matching ErrNotFound, also when an earlier attempt of the same call
// deleted it before a retry. Sessions under the assignment stay.
//
// NOTE: deleting an assignment does not stop launches of its case (or
// case set). While the partner's ad-hoc policy allows it
// (session.Policy.AdHocDisabled, set on the VAP side, is false by
// default), a later launch naming the case creates a practice assignment
// on the fly. To stop launches, keep the assignment and set its ClosesAt
// (closes_at) with PutAssignment.
func (c *Client) DeleteAssignment(ctx context.Context, cohortID, assignmentID string) error {
	return c.do(ctx, apiCall{op: "delete assignment", method: http.MethodDelete,
		path: c.endpoint("cohorts", cohortID, "assignments", assignmentID), auth: true,
		ids: ids("cohort id", cohortID, "assignment id", assignmentID)})
}
