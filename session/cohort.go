package session

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/virtualaipatient/integration/scoring"
)

// PutCohort registers a partner's cohort or updates it. CreatedAt is kept
// from the stored cohort; UpdatedAt is now.
func (s *Service) PutCohort(ctx context.Context, c Cohort) (Cohort, error) {
	switch {
	case c.PartnerID == "":
		return Cohort{}, invalid("cohort.partner_id", "must not be empty")
	case c.ID == "":
		return Cohort{}, invalid("cohort.id", "must not be empty")
	case c.RosterSize != nil && *c.RosterSize < 0:
		return Cohort{}, invalid("cohort.roster_size", "must not be negative")
	}

	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		stored, err := tx.GetCohort(ctx, c.PartnerID, c.ID)
		switch {
		case err == nil:
			c.CreatedAt = stored.CreatedAt
		case errors.Is(err, ErrNotFound):
			c.CreatedAt = now
		default:
			return fmt.Errorf("session: cohort: %w", err)
		}

		c.UpdatedAt = now
		return tx.PutCohort(ctx, c)
	})
	if err != nil {
		return Cohort{}, err
	}

	return c, nil
}

// GetCohort returns the partner's cohort, or ErrNotFound.
func (s *Service) GetCohort(ctx context.Context, partnerID, id string) (Cohort, error) {
	if s.Store == nil {
		return Cohort{}, errNoStore
	}

	c, err := s.Store.GetCohort(ctx, partnerID, id)
	if err != nil {
		return Cohort{}, fmt.Errorf("session: get cohort: %w", err)
	}

	return c, nil
}

// PutAssignment creates or replaces a partner's assignment of a case or a
// case set to a cohort, for the VAP backend or a partner (scoped by
// a.PartnerID). An empty ID gets a new UUID. The target is resolved from
// the catalog: a.Cases and a.Sequencing given by the caller are ignored.
// Replacing an assignment keeps its resolved cases while the target stays
// the same. Empty Policy, Mode and Relaunch take best, assessment and
// resume. Fails with ErrUnknownCohort, ErrUnknownCase, ErrCaseRetired,
// ErrTargetAssigned (the cohort has another registered assignment of the
// target) or a *ValidationError.
//
// An ad-hoc assignment yields to a registered one: when the cohort's only
// other assignment of the target was created on the fly by a launch
// (AdHoc), it is deleted in the same transaction and a takes its place.
// Its sessions are kept, under its id, and count in analytics as before;
// new launches go to a. Attempts made under the ad-hoc (practice)
// assignment do not count against a's MaxAttempts, which counts attempts
// per assignment, but attempt numbers carry on from them, as they are
// never reused. A session still open under the ad-hoc assignment is
// neither resumed nor superseded by launches for a; Sweep abandons it once
// idle.
func (s *Service) PutAssignment(ctx context.Context, a Assignment) (Assignment, error) {
	return s.putAssignmentTx(ctx, a, false)
}

// AssignToCohort is [Service.PutAssignment] for a partner that names its own
// cohorts: when the partner has no cohort a.CohortID yet, the cohort is
// registered in the same transaction as the assignment, so an assignment
// that fails (a *ValidationError, ErrUnknownCase, ErrTargetAssigned, ...)
// registers no cohort either. It never fails with ErrUnknownCohort.
func (s *Service) AssignToCohort(ctx context.Context, a Assignment) (Assignment, error) {
	return s.putAssignmentTx(ctx, a, true)
}

func (s *Service) putAssignmentTx(
	ctx context.Context, a Assignment, register bool,
) (Assignment, error) {
	if err := checkAssignment(&a); err != nil {
		return Assignment{}, err
	}

	if a.ID == "" {
		a.ID = newID()
	}

	in := a
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		a = in
		if err := ensureCohort(ctx, tx, a, register, now); err != nil {
			return err
		}

		return putAssignment(ctx, tx, &a, now)
	})
	if err != nil {
		return Assignment{}, err
	}

	return a, nil
}

