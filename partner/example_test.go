package partner_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/virtualaipatient/integration/launch"
	"github.com/virtualaipatient/integration/partner"
	"github.com/virtualaipatient/integration/reporting"
)

// tokenHeader returns the "alg" and "typ" of a compact token's header.
func tokenHeader(token string) (string, string) {
	seg, _, _ := strings.Cut(token, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(seg)
	var h struct{ Alg, Typ string }
	_ = json.Unmarshal(raw, &h)

	return h.Alg, h.Typ
}

func ExampleGenerateKey() {
	key, err := partner.GenerateKey()
	if err != nil {
		panic(err)
	}

	// Store the PEM as a secret; load it at start-up.
	pemBytes, err := partner.MarshalKeyPEM(key)
	if err != nil {
		panic(err)
	}

	loaded, err := partner.LoadKeyPEM(pemBytes)
	if err != nil {
		panic(err)
	}

	fmt.Println(key.(*ecdsa.PrivateKey).Equal(loaded))
	// Output: true
}

func ExampleKeyID() {
	key, _ := partner.GenerateKey()
	kid, err := partner.KeyID(key.Public())
	if err != nil {
		panic(err)
	}

	fmt.Println(len(kid))
	// Output: 43
}

func ExampleRing_Mint() {
	key, _ := partner.GenerateKey()
	ring, err := partner.NewRing(partner.RingConfig{
		Issuer:   "https://cme.acme.example",
		Audience: "https://vap.example/launch",
	}, key)
	if err != nil {
		panic(err)
	}

	l := partner.Launch{
		Learner:  partner.Learner{ID: "u-7f3a9c", Role: launch.RoleLearner},
		CohortID: "cardio-2026",
		CaseID:   "acs-chest-pain",
	}
	token, err := ring.Mint(context.Background(), l.LaunchRequest())
	if err != nil {
		panic(err)
	}

	fmt.Println(tokenHeader(token))
	// Output: ES256 vap-launch+jwt
}

func ExampleRing_Stage() {
	key, _ := partner.GenerateKey()
	ring, _ := partner.NewRing(partner.RingConfig{
		Issuer: "https://cme.acme.example", Audience: "https://vap.example/launch",
	}, key)
	old := ring.KeyID()

	// Publish the next key first, promote it once VAP has fetched it.
	next, _ := partner.GenerateKey()
	if err := ring.Stage(next); err != nil {
		panic(err)
	}

	fmt.Println(len(ring.PublicKeys()), ring.KeyID() == old)

	if err := ring.Promote(); err != nil {
		panic(err)
	}

	// The replaced key stays published for the overlap period.
	fmt.Println(len(ring.PublicKeys()), ring.KeyID() == old)
	// Output:
	// 2 true
	// 2 false
}

func ExampleRing_Rotate() {
	key, _ := partner.GenerateKey()
	ring, _ := partner.NewRing(partner.RingConfig{
		Issuer: "https://cme.acme.example", Audience: "https://vap.example/launch",
	}, key)

	next, _ := partner.GenerateKey()
	if err := ring.Rotate(next); err != nil {
		panic(err)
	}

	fmt.Println(len(ring.PublicKeys()))
	// Output: 2
}

func ExampleRing_JWKSHandler() {
	key, _ := partner.GenerateKey()
	ring, _ := partner.NewRing(partner.RingConfig{
		Issuer: "https://cme.acme.example", Audience: "https://vap.example/launch",
	}, key)

	// Serve it at the JWK Set URL registered with VAP.
	mux := http.NewServeMux()
	mux.Handle("GET /.well-known/vap-jwks.json", ring.JWKSHandler())

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/.well-known/vap-jwks.json", nil))
	keys, _ := launch.ParseJWKS(rec.Body.Bytes())
	fmt.Println(rec.Header().Get("Content-Type"), len(keys))
	// Output: application/jwk-set+json 1
}

func ExampleNewTokenSource() {
	key, _ := partner.GenerateKey()
	ring, _ := partner.NewRing(partner.RingConfig{
		Issuer: "https://cme.acme.example", Audience: "https://vap.example/launch",
	}, key)

	src, err := partner.NewTokenSource(ring, "https://vap.example/api")
	if err != nil {
		panic(err)
	}

	first, _ := src.Token()
	second, _ := src.Token()
	fmt.Println(first.Type(), first.AccessToken == second.AccessToken)
	fmt.Println(tokenHeader(first.AccessToken))
	// Output:
	// Bearer true
	// ES256 vap-api+jwt
}

func ExampleNewClient() {
	key, _ := partner.GenerateKey()
	ring, _ := partner.NewRing(partner.RingConfig{
		Issuer: "https://cme.acme.example", Audience: "https://vap.example/launch",
	}, key)

	client, err := partner.NewClient(partner.ClientConfig{
		BaseURL:     "https://vap.example" + reporting.DefaultBasePath,
		Ring:        ring,
		APIAudience: "https://vap.example/api",
	})

	fmt.Println(client != nil, err)
	// Output: true <nil>
}

func ExampleClient_Launch() {
	// A stand-in for VAP's launch endpoint; use VAP's real URL instead.
	vap := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"session_id":"4f0c2b1e-8d7a-4c5e-9b3f-2a1d0e9c8b7a",`+
			`"launch_url":"https://learn.vap.example/app#code=Zk9x"}`)
	}))
	defer vap.Close()

	key, _ := partner.GenerateKey()
	ring, _ := partner.NewRing(partner.RingConfig{
		Issuer: "https://cme.acme.example", Audience: "https://vap.example/launch",
	}, key)
	client, _ := partner.NewClient(partner.ClientConfig{
		BaseURL: vap.URL + reporting.DefaultBasePath, Ring: ring,
		APIAudience: "https://vap.example/api",
	})

	res, err := client.Launch(context.Background(), partner.Launch{
		Learner:  partner.Learner{ID: "u-7f3a9c", Name: "Sam"},
		CohortID: "cardio-2026",
		CaseID:   "acs-chest-pain",
	})
	if err != nil {
		panic(err)
	}

	// Open the URL in the learner's browser or web view.
	fmt.Println(strings.HasPrefix(res.LaunchURL, "https://learn.vap.example/app#code="))
	// Output: true
}

func ExampleClient_WriteLaunchForm() {
	key, _ := partner.GenerateKey()
	ring, _ := partner.NewRing(partner.RingConfig{
		Issuer: "https://cme.acme.example", Audience: "https://vap.example/launch",
	}, key)
	client, _ := partner.NewClient(partner.ClientConfig{
		BaseURL: "https://vap.example" + reporting.DefaultBasePath, Ring: ring,
		APIAudience: "https://vap.example/api",
	})

	// In a handler, w is the learner's response.
	w := httptest.NewRecorder()
	err := client.WriteLaunchForm(context.Background(), w, partner.Launch{
		Learner: partner.Learner{ID: "u-7f3a9c"}, CohortID: "cardio-2026", CaseID: "acs-chest-pain",
	})
	if err != nil {
		panic(err)
	}

	csp := w.Header().Get("Content-Security-Policy")
	fmt.Println(w.Code, strings.HasPrefix(csp, "default-src 'none'; script-src 'sha256-"))
	// Output: 200 true
}

func ExampleClient_LaunchFormHandler() {
	key, _ := partner.GenerateKey()
	ring, _ := partner.NewRing(partner.RingConfig{
		Issuer: "https://cme.acme.example", Audience: "https://vap.example/launch",
	}, key)
	client, _ := partner.NewClient(partner.ClientConfig{
		BaseURL: "https://vap.example" + reporting.DefaultBasePath, Ring: ring,
		APIAudience: "https://vap.example/api",
	})

	// resolve reads the partner's own login session.
	resolve := func(r *http.Request) (partner.Launch, error) {
		return partner.Launch{Learner: partner.Learner{ID: "u-7f3a9c"}, CohortID: "cardio-2026",
			CaseID: "acs-chest-pain"}, nil
	}
	mux := http.NewServeMux()
	mux.Handle("POST /open-vap", client.LaunchFormHandler(resolve))

	// The Launch button of a form on the partner's own page.
	req := httptest.NewRequest("POST", "/open-vap", nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, strings.Contains(rec.Body.String(), `name="launch_token"`))
	// Output: 200 true
}

func ExampleClient_Cases() {
	// A stand-in for VAP's catalog endpoint; use VAP's real URL instead.
	vap := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"cohort_id":null,"assignments":[],"case_sets":[],"cases":[`+
			`{"case_id":"acs-chest-pain","latest_version":"1.0"},`+
			`{"case_id":"sepsis-early","latest_version":"1.0"}]}`)
	}))
	defer vap.Close()

	key, _ := partner.GenerateKey()
	ring, _ := partner.NewRing(partner.RingConfig{
		Issuer: "https://cme.acme.example", Audience: "https://vap.example/launch",
	}, key)
	client, _ := partner.NewClient(partner.ClientConfig{
		BaseURL: vap.URL + reporting.DefaultBasePath, Ring: ring,
		APIAudience: "https://vap.example/api",
	})

	catalog, err := client.Cases(context.Background(), "")
	if err != nil {
		panic(err)
	}

	for _, c := range catalog.Cases {
		fmt.Println(c.CaseID, c.LatestVersion)
	}
	// Output:
	// acs-chest-pain 1.0
	// sepsis-early 1.0
}

