package postgres_test

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/reporting/analytics"
)

// handAggregate is the floor the analytics benchmarks compare
// CohortAnalytics with: one hand-written statement computing, with
// PostgreSQL's floating-point aggregates (avg, stddev_samp,
// percentile_cont), every number of the report under the best policy
// without a roster, as one JSON document shaped like [analytics.Report]
// with bare values in place of counts and numbers. It neither suppresses
// small cells nor rounds. It reads the sessions three times: once without
// the JSON columns for the counts, attempts, scores and time on task, and
// once each for the flagged errors and the sub-scores. Its numbers are
// checked against CohortAnalytics by TestHandAggregateMatchesReport.
var handAggregate = `
WITH s AS (
	SELECT learner_id, case_id, attempt, status, ended_at, active_ns, score_percent AS pct,
		status IN ('in_progress', 'suspended', 'completed', 'abandoned') AS st,
		status = 'completed' AND grading_status = 'fully_graded'
			AND score_percent IS NOT NULL AS gr,
		status = 'completed' AND grading_status = 'fully_graded'
			AND score_percent IS NOT NULL AND outcome = 'passed' AS ps
	FROM sessions WHERE ` + handScope + `),
c AS (SELECT count(*) AS total,
		count(*) FILTER (WHERE status = 'created') AS created,
		count(*) FILTER (WHERE status = 'in_progress') AS in_progress,
		count(*) FILTER (WHERE status = 'suspended') AS suspended,
		count(*) FILTER (WHERE status = 'completed') AS completed,
		count(*) FILTER (WHERE status = 'abandoned') AS abandoned,
		count(*) FILTER (WHERE status = 'voided') AS voided,
		count(*) FILTER (WHERE gr) AS graded, count(*) FILTER (WHERE ps) AS passed,
		count(*) FILTER (WHERE gr AND attempt = 1) AS first_graded,
		count(*) FILTER (WHERE ps AND attempt = 1) AS first_passed,
		count(DISTINCT learner_id) FILTER (WHERE st) AS l_started,
		count(DISTINCT learner_id) FILTER (WHERE status = 'completed') AS l_completed,
		count(DISTINCT learner_id) FILTER (WHERE ps) AS l_passed
	FROM s),
p AS (SELECT count(*) AS n, count(*) FILTER (WHERE attempt <= fp) AS tp, max(fp) AS fp
	FROM (SELECT learner_id, case_id, attempt,
		min(attempt) FILTER (WHERE ps) OVER (PARTITION BY learner_id, case_id) AS fp
		FROM s WHERE st) w
	GROUP BY learner_id, case_id),
best AS (SELECT DISTINCT ON (learner_id, case_id) pct FROM s WHERE gr
	ORDER BY learner_id, case_id, ps DESC, pct DESC, ended_at NULLS FIRST, attempt),
g AS (SELECT pct FROM s WHERE gr),
e AS (SELECT s.id, x ->> 'code' COLLATE "C" AS code,
		CASE x ->> 'severity' WHEN 'minor' THEN 1 WHEN 'moderate' THEN 2 WHEN 'major' THEN 3
			WHEN 'critical' THEN 4 END AS sev,
		(x ->> 'patient_safety')::boolean AS safety, (x ->> 'critical')::boolean AS critical
	FROM sessions s, jsonb_array_elements(s.flagged_errors) x
	WHERE ` + handScope + ` AND status = 'completed'
		AND x ->> 'status' IS DISTINCT FROM 'dismissed'),
top AS (SELECT code, count(DISTINCT id) AS sessions, count(*) AS occurrences,
		max(sev) AS sev, bool_or(safety) AS safety
	FROM e GROUP BY code ORDER BY sessions DESC, sev DESC, code LIMIT 10)
SELECT jsonb_build_object(
	'learners', jsonb_build_object('started', l_started, 'completed', l_completed,
		'passed', l_passed,
		'completion_of_started', l_completed::float8 / nullif(l_started, 0),
		'pass_of_completed', l_passed::float8 / nullif(l_completed, 0)),
	'sessions', jsonb_build_object(
		'by_status', jsonb_build_object('total', total, 'created', created,
			'in_progress', in_progress, 'suspended', suspended, 'completed', completed,
			'abandoned', abandoned, 'voided', voided),
		'completion', completed::float8 / nullif(completed + abandoned, 0),
		'abandonment', abandoned::float8 / nullif(completed + abandoned, 0),
		'pass', passed::float8 / nullif(graded, 0),
		'first_attempt_pass', first_passed::float8 / nullif(first_graded, 0)),
	'attempts', jsonb_build_object('per_learner', ` + handAttempts("n", "p") + `,
		'to_first_pass', ` + handAttempts("tp", "p WHERE fp IS NOT NULL") + `),
	'scores', jsonb_build_object('reporting', ` + handScores("best") + `,
		'all_graded', ` + handScores("g") + `),
	'time_on_task', (SELECT jsonb_build_object('n', count(*), 'mean', avg(sec),
		'median', percentile_cont(0.5) WITHIN GROUP (ORDER BY sec),
		'p90', percentile_cont(0.9) WITHIN GROUP (ORDER BY sec),
		'min', min(sec), 'max', max(sec))
		FROM (SELECT active_ns / 1e9 AS sec FROM s WHERE status = 'completed') t),
	'sub_scores', (SELECT coalesce(jsonb_agg(jsonb_build_object('domain', d, 'n', n,
		'mean', m) ORDER BY d), '[]') FROM (
		SELECT x ->> 'domain' COLLATE "C" AS d, count(*) AS n,
			avg((x ->> 'percent')::float8) AS m
		FROM sessions s, jsonb_array_elements(s.score -> 'sub_scores') x
		WHERE ` + handScope + ` AND status = 'completed'
			AND grading_status = 'fully_graded' AND score_percent IS NOT NULL
			AND (x ->> 'applicable')::boolean GROUP BY 1) d),
	'errors', (SELECT jsonb_build_object('sessions', completed,
		'per_session', count(*)::float8 / nullif(completed, 0),
		'safety_session_rate',
			count(DISTINCT id) FILTER (WHERE safety)::float8 / nullif(completed, 0),
		'critical_session_rate',
			count(DISTINCT id) FILTER (WHERE critical)::float8 / nullif(completed, 0),
		'top', (SELECT coalesce(jsonb_agg(jsonb_build_object('code', code,
			'severity', (ARRAY['minor', 'moderate', 'major', 'critical'])[sev],
			'patient_safety', safety, 'sessions', sessions, 'occurrences', occurrences,
			'rate', sessions::float8 / nullif(completed, 0))
			ORDER BY sessions DESC, sev DESC, code), '[]') FROM top))
		FROM e))
FROM c`

