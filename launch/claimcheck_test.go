package launch

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVerifyRejectsBadClaimValues(t *testing.T) {
	v := newTestVerifier(t, t0, testPartner(ES256))
	tests := []struct {
		name    string
		edits   m
		wantErr error
		claim   string
	}{
		{"sub empty", m{"sub": ""}, ErrMissingClaim, "sub"},
		{"sub only spaces", m{"sub": "   "}, ErrInvalidClaim, "sub"},
		{"sub only a tab", m{"sub": raw(`"\t"`)}, ErrInvalidClaim, "sub"},
		{"sub with NUL", m{"sub": raw(`"a\u0000b"`)}, ErrInvalidClaim, "sub"},
		{"sub with CR LF", m{"sub": raw(`"a\r\nb"`)}, ErrInvalidClaim, "sub"},
		{"jti with NUL", m{"jti": raw(`"\u0000j"`)}, ErrInvalidClaim, "jti"},
		{"jti only spaces", m{"jti": "  "}, ErrInvalidClaim, "jti"},
		{"name with LF", m{"name": raw(`"Ada\nLovelace"`)}, ErrInvalidClaim, "name"},
		{"name too long", m{"name": strings.Repeat("a", 257)}, ErrInvalidClaim, "name"},
		{"cohort_id with DEL", m{"cohort_id": raw(`"c\u007f"`)}, ErrInvalidClaim, "cohort_id"},
		{"cohort_id not printable", m{"cohort_id": raw(`"c\u200bx"`)}, ErrInvalidClaim,
			"cohort_id"},
		{"cohort_id too long", m{"cohort_id": strings.Repeat("c", 257)}, ErrInvalidClaim,
			"cohort_id"},
		{"case_id not a slug", m{"case_id": "<script>../x"}, ErrInvalidClaim, "case_id"},
		{"case_id upper case", m{"case_id": "ACS"}, ErrInvalidClaim, "case_id"},
		{"case_id one character", m{"case_id": "a"}, ErrInvalidClaim, "case_id"},
		{"case_id leading dash", m{"case_id": "-acs"}, ErrInvalidClaim, "case_id"},
		{"case_id 65 characters", m{"case_id": strings.Repeat("a", 65)}, ErrInvalidClaim,
			"case_id"},
		{"case_set_id not a slug", m{"case_set_id": "set one"}, ErrInvalidClaim,
			"case_set_id"},
		{"exp 1e400 is out of range", m{"exp": raw("1e400")}, ErrInvalidClaim, "out of range"},
		{"sub with a right-to-left override", m{"sub": raw(`"user\u202e1"`)}, ErrInvalidClaim,
			"sub"},
		{"sub with a zero-width space", m{"sub": raw(`"user\u200b1"`)}, ErrInvalidClaim, "sub"},
		{"sub with a byte order mark", m{"sub": raw(`"\ufeffuser"`)}, ErrInvalidClaim, "sub"},
		{"sub is a dot", m{"sub": "."}, ErrInvalidClaim, "sub"},
		{"sub is two dots", m{"sub": ".."}, ErrInvalidClaim, "sub"},
		{"cohort_id is two dots", m{"cohort_id": ".."}, ErrInvalidClaim, "cohort_id"},
		{"cohort_id with a left-to-right isolate", m{"cohort_id": raw(`"c\u2066x"`)},
			ErrInvalidClaim, "cohort_id"},
		{"case_id is two dots", m{"case_id": ".."}, ErrInvalidClaim, "case_id"},
		{"case_id with a zero-width joiner", m{"case_id": raw(`"acs\u200dchest"`)},
			ErrInvalidClaim, "case_id"},
		{"case_set_id is a dot", m{"case_set_id": "."}, ErrInvalidClaim, "case_set_id"},
		{"name with a right-to-left override", m{"name": raw(`"Ada \u202eecalevol"`)},
			ErrInvalidClaim, "name"},
		{"name with a pop directional isolate", m{"name": raw(`"Ada\u2069"`)}, ErrInvalidClaim,
			"name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(),
				craft(t, ES256, goodHeader, launchClaims(t0, tt.edits)))
			require.ErrorIs(t, err, tt.wantErr)
			assert.Contains(t, err.Error(), tt.claim)
			assert.NotContains(t, err.Error(), "script")
		})
	}
}

