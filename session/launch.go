package session

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/scoring"
)

// LaunchResult is what [Service.Launch] did.
type LaunchResult struct {
	// Session is the new session, or the open one resumed.
	Session Session
	// Learner is the learner the partner's user maps to.
	Learner Learner
	// Assignment is the assignment the session runs under.
	Assignment Assignment
	// Resumed reports that an open session was returned under the
	// resume rule instead of a new attempt.
	Resumed bool
	// SupersededID is the id of the open session abandoned as superseded
	// under the supersede rule, or empty.
	SupersededID string
	// AssignmentCreated reports that an ad-hoc practice assignment was
	// created for this launch.
	AssignmentCreated bool
}

// Launch turns a verified launch into a session. In one transaction it
// consumes the token's (iss, jti), maps the partner's user to a learner
// (keyed by partner and sub; no sign-up), resolves the assignment and the
// case version, enforces the window and max attempts and creates the
// session with its attempt number. Any failure writes nothing, the token
// included.
//
// Resolution: a launch naming a case set uses the cohort's assignment of
// it. A launch naming a case (and no case set) uses, in this order, the
// cohort's registered assignment of the case; the registered assignment of
// a case set holding the case (the one open now, else the only one), so
// that the set's sequencing, window and attempt limit apply, failing with
// ErrLaunchCaseSet when several sets hold it; the cohort's ad-hoc
// assignment of the case. When there is none, a practice assignment is
// created on the fly (AdHoc) unless the partner's [Policy] disables ad-hoc
// launches (ErrNotAssigned). A launch naming neither uses the cohort's
// single open registered assignment (ad-hoc ones never count), or fails
// with ErrChooseCase. For a case set, the case is the one with an open
// session, else the first case (in set order) without a completed session
// (ErrCaseSetDone when none is left); sequential sets accept a named case
// only once every case before it is completed.
//
// When the learner already has an open session of the case under the
// assignment, the assignment's [RelaunchRule] applies: resume (the default)
// returns it unchanged; supersede abandons it (superseded) and starts a new
// attempt. A superseded session never started is voided (not_started)
// instead, as the state machine has no abandon from created, and does not
// count against max attempts.
//
// Instructors launch to preview: their sessions are marked Preview (never
// counted in learner analytics) and bypass the assignment window, the
// sequencing of case sets and max attempts. Previews and learner attempts
// are kept apart even for one partner user: a learner launch never resumes,
// supersedes or is sequenced by a preview session, nor a preview launch by
// a learner one. Attempt numbers are shared, as they are never reused.
//
// Attempts whose sessions the retention purge deleted still count, on a
// store whose transactions are a [PurgedAttemptLister] (every adapter of
// this module): their numbers are not reused, they count against max
// attempts and their completions count for a case set's sequencing, for as
// long as the learner record is kept (see [Retention]).
//
// A token used before fails with an error matching launch.ErrReplayed.
// The token is remembered until at least its exp plus launch.MaxLeeway,
// the longest a verifier accepts it, however short TokenGrace is: a
// replay fails for as long as the token verifies.
func (s *Service) Launch(ctx context.Context, l launch.Launch) (LaunchResult, error) {
	if err := checkLaunch(l); err != nil {
		return LaunchResult{}, err
	}

	pol, err := s.policy(ctx, l.PartnerID)
	if err != nil {
		return LaunchResult{}, err
	}

	var res LaunchResult
	err = s.inTx(ctx, func(tx Tx, now time.Time) error {
		var err error
		res, err = s.launchTx(ctx, tx, l, pol, now)
		return err
	})
	if err != nil {
		return LaunchResult{}, err
	}

	return res, nil
}

