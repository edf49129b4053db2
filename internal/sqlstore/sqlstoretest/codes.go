package sqlstoretest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/reporting"
)

// SharedCodes checks a [reporting.CodeStore] shared through a database:
// a code issued through a redeems once through b; a second redemption,
// an expired code and an unknown code fail with reporting.ErrCodeInvalid;
// and of n processes redeeming one code at once, exactly one wins.
func SharedCodes(t *testing.T, a, b reporting.CodeStore, n int) {
	ctx := context.Background()
	now := time.Now()
	grant := reporting.CodeGrant{SessionID: "session-1", PartnerID: "partner-1"}

	code, err := a.Issue(ctx, grant, now.Add(time.Minute))
	require.NoError(t, err)
	got, err := b.Redeem(ctx, code, now)
	require.NoError(t, err)
	assert.Equal(t, grant, got)

	tests := []struct {
		name string
		code func() string
		at   time.Time
	}{
		{name: "redeemed", code: func() string { return code }, at: now},
		{name: "unknown", code: func() string { return "not-a-code" }, at: now},
		{name: "expired", at: now.Add(time.Minute), code: func() string {
			c, err := a.Issue(ctx, grant, now.Add(time.Minute))
			require.NoError(t, err)
			return c
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.Redeem(ctx, tt.code(), tt.at)
			assert.ErrorIs(t, err, reporting.ErrCodeInvalid)
		})
	}

	t.Run("race", func(t *testing.T) { raceRedeem(t, a, b, n) })
}

func raceRedeem(t *testing.T, a, b reporting.CodeStore, n int) {
	ctx := context.Background()
	code, err := a.Issue(ctx, reporting.CodeGrant{SessionID: "s", PartnerID: "p"},
		time.Now().Add(time.Minute))
	require.NoError(t, err)

	var (
		wg         sync.WaitGroup
		mu         sync.Mutex
		wins, lost int
		start      = make(chan struct{})
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := []reporting.CodeStore{a, b}[i%2].Redeem(ctx, code, time.Now())
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, reporting.ErrCodeInvalid):
				lost++
			default:
				t.Errorf("redeem: %v", err)
			}
		}()
	}

	close(start)
	wg.Wait()
	assert.Equal(t, 1, wins)
	assert.Equal(t, n-1, lost)
}
