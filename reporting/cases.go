package reporting

import (
	"context"
	"errors"
	"net/http"

	"github.com/virtualaipatient/integration/session"
)

// handleCases lists a cohort's assignments, or the catalog when no
// cohort_id is given. An empty cohort_id is refused, never read as none.
func (h *Handler) handleCases(w http.ResponseWriter, r *http.Request) {
	q, p := readQuery(r, "cohort_id")
	if p != nil {
		writeProblem(w, p)
		return
	}

	if !q.Has("cohort_id") {
		h.writeCatalog(w, r)
		return
	}

	cohort := q.Get("cohort_id")
	if !validID(cohort) {
		writeProblem(w, notFound())
		return
	}

	partner := partnerOf(r)
	if _, err := h.cfg.Service.GetCohort(r.Context(), partner, cohort); err != nil {
		writeProblem(w, lookupProblem(err))
		return
	}

	list, err := h.cfg.Service.ListAssignments(r.Context(), partner, cohort)
	if err != nil {
		writeProblem(w, storeProblem(err))
		return
	}

	out := CaseListing{CohortID: &cohort, Assignments: make([]Assignment, 0, len(list)),
		Cases: []CatalogCase{}, CaseSets: []CatalogCaseSet{}}
	for _, a := range list {
		wire, err := h.assignmentWire(r.Context(), a)
		if err != nil {
			writeProblem(w, storeProblem(err))
			return
		}

		out.Assignments = append(out.Assignments, wire)
	}

	writeJSON(w, http.StatusOK, out)
}

// lookupProblem is 404 for a record absent or of another partner, else 503.
func lookupProblem(err error) *Problem {
	if errors.Is(err, session.ErrNotFound) {
		return notFound()
	}

	return storeProblem(err)
}

func (h *Handler) writeCatalog(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Catalog == nil {
		writeProblem(w, unavailable())
		return
	}

	out, err := h.catalog(r.Context())
	if err != nil {
		writeProblem(w, storeProblem(err))
		return
	}

	writeJSON(w, http.StatusOK, out)
}

func unavailable() *Problem {
	return newProblem(http.StatusServiceUnavailable, CodeFeatureUnavailable,
		"this endpoint is not enabled on this server")
}

// catalog lists published cases and the case sets whose cases are all
// published.
func (h *Handler) catalog(ctx context.Context) (CaseListing, error) {
	cases, err := h.cfg.Catalog.ListCases(ctx)
	if err != nil {
		return CaseListing{}, err
	}

	out := CaseListing{Assignments: []Assignment{}, Cases: []CatalogCase{},
		CaseSets: []CatalogCaseSet{}}
	published := make(map[string]bool)
	for _, c := range cases {
		if c.Status != session.CasePublished {
			continue
		}

		v, err := h.cfg.Service.Store.LatestCaseVersion(ctx, c.ID)
		if errors.Is(err, session.ErrNotFound) {
			continue
		}

		if err != nil {
			return CaseListing{}, err
		}

		published[c.ID] = true
		out.Cases = append(out.Cases, CatalogCase{CaseID: c.ID, Title: v.Title,
			Summary: c.Summary, Tags: nonNil(c.Tags), LatestVersion: v.Version()})
	}

	sets, err := h.cfg.Catalog.ListCaseSets(ctx)
	if err != nil {
		return CaseListing{}, err
	}

	for _, s := range sets {
		if set, ok := catalogSet(s, published); ok {
			out.CaseSets = append(out.CaseSets, set)
		}
	}

	return out, nil
}

func catalogSet(s session.CaseSet, published map[string]bool) (CatalogCaseSet, bool) {
	set := CatalogCaseSet{CaseSetID: s.ID, Title: s.Title, Cases: []string{},
		Sequencing: string(s.Sequencing)}
	if set.Sequencing == "" {
		set.Sequencing = string(session.SequencingFree)
	}

	for _, ref := range s.Cases {
		if !published[ref.CaseID] {
			return CatalogCaseSet{}, false
		}

		set.Cases = append(set.Cases, ref.CaseID)
	}

	return set, len(set.Cases) > 0
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}

	return s
}
