package launch

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTimeErrorMessages checks that a failed time check reads as what
// happened, in whole seconds against the leeway, with advice that fits the
// kind of token, and keeps the exact skew for tools.
func TestTimeErrorMessages(t *testing.T) {
	tests := []struct {
		name string
		err  *TimeError
		want string
	}{
		{name: "launch token expired",
			err: &TimeError{Kind: ErrExpired, Skew: 32166446028, Leeway: 30 * time.Second,
				tokenType: TypeLaunch},
			want: "launch: token expired 32s ago (beyond the 30s leeway); mint a new one just " +
				"before the launch"},
		{name: "API credential expired",
			err: &TimeError{Kind: ErrExpired, Skew: 95 * time.Second, Leeway: 30 * time.Second,
				tokenType: TypeAPICredential},
			want: "launch: token expired 1m35s ago (beyond the 30s leeway); mint a new one just " +
				"before the call"},
		{name: "session token expired",
			err: &TimeError{Kind: ErrExpired, Skew: 40 * time.Second, tokenType: TypeSession},
			want: "launch: token expired 40s ago (beyond the 0s leeway); launch again for a new " +
				"session token"},
		{name: "beyond the leeway by less than a second",
			err: &TimeError{Kind: ErrExpired, Skew: 30200 * time.Millisecond,
				Leeway: 30 * time.Second},
			want: "launch: token expired 31s ago (beyond the 30s leeway); mint a new one " +
				"just before use"},
		{name: "not yet valid",
			err: &TimeError{Kind: ErrNotYetValid, Skew: 45500 * time.Millisecond,
				Leeway: 30 * time.Second},
			want: "launch: token not valid for another 45s (nbf lies beyond the 30s leeway); " +
				"check the server clock or drop nbf"},
		{name: "issued in the future",
			err: &TimeError{Kind: ErrIssuedInFuture, Skew: 2 * time.Minute,
				Leeway: 30 * time.Second},
			want: "launch: token issued 2m0s in the future (iat lies beyond the 30s leeway); " +
				"synchronise the server clock (NTP)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
			assert.NotContains(t, tt.err.Error(), "clock skew")
		})
	}
}

// TestVerifiedTimeErrorsFitTheTokenKind verifies expired tokens of each
// kind: the message advises for that kind, the hint too, and the skew is
// the exact measure.
func TestVerifiedTimeErrorsFitTheTokenKind(t *testing.T) {
	now := t0.Add(time.Minute + 32166446028)
	v := newTestVerifier(t, now, testPartner(ES256))
	mt := newTestMinter(t, ES256, t0)
	launchTok := mustMint(t, mt)
	cred, err := mt.MintAPICredential(context.Background(), testAPIAudience)
	require.NoError(t, err)

	_, launchErr := v.Verify(context.Background(), launchTok)
	_, credErr := v.VerifyAPICredential(context.Background(), cred)
	tests := []struct {
		name     string
		err      error
		wantMsg  string
		wantHint string
	}{
		{name: "launch token", err: launchErr,
			wantMsg: "launch: token expired 32s ago (beyond the 30s leeway); mint a new one " +
				"just before the launch",
			wantHint: Hint(ErrExpired)},
		{name: "API credential", err: credErr,
			wantMsg: "launch: token expired 32s ago (beyond the 30s leeway); mint a new one " +
				"just before the call",
			wantHint: typeHints[TypeAPICredential]["token_expired"]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorIs(t, tt.err, ErrExpired)
			var te *TimeError
			require.ErrorAs(t, tt.err, &te)
			assert.Equal(t, time.Duration(32166446028), te.Skew, "the exact skew is kept")
			assert.Equal(t, tt.wantMsg, tt.err.Error())
			assert.Equal(t, tt.wantHint, Hint(tt.err))
			assert.Equal(t, "token_expired", Code(tt.err))
		})
	}

	assert.NotContains(t, Hint(credErr), "redirect", "an API credential has no redirect")
}

