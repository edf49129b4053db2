package launch

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newTestSessions(t *testing.T, now *time.Time, signer *ecdsa.PrivateKey, kid string,
	previous ...PublicKey) *SessionTokens {
	t.Helper()
	s, err := NewSessionTokens(SessionTokenConfig{
		Issuer: "https://vap.example.com", Signer: signer, KeyID: kid, PreviousKeys: previous,
		Now: func() time.Time { return *now },
	})
	require.NoError(t, err)

	return s
}

func TestSessionTokens(t *testing.T) {
	loadTestKeys()
	newKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)

	tests := []struct {
		name    string
		token   func(t *testing.T, s *SessionTokens, now *time.Time) string
		wantErr error
	}{
		{"issued token verifies", func(t *testing.T, s *SessionTokens, _ *time.Time) string {
			tok, exp, err := s.Issue("sess-1", "lms")
			require.NoError(t, err)
			assert.Equal(t, t0.Add(DefaultSessionTTL), exp)
			return tok
		}, nil},
		{"expired", func(t *testing.T, s *SessionTokens, now *time.Time) string {
			tok, _, err := s.Issue("sess-1", "lms")
			require.NoError(t, err)
			*now = now.Add(DefaultSessionTTL + DefaultLeeway + time.Second)
			return tok
		}, ErrExpired},
		{"launch token refused", func(t *testing.T, _ *SessionTokens, _ *time.Time) string {
			return mustMint(t, newTestMinter(t, ES256, t0))
		}, ErrType},
		{"signed by another key", func(t *testing.T, _ *SessionTokens, now *time.Time) string {
			other := newTestSessions(t, now, newKey, "")
			tok, _, err := other.Issue("sess-1", "lms")
			require.NoError(t, err)
			return tok
		}, ErrBadSignature},
		{"previous key still accepted", func(t *testing.T, _ *SessionTokens, now *time.Time) string {
			// The old issuer signed with ecKey as "old"; the new one lists it
			// as previous.
			old := newTestSessions(t, now, ecKey, "old")
			tok, _, err := old.Issue("sess-1", "lms")
			require.NoError(t, err)
			return tok
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := t0
			var s *SessionTokens
			if tt.name == "previous key still accepted" {
				s = newTestSessions(t, &now, newKey, "new", PublicKey{KeyID: "old", Key: ecKey.Public()})
			} else {
				s = newTestSessions(t, &now, ecKey, "")
			}

			got, err := s.Verify(tt.token(t, s, &now))
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}

			require.NoError(t, err)
			assert.Equal(t, "sess-1", got.SessionID)
			assert.Equal(t, "lms", got.PartnerID)
		})
	}
}

func TestSessionTokenNotALaunch(t *testing.T) {
	loadTestKeys()
	now := t0
	s := newTestSessions(t, &now, ecKey, "k1")
	tok, _, err := s.Issue("sess-1", "lms")
	require.NoError(t, err)
	v := newTestVerifier(t, t0, testPartner(ES256))

	_, err = v.Verify(context.Background(), tok)
	assert.ErrorIs(t, err, ErrType)
}

func TestNewSessionTokensRejects(t *testing.T) {
	loadTestKeys()
	tests := []struct {
		name string
		cfg  SessionTokenConfig
	}{
		{"no issuer", SessionTokenConfig{Signer: ecKey}},
		{"no key", SessionTokenConfig{Issuer: "vap"}},
		{"TTL too long", SessionTokenConfig{Issuer: "vap", Signer: ecKey, TTL: 2 * time.Hour}},
		{"previous key without kid", SessionTokenConfig{
			Issuer: "vap", Signer: ecKey, KeyID: "k1", PreviousKeys: []PublicKey{{Key: ecKey.Public()}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSessionTokens(tt.cfg)
			assert.Nil(t, s)
			assert.Error(t, err)
			assert.NotEmpty(t, Code(err))
		})
	}
}
