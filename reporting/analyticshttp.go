package reporting

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/virtualaipatient/integration/reporting/analytics"
	"github.com/virtualaipatient/integration/scoring"
)

// handleAnalytics reports cohort analytics, computed by the
// AnalyticsSource.
func (h *Handler) handleAnalytics(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Analytics == nil {
		writeProblem(w, unavailable())
		return
	}

	q, p := readAnalyticsQuery(r.URL.Query())
	if p != nil {
		writeProblem(w, p)
		return
	}

	ids, ok := pathIDs(r, "cohort")
	if !ok {
		writeProblem(w, notFound())
		return
	}

	partner := partnerOf(r)
	q.CohortID, q.MinCellSize = ids[0], h.cfg.MinCellSize
	cohort, err := h.cfg.Service.GetCohort(r.Context(), partner, q.CohortID)
	if err != nil {
		writeProblem(w, lookupProblem(err))
		return
	}

	q.RosterSize = cohort.RosterSize
	q, err = q.Normalize()
	if err != nil {
		writeProblem(w, unprocessable("the analytics parameters break a rule"))
		return
	}

	rep, err := h.cfg.Analytics.CohortAnalytics(r.Context(), partner, q)
	if errors.Is(err, analytics.ErrInvalidQuery) {
		writeProblem(w, unprocessable("the analytics parameters break a rule"))
		return
	}

	if err != nil {
		writeProblem(w, storeProblem(err))
		return
	}

	writeJSON(w, http.StatusOK, rep)
}

// readAnalyticsQuery reads the optional narrowing, window and policy.
func readAnalyticsQuery(v url.Values) (analytics.Query, *Problem) {
	q := analytics.Query{
		AssignmentID: v.Get("assignment_id"),
		CaseSetID:    v.Get("case_set_id"),
		CaseID:       v.Get("case_id"),
		Policy:       scoring.AttemptPolicy(v.Get("attempt_policy")),
	}
	for _, id := range []string{q.AssignmentID, q.CaseSetID, q.CaseID} {
		if id != "" && !validID(id) {
			return q, badRequest("assignment_id, case_set_id and case_id must be valid ids")
		}
	}

	if err := q.Policy.UnmarshalText([]byte(q.Policy)); err != nil && q.Policy != "" {
		return q, badRequest("attempt_policy must be best, last, first or mean")
	}

	if s := v.Get("case_major"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return q, badRequest("case_major must be a positive integer")
		}

		q.CaseMajor = n
	}

	var p *Problem
	q.From, p = readTime(v, "from")
	if p != nil {
		return q, p
	}

	q.To, p = readTime(v, "to")

	return q, p
}

func readTime(v url.Values, name string) (time.Time, *Problem) {
	s := v.Get(name)
	if s == "" {
		return time.Time{}, nil
	}

	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, badRequest(name + " must be an RFC 3339 time")
	}

	return t.UTC(), nil
}