// TestTokenTooLargeHintFitsTheTokenKind sends an oversized token as each
// kind: the hint names the kind expected.
func TestTokenTooLargeHintFitsTheTokenKind(t *testing.T) {
	loadTestKeys()
	v := newTestVerifier(t, t0, testPartner(ES256))
	st, err := NewSessionTokens(SessionTokenConfig{Issuer: "https://vap", Signer: ecKey,
		KeyID: "v1", Now: fixedClock(t0)})
	require.NoError(t, err)
	big := strings.Repeat("A", DefaultMaxTokenBytes+1)

	_, launchErr := v.Verify(context.Background(), big)
	_, credErr := v.VerifyAPICredential(context.Background(), big)
	_, sessionErr := st.Verify(big)
	tests := []struct {
		name    string
		err     error
		want    string
		wantNot string
	}{
		{name: "launch token", err: launchErr, want: "launch tokens are small",
			wantNot: "API credential"},
		{name: "API credential", err: credErr, want: "API credentials are small",
			wantNot: "launch tokens"},
		{name: "session token", err: sessionErr, want: "session tokens are small",
			wantNot: "launch tokens"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorIs(t, tt.err, ErrTokenTooLarge)
			assert.Equal(t, "token_too_large", Code(tt.err))
			assert.Contains(t, Hint(tt.err), tt.want)
			assert.NotContains(t, Hint(tt.err), tt.wantNot)
		})
	}
}

// TestCheckSubject refuses a subject shaped like an e-mail address, with a
// hint to send the pseudonymous user id, and accepts opaque ids, also
// those holding an @ that is not an address.
func TestCheckSubject(t *testing.T) {
	tests := []struct {
		name    string
		sub     string
		wantErr error
	}{
		{name: "e-mail address", sub: "ada.lovelace@uni.example.edu", wantErr: ErrInvalidClaim},
		{name: "upper case", sub: "ADA@EXAMPLE.COM", wantErr: ErrInvalidClaim},
		{name: "plus tag", sub: "ada+vap@example.org", wantErr: ErrInvalidClaim},
		{name: "international domain", sub: "ada@université.fr", wantErr: ErrInvalidClaim},
		{name: "punycode top-level domain", sub: "ada@example.xn--p1ai",
			wantErr: ErrInvalidClaim},
		{name: "trailing space", sub: "alice@example.com ", wantErr: ErrInvalidClaim},
		{name: "leading space", sub: " alice@example.com", wantErr: ErrInvalidClaim},
		{name: "name and address", sub: "Alice <alice@example.com>", wantErr: ErrInvalidClaim},
		{name: "angle brackets", sub: "<alice@example.com>", wantErr: ErrInvalidClaim},
		{name: "trailing dot", sub: "alice@example.com.", wantErr: ErrInvalidClaim},
		{name: "list", sub: "alice@example.com,bob@example.com", wantErr: ErrInvalidClaim},
		{name: "no-break space", sub: "alice@example.com\u00a0", wantErr: ErrInvalidClaim},
		{name: "mailto", sub: "mailto:alice@example.com", wantErr: ErrInvalidClaim},
		{name: "empty", sub: "", wantErr: ErrMissingClaim},
		{name: "control character", sub: "a\x00b", wantErr: ErrInvalidClaim},
		{name: "opaque id", sub: "lms-user-31337"},
		{name: "uuid", sub: "5f1c2d3e-0a4b-4c5d-8e9f-0a1b2c3d4e5f"},
		{name: "host without a dot", sub: "user@localhost"},
		{name: "scoped id without a domain", sub: "42@lms"},
		{name: "one-letter top-level part", sub: "a@b.c"},
		{name: "at sign alone", sub: "@"},
		{name: "scoped id with a version", sub: "42@lms:v1"},
		{name: "tenant path", sub: "tenant-7/user-42@lms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckSubject(tt.sub)
			if tt.wantErr == nil {
				assert.NoError(t, err)
				return
			}

			require.ErrorIs(t, err, tt.wantErr)
			if tt.sub != "" {
				assert.NotContains(t, err.Error(), tt.sub, "the value is never in the message")
			}
		})
	}

	err := CheckSubject("ada@example.com")
	require.Error(t, err)
	assert.Equal(t, "claim_invalid", Code(err))
	assert.Equal(t, "launch: invalid claim: sub is shaped like an e-mail address", err.Error())
	assert.Contains(t, Hint(err), "pseudonymous user id")
}

