package reporting

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

// partnerOf returns the partner a verified credential put in the context.
func partnerOf(r *http.Request) string {
	id, _ := PartnerFromContext(r.Context())
	return id
}

// handlePutAssignment creates or replaces an assignment (idempotent).
func (h *Handler) handlePutAssignment(w http.ResponseWriter, r *http.Request) {
	if _, p := readQuery(r); p != nil {
		writeProblem(w, p)
		return
	}

	ids, ok := pathIDs(r, "cohort", "assignment")
	if !ok {
		writeProblem(w, badPathID())
		return
	}

	partner, cohort, id := partnerOf(r), ids[0], ids[1]
	var in AssignmentInput
	if p := decodeJSON(w, r, h.cfg.MaxBodyBytes, &in); p != nil {
		writeProblem(w, p)
		return
	}

	a, p := assignmentFromInput(in)
	if p != nil {
		writeProblem(w, p)
		return
	}

	a.PartnerID, a.CohortID, a.ID = partner, cohort, id
	status, p := h.putAssignment(r.Context(), a)
	if p != nil {
		writeProblem(w, p)
		return
	}

	h.writeAssignment(w, r, status, partner, id)
}

// putAssignment stores a and returns 201 for a new assignment, 200 for a
// replaced one.
func (h *Handler) putAssignment(ctx context.Context, a session.Assignment) (int, *Problem) {
	svc := h.cfg.Service
	status := http.StatusOK
	stored, err := svc.GetAssignment(ctx, a.PartnerID, a.ID)
	switch {
	case errors.Is(err, session.ErrNotFound):
		status = http.StatusCreated
	case err != nil:
		return 0, storeProblem(err)
	case stored.CohortID != a.CohortID:
		return 0, newProblem(http.StatusConflict, CodeAssignmentConflict,
			"the assignment id is used in another cohort")
	default:
		a.Relaunch = stored.Relaunch
	}

	// The partner names its own cohorts: the first assignment to one
	// registers it, in the assignment's transaction, so an assignment that
	// fails registers nothing.
	if _, err := svc.AssignToCohort(ctx, a); err != nil {
		return 0, assignmentProblem(err)
	}

	return status, nil
}

func assignmentProblem(err error) *Problem {
	switch {
	case errors.Is(err, session.ErrUnknownCohort):
		return notFound()
	case errors.Is(err, session.ErrTargetAssigned):
		return newProblem(http.StatusConflict, CodeAssignmentConflict,
			"the cohort already has an assignment of this case or case set")
	case errors.Is(err, session.ErrUnknownCase):
		return unprocessable("the case or case set is not published")
	case errors.Is(err, session.ErrCaseRetired):
		return unprocessable("the case is retired")
	case errors.Is(err, session.ErrInvalid):
		return unprocessable(validationDetail(err))
	case errors.Is(err, session.ErrConflict):
		return newProblem(http.StatusConflict, CodeConflict, "retry the request")
	}

	return storeProblem(err)
}

// earliestTime is the earliest time an assignment may name: a zero or
// pre-1970 time is a mistake, and the zero time would read as "not set".
var earliestTime = time.Unix(0, 0).UTC()

// wireFields are the wire names of the assignment fields that the session
// service names otherwise.
var wireFields = map[string]string{
	"assignment.threshold": "pass_threshold",
	"assignment.policy":    "attempt_policy",
	"assignment.target":    "case_id, case_set_id",
}

func validationDetail(err error) string {
	var v *session.ValidationError
	if errors.As(err, &v) {
		name, ok := wireFields[v.Field]
		if !ok {
			name = strings.TrimPrefix(v.Field, "assignment.")
		}

		return name + ": " + v.Reason
	}

	return "the assignment breaks a rule"
}

func unprocessable(detail string) *Problem {
	return newProblem(http.StatusUnprocessableEntity, CodeUnprocessable, detail)
}

// assignmentFromInput checks the wire input's rules and converts it.
func assignmentFromInput(in AssignmentInput) (session.Assignment, *Problem) {
	a := session.Assignment{
		CaseID: in.CaseID, CaseSetID: in.CaseSetID, MaxAttempts: in.MaxAttempts,
		Policy: scoring.AttemptPolicy(in.AttemptPolicy), Mode: scoring.Mode(in.Mode),
		Threshold: in.PassThreshold,
	}
	a.OpensAt, a.DueAt, a.ClosesAt = timeOf(in.OpensAt), timeOf(in.DueAt), timeOf(in.ClosesAt)
	if a.Mode == "" {
		a.Mode = scoring.ModeAssessment
	}

	for _, t := range []struct {
		name string
		at   *Time
	}{{"opens_at", in.OpensAt}, {"due_at", in.DueAt}, {"closes_at", in.ClosesAt}} {
		if t.at != nil && (t.at.Before(earliestTime) || t.at.Year() > 9999) {
			return a, unprocessable(t.name + " must lie between 1970-01-01 and 9999-12-31")
		}
	}

	switch {
	case (a.CaseID == "") == (a.CaseSetID == ""):
		return a, unprocessable("set exactly one of case_id and case_set_id")
	case !a.DueAt.IsZero() && !a.OpensAt.IsZero() && a.DueAt.Before(a.OpensAt):
		return a, unprocessable("due_at must not be before opens_at")
	case !a.DueAt.IsZero() && !a.ClosesAt.IsZero() && a.ClosesAt.Before(a.DueAt):
		return a, unprocessable("closes_at must not be before due_at")
	}

	return a, nil
}

