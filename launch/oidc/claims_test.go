package oidc

import (
	"encoding/json"
	"testing"

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