func checkLaunch(l launch.Launch) error {
	missing := l.PartnerID == "" || l.Issuer == "" || l.TokenID == "" ||
		l.Subject == "" || l.CohortID == "" || l.ExpiresAt.IsZero()
	if missing {
		return fmt.Errorf("%w: missing partner, issuer, token id, expiry, subject or cohort",
			ErrInvalidLaunch)
	}

	switch l.Role {
	case "", launch.RoleLearner, launch.RoleInstructor:
		return nil
	}

	return fmt.Errorf("%w: unknown role", ErrInvalidLaunch)
}

// launchTx is the launch's transaction, step by step.
func (s *Service) launchTx(
	ctx context.Context, tx Tx, l launch.Launch, pol Policy, now time.Time,
) (LaunchResult, error) {
	var res LaunchResult
	preview := l.Role == launch.RoleInstructor

	// Consume the token first: a replay fails before any other work. The
	// record outlives exp by launch.MaxLeeway, as a verifier may accept
	// the token that long, so no purge forgets a token still usable.
	tok := ConsumedToken{Issuer: l.Issuer, TokenID: l.TokenID, PartnerID: l.PartnerID,
		ExpiresAt: l.ExpiresAt.UTC().Add(launch.MaxLeeway), ConsumedAt: now}
	if err := tx.ConsumeToken(ctx, tok); err != nil {
		return res, fmt.Errorf("session: launch: %w", err)
	}

	// The cohort must be registered.
	if _, err := tx.GetCohort(ctx, l.PartnerID, l.CohortID); err != nil {
		return res, notFoundAs(err, ErrUnknownCohort, "cohort")
	}

	// Map the user to our learner; the name only when the partner opts in.
	// A learner just inserted (it keeps the new random id) has no history.
	proposed := newLearner(l, pol, now)
	learner, err := tx.UpsertLearner(ctx, proposed)
	if err != nil {
		return res, fmt.Errorf("session: learner: %w", err)
	}

	fresh := learner.ID == proposed.ID

	res.Learner = learner

	// Find (or create) the assignment and check its window.
	asg, created, err := s.launchAssignment(ctx, tx, l, pol, now)
	if err != nil {
		return res, err
	}

	res.Assignment, res.AssignmentCreated = asg, created
	if !preview {
		if err := checkWindow(asg, now); err != nil {
			return res, err
		}
	}

	// Pick the case and apply the relaunch rule and attempt limit, over the
	// learner's sessions of the launch's kind (preview or not) only, and
	// the attempts whose sessions retention purged.
	history, purged, err := learnerHistory(ctx, tx, learner, fresh)
	if err != nil {
		return res, err
	}

	kind, kindPurged := sameKind(history, preview), purged
	if preview {
		kindPurged = nil // the records count learner attempts only
	}

	ref, err := pickCase(asg, kind, kindPurged, l.CaseID, preview)
	if err != nil {
		return res, err
	}

	return s.startAttempt(ctx, tx, res, launchPlan{
		ref: ref, history: history, kind: kind, purged: purged, preview: preview,
		subject: l.Subject, now: now,
	})
}

// launchPlan is what the last launch step needs.
type launchPlan struct {
	ref CaseRef
	// history is every session of the learner; kind those of the
	// launch's kind.
	history []Session
	kind    []Session
	// purged are the learner's records of purged attempts.
	purged  []PurgedAttempts
	preview bool
	subject string
	now     time.Time
}

// sameKind returns the sessions that are previews when preview is set,
// else those that are not.
func sameKind(history []Session, preview bool) []Session {
	out := make([]Session, 0, len(history))
	for _, ss := range history {
		if ss.Preview == preview {
			out = append(out, ss)
		}
	}

	return out
}

