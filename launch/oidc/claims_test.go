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
		{name: "non-ascii", sub: "josé-用户"},
		{name: "dots inside", sub: "a..b"},
		{name: "three dots", sub: "..."},
		{name: "dot", sub: ".", wantErr: ErrClaimInvalid},
		{name: "dot dot", sub: "..", wantErr: ErrClaimInvalid},
		{name: "c1 control", sub: "a\u0085b", wantErr: ErrClaimInvalid},
		{name: "zero-width space", sub: "a\u200bb", wantErr: ErrClaimInvalid},
		{name: "bidi override", sub: "\u202eab", wantErr: ErrClaimInvalid},
		{name: "soft hyphen", sub: "a\u00adb", wantErr: ErrClaimInvalid},
		{name: "byte order mark", sub: "\ufeffab", wantErr: ErrClaimInvalid},
		{name: "e-mail address", sub: "ada@hospital.example", wantErr: ErrClaimInvalid},
		{name: "at sign without a domain", sub: "user@local"},
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
		{name: "c1 control", raw: `"Ada\u0085Lovelace"`},
		{name: "bidi override", raw: `"Ada \u202eecalevoL"`},
		{name: "bidi embedding", raw: `"\u202aAda"`},
		{name: "bidi isolate", raw: `"Ada \u2066x\u2069"`},
		{name: "first strong isolate", raw: `"\u2068Ada"`},
		{name: "zero-width joiner kept", raw: `"Ada \u200d"`, want: "Ada \u200d"},
		{name: "non-ascii kept", raw: `"Zoë Ñúñez 李"`, want: "Zoë Ñúñez 李"},
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

// TestResolveIDs checks that cohort, case and case set ids follow the
// identifier rule of launch tokens, whichever source they come from.
func TestResolveIDs(t *testing.T) {
	tests := []struct {
		name  string
		value string
		ok    bool
	}{
		{name: "plain", value: "im-2026", ok: true},
		{name: "non-ascii", value: "cohorte-é", ok: true},
		{name: "at the cap", value: strings.Repeat("c", MaxSubjectBytes), ok: true},
		{name: "over the cap", value: strings.Repeat("c", MaxSubjectBytes+1)},
		{name: "dot", value: "."},
		{name: "dot dot", value: ".."},
		{name: "control character", value: "a\tb"},
		{name: "c1 control", value: "a\u0085b"},
		{name: "zero-width space", value: "a\u200bb"},
		{name: "bidi override", value: "\u202eab"},
		{name: "invalid utf-8", value: "a\xffb"},
		{name: "replacement character", value: "a\ufffdb"},
		{name: "blank", value: "  "},
	}
	for _, tt := range tests {
		raw, err := json.Marshal(tt.value)
		require.NoError(t, err)

		groups, err := json.Marshal([]string{"vap-cohort:" + tt.value})
		require.NoError(t, err)

		claims := claimSet{"cohort": raw, "groups": groups}
		sources := []struct {
			name string
			src  Source
		}{
			{"claim", FromClaim("cohort")},
			{"group", FromGroup("vap-cohort:")},
			{"login", FromLogin()},
			{"default", Source{Claim: "absent", Default: tt.value}},
		}
		for _, s := range sources {
			t.Run(tt.name+"/"+s.name, func(t *testing.T) {
				got, err := claims.resolve(s.src, tt.value, "groups", "cohort", true)
				if tt.ok {
					require.NoError(t, err)
					assert.Equal(t, tt.value, got)
					return
				}

				assert.ErrorIs(t, err, ErrClaimInvalid)
				var ce *ClaimError
				require.ErrorAs(t, err, &ce)
				assert.NotContains(t, ce.Error(), tt.value)
			})
		}

		t.Run(tt.name+"/fixed", func(t *testing.T) {
			c := validConfig()
			c.Mapping.Case = Fixed(tt.value)
			if tt.ok {
				assert.NoError(t, c.Validate())
			} else {
				assert.ErrorIs(t, c.Validate(), ErrConfig)
			}
		})
	}
}
