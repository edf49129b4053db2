package partner_test

import (
	"context"
	"crypto"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/partner"
	"github.com/virtualaipatient/integration/reporting"
)

// tooManyRequests answers 429 with the given Retry-After value.
func tooManyRequests(value string) fault {
	return func(w http.ResponseWriter, _ *http.Request) bool {
		w.Header().Set("Retry-After", value)
		w.WriteHeader(http.StatusTooManyRequests)

		return true
	}
}

func TestRetryAfterTooLargeEndsTheRetries(t *testing.T) {
	tests := []struct {
		name  string
		value string
	}{
		{name: "more digits than an int64", value: "99999999999999999999"},
		{name: "beyond the cap", value: "999999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.faults.add(tooManyRequests(tt.value))

			_, err := e.client.Cases(context.Background(), "")
			require.ErrorIs(t, err, partner.ErrRateLimited)
			var apiErr *partner.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 24*time.Hour, apiErr.RetryAfter)
			assert.Empty(t, *e.sleeps, "no wait started")
			assert.Equal(t, 1, e.faults.count("GET /cases"))
		})
	}
}

func TestRetryWaitCutByTheContext(t *testing.T) {
	tests := []struct {
		name      string
		ctx       func() (context.Context, context.CancelFunc)
		cancelIn  bool
		wantCtx   error
		wantSleep int
	}{
		{name: "deadline before the wait ends: no wait", wantCtx: context.DeadlineExceeded,
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 2*time.Second)
			}},
		{name: "cancelled during the wait", cancelIn: true, wantCtx: context.Canceled,
			wantSleep: 1, ctx: func() (context.Context, context.CancelFunc) {
				return context.WithCancel(context.Background())
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.faults.add(unavailable("5"))
			ctx, cancel := tt.ctx()
			defer cancel()
			slept := 0
			partner.SetSleep(e.client, func(ctx context.Context, _ time.Duration) error {
				slept++
				if tt.cancelIn {
					cancel()
				}

				return ctx.Err()
			})

			_, err := e.client.Cases(ctx, "")
			assert.ErrorIs(t, err, partner.ErrUnavailable)
			assert.ErrorIs(t, err, tt.wantCtx)
			var apiErr *partner.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 5*time.Second, apiErr.RetryAfter)
			assert.Equal(t, tt.wantSleep, slept)
			assert.True(t, strings.HasPrefix(err.Error(),
				"partner: list cases: vap answered 503 store_unavailable; retry abandoned: "),
				err.Error())
		})
	}
}

func TestInvalidIDsSendNoRequest(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	calls := []struct {
		name string
		call func(id string) error
	}{
		{name: "summary", call: func(id string) error {
			_, err := e.client.Summary(ctx, id)
			return err
		}},
		{name: "analytics", call: func(id string) error {
			_, err := e.client.Analytics(ctx, id, partner.AnalyticsQuery{})
			return err
		}},
		{name: "assignment of cohort", call: func(id string) error {
			_, err := e.client.Assignment(ctx, id, "a1")
			return err
		}},
		{name: "assignment id", call: func(id string) error {
			_, err := e.client.Assignment(ctx, "c1", id)
			return err
		}},
		{name: "delete assignment", call: func(id string) error {
			return e.client.DeleteAssignment(ctx, "c1", id)
		}},
	}
	for _, c := range calls {
		for _, id := range []string{"", ".", ".."} {
			t.Run(c.name+" "+id, func(t *testing.T) {
				err := c.call(id)
				assert.ErrorIs(t, err, partner.ErrInvalidID)
				var apiErr *partner.APIError
				assert.False(t, errors.As(err, &apiErr), "no request sent")
			})
		}
	}
}

func TestCredentialFailureMatchesErrCredential(t *testing.T) {
	e := newEnv(t)
	kms := errors.New("kms unreachable")
	c, err := partner.NewClient(partner.ClientConfig{BaseURL: e.vap.URL + reporting.DefaultBasePath,
		TokenSource: failingSource{kms}, HTTPClient: e.vap.Client()})
	require.NoError(t, err)

	_, err = c.Summary(context.Background(), "s1")
	assert.ErrorIs(t, err, partner.ErrCredential)
	assert.ErrorIs(t, err, kms)
}

func TestRingPublishesEachKeyOnce(t *testing.T) {
	tests := []struct {
		name  string
		steps func(t *testing.T, r *partner.Ring, a, b *keyPair)
	}{
		{name: "rotate back to a previous key", steps: func(t *testing.T, r *partner.Ring, a, b *keyPair) {
			require.NoError(t, r.Rotate(b.signer))
			require.NoError(t, r.Rotate(a.signer))
		}},
		{name: "stage a previous key", steps: func(t *testing.T, r *partner.Ring, a, b *keyPair) {
			require.NoError(t, r.Rotate(b.signer))
			require.NoError(t, r.Stage(a.signer))
		}},
		{name: "add the current key as previous", steps: func(t *testing.T, r *partner.Ring, a, _ *keyPair) {
			require.NoError(t, r.AddPrevious(a.public, time.Now().Add(time.Hour)))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := newKeyPair(t), newKeyPair(t)
			r := newRing(t, newClock().Now, a.signer)
			tt.steps(t, r, a, b)

			seen := map[string]int{}
			for _, k := range r.PublicKeys() {
				seen[k.KeyID]++
			}
			assert.Equal(t, 1, seen[a.public.KeyID])
			doc, err := r.JWKS()
			require.NoError(t, err)
			assert.Equal(t, 1, strings.Count(string(doc), a.public.KeyID))
			_, err = launch.ParseJWKS(doc)
			assert.NoError(t, err)
		})
	}
}

type keyPair struct {
	signer crypto.Signer
	public launch.PublicKey
}

func newKeyPair(t *testing.T) *keyPair {
	signer := newKey(t)
	kid, err := partner.KeyID(signer.Public())
	require.NoError(t, err)
	pub, err := launch.PublicKeyOf(signer, kid, launch.ES256)
	require.NoError(t, err)

	return &keyPair{signer: signer, public: pub}
}