// TestEmailSubjectRefused mints and verifies launches whose sub is an
// e-mail address: both refuse them, with the hint of CheckSubject.
func TestEmailSubjectRefused(t *testing.T) {
	const email = "ada.lovelace@uni.example.edu"
	req := testRequest
	req.Subject = email
	tok, err := newTestMinter(t, ES256, t0).Mint(context.Background(), req)
	assert.Empty(t, tok)
	require.ErrorIs(t, err, ErrInvalidClaim)
	assert.Contains(t, Hint(err), "pseudonymous user id")

	v := newTestVerifier(t, t0, testPartner(ES256))
	crafted := craft(t, ES256, goodHeader, launchClaims(t0, m{"sub": email}))
	tests := []struct {
		name   string
		verify func() error
	}{
		{name: "VerifyUnconsumed", verify: func() error {
			_, err := v.VerifyUnconsumed(context.Background(), crafted)
			return err
		}},
		{name: "Verify", verify: func() error {
			_, err := v.Verify(context.Background(), crafted)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.verify()
			require.ErrorIs(t, err, ErrInvalidClaim)
			assert.Equal(t, "claim_invalid", Code(err))
			assert.Contains(t, Hint(err), "pseudonymous user id")
			assert.NotContains(t, err.Error(), email)
		})
	}
}

// TestKeyMismatchHint verifies tokens whose kid names a registered key of
// another algorithm: the kid is known, so the hint says which algorithm
// the key is for instead of asking for a published kid.
func TestKeyMismatchHint(t *testing.T) {
	loadTestKeys()
	partner := Partner{
		ID: "lms", Issuer: testIssuer, Audience: testAudience,
		Algorithms: []string{ES256, EdDSA, RS256, PS256},
		Keys: []PublicKey{
			{KeyID: "k1", Algorithm: PS256, Key: rsaKey.Public()},
			{KeyID: "k2", Key: ecKey.Public()},
		},
	}
	v := newTestVerifier(t, t0, partner)
	tests := []struct {
		name     string
		token    string
		wantMsg  string
		wantHint string
	}{
		{name: "RS256 with a key published for PS256",
			token: craft(t, RS256, `{"alg":"RS256","typ":"vap-launch+jwt","kid":"k1"}`,
				launchClaims(t0, nil)),
			wantMsg: "launch: signing key not found: the key with this kid is published for " +
				"PS256, not RS256",
			wantHint: "the token is signed RS256 but the key with this kid is published for " +
				"PS256; sign with PS256 or publish the key for RS256"},
		{name: "EdDSA with an ECDSA key",
			token: craft(t, EdDSA, `{"alg":"EdDSA","typ":"vap-launch+jwt","kid":"k2"}`,
				launchClaims(t0, nil)),
			wantMsg: "launch: signing key not found: the key with this kid does not suit the " +
				"algorithm",
			wantHint: "the token is signed EdDSA but the key with this kid is an ECDSA key " +
				"(ES256 with P-256); sign with its algorithm or publish a key for EdDSA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.VerifyUnconsumed(context.Background(), tt.token)

			require.ErrorIs(t, err, ErrKeyNotFound)
			assert.Equal(t, "key_not_found", Code(err))
			assert.Equal(t, tt.wantMsg, err.Error())
			assert.Equal(t, tt.wantHint, Hint(err))
			assert.NotEqual(t, Hint(ErrKeyNotFound), Hint(err))
		})
	}
}

// TestParseJWKSHintForADocumentThatIsNotAJWKSet parses documents that are
// not JWK Sets: the hint says so, not which key types are supported.
func TestParseJWKSHintForADocumentThatIsNotAJWKSet(t *testing.T) {
	tests := []struct {
		name string
		doc  string
	}{
		{"not JSON", "garbage"},
		{"a single JWK", `{"kty":"EC"}`},
		{"an array", `[]`},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseJWKS([]byte(tt.doc))

			require.ErrorIs(t, err, ErrKeyUnsupported)
			assert.Equal(t, "key_unsupported", Code(err))
			assert.Contains(t, err.Error(), `not a JSON object with a "keys" array`)
			assert.Equal(t, notKeySetHint, Hint(err))
			assert.Contains(t, Hint(err), "not a JWK Set")
		})
	}

	_, err := ParseJWKS([]byte(`{"keys":[]}`))
	require.ErrorIs(t, err, ErrKeyUnsupported)
	assert.Equal(t, Hint(ErrKeyUnsupported), Hint(err), "a set without usable keys keeps the key hint")
}