func timeOf(t *Time) (out time.Time) {
	if t == nil {
		return out
	}

	return t.Time
}

// handleGetAssignment returns one assignment of the partner's cohort. An
// invalid id is absent.
func (h *Handler) handleGetAssignment(w http.ResponseWriter, r *http.Request) {
	if _, p := readQuery(r); p != nil {
		writeProblem(w, p)
		return
	}

	ids, ok := pathIDs(r, "cohort", "assignment")
	if !ok {
		writeProblem(w, notFound())
		return
	}

	h.writeAssignment(w, r, http.StatusOK, partnerOf(r), ids[1])
}

func (h *Handler) writeAssignment(w http.ResponseWriter, r *http.Request, status int,
	partner, id string) {
	a, err := h.cfg.Service.GetAssignment(r.Context(), partner, id)
	if errors.Is(err, session.ErrNotFound) || (err == nil && a.CohortID != r.PathValue("cohort")) {
		writeProblem(w, notFound())
		return
	}

	if err != nil {
		writeProblem(w, storeProblem(err))
		return
	}

	out, err := h.assignmentWire(r.Context(), a)
	if err != nil {
		writeProblem(w, storeProblem(err))
		return
	}

	writeJSON(w, status, out)
}

// handleDeleteAssignment removes an assignment; sessions under it stay. An
// invalid id is absent.
func (h *Handler) handleDeleteAssignment(w http.ResponseWriter, r *http.Request) {
	if _, p := readQuery(r); p != nil {
		writeProblem(w, p)
		return
	}

	ids, ok := pathIDs(r, "cohort", "assignment")
	if !ok {
		writeProblem(w, notFound())
		return
	}

	partner, id := partnerOf(r), ids[1]
	a, err := h.cfg.Service.GetAssignment(r.Context(), partner, id)
	if errors.Is(err, session.ErrNotFound) || (err == nil && a.CohortID != r.PathValue("cohort")) {
		writeProblem(w, notFound())
		return
	}

	if err == nil {
		err = h.cfg.Service.DeleteAssignment(r.Context(), partner, id)
	}

	switch {
	case errors.Is(err, session.ErrNotFound):
		writeProblem(w, notFound())
	case err != nil:
		writeProblem(w, storeProblem(err))
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// assignmentWire converts a stored assignment, with titles from the
// catalog.
func (h *Handler) assignmentWire(ctx context.Context, a session.Assignment) (Assignment, error) {
	out := Assignment{
		AssignmentID: a.ID, CohortID: a.CohortID, CaseID: optionalString(a.CaseID),
		CaseSetID: optionalString(a.CaseSetID), Cases: []AssignedCase{},
		Sequencing: string(a.Sequencing), OpensAt: NewTime(a.OpensAt), DueAt: NewTime(a.DueAt),
		ClosesAt: NewTime(a.ClosesAt), MaxAttempts: a.MaxAttempts,
		AttemptPolicy: string(a.Policy), Mode: string(a.Mode), PassThreshold: a.Threshold,
		CreatedAt: NewTime(a.CreatedAt), UpdatedAt: NewTime(a.UpdatedAt),
	}
	if out.Sequencing == "" {
		out.Sequencing = string(session.SequencingFree)
	}

	for _, ref := range a.Cases {
		title, err := h.caseTitle(ctx, ref.CaseID, ref.Version)
		if err != nil {
			return Assignment{}, err
		}

		out.Cases = append(out.Cases, AssignedCase{CaseID: ref.CaseID, Version: ref.Version, Title: title})
	}

	title, err := h.targetTitle(ctx, a, out.Cases)
	out.Title = title

	return out, err
}

func (h *Handler) targetTitle(ctx context.Context, a session.Assignment,
	cases []AssignedCase) (string, error) {
	if a.CaseSetID == "" {
		if len(cases) > 0 {
			return cases[0].Title, nil
		}

		return "", nil
	}

	set, err := h.cfg.Service.Store.GetCaseSet(ctx, a.CaseSetID)
	if errors.Is(err, session.ErrNotFound) {
		return "", nil
	}

	return set.Title, err
}

// caseTitle returns the title of a case version ("MAJOR.MINOR"); a version
// missing from the catalog gives an empty title.
func (h *Handler) caseTitle(ctx context.Context, caseID, version string) (string, error) {
	var major, minor int
	if _, err := fmt.Sscanf(version, "%d.%d", &major, &minor); err != nil {
		return "", nil
	}

	v, err := h.cfg.Service.Store.GetCaseVersion(ctx, caseID, major, minor)
	if errors.Is(err, session.ErrNotFound) {
		return "", nil
	}

	return v.Title, err
}