// startAttempt resumes or supersedes an open session, checks the attempt
// limit and inserts the new session.
func (s *Service) startAttempt(
	ctx context.Context, tx Tx, res LaunchResult, p launchPlan,
) (LaunchResult, error) {
	asg := res.Assignment
	open := openSession(p.kind, asg.ID, p.ref.CaseID)
	if open != nil && asg.Relaunch != RelaunchSupersede {
		res.Session, res.Resumed = *open, true
		return res, nil
	}

	used := countAttempts(p.kind, p.purged, asg.ID, p.ref.CaseID)
	if open != nil && open.Status == StatusCreated {
		used-- // voided below, so it stops counting
	}

	if !p.preview && asg.MaxAttempts > 0 && used >= asg.MaxAttempts {
		return res, ErrAttemptsExhausted
	}

	if open != nil {
		if err := s.supersede(ctx, tx, *open, p.now); err != nil {
			return res, err
		}

		res.SupersededID = open.ID
	}

	ss := newSession(asg, res.Learner, p)
	if err := tx.InsertSession(ctx, ss); err != nil {
		return res, fmt.Errorf("session: insert session: %w", err)
	}

	res.Session = ss
	return res, nil
}

// learnerHistory returns the learner's stored sessions and the records of
// their purged attempts; nothing, without asking the store, for a learner
// the launch has just created, whom no row can name yet.
func learnerHistory(ctx context.Context, tx Tx, learner Learner, fresh bool) (
	[]Session, []PurgedAttempts, error) {
	if fresh {
		return nil, nil, nil
	}

	history, err := tx.ListLearnerSessions(ctx, learner.PartnerID, learner.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("session: learner sessions: %w", err)
	}

	purged, err := purgedAttempts(ctx, tx, learner.PartnerID, learner.ID)
	if err != nil {
		return nil, nil, err
	}

	return history, purged, nil
}

func newLearner(l launch.Launch, pol Policy, now time.Time) Learner {
	learner := Learner{PartnerID: l.PartnerID, ID: newID(), Subject: l.Subject,
		CreatedAt: now, LastSeenAt: now}
	if pol.StoreLearnerNames {
		learner.Name = l.Name
	}

	return learner
}

func newSession(asg Assignment, learner Learner, p launchPlan) Session {
	return Session{
		ID:             newID(),
		PartnerID:      asg.PartnerID,
		CohortID:       asg.CohortID,
		AssignmentID:   asg.ID,
		CaseSetID:      asg.CaseSetID,
		CaseID:         p.ref.CaseID,
		CaseVersion:    p.ref.Version,
		LearnerID:      learner.ID,
		PartnerUserID:  p.subject,
		Attempt:        nextAttempt(p.history, p.purged, p.ref.CaseID),
		Mode:           asg.Mode,
		Policy:         asg.Policy,
		Threshold:      asg.Threshold,
		Preview:        p.preview,
		Status:         StatusCreated,
		CreatedAt:      p.now,
		LastActivityAt: p.now,
		GradingStatus:  GradingNotReady,
		Revision:       1,
	}
}

func (s *Service) supersede(ctx context.Context, tx Tx, open Session, now time.Time) error {
	next := open
	ev, reason := EventAbandon, EndSuperseded
	if open.Status == StatusCreated {
		ev, reason = EventExpire, EndNotStarted
	}

	if err := apply(&next, ev, reason, now); err != nil {
		return err
	}

	next.Revision = open.Revision + 1
	if err := tx.UpdateSession(ctx, next, open.Revision); err != nil {
		return fmt.Errorf("session: supersede: %w", err)
	}

	return s.appendEvents(ctx, tx, open, next, now)
}

// notFoundAs turns a store's ErrNotFound into the service error as.
func notFoundAs(err, as error, what string) error {
	if errors.Is(err, ErrNotFound) {
		return as
	}

	return fmt.Errorf("session: %s: %w", what, err)
}

func checkWindow(a Assignment, now time.Time) error {
	switch {
	case !a.OpensAt.IsZero() && now.Before(a.OpensAt):
		return ErrNotOpen
	case !a.ClosesAt.IsZero() && !now.Before(a.ClosesAt):
		return ErrClosed
	}

	return nil
}

