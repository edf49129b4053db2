package sqlstore

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
)

const sessionColumns = `id, partner_id, cohort_id, assignment_id, case_set_id, case_id,
	case_version, learner_id, partner_user_id, attempt, mode, policy, threshold, preview,
	status, end_reason, created_at, started_at, last_activity_at, ended_at, active_ns,
	active_since, grading_status, input, score, score_revision, flagged_errors, revision`

func scanSession(row interface{ Scan(...any) error }) (session.Session, error) {
	var (
		s      session.Session
		active int64
	)
	err := row.Scan(&s.ID, &s.PartnerID, &s.CohortID, &s.AssignmentID, &s.CaseSetID,
		&s.CaseID, &s.CaseVersion, &s.LearnerID, &s.PartnerUserID, &s.Attempt, &s.Mode,
		&s.Policy, floatCol{&s.Threshold}, &s.Preview, &s.Status, &s.EndReason,
		timeCol{&s.CreatedAt}, timeCol{&s.StartedAt}, timeCol{&s.LastActivityAt},
		timeCol{&s.EndedAt}, &active, timeCol{&s.ActiveSince}, &s.GradingStatus,
		jsonCol{&s.Input}, jsonCol{&s.Score}, &s.ScoreRevision, jsonCol{&s.FlaggedErrors},
		&s.Revision)
	if err != nil {
		return session.Session{}, err
	}

	s.ActiveDuration = time.Duration(active)
	if len(s.FlaggedErrors) == 0 {
		s.FlaggedErrors = nil
	}

	return s, nil
}

// sessionArgs holds the encoded structured and derived columns of a
// session.
type sessionArgs struct {
	input, score, errors any
	outcome              string
	percent              any
}

func encodeSession(s session.Session) (sessionArgs, error) {
	var (
		a   sessionArgs
		err error
	)
	if s.Input != nil {
		if a.input, err = jsonArg(s.Input); err != nil {
			return a, err
		}
	}

	if s.Score != nil {
		if a.score, err = jsonArg(s.Score); err != nil {
			return a, err
		}

		a.outcome, a.percent = string(s.Score.Outcome), s.Score.Percent
	}

	flagged := s.FlaggedErrors
	if flagged == nil {
		flagged = []scoring.FlaggedError{}
	}

	a.errors, err = jsonArg(flagged)

	return a, err
}

// caseMajor returns MAJOR of "MAJOR.MINOR", or 0 when it does not parse.
func caseMajor(version string) int {
	major, _, _ := strings.Cut(version, ".")
	n, err := strconv.Atoi(major)
	if err != nil {
		return 0
	}

	return n
}

var sessionKeys = map[string]error{
	SessionKey:        session.ErrAlreadyExists,
	SessionAttemptKey: session.ErrAttemptTaken,
}

// InsertSession stores a new session, or returns ErrAlreadyExists or
// ErrAttemptTaken.
func (o *ops) InsertSession(ctx context.Context, s session.Session) error {
	a, err := encodeSession(s)
	if err != nil {
		return o.d.wrap("insert session", err)
	}

	stamp, args := o.changeStamp(32, []any{
		s.ID, s.PartnerID, s.CohortID, s.AssignmentID, s.CaseSetID, s.CaseID,
		s.CaseVersion, s.LearnerID, s.PartnerUserID, s.Attempt, string(s.Mode),
		string(s.Policy), floatArg(s.Threshold), s.Preview, string(s.Status),
		string(s.EndReason), o.d.time(s.CreatedAt), o.d.time(s.StartedAt),
		o.d.time(s.LastActivityAt), o.d.time(s.EndedAt), int64(s.ActiveDuration),
		o.d.time(s.ActiveSince), string(s.GradingStatus), a.input, a.score,
		s.ScoreRevision, a.errors, s.Revision, caseMajor(s.CaseVersion), a.outcome,
		a.percent})
	_, err = o.exec(ctx, "insert session", sessionKeys, `
		INSERT INTO sessions (`+sessionColumns+`, case_major, outcome, score_percent,
			changed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
			$17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31,
			`+stamp+`)`, args...)

	return err
}

