package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"math/big"
	"strconv"
	"strings"

	"github.com/virtualaipatient/integration/reporting/analytics"
	"github.com/virtualaipatient/integration/scoring"
)

// errNoJSON is returned by CohortAnalytics when the dialect has no JSON
// functions.
var errNoJSON = errors.New("dialect lacks json functions")

// CohortAnalytics implements [reporting.AnalyticsSource] with SQL
// aggregates: every count, sum and grouping is done by the database, which
// returns a few rows per section (counts, groups by attempt count, by
// histogram bin, by error code and domain, and the values at the ranks
// percentiles need). The rows fill an [analytics.Tally], and
// [analytics.Finish] suppresses, takes square roots and rounds, so the
// report is the one [analytics.Compute] gives on the same sessions.
//
// NOTE: percents are summed as whole hundredths (ROUND(percent*100)), which
// is exact for the 2-decimal percents that scoring reports. On PostgreSQL
// the queries share one repeatable-read snapshot; on SQLite each query sees
// the latest commit, so a write landing between two queries can make two
// sections of one report disagree by that write.
func (s *Store) CohortAnalytics(ctx context.Context, partnerID string,
	q analytics.Query) (analytics.Report, error) {
	q, err := q.Normalize()
	if err != nil {
		return analytics.Report{}, err
	}

	if s.d.JSONElements == nil || s.d.JSONFlag == nil {
		return analytics.Report{}, s.d.wrap("cohort analytics", errNoJSON)
	}

	var t analytics.Tally
	err = s.readSnapshot(ctx, func(qr querier) error {
		a := &aggregator{q: qr, d: s.d}
		if q.CaseID != "" && q.CaseMajor == 0 {
			if q.CaseMajor, err = a.highestMajor(ctx, partnerID, q); err != nil {
				return err
			}
		}

		a.scope(partnerID, q)
		t, err = a.tally(ctx, q.Policy)

		return err
	})
	if err != nil {
		return analytics.Report{}, s.d.wrap("cohort analytics", err)
	}

	return analytics.Finish(q, t)
}

