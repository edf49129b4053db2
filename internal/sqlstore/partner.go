package sqlstore

import (
	"context"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/session"
)

// PutCohort inserts the cohort or replaces the one with the same key.
func (o *ops) PutCohort(ctx context.Context, c session.Cohort) error {
	_, err := o.exec(ctx, "put cohort", nil, `
		INSERT INTO cohorts (partner_id, id, name, roster_size, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (partner_id, id) DO UPDATE SET
			name = excluded.name, roster_size = excluded.roster_size,
			created_at = excluded.created_at, updated_at = excluded.updated_at`,
		c.PartnerID, c.ID, c.Name, intArg(c.RosterSize),
		o.d.time(c.CreatedAt), o.d.time(c.UpdatedAt))

	return err
}

// GetCohort returns the partner's cohort, or ErrNotFound.
func (o *ops) GetCohort(ctx context.Context, partnerID, id string) (session.Cohort, error) {
	var c session.Cohort
	err := o.q.QueryRowContext(ctx, `
		SELECT partner_id, id, name, roster_size, created_at, updated_at
		FROM cohorts WHERE partner_id = $1 AND id = $2`, partnerID, id).Scan(
		&c.PartnerID, &c.ID, &c.Name, intCol{&c.RosterSize},
		timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
	if err != nil {
		return session.Cohort{}, o.fail("get cohort", err, nil)
	}

	return c, nil
}

var assignmentKeys = map[string]error{AssignmentTargetKey: session.ErrTargetAssigned}

// PutAssignment inserts or replaces the assignment, or returns
// ErrTargetAssigned.
func (o *ops) PutAssignment(ctx context.Context, a session.Assignment) error {
	cases, err := caseRefsArg(a.Cases)
	if err != nil {
		return o.d.wrap("put assignment", err)
	}

	_, err = o.exec(ctx, "put assignment", assignmentKeys, `
		INSERT INTO assignments (partner_id, id, cohort_id, case_id, case_set_id, cases,
			sequencing, opens_at, due_at, closes_at, max_attempts, policy, mode,
			threshold, relaunch, ad_hoc, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
			$17, $18)
		ON CONFLICT (partner_id, id) DO UPDATE SET
			cohort_id = excluded.cohort_id, case_id = excluded.case_id,
			case_set_id = excluded.case_set_id, cases = excluded.cases,
			sequencing = excluded.sequencing, opens_at = excluded.opens_at,
			due_at = excluded.due_at, closes_at = excluded.closes_at,
			max_attempts = excluded.max_attempts, policy = excluded.policy,
			mode = excluded.mode, threshold = excluded.threshold,
			relaunch = excluded.relaunch, ad_hoc = excluded.ad_hoc,
			created_at = excluded.created_at, updated_at = excluded.updated_at`,
		a.PartnerID, a.ID, a.CohortID, a.CaseID, a.CaseSetID, cases,
		string(a.Sequencing), o.d.time(a.OpensAt), o.d.time(a.DueAt), o.d.time(a.ClosesAt),
		a.MaxAttempts, string(a.Policy), string(a.Mode), floatArg(a.Threshold),
		string(a.Relaunch), a.AdHoc, o.d.time(a.CreatedAt), o.d.time(a.UpdatedAt))

	return err
}

const assignmentColumns = `partner_id, id, cohort_id, case_id, case_set_id, cases,
	sequencing, opens_at, due_at, closes_at, max_attempts, policy, mode, threshold,
	relaunch, ad_hoc, created_at, updated_at`

func scanAssignment(row interface{ Scan(...any) error }) (session.Assignment, error) {
	var a session.Assignment
	err := row.Scan(&a.PartnerID, &a.ID, &a.CohortID, &a.CaseID, &a.CaseSetID,
		caseRefsCol{&a.Cases}, &a.Sequencing, timeCol{&a.OpensAt}, timeCol{&a.DueAt},
		timeCol{&a.ClosesAt}, &a.MaxAttempts, &a.Policy, &a.Mode, floatCol{&a.Threshold},
		&a.Relaunch, &a.AdHoc, timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt})

	return a, err
}

// GetAssignment returns the partner's assignment, or ErrNotFound.
func (o *ops) GetAssignment(ctx context.Context, partnerID, id string) (
	session.Assignment, error) {
	row := o.q.QueryRowContext(ctx, `SELECT `+assignmentColumns+`
		FROM assignments WHERE partner_id = $1 AND id = $2`, partnerID, id)
	a, err := scanAssignment(row)
	if err != nil {
		return session.Assignment{}, o.fail("get assignment", err, nil)
	}

	return a, nil
}

