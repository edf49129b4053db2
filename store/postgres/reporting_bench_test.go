package postgres_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/internal/sqlstore/sqlstoretest"
	"github.com/virtualaipatient/integration/internal/testenv"
	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/reporting"
	"github.com/virtualaipatient/integration/reporting/analytics"
	"github.com/virtualaipatient/integration/scoring"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/postgres"
)

const (
	bulkPartner = "partner-bulk"
	bulkCohort  = "cohort-bulk"
)

// bulkSessions inserts n sessions of one cohort with generate_series, in
// one statement: 5 attempts per learner, statuses cycling through every
// value, graded scores with 3 sub-scores, one flagged error each.
const bulkSessions = `
INSERT INTO sessions (id, partner_id, cohort_id, assignment_id, case_set_id, case_id,
	case_version, case_major, learner_id, partner_user_id, attempt, mode, policy, preview,
	status, end_reason, created_at, started_at, last_activity_at, ended_at, active_ns,
	grading_status, score, score_revision, outcome, score_percent, flagged_errors,
	revision, changed_at)
SELECT 's' || g, $1, $2, 'asg', '', 'case-a', '1.0', 1, 'l' || (g / 5), 'u' || (g / 5),
	g % 5 + 1, 'assessment', 'best', false, st, '',
	t, t + interval '1 minute', t, t + interval '30 minutes', (60 + g % 3000) * 1000000000::bigint,
	CASE WHEN st = 'completed' AND g % 7 <> 0 THEN 'fully_graded' ELSE 'not_ready' END,
	CASE WHEN st = 'completed' THEN jsonb_build_object('percent', p, 'outcome', oc,
		'fail_reasons', '[]'::jsonb, 'sub_scores', jsonb_build_array(
			jsonb_build_object('domain', 'history_taking', 'applicable', true,
				'percent', (g * 13 % 10001) / 100.0, 'hurdle', 'none'),
			jsonb_build_object('domain', 'management', 'applicable', g % 4 <> 0,
				'percent', (g * 17 % 10001) / 100.0, 'hurdle', 'none'),
			jsonb_build_object('domain', 'communication', 'applicable', true,
				'percent', (g * 19 % 10001) / 100.0, 'hurdle', 'none'))) END,
	CASE WHEN st = 'completed' THEN 1 ELSE 0 END,
	CASE WHEN st = 'completed' THEN oc ELSE '' END,
	CASE WHEN st = 'completed' THEN p END,
	jsonb_build_array(jsonb_build_object('code', 'COM.E' || (g % 20), 'category', 'care',
		'severity', (ARRAY['minor', 'moderate', 'major', 'critical'])[g % 4 + 1],
		'patient_safety', g % 7 = 0, 'critical', g % 11 = 0, 'message', 'm',
		'offset_ms', 0, 'detected_by', 'rule',
		'status', CASE WHEN g % 9 = 0 THEN 'dismissed' ELSE 'active' END)),
	1, t
FROM (
	SELECT g, (g * 37 % 10001) / 100.0 AS p,
		CASE WHEN g * 37 % 10001 >= 7000 THEN 'passed' ELSE 'failed' END AS oc,
		(ARRAY['completed', 'completed', 'completed', 'completed', 'completed', 'abandoned',
			'in_progress', 'suspended', 'created', 'voided'])[g % 10 + 1] AS st,
		timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second' AS t
	FROM generate_series(1, $3::int) AS g
) x`

// openBulk opens a store on a new schema holding n bulk sessions, and a
// plain connection to that schema.
func openBulk(t testing.TB, n int) (*postgres.Store, *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	dsn := testenv.PostgresDSN(t)
	schema := newSchema(t, dsn)
	st, err := postgres.Open(ctx, dsn, postgres.Options{Schema: schema})
	require.NoError(t, err)
	t.Cleanup(st.Close)

	cfg, err := pgx.ParseConfig(dsn)
	require.NoError(t, err)
	cfg.RuntimeParams["search_path"] = schema
	conn, err := pgx.ConnectConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })

	_, err = conn.Exec(ctx, bulkSessions, bulkPartner, bulkCohort, n)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `ANALYZE sessions`)
	require.NoError(t, err)

	return st, conn
}

// TestBulkAnalyticsMatchesReference checks the SQL aggregates against
// analytics.Compute on 10 000 bulk-loaded sessions.
func TestBulkAnalyticsMatchesReference(t *testing.T) {
	ctx := context.Background()
	st, _ := openBulk(t, 10000)
	list, err := st.ListChangedSessions(ctx, bulkPartner, reporting.ChangeQuery{
		Before: time.Now(), Limit: 20000})
	require.NoError(t, err)
	require.Len(t, list, 10000)

	facts := make([]analytics.Fact, 0, len(list))
	for _, c := range list {
		facts = append(facts, analytics.FactOf(c.Session))
	}

	for _, p := range []scoring.AttemptPolicy{scoring.PolicyBest, scoring.PolicyMean} {
		q := analytics.Query{CohortID: bulkCohort, Policy: p}
		want, err := analytics.Compute(q, facts)
		require.NoError(t, err)
		got, err := st.CohortAnalytics(ctx, bulkPartner, q)
		require.NoError(t, err)
		assert.Equal(t, want, got, string(p))
		require.NotNil(t, got.Scores.Reporting.P90.Value)
	}
}

