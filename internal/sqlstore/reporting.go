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

// changeTime is the argument stamping a session write: the store's clock.
func (o *ops) changeTime() any {
	if o.now == nil {
		return o.d.time(time.Now())
	}

	return o.d.time(o.now())
}

// ListChangedSessions implements [reporting.ChangeLister] with the
// changed_at column, stamped by every session insert and update with the
// store's clock (see [Store.SetClock]), and the indexes (partner_id,
// cohort_id, changed_at, id) and (partner_id, changed_at, id).
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

	where := `partner_id = $1`
	if q.CohortID != "" {
		where += ` AND cohort_id = ` + arg(q.CohortID)
	}

	if !q.Since.IsZero() {
		where += ` AND changed_at >= ` + arg(s.d.time(q.Since))
	}

	if !q.Before.IsZero() {
		where += ` AND changed_at < ` + arg(s.d.time(q.Before))
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