// ListAssignments returns the assignments of the partner's cohort, ordered
// by CreatedAt, then ID.
func (o *ops) ListAssignments(ctx context.Context, partnerID, cohortID string) (
	[]session.Assignment, error) {
	rows, err := o.q.QueryContext(ctx, `SELECT `+assignmentColumns+`
		FROM assignments WHERE partner_id = $1 AND cohort_id = $2
		ORDER BY created_at, id`, partnerID, cohortID)
	if err != nil {
		return nil, o.d.wrap("list assignments", err)
	}
	defer rows.Close()

	var list []session.Assignment
	for rows.Next() {
		a, err := scanAssignment(rows)
		if err != nil {
			return nil, o.d.wrap("list assignments", err)
		}

		list = append(list, a)
	}

	if err := rows.Err(); err != nil {
		return nil, o.d.wrap("list assignments", err)
	}

	return list, nil
}

// DeleteAssignment removes the partner's assignment, or returns
// ErrNotFound.
func (o *ops) DeleteAssignment(ctx context.Context, partnerID, id string) error {
	n, err := o.exec(ctx, "delete assignment", nil,
		`DELETE FROM assignments WHERE partner_id = $1 AND id = $2`, partnerID, id)
	if err != nil {
		return err
	}

	if n == 0 {
		return o.notFound("delete assignment")
	}

	return nil
}

var learnerKeys = map[string]error{LearnerKey: session.ErrAlreadyExists}

const learnerColumns = `partner_id, id, subject, name, created_at, last_seen_at`

func (o *ops) scanLearner(op string, row interface{ Scan(...any) error }) (
	session.Learner, error) {
	var l session.Learner
	err := row.Scan(&l.PartnerID, &l.ID, &l.Subject, &l.Name,
		timeCol{&l.CreatedAt}, timeCol{&l.LastSeenAt})
	if err != nil {
		return session.Learner{}, o.fail(op, err, learnerKeys)
	}

	return l, nil
}

// UpsertLearner stores the learner keyed by (PartnerID, Subject) and
// returns the stored learner. A new learner whose ID is taken gives
// ErrAlreadyExists.
func (o *ops) UpsertLearner(ctx context.Context, l session.Learner) (session.Learner, error) {
	row := o.q.QueryRowContext(ctx, `
		INSERT INTO learners (partner_id, id, subject, name, created_at, last_seen_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (partner_id, subject) DO UPDATE SET
			name = excluded.name, last_seen_at = excluded.last_seen_at
		RETURNING `+learnerColumns,
		l.PartnerID, l.ID, l.Subject, l.Name, o.d.time(l.CreatedAt), o.d.time(l.LastSeenAt))

	return o.scanLearner("upsert learner", row)
}

// GetLearner returns the partner's learner by our ID, or ErrNotFound.
func (o *ops) GetLearner(ctx context.Context, partnerID, id string) (session.Learner, error) {
	row := o.q.QueryRowContext(ctx, `SELECT `+learnerColumns+`
		FROM learners WHERE partner_id = $1 AND id = $2`, partnerID, id)

	return o.scanLearner("get learner", row)
}

// GetLearnerBySubject returns the partner's learner by the partner's user
// id, or ErrNotFound.
func (o *ops) GetLearnerBySubject(ctx context.Context, partnerID, subject string) (
	session.Learner, error) {
	row := o.q.QueryRowContext(ctx, `SELECT `+learnerColumns+`
		FROM learners WHERE partner_id = $1 AND subject = $2`, partnerID, subject)

	return o.scanLearner("get learner by subject", row)
}

var tokenKeys = map[string]error{TokenKey: launch.ErrReplayed}

// ConsumeToken records the token, or returns an error wrapping
// launch.ErrReplayed when it is already recorded. The primary key on
// (issuer, token_id) decides between concurrent transactions.
func (o *ops) ConsumeToken(ctx context.Context, t session.ConsumedToken) error {
	_, err := o.exec(ctx, "consume token", tokenKeys, `
		INSERT INTO consumed_tokens (issuer, token_id, partner_id, expires_at, consumed_at)
		VALUES ($1, $2, $3, $4, $5)`,
		t.Issuer, t.TokenID, t.PartnerID, o.d.time(t.ExpiresAt), o.d.time(t.ConsumedAt))

	return err
}