// launchAssignment finds the assignment a launch is for (see
// [Service.Launch]), creating an ad-hoc one when the policy allows.
func (s *Service) launchAssignment(
	ctx context.Context, tx Tx, l launch.Launch, pol Policy, now time.Time,
) (Assignment, bool, error) {
	list, err := tx.ListAssignments(ctx, l.PartnerID, l.CohortID)
	if err != nil {
		return Assignment{}, false, fmt.Errorf("session: assignments: %w", err)
	}

	if l.CaseID == "" && l.CaseSetID == "" {
		return singleOpen(list, now)
	}

	// A launch naming both picks a case inside the set.
	caseID := l.CaseID
	if l.CaseSetID != "" {
		caseID = ""
		if a, ok := findTarget(list, "", l.CaseSetID); ok {
			return a, false, nil
		}
	} else if a, found, err := caseAssignment(list, caseID, now); found || err != nil {
		return a, false, err
	}

	if pol.AdHocDisabled {
		return Assignment{}, false, ErrNotAssigned
	}

	a, err := s.adHoc(ctx, tx, l, caseID, now)
	return a, err == nil, err
}

// findTarget returns the assignment of the case or case set in list.
func findTarget(list []Assignment, caseID, caseSetID string) (Assignment, bool) {
	for _, a := range list {
		if a.CaseID == caseID && a.CaseSetID == caseSetID {
			return a, true
		}
	}

	return Assignment{}, false
}

// caseAssignment finds the assignment for a launch naming a case and no
// case set: the cohort's registered assignment of the case, else the
// registered case set assignment holding it, else the ad-hoc assignment of
// the case. found is false when there is none: the launch may then create
// an ad-hoc assignment, as the case is in no assigned set.
func caseAssignment(list []Assignment, caseID string, now time.Time) (Assignment, bool, error) {
	direct, hasDirect := findTarget(list, caseID, "")
	if hasDirect && !direct.AdHoc {
		return direct, true, nil
	}

	if set, found, err := setHolding(list, caseID, now); found || err != nil {
		return set, found, err
	}

	return direct, hasDirect, nil
}

// setHolding returns the registered case set assignment whose cases
// include caseID: the only one open at now, else the only one at all (so
// that its window check rejects the launch). Several fail with
// ErrLaunchCaseSet; none gives found false.
func setHolding(list []Assignment, caseID string, now time.Time) (Assignment, bool, error) {
	var all, open []Assignment
	for _, a := range list {
		if a.CaseSetID == "" || a.AdHoc || caseIndex(a.Cases, caseID) < 0 {
			continue
		}

		all = append(all, a)
		if a.OpenAt(now) {
			open = append(open, a)
		}
	}

	switch {
	case len(open) == 1:
		return open[0], true, nil
	case len(all) == 1 && len(open) == 0:
		return all[0], true, nil
	case len(all) == 0:
		return Assignment{}, false, nil
	}

	return Assignment{}, true, ErrLaunchCaseSet
}

// singleOpen returns the cohort's only open assignment. Ad-hoc assignments
// never close, so they are left out: they would otherwise make every launch
// without a case fail once any case was launched ad hoc.
func singleOpen(list []Assignment, now time.Time) (Assignment, bool, error) {
	var found []Assignment
	for _, a := range list {
		if !a.AdHoc && a.OpenAt(now) {
			found = append(found, a)
		}
	}

	if len(found) != 1 {
		return Assignment{}, false, ErrChooseCase
	}

	return found[0], false, nil
}

func (s *Service) adHoc(
	ctx context.Context, tx Tx, l launch.Launch, caseID string, now time.Time,
) (Assignment, error) {
	a := Assignment{
		PartnerID: l.PartnerID, ID: newID(), CohortID: l.CohortID,
		CaseID: caseID, CaseSetID: l.CaseSetID,
		Policy: scoring.PolicyBest, Mode: scoring.ModePractice, Relaunch: RelaunchResume,
		AdHoc: true, CreatedAt: now, UpdatedAt: now,
	}
	if err := resolveTarget(ctx, tx, &a); err != nil {
		return Assignment{}, err
	}

	err := tx.PutAssignment(ctx, a)
	if errors.Is(err, ErrTargetAssigned) {
		// A concurrent launch created it first: retry to use theirs.
		return Assignment{}, fmt.Errorf("session: ad-hoc assignment: %w: %w", errRace, err)
	}

	if err != nil {
		return Assignment{}, fmt.Errorf("session: ad-hoc assignment: %w", err)
	}

	return a, nil
}

