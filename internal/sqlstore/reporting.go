package sqlstore

import (
	"context"
	"strconv"
	"time"

	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/session"
)

var (
	_ reporting.ChangeLister    = (*Store)(nil)
	_ reporting.Catalog         = (*Store)(nil)
	_ reporting.AnalyticsSource = (*Store)(nil)
)

// changeStamp returns the SQL value of changed_at for a session write whose
// other arguments are args, and the arguments to run it with. With the
// database's clock it is that clock's expression, read when the statement
// runs; else it is query argument n, appended to args: the store's clock.
func (o *ops) changeStamp(n int, args []any) (string, []any) {
	if o.dbClock {
		return o.d.ChangeClock(""), args
	}

	now := o.now
	if now == nil {
		now = time.Now
	}

	return "$" + strconv.Itoa(n), append(args, o.d.time(now()))
}

// ListChangedSessions implements [reporting.ChangeLister] with the
// changed_at column, stamped by every session insert and update, and the
// indexes (partner_id, cohort_id, changed_at, id) and (partner_id,
// changed_at, id). On PostgreSQL the database's clock stamps changed_at
// (clock_timestamp(), when the statement runs), so that VAP processes
// sharing the database need not agree on the time, and q.Settle holds back
// changes younger than the settle window by that same clock; a clock given
// to [Store.SetClock] replaces it, and SQLite always uses the store's clock.
//
// NOTE: a change is paged past unseen only when its transaction commits
// more than the settle window after the session statement stamped it, as
// readers never look at younger changes; keep transactions of session
// writes short (the service's are) and the settle window above their
// longest expected commit delay.
func (s *Store) ListChangedSessions(ctx context.Context, partnerID string,
	q reporting.ChangeQuery) ([]reporting.ChangedSession, error) {
	if q.Limit < 1 {
		return nil, nil
	}

	args := []any{partnerID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}

	// Anonymised sessions (partner user id cleared) live on in analytics
	// only; previews only on request.
	where := `partner_id = $1 AND partner_user_id <> ''`
	if !q.IncludePreviews {
		where += ` AND NOT preview`
	}

	if q.CohortID != "" {
		where += ` AND cohort_id = ` + arg(q.CohortID)
	}

	if !q.Since.IsZero() {
		where += ` AND changed_at >= ` + arg(s.d.time(q.Since))
	}

	if !q.Before.IsZero() {
		where += ` AND changed_at < ` + arg(s.d.time(q.Before))
	}

	if s.dbClock && q.Settle > 0 {
		where += ` AND changed_at < ` + s.d.ChangeClock(arg(q.Settle.Microseconds()))
	}

	if q.After != nil {
		at := arg(s.d.time(q.After.ChangedAt))
		where += ` AND (changed_at > ` + at + ` OR (changed_at = ` + at +
			` AND id > ` + arg(q.After.SessionID) + `))`
	}

	query := `SELECT ` + sessionColumns + `, changed_at FROM sessions WHERE ` + where +
		` ORDER BY changed_at, id LIMIT ` + arg(q.Limit)

	return s.scanChanged(ctx, query, args)
}

func (s *Store) scanChanged(ctx context.Context, query string, args []any) (
	[]reporting.ChangedSession, error) {
	const op = "list changed sessions"
	rows, err := s.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.d.wrap(op, err)
	}
	defer rows.Close()

	var out []reporting.ChangedSession
	for rows.Next() {
		var c reporting.ChangedSession
		c.Session, err = scanSession(changedRow{rows, &c.ChangedAt})
		if err != nil {
			return nil, s.d.wrap(op, err)
		}

		out = append(out, c)
	}

	if err := rows.Err(); err != nil {
		return nil, s.d.wrap(op, err)
	}

	return out, nil
}

// changedRow scans a session row followed by its changed_at column.
type changedRow struct {
	row interface{ Scan(...any) error }
	at  *time.Time
}

func (r changedRow) Scan(dst ...any) error {
	return r.row.Scan(append(dst, timeCol{r.at})...)
}

// ListCases implements [reporting.Catalog]: every case, ordered by ID.
func (s *Store) ListCases(ctx context.Context) ([]session.Case, error) {
	const op = "list cases"
	rows, err := s.q.QueryContext(ctx, `
		SELECT id, title, summary, tags, status, created_at, updated_at
		FROM cases ORDER BY id`)
	if err != nil {
		return nil, s.d.wrap(op, err)
	}
	defer rows.Close()

	var out []session.Case
	for rows.Next() {
		var c session.Case
		err := rows.Scan(&c.ID, &c.Title, &c.Summary, jsonCol{&c.Tags}, &c.Status,
			timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
		if err != nil {
			return nil, s.d.wrap(op, err)
		}

		if len(c.Tags) == 0 {
			c.Tags = nil
		}

		out = append(out, c)
	}

	if err := rows.Err(); err != nil {
		return nil, s.d.wrap(op, err)
	}

	return out, nil
}

// ListCaseSets implements [reporting.Catalog]: every case set, ordered by
// ID.
func (s *Store) ListCaseSets(ctx context.Context) ([]session.CaseSet, error) {
	const op = "list case sets"
	rows, err := s.q.QueryContext(ctx, `
		SELECT id, title, cases, sequencing, completion, required_count, pass,
			pass_threshold, created_at, updated_at
		FROM case_sets ORDER BY id`)
	if err != nil {
		return nil, s.d.wrap(op, err)
	}
	defer rows.Close()

	var out []session.CaseSet
	for rows.Next() {
		var c session.CaseSet
		err := rows.Scan(&c.ID, &c.Title, caseRefsCol{&c.Cases}, &c.Sequencing,
			&c.Completion, &c.RequiredCount, &c.Pass, floatCol{&c.PassThreshold},
			timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
		if err != nil {
			return nil, s.d.wrap(op, err)
		}

		out = append(out, c)
	}

	if err := rows.Err(); err != nil {
		return nil, s.d.wrap(op, err)
	}

	return out, nil
}
