package reporting_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/reporting"
)

// TestLearnerLaunchRate checks that one learner's launches are limited on
// their own, and that the refused ones leave the partner's budget to the
// other learners.
func TestLearnerLaunchRate(t *testing.T) {
	var logs bytes.Buffer
	e := newEnv(t, func(c *reporting.Config) {
		c.LaunchRate = reporting.RateLimit{PerSecond: 1.0 / 3600, Burst: 4}
		c.LearnerLaunchRate = reporting.RateLimit{PerSecond: 1.0 / 60, Burst: 2}
		debug := &slog.HandlerOptions{Level: slog.LevelDebug}
		c.Logger = slog.New(slog.NewTextHandler(&logs, debug))
	})
	const scripted = "learner-scripting-the-button"
	for range 2 {
		require.Equal(t, http.StatusCreated, e.launchJSON(e.mint(e.a, scripted, caseChest)).Code)
	}

	for range 5 {
		rec := e.launchJSON(e.mint(e.a, scripted, caseChest))
		require.Equal(t, http.StatusTooManyRequests, rec.Code, rec.Body.String())
		assert.Equal(t, reporting.CodeRateLimited, problemCode(t, rec))
		assert.Equal(t, "60", rec.Header().Get("Retry-After"))
	}

	// The partner's budget (4) lost only the 2 granted launches.
	for _, sub := range []string{"user-1", "user-2"} {
		assert.Equal(t, http.StatusCreated, e.launchJSON(e.mint(e.a, sub, caseChest)).Code, sub)
	}

	rec := e.launchJSON(e.mint(e.a, "user-3", caseChest))
	assert.Equal(t, http.StatusTooManyRequests, rec.Code, "the partner's budget is spent")

	// The same subject at another partner is another learner.
	assert.Equal(t, http.StatusCreated, e.launchJSON(e.mint(e.b, scripted, caseChest)).Code)

	// A minute later the learner may launch again.
	e.clock.Advance(time.Minute)
	assert.Equal(t, http.StatusCreated, e.launchJSON(e.mint(e.b, scripted, caseChest)).Code)
	assert.NotContains(t, logs.String(), scripted, "the subject is never logged")
}

// TestReplayKeepsLearnerBudget checks that replaying a spent launch token
// answers launch_replayed without spending the learner's launches, so
// that whoever holds a leaked token cannot lock the learner out; the
// partner's budget still pays for the replays.
func TestReplayKeepsLearnerBudget(t *testing.T) {
	e := newEnv(t, func(c *reporting.Config) {
		c.LaunchRate = reporting.RateLimit{PerSecond: 1.0 / 3600, Burst: 9}
		c.LearnerLaunchRate = reporting.RateLimit{PerSecond: 1.0 / 3600, Burst: 2}
	})
	spent := e.mint(e.a, "user-1", caseChest)
	require.Equal(t, http.StatusCreated, e.launchJSON(spent).Code)
	for range 6 {
		rec := e.launchJSON(spent)
		require.Equal(t, http.StatusConflict, rec.Code, rec.Body.String())
		assert.Equal(t, reporting.CodeLaunchReplayed, problemCode(t, rec))
	}

	rec := e.launchJSON(e.mint(e.a, "user-1", caseChest))
	assert.Equal(t, http.StatusCreated, rec.Code, "the learner's second launch: %s", rec.Body.String())
	rec = e.launchJSON(e.mint(e.a, "user-2", caseChest))
	assert.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	rec = e.launchJSON(e.mint(e.a, "user-3", caseChest))
	assert.Equal(t, http.StatusTooManyRequests, rec.Code, "the replays spent the partner's budget")
}

// TestLearnerLaunchRateDefault checks the default: bursts of 5 a learner.
func TestLearnerLaunchRateDefault(t *testing.T) {
	e := newEnv(t)
	for range reporting.DefaultLearnerLaunchRate.Burst {
		require.Equal(t, http.StatusCreated, e.launchJSON(e.mint(e.a, "user-1", caseChest)).Code)
	}

	rec := e.launchJSON(e.mint(e.a, "user-1", caseChest))
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.Equal(t, "6", rec.Header().Get("Retry-After"), "10 a minute")
	assert.Equal(t, http.StatusCreated, e.launchJSON(e.mint(e.a, "user-2", caseChest)).Code)
}