func benchmarkAnalytics(b *testing.B, n int) {
	st, _ := openBulk(b, n)
	ctx := context.Background()
	q := analytics.Query{CohortID: bulkCohort}

	b.ResetTimer()
	for range b.N {
		if _, err := st.CohortAnalytics(ctx, bulkPartner, q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCohortAnalytics10k is CohortAnalytics over 10 000 sessions.
func BenchmarkCohortAnalytics10k(b *testing.B) { benchmarkAnalytics(b, 10_000) }

// BenchmarkCohortAnalytics1M is CohortAnalytics over 1 000 000 sessions;
// it runs only with VAP_BENCH_LARGE=1.
func BenchmarkCohortAnalytics1M(b *testing.B) {
	if os.Getenv("VAP_BENCH_LARGE") != "1" {
		b.Skip("set VAP_BENCH_LARGE=1 to load 1 000 000 sessions")
	}

	benchmarkAnalytics(b, 1_000_000)
}

// BenchmarkHandlerLaunch is POST /launch through the full reporting
// handler on PostgreSQL, one-time codes kept in the database.
func BenchmarkHandlerLaunch(b *testing.B) {
	dsn := testenv.PostgresDSN(b)
	sqlstoretest.BenchmarkHandlerLaunch(b, openSchema(b, dsn, newSchema(b, dsn)).(*postgres.Store))
}

// BenchmarkHandlerSummary is GET /sessions/{id} through the full handler
// on PostgreSQL.
func BenchmarkHandlerSummary(b *testing.B) {
	dsn := testenv.PostgresDSN(b)
	sqlstoretest.BenchmarkHandlerSummary(b, openSchema(b, dsn, newSchema(b, dsn)).(*postgres.Store))
}

// BenchmarkHandlerSessionPage is GET /sessions?limit=100 through the full
// handler on PostgreSQL.
func BenchmarkHandlerSessionPage(b *testing.B) {
	dsn := testenv.PostgresDSN(b)
	sqlstoretest.BenchmarkHandlerSessionPage(b,
		openSchema(b, dsn, newSchema(b, dsn)).(*postgres.Store))
}

// TestHandlerPathIDs sends path ids PostgreSQL cannot store (NUL, invalid
// UTF-8) through the full handler: the handler refuses them itself, with
// the answers of the memory store, and logs nothing.
func TestHandlerPathIDs(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	st := openSchema(t, dsn, newSchema(t, dsn)).(*postgres.Store)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	pub, err := launch.PublicKeyOf(key, "k1", launch.ES256)
	require.NoError(t, err)
	const iss, aud = "https://lms.example", "https://vap.example/api"
	verifier, err := launch.NewVerifier(launch.VerifierConfig{Partners: []launch.Partner{{
		ID: "partner-a", Issuer: iss, Audience: aud + "/launch", APIAudience: aud,
		Algorithms: []string{launch.ES256}, Keys: []launch.PublicKey{pub}}}})
	require.NoError(t, err)
	t.Cleanup(verifier.Close)
	tokens, err := launch.NewSessionTokens(launch.SessionTokenConfig{
		Issuer: "https://vap.example", Signer: key, KeyID: "vap-1"})
	require.NoError(t, err)
	var logs bytes.Buffer
	h, err := reporting.New(reporting.Config{Verifier: verifier, Service: session.New(st),
		Tokens: tokens, LearnerAppURL: "https://learn.vap.example/app", Codes: st,
		Analytics: st, Changes: st, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	minter, err := launch.NewMinter(launch.MinterConfig{Issuer: iss, Audience: aud + "/launch",
		Signer: key, KeyID: "k1"})
	require.NoError(t, err)
	cred, err := minter.MintAPICredential(context.Background(), aud)
	require.NoError(t, err)

	for _, id := range []string{"a%00b", "a%FFb"} {
		for _, tc := range []struct {
			method, path string
			status       int
		}{
			{http.MethodPut, "/cohorts/" + id + "/assignments/asg-1", http.StatusBadRequest},
			{http.MethodPut, "/cohorts/c/assignments/" + id, http.StatusBadRequest},
			{http.MethodGet, "/cohorts/c/assignments/" + id, http.StatusNotFound},
			{http.MethodDelete, "/cohorts/" + id + "/assignments/asg-1", http.StatusNotFound},
			{http.MethodGet, "/sessions/" + id, http.StatusNotFound},
			{http.MethodGet, "/cohorts/" + id + "/analytics", http.StatusNotFound},
			{http.MethodDelete, "/learners/" + id, http.StatusBadRequest},
		} {
			req := httptest.NewRequest(tc.method, reporting.DefaultBasePath+tc.path,
				strings.NewReader(`{"case_id":"case-a"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+cred)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			assert.Equal(t, tc.status, rec.Code, "%s %s: %s", tc.method, tc.path, rec.Body.String())
		}
	}

	assert.Empty(t, logs.String(), "no store failure")
}
