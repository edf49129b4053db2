package vapserver

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/examples/internal/demo"
	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/sqlite"
)

// clock is a settable clock for the session service.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()

	c.now = c.now.Add(d)
}

// TestRunAppliesRetention checks that Run does more than sweep: a session
// ended longer ago than the retention period is purged, one ended within
// it stays.
func TestRunAppliesRetention(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "vap.db"), sqlite.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })

	clk := &clock{now: time.Now().UTC()}
	srv, err := New(ctx, Config{
		Store: st, PublicURL: "http://127.0.0.1:9",
		Partners: []Partner{{
			ID: demo.PartnerID, Issuer: "http://127.0.0.1:9/lms",
			JWKSURL: "http://127.0.0.1:9/lms/jwks.json",
			Cohorts: []session.Cohort{{ID: demo.CohortID, Name: demo.CohortName}},
		}},
		PurgeInterval: 10 * time.Millisecond, Now: clk.Now,
	})
	require.NoError(t, err)
	t.Cleanup(srv.Close)

	old := playSession(t, srv, "learner-old", clk.Now())
	clk.advance(session.DefaultSessionRetention - time.Hour)
	recent := playSession(t, srv, "learner-recent", clk.Now())
	clk.advance(2 * time.Hour)

	loops, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); srv.Run(loops) }()
	t.Cleanup(func() { stop(); <-done })

	require.Eventually(t, func() bool {
		_, err := st.GetSession(ctx, demo.PartnerID, old)
		return errors.Is(err, session.ErrNotFound)
	}, 5*time.Second, 20*time.Millisecond, "the session past retention was not purged")

	_, err = st.GetSession(ctx, demo.PartnerID, recent)
	assert.NoError(t, err, "the session within retention is kept")
}

// playSession launches, starts and completes a session of the first demo
// case at now and returns its id.
func playSession(t *testing.T, srv *Server, subject string, now time.Time) string {
	t.Helper()
	ctx := context.Background()
	svc := srv.Service()
	c := demo.Cases()[0]
	res, err := svc.Launch(ctx, launch.Launch{
		PartnerID: demo.PartnerID, Issuer: "http://127.0.0.1:9/lms", TokenID: subject,
		Subject: subject, CohortID: demo.CohortID, CaseID: c.Case.ID,
		Role: launch.RoleLearner, ExpiresAt: now.Add(time.Minute),
	})
	require.NoError(t, err)

	id := res.Session.ID
	_, err = svc.Start(ctx, demo.PartnerID, id)
	require.NoError(t, err)

	in := c.Script.Input
	_, err = svc.Complete(ctx, demo.PartnerID, id, session.Completion{Input: &in})
	require.NoError(t, err)

	return id
}