// pickCase chooses the case of the assignment to launch. A case counts as
// completed when a session of history or a record of purged completed it.
// A preview may name any case of a set, whatever its sequencing.
func pickCase(
	a Assignment, history []Session, purged []PurgedAttempts, named string, preview bool,
) (CaseRef, error) {
	if len(a.Cases) == 0 {
		return CaseRef{}, ErrUnknownCase
	}

	if a.CaseSetID == "" {
		return a.Cases[0], nil
	}

	done := completedCases(history, purged, a.ID)
	if named != "" {
		return namedCase(a, done, named, preview)
	}

	for _, ss := range history {
		if ss.AssignmentID == a.ID && ss.Status.Open() {
			if i := caseIndex(a.Cases, ss.CaseID); i >= 0 {
				return a.Cases[i], nil
			}
		}
	}

	for _, ref := range a.Cases {
		if !done[ref.CaseID] {
			return ref, nil
		}
	}

	return CaseRef{}, ErrCaseSetDone
}

func namedCase(a Assignment, done map[string]bool, named string, preview bool) (CaseRef, error) {
	i := caseIndex(a.Cases, named)
	if i < 0 {
		return CaseRef{}, ErrNotAssigned
	}

	if a.Sequencing == SequencingSequential && !preview {
		for _, before := range a.Cases[:i] {
			if !done[before.CaseID] {
				return CaseRef{}, ErrOutOfSequence
			}
		}
	}

	return a.Cases[i], nil
}

func caseIndex(refs []CaseRef, caseID string) int {
	return slices.IndexFunc(refs, func(r CaseRef) bool { return r.CaseID == caseID })
}

func completedCases(
	history []Session, purged []PurgedAttempts, assignmentID string,
) map[string]bool {
	done := map[string]bool{}
	for _, ss := range history {
		if ss.AssignmentID == assignmentID && ss.Status == StatusCompleted {
			done[ss.CaseID] = true
		}
	}

	for _, pa := range purged {
		if pa.AssignmentID == assignmentID && pa.Completed > 0 {
			done[pa.CaseID] = true
		}
	}

	return done
}

func openSession(history []Session, assignmentID, caseID string) *Session {
	for i := len(history) - 1; i >= 0; i-- {
		ss := history[i]
		if ss.AssignmentID == assignmentID && ss.CaseID == caseID && ss.Status.Open() {
			return &history[i]
		}
	}

	return nil
}

// countAttempts counts the attempts that use up the assignment's limit:
// every session of the case under it but voided and preview ones, and
// those of them that retention purged.
func countAttempts(history []Session, purged []PurgedAttempts, assignmentID, caseID string) int {
	n := 0
	for _, ss := range history {
		if ss.AssignmentID == assignmentID && ss.CaseID == caseID &&
			ss.Status != StatusVoided && !ss.Preview {
			n++
		}
	}

	for _, pa := range purged {
		if pa.AssignmentID == assignmentID && pa.CaseID == caseID {
			n += pa.Counted
		}
	}

	return n
}

// nextAttempt is one above the highest attempt of the case by the learner,
// under any assignment, stored or purged: attempt numbers are never reused.
func nextAttempt(history []Session, purged []PurgedAttempts, caseID string) int {
	highest := 0
	for _, ss := range history {
		if ss.CaseID == caseID && ss.Attempt > highest {
			highest = ss.Attempt
		}
	}

	for _, pa := range purged {
		if pa.CaseID == caseID && pa.LastAttempt > highest {
			highest = pa.LastAttempt
		}
	}

	return highest + 1
}