// ensureCohort checks that a's cohort is registered, registering it when
// register is set.
func ensureCohort(ctx context.Context, tx Tx, a Assignment, register bool, now time.Time) error {
	_, err := tx.GetCohort(ctx, a.PartnerID, a.CohortID)
	if err == nil {
		return nil
	}

	if !register || !errors.Is(err, ErrNotFound) {
		return notFoundAs(err, ErrUnknownCohort, "cohort")
	}

	c := Cohort{PartnerID: a.PartnerID, ID: a.CohortID, CreatedAt: now, UpdatedAt: now}
	if err := tx.PutCohort(ctx, c); err != nil {
		return fmt.Errorf("session: register cohort: %w", err)
	}

	return nil
}

// putAssignment writes a, whose cohort is registered, resolving its target
// and retiring an ad-hoc assignment of the same target.
func putAssignment(ctx context.Context, tx Tx, a *Assignment, now time.Time) error {
	stored, err := tx.GetAssignment(ctx, a.PartnerID, a.ID)
	switch {
	case errors.Is(err, ErrNotFound):
		a.CreatedAt = now
		err = resolveTarget(ctx, tx, a)
	case err != nil:
		return fmt.Errorf("session: assignment: %w", err)
	case stored.CaseID == a.CaseID && stored.CaseSetID == a.CaseSetID:
		a.CreatedAt, a.Cases, a.Sequencing = stored.CreatedAt, stored.Cases, stored.Sequencing
	default:
		a.CreatedAt = stored.CreatedAt
		err = resolveTarget(ctx, tx, a)
	}

	if err != nil {
		return err
	}

	if err := checkThresholdFits(ctx, tx, *a); err != nil {
		return err
	}

	if err := retireAdHoc(ctx, tx, *a); err != nil {
		return err
	}

	a.UpdatedAt = now
	err = tx.PutAssignment(ctx, *a)
	if errors.Is(err, ErrTargetAssigned) && !a.AdHoc {
		// retireAdHoc saw no registered assignment of the target: a
		// launch created an ad-hoc one since. Retry to retire it.
		return fmt.Errorf("session: put assignment: %w: %w", errRace, err)
	}

	if err != nil {
		return fmt.Errorf("session: put assignment: %w", err)
	}

	return nil
}

// checkThresholdFits checks a's threshold override against the rubric of
// every case version a pins, as evaluation will: a threshold at or below a
// rubric's cap would fail every completion of the assignment.
func checkThresholdFits(ctx context.Context, tx Tx, a Assignment) error {
	if a.Threshold == nil {
		return nil
	}

	for _, ref := range a.Cases {
		major, minor, err := ParseVersion(ref.Version)
		if err != nil {
			return err
		}

		v, err := tx.GetCaseVersion(ctx, ref.CaseID, major, minor)
		if err != nil {
			return notFoundAs(err, ErrUnknownCase, "case version")
		}

		if err := v.Rubric.CheckThreshold(*a.Threshold); err != nil {
			return &ValidationError{Field: "assignment.threshold",
				Reason: "must lie above the caps of case " + ref.CaseID + " version " + ref.Version +
					" (" + thresholdReason(err) + ")", Err: err}
		}
	}

	return nil
}

// thresholdReason is the rule of a scoring validation error, without its
// package prefix.
func thresholdReason(err error) string {
	var v *scoring.ValidationError
	if errors.As(err, &v) {
		return strings.TrimPrefix(v.Error(), "scoring: ")
	}

	return "the rubric does not validate"
}