func TestVerifyAcceptsGoodClaimValues(t *testing.T) {
	v := newTestVerifier(t, t0, testPartner(ES256))
	tests := []struct {
		name  string
		edits m
	}{
		{"slug case id", m{"case_id": "acs-chest-pain", "jti": "a1"}},
		{"slug of 64 characters", m{"case_set_id": "a" + strings.Repeat("-", 63), "jti": "a2"}},
		{"cohort with spaces and accents", m{"cohort_id": "Médecine 2026 – groupe A",
			"jti": "a3"}},
		{"name with accents", m{"name": "Zoë Ó Briain", "jti": "a4"}},
		{"name with a zero-width non-joiner", m{"name": "می\u200cخواهم", "jti": "a5"}},
		{"name with an emoji sequence", m{"name": "Ada \U0001F469\u200d\U0001F52C",
			"jti": "a6"}},
		{"sub with dots inside", m{"sub": "a..b", "jti": "a7"}},
		{"cohort with three dots", m{"cohort_id": "...", "jti": "a8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(),
				craft(t, ES256, goodHeader, launchClaims(t0, tt.edits)))
			assert.NoError(t, err)
		})
	}
}

func TestMintRejectsBadClaimValues(t *testing.T) {
	mt := newTestMinter(t, ES256, t0)
	ok := LaunchRequest{Subject: "u", Role: RoleLearner, CohortID: "c"}
	tests := []struct {
		name  string
		edit  func(r *LaunchRequest)
		claim string
	}{
		{"sub blank", func(r *LaunchRequest) { r.Subject = " \t " }, "sub"},
		{"sub with NUL", func(r *LaunchRequest) { r.Subject = "a\x00b" }, "sub"},
		{"name with CR", func(r *LaunchRequest) { r.Name = "a\rb" }, "name"},
		{"cohort not printable", func(r *LaunchRequest) { r.CohortID = "c\u2028" }, "cohort_id"},
		{"case id not a slug", func(r *LaunchRequest) { r.CaseID = "Case 1" }, "case_id"},
		{"case set id not a slug", func(r *LaunchRequest) { r.CaseSetID = "../x" }, "case_set_id"},
		{"sub is two dots", func(r *LaunchRequest) { r.Subject = ".." }, "sub"},
		{"sub with a format character", func(r *LaunchRequest) { r.Subject = "u\u2060" }, "sub"},
		{"name with an override", func(r *LaunchRequest) { r.Name = "\u202dAda" }, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := ok
			tt.edit(&req)
			tok, err := mt.Mint(context.Background(), req)
			assert.Empty(t, tok)
			require.ErrorIs(t, err, ErrInvalidClaim)
			assert.Contains(t, err.Error(), tt.claim)
		})
	}
}

func TestCheckID(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		wantErr error
	}{
		{name: "plain", value: "learner-0001"},
		{name: "accents and spaces", value: "Zoë Ó 2"},
		{name: "256 bytes", value: strings.Repeat("é", 128)},
		{name: "dots inside", value: "a.b..c"},
		{name: "empty", value: "", wantErr: ErrMissingClaim},
		{name: "blank", value: " \u00a0", wantErr: ErrInvalidClaim},
		{name: "257 bytes", value: strings.Repeat("x", 257), wantErr: ErrInvalidClaim},
		{name: "invalid UTF-8", value: "a\xffb", wantErr: ErrInvalidClaim},
		{name: "NUL", value: "a\x00", wantErr: ErrInvalidClaim},
		{name: "line feed", value: "a\nb", wantErr: ErrInvalidClaim},
		{name: "right-to-left override", value: "a\u202eb", wantErr: ErrInvalidClaim},
		{name: "zero-width space", value: "a\u200bb", wantErr: ErrInvalidClaim},
		{name: "zero-width joiner", value: "a\u200db", wantErr: ErrInvalidClaim},
		{name: "soft hyphen", value: "a\u00adb", wantErr: ErrInvalidClaim},
		{name: "tag character", value: "a\U000E0041", wantErr: ErrInvalidClaim},
		{name: "dot", value: ".", wantErr: ErrInvalidClaim},
		{name: "two dots", value: "..", wantErr: ErrInvalidClaim},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckID("sub", tt.value)
			if tt.wantErr == nil {
				assert.NoError(t, err)
				return
			}

			require.ErrorIs(t, err, tt.wantErr)
			assert.Contains(t, err.Error(), "sub")
			if tt.value != "" {
				assert.NotContains(t, err.Error(), tt.value, "the value is never in the error")
			}
		})
	}
}

