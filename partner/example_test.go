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

// exampleT makes the test environment usable from examples: a failure
// panics, and cleanups run when done is called.
type exampleT struct{ cleanups []func() }

func (t *exampleT) Errorf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (t *exampleT) FailNow()                          { panic("example failed") }
func (t *exampleT) Helper()                           {}
func (t *exampleT) Cleanup(f func())                  { t.cleanups = append(t.cleanups, f) }

func (t *exampleT) done() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// demo starts a VAP backend with a published case and a cohort, and a
// partner client for it.
func demo() (*env, func()) {
	t := &exampleT{}

	return newEnv(t), t.done
}

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
	e, done := demo()
	defer done()

	res, err := e.client.Launch(context.Background(), partner.Launch{
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
	e, done := demo()
	defer done()

	rec := httptest.NewRecorder()
	err := e.client.WriteLaunchForm(context.Background(), rec, partner.Launch{
		Learner: partner.Learner{ID: "u-7f3a9c"}, CohortID: "cardio-2026", CaseID: "acs-chest-pain",
	})
	if err != nil {
		panic(err)
	}

	csp := rec.Header().Get("Content-Security-Policy")
	fmt.Println(rec.Code, strings.HasPrefix(csp, "default-src 'none'; script-src 'sha256-"))
	// Output: 200 true
}

func ExampleClient_LaunchFormHandler() {
	e, done := demo()
	defer done()

	// resolve reads the partner's own login session.
	resolve := func(r *http.Request) (partner.Launch, error) {
		return partner.Launch{Learner: partner.Learner{ID: "u-7f3a9c"}, CohortID: "cardio-2026",
			CaseID: "acs-chest-pain"}, nil
	}
	h := e.client.LaunchFormHandler(resolve)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/open-vap", nil))
	fmt.Println(rec.Code, strings.Contains(rec.Body.String(), `name="launch_token"`))
	// Output: 200 true
}

func ExampleClient_Cases() {
	e, done := demo()
	defer done()

	catalog, err := e.client.Cases(context.Background(), "")
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
	e, done := demo()
	defer done()

	ctx := context.Background()
	a, err := e.client.PutAssignment(ctx, "cardio-2026", "week-3", reporting.AssignmentInput{
		CaseSetID: "core-emergencies", Mode: "assessment", MaxAttempts: 2,
	})
	if err != nil {
		panic(err)
	}

	fmt.Println(a.AssignmentID, a.Mode, len(a.Cases))
	// Output: week-3 assessment 2
}

func ExampleClient_Assignment() {
	e, done := demo()
	defer done()

	ctx := context.Background()
	_, _ = e.client.PutAssignment(ctx, "cardio-2026", "week-3",
		reporting.AssignmentInput{CaseID: "sepsis-early"})

	a, err := e.client.Assignment(ctx, "cardio-2026", "week-3")
	if err != nil {
		panic(err)
	}

	fmt.Println(*a.CaseID, a.AttemptPolicy)
	// Output: sepsis-early best
}

func ExampleClient_DeleteAssignment() {
	e, done := demo()
	defer done()

	ctx := context.Background()
	_, _ = e.client.PutAssignment(ctx, "cardio-2026", "week-3",
		reporting.AssignmentInput{CaseID: "sepsis-early"})

	fmt.Println(e.client.DeleteAssignment(ctx, "cardio-2026", "week-3"))

	err := e.client.DeleteAssignment(ctx, "cardio-2026", "week-3")
	var apiErr *partner.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Status, apiErr.Code, errors.Is(err, partner.ErrNotFound))
	}
	// Output:
	// <nil>
	// 404 not_found true
}

func ExampleClient_Summary() {
	e, done := demo()
	defer done()

	ctx := context.Background()
	_, _ = e.client.PutAssignment(ctx, "cardio-2026", "week-1",
		reporting.AssignmentInput{CaseID: "acs-chest-pain", Mode: "assessment"})
	res, _ := e.client.Launch(ctx, learner("u-7f3a9c"))
	e.complete(res.SessionID)

	sum, err := e.client.Summary(ctx, res.SessionID)
	if err != nil {
		panic(err)
	}

	fmt.Println(sum.Status, sum.Outcome, sum.Score.Percent)
	// Output: completed passed 76.75
}

func ExampleClient_Sessions() {
	e, done := demo()
	defer done()

	ctx := context.Background()
	for _, id := range []string{"u-1", "u-2", "u-3"} {
		_, _ = e.client.Launch(ctx, learner(id))
	}
	e.settle()

	// Every session changed since the start, two per page.
	q := partner.SessionQuery{CohortID: "cardio-2026", PageSize: 2}
	for sum, err := range e.client.Sessions(ctx, q) {
		if err != nil {
			panic(err)
		}

		fmt.Println(sum.PartnerUserID, sum.Status)
	}
	// Unordered output:
	// u-1 created
	// u-2 created
	// u-3 created
}

func ExampleClient_SessionPages() {
	e, done := demo()
	defer done()

	ctx := context.Background()
	for _, id := range []string{"u-1", "u-2", "u-3"} {
		_, _ = e.client.Launch(ctx, learner(id))
	}
	e.settle()

	var cursor string
	for page, err := range e.client.SessionPages(ctx, partner.SessionQuery{PageSize: 2}) {
		if err != nil {
			panic(err)
		}

		fmt.Println(len(page.Sessions), page.HasMore)
		cursor = page.NextCursor
	}

	// Keep the cursor; poll from it later for what changed since.
	page, _ := e.client.SessionPage(ctx, partner.SessionQuery{Cursor: cursor})
	fmt.Println(len(page.Sessions))
	// Output:
	// 2 true
	// 1 false
	// 0
}

func ExampleClient_Analytics() {
	e, done := demo()
	defer done()

	ctx := context.Background()
	q := partner.AnalyticsQuery{CaseID: "acs-chest-pain"}
	rep, err := e.client.Analytics(ctx, "cardio-2026", q)
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