// readSnapshot runs fn in a read-only transaction with the dialect's
// AnalyticsTx options, or on the database when it has none.
func (s *Store) readSnapshot(ctx context.Context, fn func(querier) error) error {
	if s.d.AnalyticsTx == nil {
		return fn(s.db)
	}

	tx, err := s.db.BeginTx(ctx, s.d.AnalyticsTx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()

	if err := fn(tx); err != nil {
		return err
	}

	return tx.Commit()
}

// aggregator runs the analytics queries of one scope.
type aggregator struct {
	q     querier
	d     *Dialect
	where string
	args  []any
}

// arg appends a query argument and returns its placeholder.
func (a *aggregator) arg(v any) string {
	a.args = append(a.args, v)
	return "$" + strconv.Itoa(len(a.args))
}

// scope builds the WHERE clause of the sessions in scope: the partner's,
// not previews, narrowed as q says, with the window on the start time
// (the creation time for never-started sessions).
func (a *aggregator) scope(partnerID string, q analytics.Query) {
	a.args = nil
	w := []string{"partner_id = " + a.arg(partnerID), "cohort_id = " + a.arg(q.CohortID),
		"NOT preview"}
	add := func(col string, v string) {
		if v != "" {
			w = append(w, col+" = "+a.arg(v))
		}
	}

	add("assignment_id", q.AssignmentID)
	add("case_set_id", q.CaseSetID)
	add("case_id", q.CaseID)
	if q.CaseMajor > 0 {
		w = append(w, "case_major = "+a.arg(q.CaseMajor))
	}

	if !q.From.IsZero() {
		w = append(w, "COALESCE(started_at, created_at) >= "+a.arg(a.d.time(q.From)))
	}

	if !q.To.IsZero() {
		w = append(w, "COALESCE(started_at, created_at) < "+a.arg(a.d.time(q.To)))
	}

	a.where = strings.Join(w, " AND ")
}

// highestMajor is the highest case major in scope, the major aside.
func (a *aggregator) highestMajor(ctx context.Context, partnerID string,
	q analytics.Query) (int, error) {
	a.scope(partnerID, q)
	var m int
	err := a.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(case_major), 0) FROM sessions
		WHERE `+a.where, a.args...).Scan(&m)

	return m, err
}

// base is the common table s: the sessions in scope with their started
// (st), graded (gr) and passed (ps) flags and score in hundredths.
func (a *aggregator) base() string {
	return `WITH s AS (
		SELECT id, learner_id, case_id, attempt, status, ended_at, active_ns, score,
			flagged_errors,
			CASE WHEN status IN ('in_progress', 'suspended', 'completed', 'abandoned')
				THEN 1 ELSE 0 END AS st,
			CASE WHEN status = 'completed' AND grading_status = 'fully_graded'
				AND score_percent IS NOT NULL THEN 1 ELSE 0 END AS gr,
			CASE WHEN status = 'completed' AND grading_status = 'fully_graded'
				AND score_percent IS NOT NULL AND outcome = 'passed' THEN 1 ELSE 0 END AS ps,
			CAST(ROUND(score_percent * 100) AS BIGINT) AS centi
		FROM sessions WHERE ` + a.where + `)`
}

// sum is an integer SUM that is 0 over no rows.
func sum(expr string) string {
	return "COALESCE(CAST(SUM(" + expr + ") AS BIGINT), 0)"
}

// tally runs every section's queries.
func (a *aggregator) tally(ctx context.Context, policy scoring.AttemptPolicy) (
	analytics.Tally, error) {
	var t analytics.Tally
	steps := []func() error{
		func() error { return a.counts(ctx, &t) },
		func() error { return a.attempts(ctx, &t) },
		func() error { return a.values(ctx, allGradedRows, &t.AllGraded) },
		func() error { return a.values(ctx, reportingRows(policy), &t.Reporting) },
		func() error { return a.timeRanks(ctx, &t.TimeOnTask) },
		func() error { return a.subScores(ctx, &t) },
		func() error { return a.errorCodes(ctx, &t.Errors) },
		func() error { return a.errorSessions(ctx, &t.Errors) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return analytics.Tally{}, err
		}
	}

	return t, nil
}

// counts fills the learner and session counts, the time-on-task sums and
// the number of cases with a started session.
func (a *aggregator) counts(ctx context.Context, t *analytics.Tally) error {
	status := func(st string) string {
		return sum("CASE WHEN status = '" + st + "' THEN 1 ELSE 0 END")
	}

	query := a.base() + ` SELECT
		COUNT(DISTINCT CASE WHEN st = 1 THEN learner_id END),
		COUNT(DISTINCT CASE WHEN status = 'completed' THEN learner_id END),
		COUNT(DISTINCT CASE WHEN ps = 1 THEN learner_id END),
		` + status("created") + `, ` + status("in_progress") + `, ` + status("suspended") + `,
		` + status("completed") + `, ` + status("abandoned") + `, ` + status("voided") + `,
		` + sum("gr") + `, ` + sum("ps") + `,
		` + sum("CASE WHEN gr = 1 AND attempt = 1 THEN 1 ELSE 0 END") + `,
		` + sum("CASE WHEN ps = 1 AND attempt = 1 THEN 1 ELSE 0 END") + `,
		` + sum("CASE WHEN status = 'completed' THEN active_ns / 1000000000 ELSE 0 END") + `,
		` + sum("CASE WHEN status = 'completed' THEN active_ns % 1000000000 ELSE 0 END") + `,
		COUNT(DISTINCT CASE WHEN st = 1 THEN case_id END)
		FROM s`
	l, ss := &t.Learners, &t.Sessions
	var secs, nanos int64
	err := a.q.QueryRowContext(ctx, query, a.args...).Scan(&l.Started, &l.Completed,
		&l.Passed, &ss.Created, &ss.InProgress, &ss.Suspended, &ss.Completed, &ss.Abandoned,
		&ss.Voided, &ss.Graded, &ss.Passed, &ss.FirstGraded, &ss.FirstPassed, &secs, &nanos,
		&t.Cases)
	if err != nil {
		return err
	}

	t.TimeOnTask.N = ss.Completed
	t.TimeOnTask.Sum = new(big.Rat).Add(big.NewRat(secs, 1), big.NewRat(nanos, 1e9))
	t.Errors.Sessions = ss.Completed

	return nil
}

// attempts groups learner-case pairs by their number of started sessions
// and by the started sessions up to the first passed one.
func (a *aggregator) attempts(ctx context.Context, t *analytics.Tally) error {
	query := a.base() + `,
		p AS (SELECT learner_id, case_id, attempt,
			MIN(CASE WHEN ps = 1 THEN attempt END)
				OVER (PARTITION BY learner_id, case_id) AS fp
			FROM s WHERE st = 1),
		pp AS (SELECT COUNT(*) AS n,
			SUM(CASE WHEN attempt <= fp THEN 1 ELSE 0 END) AS tp, MAX(fp) AS fp
			FROM p GROUP BY learner_id, case_id)
		SELECT 0, n, COUNT(*) FROM pp GROUP BY n
		UNION ALL
		SELECT 1, tp, COUNT(*) FROM pp WHERE fp IS NOT NULL GROUP BY tp`

	return a.rows(ctx, query, func(scan func(...any) error) error {
		var kind, k, pairs int64
		if err := scan(&kind, &k, &pairs); err != nil {
			return err
		}

		at := &t.PerLearner
		if kind == 1 {
			at = &t.ToFirstPass
		}

		addAttempts(at, k, pairs)

		return nil
	})
}

func addAttempts(t *analytics.AttemptTally, attempts, pairs int64) {
	if attempts < 1 {
		return
	}

	t.N += pairs
	t.Sum += attempts * pairs
	t.Max = max(t.Max, attempts)
	t.Buckets[min(attempts, 5)-1] += pairs
}

// rows runs a query and calls fn for each row.
func (a *aggregator) rows(ctx context.Context, query string,
	fn func(scan func(...any) error) error) error {
	rows, err := a.q.QueryContext(ctx, query, a.args...)
	if err != nil {
		return err
	}
	defer rows.Close()

	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}

	return rows.Err()
}

// valueRows is a common table r(num, den) of values num / (100·den)
// percent, and whether den is always 1.
type valueRows struct {
	sql      string
	wholeDen bool
}

var allGradedRows = valueRows{
	sql: `r AS (SELECT centi AS num, 1 AS den FROM s WHERE gr = 1)`, wholeDen: true}

// reportingRows picks each learner and case's reporting score: the first,
// the last, the mean, or the best (passed first, then the higher score,
// then the earlier end, then the lower attempt).
func reportingRows(p scoring.AttemptPolicy) valueRows {
	order := `ps DESC, centi DESC, CASE WHEN ended_at IS NULL THEN 0 ELSE 1 END, ended_at,
		attempt`
	switch p {
	case scoring.PolicyMean:
		return valueRows{sql: `r AS (SELECT CAST(SUM(centi) AS BIGINT) AS num, COUNT(*) AS den FROM s
			WHERE gr = 1 GROUP BY learner_id, case_id)`}
	case scoring.PolicyFirst:
		order = `attempt`
	case scoring.PolicyLast:
		order = `attempt DESC`
	}

	return valueRows{wholeDen: true, sql: `r AS (SELECT centi AS num, 1 AS den FROM (
		SELECT centi, ROW_NUMBER() OVER (PARTITION BY learner_id, case_id
			ORDER BY ` + order + `) AS rn
		FROM s WHERE gr = 1) x WHERE rn = 1)`}
}

// values tallies a value table: sums and bins grouped by denominator and
// bin, then the values at the ranks percentiles read.
func (a *aggregator) values(ctx context.Context, r valueRows, t *analytics.ValueTally) error {
	t.Sum, t.SumSquares, t.Ranked = new(big.Rat), new(big.Rat), map[int64]*big.Rat{}
	query := a.base() + `, ` + r.sql + `,
		b AS (SELECT den, CASE WHEN num / (den * 1000) > 9 THEN 9
			ELSE num / (den * 1000) END AS bin, num FROM r)
		SELECT den, bin, COUNT(*), ` + sum("num") + `, ` + sum("num * num") + `
		FROM b GROUP BY den, bin`
	err := a.rows(ctx, query, func(scan func(...any) error) error {
		var den, bin, n, total, squares int64
		if err := scan(&den, &bin, &n, &total, &squares); err != nil {
			return err
		}

		t.N += n
		t.Bins[min(max(bin, 0), 9)] += n
		t.Sum.Add(t.Sum, big.NewRat(total, 100*den))
		t.SumSquares.Add(t.SumSquares, big.NewRat(squares, 10000*den*den))

		return nil
	})
	if err != nil || t.N == 0 {
		return err
	}

	defer a.keepArgs(len(a.args))
	order := `CAST(num AS DOUBLE PRECISION) / den`
	if r.wholeDen {
		order = `num`
	}

	query = a.base() + `, ` + r.sql + `
		SELECT rk, num, den FROM (
			SELECT num, den, ROW_NUMBER() OVER (ORDER BY ` + order + `) - 1 AS rk FROM r
		) x WHERE rk IN (` + a.rankArgs(t.N) + `)`

	return a.rows(ctx, query, func(scan func(...any) error) error {
		var rk, num, den int64
		if err := scan(&rk, &num, &den); err != nil {
			return err
		}

		t.Ranked[rk] = big.NewRat(num, 100*den)

		return nil
	})
}

// rankArgs adds the ranks of analytics.QuantileRanks(n) as arguments and
// returns their placeholders; the caller drops them after its query with
// a.keepArgs.
func (a *aggregator) rankArgs(n int64) string {
	var marks []string
	for _, r := range analytics.QuantileRanks(n) {
		marks = append(marks, a.arg(r))
	}

	return strings.Join(marks, ", ")
}

// keepArgs drops the arguments added after the first n.
func (a *aggregator) keepArgs(n int) { a.args = a.args[:n] }

// timeRanks reads the active times at the ranks percentiles read.
func (a *aggregator) timeRanks(ctx context.Context, t *analytics.ValueTally) error {
	t.Ranked = map[int64]*big.Rat{}
	if t.N == 0 {
		return nil
	}

	defer a.keepArgs(len(a.args))
	query := a.base() + `
		SELECT rk, active_ns FROM (
			SELECT active_ns, ROW_NUMBER() OVER (ORDER BY active_ns) - 1 AS rk
			FROM s WHERE status = 'completed'
		) x WHERE rk IN (` + a.rankArgs(t.N) + `)`

	return a.rows(ctx, query, func(scan func(...any) error) error {
		var rk, ns int64
		if err := scan(&rk, &ns); err != nil {
			return err
		}

		t.Ranked[rk] = big.NewRat(ns, 1e9)

		return nil
	})
}

// subScores adds the applicable domains' percents of graded sessions.
func (a *aggregator) subScores(ctx context.Context, t *analytics.Tally) error {
	query := a.base() + `
		SELECT d.value ->> 'domain', COUNT(*),
			` + sum("CAST(ROUND(CAST(d.value ->> 'percent' AS DOUBLE PRECISION) * 100) AS BIGINT)") + `
		FROM s, ` + a.d.JSONElements("d", "s.score", "sub_scores") + `
		WHERE s.gr = 1 AND ` + a.d.JSONFlag("d.value", "applicable") + ` = 1
		GROUP BY d.value ->> 'domain'`

	return a.rows(ctx, query, func(scan func(...any) error) error {
		var (
			d        analytics.DomainTally
			hundreds int64
		)
		if err := scan(&d.Domain, &d.N, &hundreds); err != nil {
			return err
		}

		d.Sum = big.NewRat(hundreds, 100)
		t.SubScores = append(t.SubScores, d)

		return nil
	})
}

// activeErrors is the FROM and WHERE of the active errors of completed
// sessions, one row per error e.
func (a *aggregator) activeErrors() string {
	return `FROM s, ` + a.d.JSONElements("e", "s.flagged_errors", "") + `
		WHERE s.status = 'completed' AND (e.value ->> 'status') <> 'dismissed'`
}

// errorCodes tallies the active errors of completed sessions per code.
func (a *aggregator) errorCodes(ctx context.Context, t *analytics.ErrorTally) error {
	query := a.base() + `
		SELECT e.value ->> 'code',
			MAX(CASE e.value ->> 'severity' WHEN 'minor' THEN 1 WHEN 'moderate' THEN 2
				WHEN 'major' THEN 3 WHEN 'critical' THEN 4 ELSE 0 END),
			MAX(` + a.d.JSONFlag("e.value", "patient_safety") + `),
			COUNT(DISTINCT s.id), COUNT(*)
		` + a.activeErrors() + `
		GROUP BY e.value ->> 'code'`

	return a.rows(ctx, query, func(scan func(...any) error) error {
		var (
			c              analytics.CodeTally
			severity, safe int64
		)
		if err := scan(&c.Code, &severity, &safe, &c.Sessions, &c.Occurrences); err != nil {
			return err
		}

		c.Severity, c.PatientSafety = scoring.Severity(severity), safe == 1
		t.Codes = append(t.Codes, c)
		t.Occurrences += c.Occurrences

		return nil
	})
}

// errorSessions counts sessions with an active safety or critical error.
func (a *aggregator) errorSessions(ctx context.Context, t *analytics.ErrorTally) error {
	query := a.base() + `
		SELECT
			COUNT(DISTINCT CASE WHEN ` + a.d.JSONFlag("e.value", "patient_safety") + ` = 1
				THEN s.id END),
			COUNT(DISTINCT CASE WHEN ` + a.d.JSONFlag("e.value", "critical") + ` = 1
				THEN s.id END)
		` + a.activeErrors()

	err := a.q.QueryRowContext(ctx, query, a.args...).Scan(&t.SafetySessions,
		&t.CriticalSessions)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}

	return err
}
