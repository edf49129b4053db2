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
	v, p := readQuery(r, analyticsParameters...)
	if p != nil {
		writeProblem(w, p)
		return
	}

	if h.cfg.Analytics == nil {
		writeProblem(w, unavailable())
		return
	}

	q, p := readAnalyticsQuery(v)
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
	if p := analyticsRuleProblem(q); p != nil {
		writeProblem(w, p)
		return
	}

	q, err = q.Normalize()
	if err != nil {
		writeProblem(w, unprocessable("the analytics parameters break a rule"))
		return
	}

	asOf := h.now().UTC().Format(TimeLayout)
	rep, err := h.cfg.Analytics.CohortAnalytics(r.Context(), partner, q)
	if errors.Is(err, analytics.ErrInvalidQuery) {
		writeProblem(w, unprocessable("the analytics parameters break a rule"))
		return
	}

	if err != nil {
		writeProblem(w, storeProblem(err))
		return
	}

	rep.Scope.AsOf = &asOf
	writeJSON(w, http.StatusOK, rep)
}

// analyticsParameters are the query parameters of GET
// /cohorts/{id}/analytics.
var analyticsParameters = []string{"assignment_id", "case_set_id", "case_id", "case_major",
	"from", "to", "attempt_policy"}

// analyticsRuleProblem is the 422 answer to parameters that are each valid
// but break a rule together, naming the parameters and the rule, never a
// value. It checks the rules of analytics.Query.Normalize that parameters
// can break, so that the answer does not depend on that package's words.
func analyticsRuleProblem(q analytics.Query) *Problem {
	switch {
	case q.CaseMajor > 0 && q.CaseID == "":
		return unprocessable("case_major needs case_id: a major version is one case's")
	case !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From):
		return unprocessable("to must be after from: the window [from, to) would be empty")
	}

	return nil
}

// readAnalyticsQuery reads the optional narrowing, window and policy from
// parameters that readQuery accepted: an absent one is "".
func readAnalyticsQuery(v url.Values) (analytics.Query, *Problem) {
	q := analytics.Query{
		AssignmentID: v.Get("assignment_id"),
		CaseSetID:    v.Get("case_set_id"),
		CaseID:       v.Get("case_id"),
		Policy:       scoring.AttemptPolicy(v.Get("attempt_policy")),
	}
	for _, name := range []string{"assignment_id", "case_set_id", "case_id"} {
		if id := v.Get(name); id != "" && !validID(id) {
			return q, badRequest(name + " must be a valid id: 1 to 256 bytes of UTF-8 without " +
				"control or format characters, and not . or ..")
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