// handScope is the sessions in scope: the cohort's, previews left out.
const handScope = `partner_id = $1 AND cohort_id = $2 AND NOT preview`

// handAttempts is the attempt statistics of column k of the learner-case
// pairs from (a table and optional WHERE), shaped like
// analytics.AttemptStats.
func handAttempts(k, from string) string {
	bucket := func(label, cond string) string {
		return `jsonb_build_object('label', '` + label + `', 'count', count(*) FILTER (WHERE ` +
			k + cond + `))`
	}

	return `(SELECT jsonb_build_object('n', count(*), 'mean', avg(` + k + `), 'max', max(` + k +
		`), 'distribution', jsonb_build_array(` + bucket("1", " = 1") + `, ` +
		bucket("2", " = 2") + `, ` + bucket("3", " = 3") + `, ` + bucket("4", " = 4") + `, ` +
		bucket("5+", " >= 5") + `)) FROM ` + from + `)`
}

// handScores is the score statistics of column pct of table t, shaped like
// analytics.ScoreStats.
func handScores(t string) string {
	return `(SELECT jsonb_build_object('n', n, 'mean', mean, 'sd', sd, 'min', lo,
		'p25', q[1], 'median', q[2], 'p75', q[3], 'p90', q[4], 'max', hi,
		'histogram', (SELECT jsonb_agg(jsonb_build_object('lower', b * 10,
			'upper', b * 10 + 10, 'count', coalesce(h.n, 0)) ORDER BY b)
			FROM generate_series(0, 9) b LEFT JOIN (
				SELECT greatest(least(floor(pct / 10)::int, 9), 0) AS b, count(*) AS n
				FROM ` + t + ` GROUP BY 1) h USING (b)))
	FROM (SELECT count(*) AS n, avg(pct) AS mean, stddev_samp(pct) AS sd, min(pct) AS lo,
		max(pct) AS hi,
		percentile_cont(ARRAY[0.25, 0.5, 0.75, 0.9]) WITHIN GROUP (ORDER BY pct) AS q
		FROM ` + t + `) a)`
}

