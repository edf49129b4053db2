package oidc_test

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/launch/oidc"
)

func ExampleNewHandler() {
	h, err := oidc.NewHandler(oidc.HandlerConfig{
		Partners: []oidc.Config{{
			PartnerID:  "partner-a",
			Issuer:     "https://login.partner.example",
			ClientID:   "vap",
			ClientAuth: oidc.ClientAuth{Secret: "from-your-secret-store"},
			Mapping: oidc.Mapping{
				Role:   oidc.FromGroup("vap-role:"),
				Cohort: oidc.FromClaim("cohort"),
				Case:   oidc.FromLogin(),
			},
		}},
		CallbackURL: "https://vap.example/sso/callback",
		// In production: reporting's (*Handler).CompleteLaunch.
		Complete: func(w http.ResponseWriter, _ *http.Request, l *launch.Launch) {},
	})
	fmt.Println(err)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /sso/login", h.Login)
	mux.HandleFunc("/sso/initiate", h.Initiate)
	mux.HandleFunc("GET /sso/callback", h.Callback)
	// Output: <nil>
}

func ExampleCode() {
	err := fmt.Errorf("sign-in: %w", &oidc.ClaimError{Kind: oidc.ErrClaimMissing, Claim: "cohort"})
	fmt.Println(oidc.Code(err), errors.Is(err, oidc.ErrClaimMissing))
	// Output: claim_missing true
}

func ExampleConfig_Validate() {
	c := oidc.Config{PartnerID: "p", Issuer: "https://idp.example", ClientID: "vap",
		ClientAuth: oidc.ClientAuth{Secret: "s"},
		Mapping:    oidc.Mapping{Cohort: oidc.Fixed("c"), Role: oidc.FromLogin()}}
	fmt.Println(c.Validate())
	// Output: oidc: invalid configuration: partner "p": the role may not come from the login request
}
