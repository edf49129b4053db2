package launch

import (
	"context"
	"errors"
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
		{"remembered at exactly the given time", func(g *MemoryReplayGuard, now *time.Time) error {
			require.NoError(t, g.Consume(ctx, "iss", "a", t0.Add(time.Minute)))
			*now = t0.Add(time.Minute)
			return g.Consume(ctx, "iss", "a", t0.Add(time.Minute))
		}, ErrReplayed},
		{"forgotten just after the given time", func(g *MemoryReplayGuard, now *time.Time) error {
			require.NoError(t, g.Consume(ctx, "iss", "a", t0.Add(time.Minute)))
			*now = t0.Add(time.Minute + time.Nanosecond)
			return g.Consume(ctx, "iss", "a", t0.Add(2*time.Minute))
		}, nil},
		{"full of live entries fails closed", func(g *MemoryReplayGuard, _ *time.Time) error {
			for i := range 3 {
				require.NoError(t, g.Consume(ctx, "iss", fmt.Sprint(i), t0.Add(time.Minute)))
			}
			return g.Consume(ctx, "iss", "x", t0.Add(time.Minute))
		}, ErrReplayGuardUnavailable},
		{"expired entries make room", func(g *MemoryReplayGuard, now *time.Time) error {
			for i := range 3 {
				require.NoError(t, g.Consume(ctx, "iss", fmt.Sprint(i), t0.Add(time.Minute)))
			}
			*now = t0.Add(time.Minute + time.Nanosecond)
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

// movingClock is a clock a test sets.
type movingClock struct{ now time.Time }

func (c *movingClock) Now() time.Time { return c.now }

func TestVerifyReplayAtTheLastValidInstant(t *testing.T) {
	tests := []struct {
		name    string
		at      time.Duration
		wantErr error
	}{
		{name: "replay at exactly exp plus leeway", at: DefaultTTL + DefaultLeeway,
			wantErr: ErrReplayed},
		{name: "replay a nanosecond later", at: DefaultTTL + DefaultLeeway + time.Nanosecond,
			wantErr: ErrExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &movingClock{now: t0}
			v, err := NewVerifier(VerifierConfig{Partners: []Partner{testPartner(ES256)},
				Now: clock.Now})
			require.NoError(t, err)
			tok := mustMint(t, newTestMinter(t, ES256, t0))
			_, err = v.Verify(context.Background(), tok)
			require.NoError(t, err)

			clock.now = t0.Add(tt.at)
			_, err = v.Verify(context.Background(), tok)
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

type erringGuard struct{ err error }

func (g erringGuard) Consume(context.Context, string, string, time.Time) error { return g.err }

func TestVerifyReplayGuardErrors(t *testing.T) {
	tests := []struct {
		name     string
		guard    ReplayGuard
		cancel   bool
		wantErr  error
		wantCode string
		wantMsg  string
	}{
		{name: "guard down", guard: erringGuard{errors.New("db down")},
			wantErr: ErrReplayGuardUnavailable, wantCode: "replay_guard_unavailable",
			wantMsg: "launch: replay guard unavailable: db down"},
		{name: "memory guard full reads its prefix once",
			guard: fullGuard(t), wantErr: ErrReplayGuardUnavailable,
			wantCode: "replay_guard_unavailable",
			wantMsg:  "launch: replay guard unavailable: full"},
		{name: "cancelled context surfaces as such",
			guard: erringGuard{context.Canceled}, cancel: true, wantErr: context.Canceled,
			wantMsg: "launch: replay check abandoned: context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewVerifier(VerifierConfig{Partners: []Partner{testPartner(ES256)},
				Now: fixedClock(t0), ReplayGuard: tt.guard})
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			tok := mustMint(t, newTestMinter(t, ES256, t0))
			if tt.cancel {
				cancel()
			}

			l, err := v.Verify(ctx, tok)
			assert.Nil(t, l)
			assert.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, tt.wantCode, Code(err))
			assert.EqualError(t, err, tt.wantMsg)
		})
	}
}

// fullGuard returns a memory guard with no room left.
func fullGuard(t *testing.T) *MemoryReplayGuard {
	g := NewMemoryReplayGuard(MemoryReplayGuardConfig{Capacity: 1, Now: fixedClock(t0)})
	require.NoError(t, g.Consume(context.Background(), "x", "y", t0.Add(time.Hour)))

	return g
}