// retireAdHoc deletes the cohort's ad-hoc assignment of a's target (another
// id) so that a registered a takes its place; its sessions are kept. Another
// registered assignment of the target fails with ErrTargetAssigned.
func retireAdHoc(ctx context.Context, tx Tx, a Assignment) error {
	if a.AdHoc {
		return nil
	}

	list, err := tx.ListAssignments(ctx, a.PartnerID, a.CohortID)
	if err != nil {
		return fmt.Errorf("session: assignments: %w", err)
	}

	other, ok := findTarget(list, a.CaseID, a.CaseSetID)
	switch {
	case !ok || other.ID == a.ID:
		return nil
	case !other.AdHoc:
		return ErrTargetAssigned
	}

	if err := tx.DeleteAssignment(ctx, a.PartnerID, other.ID); err != nil {
		return fmt.Errorf("session: retire ad-hoc assignment: %w", err)
	}

	return nil
}

func checkAssignment(a *Assignment) error {
	a.Policy = cmp.Or(a.Policy, scoring.PolicyBest)
	a.Mode = cmp.Or(a.Mode, scoring.ModeAssessment)
	a.Relaunch = cmp.Or(a.Relaunch, RelaunchResume)

	switch {
	case a.PartnerID == "":
		return invalid("assignment.partner_id", "must not be empty")
	case a.CohortID == "":
		return invalid("assignment.cohort_id", "must not be empty")
	case (a.CaseID == "") == (a.CaseSetID == ""):
		return invalid("assignment.target", "exactly one of case_id and case_set_id must be set")
	case !a.OpensAt.IsZero() && !a.ClosesAt.IsZero() && !a.OpensAt.Before(a.ClosesAt):
		return invalid("assignment.closes_at", "must be after opens_at")
	case a.MaxAttempts < 0:
		return invalid("assignment.max_attempts", "must not be negative")
	case a.Threshold != nil && !inUnit(a.Threshold):
		return invalid("assignment.threshold", "must be in [0, 1]")
	case a.Threshold != nil && !hasFourDecimals(*a.Threshold):
		return invalid("assignment.threshold", "must have at most 4 decimals")
	case a.Relaunch != RelaunchResume && a.Relaunch != RelaunchSupersede:
		return invalid("assignment.relaunch", "must be resume or supersede")
	}

	return checkAssignmentEnums(*a)
}

func checkAssignmentEnums(a Assignment) error {
	switch a.Policy {
	case scoring.PolicyBest, scoring.PolicyLast, scoring.PolicyFirst, scoring.PolicyMean:
	default:
		return invalid("assignment.policy", "must be best, last, first or mean")
	}

	if a.Mode != scoring.ModePractice && a.Mode != scoring.ModeAssessment {
		return invalid("assignment.mode", "must be practice or assessment")
	}

	return nil
}

// GetAssignment returns the partner's assignment, or ErrNotFound.
func (s *Service) GetAssignment(ctx context.Context, partnerID, id string) (Assignment, error) {
	if s.Store == nil {
		return Assignment{}, errNoStore
	}

	a, err := s.Store.GetAssignment(ctx, partnerID, id)
	if err != nil {
		return Assignment{}, fmt.Errorf("session: get assignment: %w", err)
	}

	return a, nil
}

// ListAssignments returns the assignments of the partner's cohort, oldest
// first. An unknown cohort has none.
func (s *Service) ListAssignments(
	ctx context.Context, partnerID, cohortID string,
) ([]Assignment, error) {
	if s.Store == nil {
		return nil, errNoStore
	}

	list, err := s.Store.ListAssignments(ctx, partnerID, cohortID)
	if err != nil {
		return nil, fmt.Errorf("session: list assignments: %w", err)
	}

	return list, nil
}

// DeleteAssignment removes the partner's assignment, or returns ErrNotFound.
// Sessions launched under it are kept and keep working.
func (s *Service) DeleteAssignment(ctx context.Context, partnerID, id string) error {
	return s.inTx(ctx, func(tx Tx, _ time.Time) error {
		if err := tx.DeleteAssignment(ctx, partnerID, id); err != nil {
			return fmt.Errorf("session: delete assignment: %w", err)
		}

		return nil
	})
}