func benchmarkHand(b *testing.B, n int) {
	_, db := openBulk(b, n)
	ctx := context.Background()

	b.ResetTimer()
	for range b.N {
		var doc []byte
		if err := db.QueryRow(ctx, handAggregate, bulkPartner, bulkCohort).Scan(&doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandAggregate10k is the hand-written floor over 10 000
// sessions.
func BenchmarkHandAggregate10k(b *testing.B) { benchmarkHand(b, 10_000) }

// BenchmarkHandAggregate1M is the hand-written floor over 1 000 000
// sessions; it runs only with VAP_BENCH_LARGE=1.
func BenchmarkHandAggregate1M(b *testing.B) {
	if os.Getenv("VAP_BENCH_LARGE") != "1" {
		b.Skip("set VAP_BENCH_LARGE=1 to load 1 000 000 sessions")
	}

	benchmarkHand(b, 1_000_000)
}

// reportLeaf is one value of a report's JSON: a number, string or bool,
// nil for null, or suppressed.
type reportLeaf struct {
	value      any
	suppressed bool
}

// reportLeaves decodes a JSON document into its leaves by path ("a.b[2].c").
// A count or number object ({"value", "suppressed"}) is one leaf.
func reportLeaves(t *testing.T, doc []byte) map[string]reportLeaf {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(doc, &v))
	out := make(map[string]reportLeaf)
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			s, ok := v["suppressed"].(bool)
			if val, has := v["value"]; ok && has && len(v) == 2 {
				out[path] = reportLeaf{value: val, suppressed: s}
				return
			}

			for k, x := range v {
				walk(strings.TrimPrefix(path+"."+k, "."), x)
			}
		case []any:
			for i, x := range v {
				walk(path+"["+strconv.Itoa(i)+"]", x)
			}
		default:
			out[path] = reportLeaf{value: v}
		}
	}
	walk("", v)

	return out
}

// rateFields are the report's fields rounded to 4 decimals; every other
// number is rounded to 2 or is whole.
var rateFields = map[string]bool{"completion_of_started": true, "pass_of_completed": true,
	"completion": true, "abandonment": true, "pass": true, "first_attempt_pass": true,
	"per_session": true, "safety_session_rate": true, "critical_session_rate": true,
	"rate": true}

// roundingOf is half a unit of the last decimal the report keeps at path.
func roundingOf(path string) float64 {
	if rateFields[path[strings.LastIndex(path, ".")+1:]] {
		return 0.5e-4
	}

	return 0.5e-2
}

// TestHandAggregateMatchesReport checks that the benchmarks' floor
// computes the numbers of the report: on 10 000 bulk sessions, the floor
// has a value at every path where CohortAnalytics' report has a number or
// a suppressed one, nothing the report lacks, and agrees with every value
// the report shows within the report's rounding. The scope, the schema
// version and rows_suppressed are not numbers of the sessions.
func TestHandAggregateMatchesReport(t *testing.T) {
	ctx := context.Background()
	st, db := openBulk(t, 10_000)
	rep, err := st.CohortAnalytics(ctx, bulkPartner, analytics.Query{CohortID: bulkCohort})
	require.NoError(t, err)
	require.False(t, rep.Errors.RowsSuppressed, "top errors are compared row by row")
	doc, err := json.Marshal(rep)
	require.NoError(t, err)
	var hand []byte
	require.NoError(t, db.QueryRow(ctx, handAggregate, bulkPartner, bulkCohort).Scan(&hand))

	want, got := reportLeaves(t, doc), reportLeaves(t, hand)
	compared, suppressed := 0, 0
	for path, w := range want {
		if path == "schema_version" || strings.HasPrefix(path, "scope.") ||
			path == "errors.rows_suppressed" || (w.value == nil && !w.suppressed) {
			continue
		}

		g, ok := got[path]
		if !assert.True(t, ok, "the floor lacks %s", path) {
			continue
		}

		if w.suppressed {
			suppressed++
			continue
		}

		compared++
		if x, ok := w.value.(float64); ok {
			y, ok := g.value.(float64)
			if assert.True(t, ok, "%s: %v is not a number", path, g.value) {
				assert.InDelta(t, x, y, roundingOf(path)+1e-9, path)
			}

			continue
		}

		assert.Equal(t, w.value, g.value, path)
	}

	for path := range got {
		_, ok := want[path]
		assert.True(t, ok, "the floor has %s, the report does not", path)
	}

	assert.Greater(t, compared, 150)
	t.Logf("%d values compared, %d suppressed in the report", compared, suppressed)
}
