package launch

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMemoryReplayGuard(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		steps   func(g *MemoryReplayGuard, now *time.Time) error
		wantErr error
	}{
		{"first use", func(g *MemoryReplayGuard, _ *time.Time) error {
			return g.Consume(ctx, "iss", "a", t0.Add(time.Minute))
		}, nil},
		{"replay", func(g *MemoryReplayGuard, _ *time.Time) error {
			require.NoError(t, g.Consume(ctx, "iss", "a", t0.Add(time.Minute)))
			return g.Consume(ctx, "iss", "a", t0.Add(time.Minute))
		}, ErrReplayed},
		{"same jti from another issuer", func(g *MemoryReplayGuard, _ *time.Time) error {
			require.NoError(t, g.Consume(ctx, "iss", "a", t0.Add(time.Minute)))
			return g.Consume(ctx, "other", "a", t0.Add(time.Minute))
		}, nil},
		{"remembered until the given time", func(g *MemoryReplayGuard, now *time.Time) error {
			require.NoError(t, g.Consume(ctx, "iss", "a", t0.Add(time.Minute)))
			*now = t0.Add(59 * time.Second)
			return g.Consume(ctx, "iss", "a", t0.Add(time.Minute))
		}, ErrReplayed},
		{"full of live entries fails closed", func(g *MemoryReplayGuard, _ *time.Time) error {
			for i := range 3 {
				require.NoError(t, g.Consume(ctx, "iss", fmt.Sprint(i), t0.Add(time.Minute)))
			}
			return g.Consume(ctx, "iss", "x", t0.Add(time.Minute))
		}, errGuardFull},
		{"expired entries make room", func(g *MemoryReplayGuard, now *time.Time) error {
			for i := range 3 {
				require.NoError(t, g.Consume(ctx, "iss", fmt.Sprint(i), t0.Add(time.Minute)))
			}
			*now = t0.Add(time.Minute)
			if err := g.Consume(ctx, "iss", "x", t0.Add(2*time.Minute)); err != nil {
				return err
			}
			assert.Equal(t, 1, g.Len())
			return nil
		}, nil},
		{"cancelled context", func(g *MemoryReplayGuard, _ *time.Time) error {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			return g.Consume(cctx, "iss", "a", t0.Add(time.Minute))
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := t0
			g := NewMemoryReplayGuard(MemoryReplayGuardConfig{
				Capacity: 3, Now: func() time.Time { return now },
			})

			err := tt.steps(g, &now)
			if tt.wantErr == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.wantErr)
			}
		})
	}
}

func TestMemoryReplayGuardStaysBounded(t *testing.T) {
	now := t0
	g := NewMemoryReplayGuard(MemoryReplayGuardConfig{Capacity: 100, Now: func() time.Time { return now }})
	for i := range 1000 {
		now = t0.Add(time.Duration(i) * time.Second)
		require.NoError(t, g.Consume(context.Background(), "iss", fmt.Sprint(i), now.Add(10*time.Second)))
		assert.LessOrEqual(t, g.Len(), 11)
	}
}