func ExampleClient_PutAssignment() {
	// A stand-in for VAP that stores the assignment; use VAP's real URL.
	vap := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in reporting.AssignmentInput
		_ = json.NewDecoder(r.Body).Decode(&in)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"assignment_id":"week-3","cohort_id":"cardio-2026",`+
			`"case_set_id":%q,"mode":%q,"cases":[{"case_id":"acs-chest-pain"},`+
			`{"case_id":"sepsis-early"}]}`, in.CaseSetID, in.Mode)
	}))
	defer vap.Close()

	key, _ := partner.GenerateKey()
	ring, _ := partner.NewRing(partner.RingConfig{
		Issuer: "https://cme.acme.example", Audience: "https://vap.example/launch",
	}, key)
	client, _ := partner.NewClient(partner.ClientConfig{
		BaseURL: vap.URL + reporting.DefaultBasePath, Ring: ring,
		APIAudience: "https://vap.example/api",
	})

	a, err := client.PutAssignment(context.Background(), "cardio-2026", "week-3",
		reporting.AssignmentInput{CaseSetID: "core-emergencies", Mode: "assessment", MaxAttempts: 2})
	if err != nil {
		panic(err)
	}

	fmt.Println(a.AssignmentID, a.Mode, len(a.Cases))
	// Output: week-3 assessment 2
}

func ExampleClient_Assignment() {
	// A stand-in for VAP's assignment endpoint; use VAP's real URL instead.
	vap := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"assignment_id":"week-3","cohort_id":"cardio-2026",`+
			`"case_id":"sepsis-early","attempt_policy":"best"}`)
	}))
	defer vap.Close()

	key, _ := partner.GenerateKey()
	ring, _ := partner.NewRing(partner.RingConfig{
		Issuer: "https://cme.acme.example", Audience: "https://vap.example/launch",
	}, key)
	client, _ := partner.NewClient(partner.ClientConfig{
		BaseURL: vap.URL + reporting.DefaultBasePath, Ring: ring,
		APIAudience: "https://vap.example/api",
	})

	a, err := client.Assignment(context.Background(), "cardio-2026", "week-3")
	if err != nil {
		panic(err)
	}

	fmt.Println(*a.CaseID, a.AttemptPolicy)
	// Output: sepsis-early best
}

