package session_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/memory"
)

// TestTokenGraceCoversLeeway checks that a consumed token is remembered
// for as long as a verifier with the largest leeway still accepts it,
// however short TokenGrace is, through both Sweep and Purge, and is
// forgotten once the leeway and the grace have passed.
func TestTokenGraceCoversLeeway(t *testing.T) {
	purges := []struct {
		name  string
		purge func(context.Context, *session.Service) (int, error)
	}{
		{name: "sweep", purge: func(ctx context.Context, svc *session.Service) (int, error) {
			res, err := svc.Sweep(ctx)
			return res.TokensPurged, err
		}},
		{name: "purge", purge: func(ctx context.Context, svc *session.Service) (int, error) {
			res, err := svc.Purge(ctx)
			return res.Tokens, err
		}},
	}
	graces := []struct {
		name string
		// grace is TokenGrace; kept is how long it keeps a record.
		grace, kept time.Duration
	}{
		{name: "1ns", grace: time.Nanosecond, kept: time.Nanosecond},
		{name: "1s", grace: time.Second, kept: time.Second},
		{name: "default", kept: session.DefaultTokenGrace},
	}
	for _, p := range purges {
		for _, g := range graces {
			t.Run(p.name+"/"+g.name, func(t *testing.T) {
				ctx := context.Background()
				svc := newService(t, memory.New())
				svc.TokenGrace = g.grace
				now := t0
				svc.Now = func() time.Time { return now }
				l := learnerLaunch("sub-1")
				_, err := svc.Launch(ctx, l)
				require.NoError(t, err)

				// The last instant a verifier with MaxLeeway accepts the token.
				now = l.ExpiresAt.Add(launch.MaxLeeway)
				n, err := p.purge(ctx, svc)
				require.NoError(t, err)
				assert.Zero(t, n, "a token that still verifies is remembered")
				_, err = svc.Launch(ctx, l)
				require.ErrorIs(t, err, launch.ErrReplayed)

				// Once the leeway and the grace have passed, the record goes.
				now = l.ExpiresAt.Add(launch.MaxLeeway + g.kept + time.Second)
				n, err = p.purge(ctx, svc)
				require.NoError(t, err)
				assert.Equal(t, 1, n, "the token is forgotten after its grace")
			})
		}
	}
}
