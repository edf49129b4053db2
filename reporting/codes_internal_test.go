package reporting

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMemoryCodesPurge checks that Issue drops the codes whose own expiry
// has passed on the store's clock, and only those.
func TestMemoryCodesPurge(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	m := &MemoryCodes{Now: func() time.Time { return now }}
	short, err := m.Issue(ctx, CodeGrant{SessionID: "s1"}, now.Add(time.Minute))
	require.NoError(t, err)
	long, err := m.Issue(ctx, CodeGrant{SessionID: "s2"}, now.Add(5*time.Minute))
	require.NoError(t, err)

	now = now.Add(2 * time.Minute)
	_, err = m.Issue(ctx, CodeGrant{SessionID: "s3"}, now.Add(5*time.Minute))
	require.NoError(t, err)
	assert.Len(t, m.codes, 2, "the expired code is dropped")

	g, err := m.Redeem(ctx, long, now)
	require.NoError(t, err, "a live code is kept")
	assert.Equal(t, "s2", g.SessionID)
	_, err = m.Redeem(ctx, short, now)
	assert.ErrorIs(t, err, ErrCodeInvalid)
}
