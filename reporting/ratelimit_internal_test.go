package reporting

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wait reserves one launch and returns how long to wait (0 when granted).
func (l *learnerLimiters) wait(partnerID, subject string, now time.Time) time.Duration {
	_, d := l.reserve(partnerID, subject, now)

	return d
}

// TestLearnerLimitersForgetIdle checks that the learner limiters' memory
// stays bounded: idle limiters (their bucket full again) are dropped, busy
// ones kept, and the map never holds more than maxLearnerLimiters.
func TestLearnerLimitersForgetIdle(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	l := newLearnerLimiters(RateLimit{PerSecond: 1, Burst: 2})
	// 3000 learners launch 10 ms apart: each limiter is idle a second
	// after its launch.
	for i := range 3000 {
		require.Zero(t, l.wait("p", fmt.Sprintf("user-%d", i),
			t0.Add(time.Duration(i)*10*time.Millisecond)))
	}

	assert.LessOrEqual(t, len(l.m), minLearnerSweep, "idle limiters swept as the map grew")

	// user-busy spends its bucket; a minute on, every other limiter is
	// full again, so idle, and a sweep keeps user-busy alone.
	now := t0.Add(time.Minute)
	require.Zero(t, l.wait("p", "user-busy", now))
	require.Zero(t, l.wait("p", "user-busy", now))
	l.swept = time.Time{}
	soon := now.Add(500 * time.Millisecond)
	require.Zero(t, l.wait("p", "user-new", soon))
	assert.Equal(t, 2, len(l.m), "user-busy and user-new")
	assert.Positive(t, l.wait("p", "user-busy", soon), "a kept limiter keeps its state")

	// A minute later user-busy is idle too.
	require.Zero(t, l.wait("p", "user-newer", soon.Add(time.Minute)))
	assert.Equal(t, 1, len(l.m))
}

func TestLearnerLimitersCap(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	l := newLearnerLimiters(RateLimit{PerSecond: 0, Burst: 1}) // never idle
	for i := range maxLearnerLimiters + 10 {
		l.wait("p", fmt.Sprintf("user-%d", i), t0)
		require.LessOrEqual(t, len(l.m), maxLearnerLimiters)
	}
}
