package oidc

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/virtualaipatient/integration/launch"
)

// TokenIDPrefix starts the TokenID of every launch made by a sign-in.
const TokenIDPrefix = "oidc-"

// Callback ends a sign-in: the provider redirects the browser here with
// "code" and "state". It takes the flow of the state (once), exchanges the
// code with the PKCE verifier, verifies the ID token and its nonce, maps
// the claims and calls Complete. Any failure shows an error page.
func (h *Handler) Callback(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		h.fail(w, r, stepCallback, attempt{}, errorf(ErrBadRequest, "callback takes GET"))
		return
	}

	var a attempt
	l, err := h.verifyCallback(r.Context(), w, r, &a)
	if err != nil {
		h.fail(w, r, stepCallback, a, err)
		return
	}

	noStore(w)
	h.complete(w, r, l)
}

// verifyCallback runs every check of the callback, in order. It fills a
// with the partner and the verified subject as they become known.
func (h *Handler) verifyCallback(ctx context.Context, w http.ResponseWriter,
	r *http.Request, a *attempt) (*launch.Launch, error) {
	q := r.URL.Query()

	// The state and this browser's cookie select the flow, which is then
	// taken once whatever follows. Another browser finds no flow.
	state, err := oneParam(q, "state")
	if err != nil || state == "" {
		return nil, errorf(ErrStateMismatch, "state missing")
	}

	f, err := h.keeper.take(ctx, w, r, state, h.now())
	if errors.Is(err, ErrFlowNotFound) {
		return nil, errorf(ErrStateMismatch, "%w", err)
	}

	if err != nil {
		return nil, errorf(ErrFlowStore, "take flow: %w", err)
	}

	p := h.partners[f.PartnerID]
	if p == nil {
		return nil, ErrUnknownPartner
	}

	a.partnerID = p.cfg.PartnerID

	// The provider may have refused, or named itself (RFC 9207).
	if err := checkResponse(q, p.cfg.Issuer); err != nil {
		return nil, err
	}

	prov, err := p.provider(ctx, h)
	if err != nil {
		return nil, err
	}

	raw, err := h.exchange(ctx, p, prov, q.Get("code"), f.Verifier)
	if err != nil {
		return nil, err
	}

	idt, err := verifyIDToken(ctx, p.cfg, prov.verifier, raw, f.Nonce)
	if err != nil {
		return nil, err
	}

	a.subject = idt.Subject

	return mapLaunch(p.cfg, idt, f)
}

// checkResponse checks the callback's error and iss parameters.
func checkResponse(q url.Values, issuer string) error {
	if q.Has("error") {
		return errorf(ErrProviderError, "the provider returned an error")
	}

	if q.Has("iss") && q.Get("iss") != issuer {
		return errorf(ErrIssuerMismatch, "the callback's iss is another issuer")
	}

	if code := q["code"]; len(code) != 1 || !validCode(code[0]) {
		return errorf(ErrBadRequest, "code missing, repeated or malformed")
	}

	return nil
}

// maxCodeBytes caps the authorization code. Codes are opaque and some
// providers issue long ones, so the cap is far above the login parameters'.
const maxCodeBytes = 4096

// validCode reports whether code is a non-empty run of at most maxCodeBytes
// visible ASCII characters (RFC 6749, appendix A.11).
func validCode(code string) bool {
	if code == "" || len(code) > maxCodeBytes {
		return false
	}

	for i := range len(code) {
		if code[i] < 0x20 || code[i] > 0x7e {
			return false
		}
	}

	return true
}

// exchange redeems the code with the PKCE verifier and returns the raw ID
// token.
func (h *Handler) exchange(ctx context.Context, p *partner, prov *provider,
	code, verifier string) (string, error) {
	opts := []oauth2.AuthCodeOption{oauth2.VerifierOption(verifier)}
	if a := p.cfg.ClientAuth; a.Key != nil {
		jwt, err := clientAssertion(a, p.cfg.ClientID, p.cfg.Issuer, prov.tokenURL, h.now())
		if err != nil {
			return "", errorf(ErrTokenExchange, "client assertion: %w", err)
		}

		opts = append(opts, oauth2.SetAuthURLParam("client_assertion_type", assertionType),
			oauth2.SetAuthURLParam("client_assertion", jwt))
	}

	tok, err := prov.oauth.Exchange(context.WithValue(ctx, oauth2.HTTPClient, h.client),
		code, opts...)
	if err != nil {
		return "", exchangeError(err)
	}

	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", errorf(ErrIDTokenInvalid, "no id token in the token response")
	}

	return raw, nil
}

// verifyIDToken checks the ID token with go-oidc (signature, algorithm,
// issuer, audience, expiry) and then the nonce.
func verifyIDToken(ctx context.Context, cfg Config, v *gooidc.IDTokenVerifier, raw,
	nonce string) (*gooidc.IDToken, error) {
	// Name the failure first from the unverified claims; go-oidc's
	// errors are strings. Nothing is accepted on this basis.
	if err := precheck(raw, cfg); err != nil {
		return nil, err
	}

	idt, err := v.Verify(ctx, raw)
	if err != nil {
		return nil, errorf(ErrIDTokenInvalid, "verification failed")
	}

	if idt.Nonce == "" {
		return nil, errorf(ErrNonceMismatch, "nonce missing or empty")
	}

	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, errorf(ErrNonceMismatch, "nonce is not the flow's")
	}

	return idt, nil
}

// precheck reads the unverified issuer and audience to name a mismatch.
func precheck(raw string, cfg Config) error {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return errorf(ErrIDTokenInvalid, "malformed id token")
	}

	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return errorf(ErrIDTokenInvalid, "malformed id token")
	}

	var c struct {
		Issuer   string          `json:"iss"`
		Audience json.RawMessage `json:"aud"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return errorf(ErrIDTokenInvalid, "malformed id token")
	}

	if c.Issuer != cfg.Issuer {
		return errorf(ErrIssuerMismatch, "the id token is from another issuer")
	}

	var one string
	var many []string
	if json.Unmarshal(c.Audience, &one) == nil {
		many = []string{one}
	} else if json.Unmarshal(c.Audience, &many) != nil {
		return errorf(ErrIDTokenInvalid, "malformed audience")
	}

	if !slices.Contains(many, cfg.ClientID) {
		return errorf(ErrAudienceMismatch, "the id token is for another client")
	}

	return nil
}

// signInID is the launch's TokenID: a digest of the flow's nonce, unique
// per sign-in and bound into the ID token.
func signInID(nonce string) string {
	sum := sha256.Sum256([]byte(nonce))
	return TokenIDPrefix + base64.RawURLEncoding.EncodeToString(sum[:])
}