// UpdateSession replaces the stored session if its revision is prev: the
// WHERE clause is the compare-and-swap. It returns ErrNotFound or
// ErrStaleRevision.
func (o *ops) UpdateSession(ctx context.Context, s session.Session, prev int64) error {
	a, err := encodeSession(s)
	if err != nil {
		return o.d.wrap("update session", err)
	}

	stamp, args := o.changeStamp(30, []any{
		s.PartnerID, s.ID, s.CohortID, s.AssignmentID, s.CaseSetID, s.CaseVersion,
		caseMajor(s.CaseVersion), s.PartnerUserID, string(s.Mode), string(s.Policy),
		floatArg(s.Threshold), s.Preview, string(s.Status), string(s.EndReason),
		o.d.time(s.CreatedAt), o.d.time(s.StartedAt), o.d.time(s.LastActivityAt),
		o.d.time(s.EndedAt), int64(s.ActiveDuration), o.d.time(s.ActiveSince),
		string(s.GradingStatus), a.input, a.score, s.ScoreRevision, a.outcome, a.percent,
		a.errors, s.Revision, prev})
	n, err := o.exec(ctx, "update session", nil, `
		UPDATE sessions SET
			cohort_id = $3, assignment_id = $4, case_set_id = $5, case_version = $6,
			case_major = $7, partner_user_id = $8, mode = $9, policy = $10,
			threshold = $11, preview = $12, status = $13, end_reason = $14,
			created_at = $15, started_at = $16, last_activity_at = $17, ended_at = $18,
			active_ns = $19, active_since = $20, grading_status = $21, input = $22,
			score = $23, score_revision = $24, outcome = $25, score_percent = $26,
			flagged_errors = $27, revision = $28, changed_at = `+stamp+`
		WHERE partner_id = $1 AND id = $2 AND revision = $29`, args...)
	if err != nil {
		return err
	}

	if n == 1 {
		return nil
	}

	return o.missOrStale(ctx, s.PartnerID, s.ID)
}

// missOrStale tells why an update changed no row.
func (o *ops) missOrStale(ctx context.Context, partnerID, id string) error {
	var one int
	err := o.q.QueryRowContext(ctx,
		`SELECT 1 FROM sessions WHERE partner_id = $1 AND id = $2`, partnerID, id).Scan(&one)
	if err != nil {
		return o.fail("update session", err, nil)
	}

	return o.d.wrap("update session", session.ErrStaleRevision)
}

// GetSession returns the partner's session, or ErrNotFound.
func (o *ops) GetSession(ctx context.Context, partnerID, id string) (session.Session, error) {
	row := o.q.QueryRowContext(ctx, `SELECT `+sessionColumns+`
		FROM sessions WHERE partner_id = $1 AND id = $2`, partnerID, id)
	s, err := scanSession(row)
	if err != nil {
		return session.Session{}, o.fail("get session", err, nil)
	}

	return s, nil
}

// ListLearnerSessions returns the sessions of the partner's learner,
// ordered by CreatedAt, then ID.
func (o *ops) ListLearnerSessions(ctx context.Context, partnerID, learnerID string) (
	[]session.Session, error) {
	return o.listSessions(ctx, "list learner sessions", `SELECT `+sessionColumns+`
		FROM sessions WHERE partner_id = $1 AND learner_id = $2
		ORDER BY created_at, id`, partnerID, learnerID)
}

// ListIdleSessions returns sessions of every partner in q.Statuses whose
// last activity is before q.Before, oldest first, at most q.Limit.
func (o *ops) ListIdleSessions(ctx context.Context, q session.IdleQuery) (
	[]session.Session, error) {
	if len(q.Statuses) == 0 {
		return nil, nil
	}

	args := []any{o.d.time(q.Before)}
	marks := make([]string, 0, len(q.Statuses))
	for _, st := range q.Statuses {
		args = append(args, string(st))
		marks = append(marks, "$"+strconv.Itoa(len(args)))
	}

	query := `SELECT ` + sessionColumns + ` FROM sessions
		WHERE last_activity_at < $1 AND status IN (` + strings.Join(marks, ", ") + `)
		ORDER BY last_activity_at, id`
	if q.Limit > 0 {
		args = append(args, q.Limit)
		query += ` LIMIT $` + strconv.Itoa(len(args))
	}

	return o.listSessions(ctx, "list idle sessions", query, args...)
}

func (o *ops) listSessions(ctx context.Context, op, query string, args ...any) (
	[]session.Session, error) {
	rows, err := o.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, o.d.wrap(op, err)
	}
	defer rows.Close()

	var list []session.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, o.d.wrap(op, err)
		}

		list = append(list, s)
	}

	if err := rows.Err(); err != nil {
		return nil, o.d.wrap(op, err)
	}

	return list, nil
}