func TestVerifyRejectsCharactersOutsideBase64url(t *testing.T) {
	v := newTestVerifier(t, t0, testPartner(ES256))
	tok := mustMint(t, newTestMinter(t, ES256, t0))
	last := strings.LastIndexByte(tok, '.')
	tests := []struct {
		name  string
		token string
	}{
		{"trailing LF", tok + "\n"},
		{"CR LF inside the signature", tok[:last+5] + "\r\n" + tok[last+5:]},
		{"LF after a dot", strings.Replace(tok, ".", ".\n", 1)},
		{"leading space", " " + tok},
		{"tab", strings.Replace(tok, ".", "\t.", 1)},
		{"NUL", tok + "\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(context.Background(), tt.token)
			assert.ErrorIs(t, err, ErrMalformed)
		})
	}
}

func TestFractionalTTLStaysWithinTheLifetime(t *testing.T) {
	loadTestKeys()
	tests := []struct {
		name    string
		ttl     time.Duration
		offset  time.Duration
		wantTTL time.Duration
	}{
		{"on the second", 90500 * time.Millisecond, 0, 90 * time.Second},
		{"late in the second", 90500 * time.Millisecond, 900 * time.Millisecond, 90 * time.Second},
		{"whole seconds", time.Minute, 999 * time.Millisecond, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := t0.Add(tt.offset)
			mt, err := NewMinter(MinterConfig{Issuer: testIssuer, Audience: testAudience,
				Signer: ecKey, KeyID: "k1", TTL: tt.ttl, Now: fixedClock(now)})
			require.NoError(t, err)
			p := testPartner(ES256)
			p.MaxLifetime = tt.ttl
			l, err := newTestVerifier(t, now, p).Verify(context.Background(), mustMint(t, mt))
			require.NoError(t, err)
			assert.Equal(t, t0.Add(tt.wantTTL), l.ExpiresAt)
		})
	}
}

func TestSessionFractionalTTL(t *testing.T) {
	loadTestKeys()
	tests := []struct {
		name    string
		offset  time.Duration
		wantExp time.Time
	}{
		{"on the second", 0, t0.Add(time.Second)},
		{"late in the second", 900 * time.Millisecond, t0.Add(time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := NewSessionTokens(SessionTokenConfig{Issuer: "https://vap", Signer: ecKey,
				KeyID: "v1", TTL: 1500 * time.Millisecond, Now: fixedClock(t0.Add(tt.offset))})
			require.NoError(t, err)
			tok, exp, err := st.Issue("s1", "p1")
			require.NoError(t, err)
			assert.Equal(t, tt.wantExp, exp)
			_, err = st.Verify(tok)
			assert.NoError(t, err)
		})
	}
}

func TestSessionIssueRejectsControlCharacters(t *testing.T) {
	loadTestKeys()
	st, err := NewSessionTokens(SessionTokenConfig{Issuer: "https://vap", Signer: ecKey,
		KeyID: "v1", Now: fixedClock(t0)})
	require.NoError(t, err)
	tests := []struct {
		name, sid, pid string
	}{
		{"sid with LF", "s\n1", "p"},
		{"pid with NUL", "s", "p\x00"},
		{"sid blank", "  ", "p"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := st.Issue(tt.sid, tt.pid)
			assert.ErrorIs(t, err, ErrInvalidClaim)
		})
	}
}

func TestConfigErrorsReadOnce(t *testing.T) {
	loadTestKeys()
	tests := []struct {
		name    string
		build   func() error
		wantMsg string
	}{
		{"session tokens name no partner", func() error {
			_, err := NewSessionTokens(SessionTokenConfig{Issuer: "https://vap", Signer: ecKey,
				KeyID: "v1", Leeway: time.Hour})
			return err
		}, "launch: invalid configuration: session tokens: leeway out of range (at most 2 minutes)"},
		{"partner algorithm", func() error {
			_, err := NewVerifier(VerifierConfig{Partners: []Partner{{ID: "p", Issuer: "i",
				Audience: "a", Algorithms: []string{"none"}, Keys: []PublicKey{{Key: ecKey.Public()}}}}})
			return err
		}, `launch: invalid configuration: partner "p": algorithm "none" is not supported`},
		{"partner key", func() error {
			_, err := NewVerifier(VerifierConfig{Partners: []Partner{{ID: "p", Issuer: "i",
				Audience: "a", Algorithms: []string{RS256}, Keys: []PublicKey{{Key: ecKey.Public()}}}}})
			return err
		}, `launch: invalid configuration: partner "p": unsupported key: ` +
			`key 0 suits none of the allowed algorithms`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.build()
			require.ErrorIs(t, err, ErrConfig)
			assert.EqualError(t, err, tt.wantMsg)
		})
	}
}
