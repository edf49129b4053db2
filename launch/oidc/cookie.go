package oidc

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"
)

// CookiePrefix starts the name of every flow cookie; the rest is derived
// from the flow's state, so that each sign-in has its own cookie.
//
// NOTE: flow and binding cookies use the __Secure- prefix, not __Host-,
// because they are scoped to the callback path and __Host- requires
// Path=/. The prefix makes browsers accept such a cookie only with Secure
// from an https page, so nobody on a plain-http path can plant one. It
// does not stop another host of the same site (other.vap.example beside
// sso.vap.example, or any subdomain of the callback's registrable domain)
// from setting one with Domain=vap.example. Such a host cannot read,
// replace or end a learner's own flows: they are host-only and HttpOnly,
// and their names derive from states it never sees. But it can plant in
// a victim's browser the cookie of a flow it started in its own browser
// (its own binder, or its own sealed flow) and send the victim to that
// flow's callback URL: the state and cookie checks then pass, and the
// victim is signed in to the attacker's account, the login CSRF the
// binding exists to stop. Serve the callback on a registrable domain
// whose every host is trusted with https; where that cannot be promised,
// the cookies would need the __Host- prefix and Path=/.
const CookiePrefix = "__Secure-vap-oidc-"

// BinderCookiePrefix starts the name of every binding cookie: with a
// FlowStore, the login sets one per flow, named after the flow's state and
// holding a random binder that the callback requires, so that only the
// browser that started a sign-in can end it. Its attributes are those of
// the flow cookies of CookieFlows. See the note on CookiePrefix for what a
// host of the same site can do despite the __Secure- prefix.
const BinderCookiePrefix = "__Secure-vap-oidc-bind-"

// maxCookieBytes caps a flow cookie's value before it is decoded.
const maxCookieBytes = 2048

// CookieFlows keeps each flow in its own sealed cookie instead of a
// server-side store: AES-256-GCM under a host key, bound to the cookie's
// name. Cookies are Secure, HttpOnly, SameSite=None, Partitioned, scoped
// to the callback path and live as long as the flow. It is safe for
// concurrent use.
//
// NOTE: the callback deletes the cookie, but a copy taken from the browser
// stays readable until it expires; the provider's single-use codes and the
// session service's single-use launch (keyed by the nonce) still stop a
// replayed sign-in.
type CookieFlows struct {
	aead cipher.AEAD
}

// NewCookieFlows returns CookieFlows sealing with key, 32 random bytes
// kept by the host (every VAP process must share it).
func NewCookieFlows(key []byte) (*CookieFlows, error) {
	if len(key) != 32 {
		return nil, errorf(ErrConfig, "cookie key must be 32 bytes")
	}

	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, errorf(ErrConfig, "cookie key: %w", err)
	}

	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, errorf(ErrConfig, "cookie key: %w", err)
	}

	return &CookieFlows{aead: aead}, nil
}

// cookieName is the flow's own cookie name.
func cookieName(state string) string {
	return CookiePrefix + StateKey(state)[:32]
}

// binderCookieName is the name of the flow's binding cookie.
func binderCookieName(state string) string {
	return BinderCookiePrefix + StateKey(state)[:32]
}

// seal returns the cookie holding f.
func (c *CookieFlows) seal(f Flow, path string, now time.Time) (*http.Cookie, error) {
	plain, err := json.Marshal(f)
	if err != nil {
		return nil, errorf(ErrFlowStore, "encode flow: %w", err)
	}

	name := cookieName(f.State)
	nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plain)+c.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, errorf(ErrFlowStore, "cookie nonce: %w", err)
	}

	sealed := c.aead.Seal(nonce, nonce, plain, []byte(name))
	ck := flowCookie(name, path)
	ck.Value = base64.RawURLEncoding.EncodeToString(sealed)
	ck.MaxAge = int(f.ExpiresAt.Sub(now).Seconds())
	ck.Expires = f.ExpiresAt

	return ck, nil
}

// open reads and checks the flow of state from the request's cookies.
func (c *CookieFlows) open(r *http.Request, state string, now time.Time) (Flow, error) {
	name := cookieName(state)
	ck, err := r.Cookie(name)
	if err != nil || len(ck.Value) > maxCookieBytes {
		return Flow{}, ErrFlowNotFound
	}

	f, err := c.unseal(name, ck.Value)
	if err != nil {
		return Flow{}, err
	}

	same := subtle.ConstantTimeCompare([]byte(f.State), []byte(state)) == 1
	if !same || !now.Before(f.ExpiresAt) {
		return Flow{}, ErrFlowNotFound
	}

	return f, nil
}

// unseal decrypts a cookie value sealed under name.
func (c *CookieFlows) unseal(name, value string) (Flow, error) {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < c.aead.NonceSize() {
		return Flow{}, ErrFlowNotFound
	}

	n := c.aead.NonceSize()
	plain, err := c.aead.Open(nil, raw[:n], raw[n:], []byte(name))
	if err != nil {
		return Flow{}, ErrFlowNotFound
	}

	var f Flow
	if err := json.Unmarshal(plain, &f); err != nil {
		return Flow{}, ErrFlowNotFound
	}

	return f, nil
}

// expiredCookie returns the cookie that deletes the cookie name.
func expiredCookie(name, path string) *http.Cookie {
	ck := flowCookie(name, path)
	ck.MaxAge = -1
	ck.Expires = time.Unix(0, 0)

	return ck
}

func flowCookie(name, path string) *http.Cookie {
	return &http.Cookie{
		Name:        name,
		Path:        path,
		Secure:      true,
		HttpOnly:    true,
		SameSite:    http.SameSiteNoneMode,
		Partitioned: true,
	}
}
