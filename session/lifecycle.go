package session

import (
	"context"
	"fmt"
	"time"

	"github.com/virtualaipatient/integration/scoring"
)

// Completion is the outcome of grading given with [Service.Complete] and
// [Service.Regrade].
type Completion struct {
	// Input is the scoring input. It is evaluated with the rubric of the
	// session's case version; its Mode and Threshold are replaced by the
	// session's (pinned from the assignment). Nil leaves the session
	// without a score, grading pending; [Service.Regrade] requires it.
	Input *scoring.Input
	// ManualReview marks the score as awaiting a human's review (grading
	// pending_manual).
	ManualReview bool
	// Failed records that grading could not be done: grading failed, no
	// score. Input must then be nil. Regrade rejects it.
	Failed bool
}

// Start moves a created session to in progress.
func (s *Service) Start(ctx context.Context, partnerID, id string) (Session, error) {
	return s.transition(ctx, partnerID, id, EventStart, "")
}

// Suspend moves an in-progress session to suspended; active time stops.
func (s *Service) Suspend(ctx context.Context, partnerID, id string) (Session, error) {
	return s.transition(ctx, partnerID, id, EventSuspend, "")
}

// Resume moves a suspended session back to in progress.
func (s *Service) Resume(ctx context.Context, partnerID, id string) (Session, error) {
	return s.transition(ctx, partnerID, id, EventResume, "")
}

// Expire voids a created session that was never started (end reason
// not_started).
func (s *Service) Expire(ctx context.Context, partnerID, id string) (Session, error) {
	return s.transition(ctx, partnerID, id, EventExpire, EndNotStarted)
}

// Abandon moves an in-progress or suspended session to abandoned. The
// reason is one of EndInactivity, EndQuit, EndSuperseded or EndClosed.
// Abandoned sessions have no score and never resume.
func (s *Service) Abandon(
	ctx context.Context, partnerID, id string, reason EndReason,
) (Session, error) {
	switch reason {
	case EndInactivity, EndQuit, EndSuperseded, EndClosed:
	default:
		return Session{}, invalid("abandon.reason", "must be inactivity, quit, superseded or closed")
	}

	return s.transition(ctx, partnerID, id, EventAbandon, reason)
}

// Void moves any session but a voided one to voided, leaving it out of
// analytics. The reason is EndAdmin or EndTechnicalFailure. A voided
// session keeps its score, if any, for the record.
func (s *Service) Void(ctx context.Context, partnerID, id string, reason EndReason) (Session, error) {
	if reason != EndAdmin && reason != EndTechnicalFailure {
		return Session{}, invalid("void.reason", "must be admin or technical_failure")
	}

	return s.transition(ctx, partnerID, id, EventVoid, reason)
}

// RecordActivity notes learner activity on an in-progress session, so that
// Sweep does not take it for idle. It bumps the revision like any change.
func (s *Service) RecordActivity(ctx context.Context, partnerID, id string) (Session, error) {
	return s.transition(ctx, partnerID, id, EventActivity, "")
}

// Complete moves an in-progress session to completed and grades it as c
// says. An input the rubric rejects fails the call (the scoring error is
// wrapped) and nothing is written.
func (s *Service) Complete(
	ctx context.Context, partnerID, id string, c Completion,
) (Session, error) {
	return s.gradeTransition(ctx, partnerID, id, EventComplete, c)
}

// Regrade grades a completed session again as c says, e.g. after a human
// review or a dismissed flagged error; ScoreRevision increments. c.Input is
// required and c.Failed must be false: a regrade replaces a score with
// another and never takes a grade away (LTI AGS forbids a score-less update
// once a grade exists). Without an input it fails with a *ValidationError
// (field completion.input) and writes nothing.
func (s *Service) Regrade(
	ctx context.Context, partnerID, id string, c Completion,
) (Session, error) {
	if c.Input == nil || c.Failed {
		return Session{}, invalid("completion.input", "a regrade needs a scoring input")
	}

	return s.gradeTransition(ctx, partnerID, id, EventRegrade, c)
}

func (s *Service) transition(
	ctx context.Context, partnerID, id string, ev Event, reason EndReason,
) (Session, error) {
	out, _, err := s.update(ctx, partnerID, id, func(_ Tx, ss *Session, now time.Time) error {
		return apply(ss, ev, reason, now)
	})

	return out, err
}

func (s *Service) gradeTransition(
	ctx context.Context, partnerID, id string, ev Event, c Completion,
) (Session, error) {
	if c.Failed && c.Input != nil {
		return Session{}, invalid("completion.input", "must be nil when grading failed")
	}

	change := func(tx Tx, ss *Session, now time.Time) error {
		if err := apply(ss, ev, EndCompleted, now); err != nil {
			return err
		}

		return grade(ctx, tx, ss, c)
	}
	out, _, err := s.update(ctx, partnerID, id, change)

	return out, err
}

// apply moves ss through ev at now, keeping the times and the active
// duration right. It is the only place statuses change.
func apply(ss *Session, ev Event, reason EndReason, now time.Time) error {
	to, err := Next(ss.Status, ev)
	if err != nil {
		return err
	}

	switch ev {
	case EventStart:
		ss.StartedAt, ss.ActiveSince = now, now
	case EventResume:
		ss.ActiveSince = now
	case EventSuspend:
		stopClock(ss, now)
	case EventComplete, EventAbandon, EventVoid, EventExpire:
		stopClock(ss, clockEnd(ss, reason, now))
		if ss.EndedAt.IsZero() {
			ss.EndedAt = now
		}

		ss.EndReason = reason
	}

	ss.Status = to
	ss.LastActivityAt = now

	return nil
}

// clockEnd is when active time stops: at the last activity for a session
// abandoned for inactivity (the idle time is not active), else now.
func clockEnd(ss *Session, reason EndReason, now time.Time) time.Time {
	if reason == EndInactivity && ss.LastActivityAt.Before(now) {
		return ss.LastActivityAt
	}

	return now
}

func stopClock(ss *Session, at time.Time) {
	ss.ActiveDuration = ss.Active(at)
	ss.ActiveSince = time.Time{}
}

// grade sets the grading fields of a completed session from c.
func grade(ctx context.Context, tx Tx, ss *Session, c Completion) error {
	switch {
	case c.Failed:
		ss.GradingStatus, ss.Score = GradingFailed, nil
		return nil
	case c.Input == nil:
		ss.GradingStatus, ss.Score = GradingPending, nil
		return nil
	}

	res, in, err := evaluate(ctx, tx, *ss, *c.Input)
	if err != nil {
		return err
	}

	ss.Input, ss.Score = &in, &res
	ss.FlaggedErrors = in.Errors
	ss.ScoreRevision++
	ss.GradingStatus = GradingFullyGraded
	if c.ManualReview {
		ss.GradingStatus = GradingPendingManual
	}

	return nil
}

func evaluate(
	ctx context.Context, tx Tx, ss Session, in scoring.Input,
) (scoring.Result, scoring.Input, error) {
	major, minor, err := ParseVersion(ss.CaseVersion)
	if err != nil {
		return scoring.Result{}, in, err
	}

	v, err := tx.GetCaseVersion(ctx, ss.CaseID, major, minor)
	if err != nil {
		return scoring.Result{}, in, fmt.Errorf("session: case version: %w", err)
	}

	in.Mode, in.Threshold = ss.Mode, ss.Threshold
	res, err := scoring.Evaluate(v.Rubric, in)
	if err != nil {
		return scoring.Result{}, in, &ValidationError{
			Field: "completion.input", Reason: "rejected by the rubric", Err: err,
		}
	}

	return res, in, nil
}
