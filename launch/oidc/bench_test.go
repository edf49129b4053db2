package oidc

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func BenchmarkCookieSealOpen(b *testing.B) {
	c := testCookieFlows(b)
	f := Flow{State: "state-of-the-benchmark", PartnerID: "p", Nonce: "n", Verifier: "v",
		Target:    Target{CohortID: "im-2026", CaseID: "acs-chest-pain"},
		ExpiresAt: testNow.Add(time.Minute)}
	for b.Loop() {
		ck, err := c.seal(f, "/sso/callback", testNow)
		if err != nil {
			b.Fatal(err)
		}

		r := httptest.NewRequest(http.MethodGet, "/sso/callback", nil)
		r.AddCookie(ck)
		if _, err := c.open(r, f.State, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClaimMapping(b *testing.B) {
	raw := []byte(`{"sub":"u","name":"N","groups":["vap-role:instructor","vap-cohort:c"]}`)
	m := Config{Mapping: Mapping{Role: FromGroup("vap-role:"),
		Cohort: FromGroup("vap-cohort:")}}.withDefaults().Mapping
	for b.Loop() {
		var c claimSet
		if err := json.Unmarshal(raw, &c); err != nil {
			b.Fatal(err)
		}

		if _, err := c.resolve(m.Cohort, "", m.GroupsClaim, "cohort", true); err != nil {
			b.Fatal(err)
		}
	}
}
