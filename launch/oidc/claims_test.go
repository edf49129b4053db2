package oidc

import (
	"encoding/json"
	"strings"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var jsonUnmarshal = json.Unmarshal

func TestResolve(t *testing.T) {
	claims := claimSet{
		"cohort":         json.RawMessage(`"im-2026"`),
		"number":         json.RawMessage(`42`),
		"groups":         json.RawMessage(`["vap-role:instructor","vap-cohort:a","vap-cohort:b"]`),
		"email_verified": json.RawMessage(`"true"`),
	}
	tests := []struct {
		name    string
		src     Source
		login   string
		want    string
		wantErr error
	}{
		{name: "claim", src: FromClaim("cohort"), want: "im-2026"},
		{name: "fixed", src: Fixed("c"), want: "c"},
		{name: "login", src: FromLogin(), login: "from-url", want: "from-url"},
		{name: "group", src: FromGroup("vap-role:"), want: "instructor"},
		{name: "absent claim", src: FromClaim("nope"), wantErr: ErrClaimMissing},
		{name: "absent with default", src: Source{Claim: "nope", Default: "d"}, want: "d"},
		{name: "number claim", src: FromClaim("number"), wantErr: ErrClaimInvalid},
		{name: "ambiguous groups", src: FromGroup("vap-cohort:"), wantErr: ErrClaimInvalid},
		{name: "empty login", src: FromLogin(), wantErr: ErrClaimMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := claims.resolve(tt.src, tt.login, "groups", "cohort", true)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}

			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}

	assert.ErrorIs(t, claims.emailVerified(), ErrClaimInvalid, "a string is not a boolean")
}

func TestCheckSubject(t *testing.T) {
	tests := []struct {
		name    string
		sub     string
		wantErr error
	}{
		{name: "plain", sub: "248289761001"},
		{name: "at the cap", sub: strings.Repeat("s", MaxSubjectBytes)},
		{name: "over the cap", sub: strings.Repeat("s", MaxSubjectBytes+1),
			wantErr: ErrClaimInvalid},
		{name: "empty", sub: "", wantErr: ErrClaimMissing},
		{name: "blank", sub: "  ", wantErr: ErrClaimInvalid},
		{name: "control character", sub: "a\x00b", wantErr: ErrClaimInvalid},
		{name: "invalid utf-8", sub: "a\xffb", wantErr: ErrClaimInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkSubject(tt.sub)
			if tt.wantErr == nil {
				assert.NoError(t, err)
				return
			}

			assert.ErrorIs(t, err, tt.wantErr)
			var ce *ClaimError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "sub", ce.Claim)
		})
	}
}

func TestLaunchName(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want string
	}{
		{name: "a name", raw: `"Ada Lovelace"`, want: "Ada Lovelace"},
		{name: "absent", raw: ``},
		{name: "an e-mail address", raw: `"ada@example.org"`},
		{name: "a name with an address", raw: `"Ada <ada@math.example.ac.uk>"`},
		{name: "an at sign alone", raw: `"Ada @ home"`, want: "Ada @ home"},
		{name: "too long", raw: `"` + strings.Repeat("a", 257) + `"`},
		{name: "control character", raw: `"Ada\nLovelace"`},
	}
	cfg := Config{PartnerID: "p", Issuer: "https://idp.example",
		Mapping: Mapping{Cohort: Fixed("c")}}.withDefaults()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := claimSet{}
			if tt.raw != "" {
				c["name"] = json.RawMessage(tt.raw)
			}

			l, err := c.launch(cfg, Flow{Nonce: "n"}, &gooidc.IDToken{Subject: "u"})
			require.NoError(t, err)
			assert.Equal(t, tt.want, l.Name)
		})
	}
}