func ExampleClient_DeleteAssignment() {
	// A stand-in for VAP: the first delete succeeds, the next finds nothing.
	deleted := false
	vap := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !deleted {
			deleted = true
			w.WriteHeader(http.StatusNoContent)

			return
		}

		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"title":"Not Found","status":404,"code":"not_found"}`)
	}))
	defer vap.Close()

	key, _ := partner.GenerateKey()
	ring, _ := partner.NewRing(partner.RingConfig{
		Issuer: "https://cme.acme.example", Audience: "https://vap.example/launch",
	}, key)
	client, _ := partner.NewClient(partner.ClientConfig{
		BaseURL: vap.URL + reporting.DefaultBasePath, Ring: ring,
		APIAudience: "https://vap.example/api",
	})

	ctx := context.Background()
	fmt.Println(client.DeleteAssignment(ctx, "cardio-2026", "week-3"))

	err := client.DeleteAssignment(ctx, "cardio-2026", "week-3")
	var apiErr *partner.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Status, apiErr.Code, errors.Is(err, partner.ErrNotFound))
	}
	// Output:
	// <nil>
	// 404 not_found true
}

func ExampleClient_Summary() {
	// A stand-in for VAP's summary endpoint; use VAP's real URL instead.
	vap := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"session_id":"4f0c2b1e-8d7a-4c5e-9b3f-2a1d0e9c8b7a",`+
			`"status":"completed","outcome":"passed","score":{"percent":76.75}}`)
	}))
	defer vap.Close()

	key, _ := partner.GenerateKey()
	ring, _ := partner.NewRing(partner.RingConfig{
		Issuer: "https://cme.acme.example", Audience: "https://vap.example/launch",
	}, key)
	client, _ := partner.NewClient(partner.ClientConfig{
		BaseURL: vap.URL + reporting.DefaultBasePath, Ring: ring,
		APIAudience: "https://vap.example/api",
	})

	sum, err := client.Summary(context.Background(), "4f0c2b1e-8d7a-4c5e-9b3f-2a1d0e9c8b7a")
	if err != nil {
		panic(err)
	}

	fmt.Println(sum.Status, sum.Outcome, sum.Score.Percent)
	// Output: completed passed 76.75
}

