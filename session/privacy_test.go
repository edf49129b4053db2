package session_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/session"
	"github.com/virtualaipatient/integration/store/memory"
)

// TestLaunchKeepsMinimalLearner verifies a launch token carrying claims
// the SDK has no use for (e-mail, given and family names, groups, a
// phone number) and launches it: the stored learner is the partner, the
// sub, our random id, the launch times and, only when the partner opted
// in, the display name. No extra claim is stored anywhere.
func TestLaunchKeepsMinimalLearner(t *testing.T) {
	const (
		issuer, audience = "https://lms.example", "https://vap.example/launch"
		sub, name        = "lms-user-31337", "Dr Ada Example"
	)
	extras := map[string]any{"email": "ada.example@lms.example",
		"given_name": "Adaminta", "family_name": "Quillborough",
		"groups": []string{"cardiology-residents-2026"}, "phone_number": "+44 20 7946 0958"}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	pub, err := launch.PublicKeyOf(key, "lms-1", "ES256")
	require.NoError(t, err)
	verifier, err := launch.NewVerifier(launch.VerifierConfig{Partners: []launch.Partner{{
		ID: "partner-a", Issuer: issuer, Audience: audience, Algorithms: []string{"ES256"},
		Keys: []launch.PublicKey{pub}}}, Now: func() time.Time { return t0 }})
	require.NoError(t, err)
	t.Cleanup(verifier.Close)

	tests := []struct {
		name     string
		names    bool
		wantName string
	}{
		{name: "names not stored", names: false},
		{name: "names stored when opted in", names: true, wantName: name},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := memory.New()
			svc := newService(t, st)
			svc.Policies = session.StaticPolicies{"partner-a": {StoreLearnerNames: tc.names}}

			claims := jwt.MapClaims{"iss": issuer, "aud": audience, "sub": sub,
				"jti": uuid.NewString(), "iat": t0.Unix(), "exp": t0.Add(time.Minute).Unix(),
				"name": name, "role": "learner", "cohort_id": "cohort-1",
				"case_id": "acs-chest-pain"}
			for k, v := range extras {
				claims[k] = v
			}

			tok := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
			tok.Header["kid"], tok.Header["typ"] = "lms-1", launch.TypeLaunch
			signed, err := tok.SignedString(key)
			require.NoError(t, err)

			l, err := verifier.Verify(ctx, signed)
			require.NoError(t, err, "extra claims are accepted")
			res, err := svc.Launch(ctx, *l)
			require.NoError(t, err)

			got, err := st.GetLearnerBySubject(ctx, "partner-a", sub)
			require.NoError(t, err)
			assert.Equal(t, session.Learner{PartnerID: "partner-a", ID: res.Learner.ID,
				Subject: sub, Name: tc.wantName, CreatedAt: t0, LastSeenAt: t0}, got)
			_, err = uuid.Parse(got.ID)
			assert.NoError(t, err, "our id is a random UUID")

			stored, err := st.GetSession(ctx, "partner-a", res.Session.ID)
			require.NoError(t, err)
			everything := fmt.Sprintf("%+v %+v", got, stored)
			for _, v := range []string{"ada.example@lms.example", "Adaminta", "Quillborough",
				"cardiology-residents-2026", "7946"} {
				assert.NotContains(t, everything, v)
			}
		})
	}
}