func ExampleClient_Sessions() {
	// A stand-in for VAP's session listing, two sessions per page; use
	// VAP's real URL instead.
	vap := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("cursor") == "" {
			fmt.Fprint(w, `{"sessions":[{"partner_user_id":"u-1","status":"created"},`+
				`{"partner_user_id":"u-2","status":"created"}],"next_cursor":"c2","has_more":true}`)

			return
		}

		fmt.Fprint(w, `{"sessions":[{"partner_user_id":"u-3","status":"created"}],`+
			`"next_cursor":"c3","has_more":false}`)
	}))
	defer vap.Close()

	key, _ := partner.GenerateKey()
	ring, _ := partner.NewRing(partner.RingConfig{
		Issuer: "https://cme.acme.example", Audience: "https://vap.example/launch",
	}, key)
	client, _ := partner.NewClient(partner.ClientConfig{
		BaseURL: vap.URL + reporting.DefaultBasePath, Ring: ring,
		APIAudience: "https://vap.example/api",
	})

	// Every session changed since the start, two per page.
	q := partner.SessionQuery{CohortID: "cardio-2026", PageSize: 2}
	for sum, err := range client.Sessions(context.Background(), q) {
		if err != nil {
			panic(err)
		}

		fmt.Println(sum.PartnerUserID, sum.Status)
	}
	// Output:
	// u-1 created
	// u-2 created
	// u-3 created
}

func ExampleClient_SessionPages() {
	// A stand-in for VAP's session listing; use VAP's real URL instead.
	vap := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Query().Get("cursor") {
		case "":
			fmt.Fprint(w, `{"sessions":[{"partner_user_id":"u-1"},{"partner_user_id":"u-2"}],`+
				`"next_cursor":"c2","has_more":true}`)
		case "c2":
			fmt.Fprint(w, `{"sessions":[{"partner_user_id":"u-3"}],`+
				`"next_cursor":"c3","has_more":false}`)
		default:
			fmt.Fprint(w, `{"sessions":[],"next_cursor":"c3","has_more":false}`)
		}
	}))
	defer vap.Close()

	key, _ := partner.GenerateKey()
	ring, _ := partner.NewRing(partner.RingConfig{
		Issuer: "https://cme.acme.example", Audience: "https://vap.example/launch",
	}, key)
	client, _ := partner.NewClient(partner.ClientConfig{
		BaseURL: vap.URL + reporting.DefaultBasePath, Ring: ring,
		APIAudience: "https://vap.example/api",
	})

	ctx := context.Background()
	var cursor string
	for page, err := range client.SessionPages(ctx, partner.SessionQuery{PageSize: 2}) {
		if err != nil {
			panic(err)
		}

		fmt.Println(len(page.Sessions), page.HasMore)
		cursor = page.NextCursor
	}

	// Keep the cursor; poll from it later for what changed since.
	page, _ := client.SessionPage(ctx, partner.SessionQuery{Cursor: cursor})
	fmt.Println(len(page.Sessions))
	// Output:
	// 2 true
	// 1 false
	// 0
}

func ExampleClient_Analytics() {
	// A stand-in for VAP's analytics endpoint; use VAP's real URL instead.
	vap := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"scope":{"cohort_id":"cardio-2026","case_id":%q}}`,
			r.URL.Query().Get("case_id"))
	}))
	defer vap.Close()

	key, _ := partner.GenerateKey()
	ring, _ := partner.NewRing(partner.RingConfig{
		Issuer: "https://cme.acme.example", Audience: "https://vap.example/launch",
	}, key)
	client, _ := partner.NewClient(partner.ClientConfig{
		BaseURL: vap.URL + reporting.DefaultBasePath, Ring: ring,
		APIAudience: "https://vap.example/api",
	})

	q := partner.AnalyticsQuery{CaseID: "acs-chest-pain"}
	rep, err := client.Analytics(context.Background(), "cardio-2026", q)
	if err != nil {
		panic(err)
	}

	fmt.Println(rep.Scope.CohortID, *rep.Scope.CaseID)
	// Output: cardio-2026 acs-chest-pain
}

func ExampleRing_MintAPICredential() {
	key, _ := partner.GenerateKey()
	ring, _ := partner.NewRing(partner.RingConfig{
		Issuer: "https://cme.acme.example", Audience: "https://vap.example/launch",
	}, key)

	// Usually NewTokenSource calls this and caches the credential.
	token, _, err := ring.MintAPICredential(context.Background(), "https://vap.example/api")
	if err != nil {
		panic(err)
	}

	fmt.Println(tokenHeader(token))
	// Output: ES256 vap-api+jwt
}

func ExampleRing_AddPrevious() {
	key, _ := partner.GenerateKey()
	ring, _ := partner.NewRing(partner.RingConfig{
		Issuer: "https://cme.acme.example", Audience: "https://vap.example/launch",
	}, key)

	// After a restart, keep publishing the key replaced an hour ago until
	// its overlap ends.
	old, _ := partner.GenerateKey()
	kid, _ := partner.KeyID(old.Public())
	pub, _ := launch.PublicKeyOf(old, kid, launch.ES256)
	if err := ring.AddPrevious(pub, time.Now().Add(time.Hour)); err != nil {
		panic(err)
	}

	fmt.Println(len(ring.PublicKeys()))
	// Output: 2
}
