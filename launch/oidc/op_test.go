package oidc_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
	"github.com/zitadel/oidc/v3/example/server/storage"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// This file runs a real OpenID Provider in process: zitadel/oidc's op
// package on its example storage, wrapped only where a test must rotate
// keys or make the provider sign an altered ID token.

const (
	secretClient = "vap-secret"
	jwtClient    = "vap-jwt"
	otherClient  = "another-app"
	clientSecret = "a-client-secret-of-the-test"
	clientKeyID  = "vap-client-key-1"
	userName     = "test-user2"
	userPassword = "verysecure"
)

var (
	keysOnce  sync.Once
	rsaKeys   []*rsa.PrivateKey
	clientKey *ecdsa.PrivateKey
)

// testKeys generates the provider's signing keys and our client key once.
func testKeys(t testing.TB) ([]*rsa.PrivateKey, *ecdsa.PrivateKey) {
	keysOnce.Do(func() {
		for range 2 {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}

			rsaKeys = append(rsaKeys, k)
		}

		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}

		clientKey = k
	})

	return rsaKeys, clientKey
}

// tamper alters what the provider signs, to test the relying party's
// checks; the zero value alters nothing.
type tamper struct {
	nonce    *string
	audience []string
	claims   map[string]any
}

// opStorage is the example storage with rotating signing keys, our client
// key for private_key_jwt, and optional tampering.
type opStorage struct {
	*storage.Storage

	mu     sync.Mutex
	key    int
	tamper tamper
}

type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.key }
func (k signingKey) ID() string                                  { return k.id }
func (k signingKey) Algorithm() jose.SignatureAlgorithm          { return jose.RS256 }
func (k signingKey) Use() string                                 { return "sig" }

type publicKey struct{ signingKey }

func (k publicKey) Key() any { return &k.key.PublicKey }

func (s *opStorage) current() signingKey {
	s.mu.Lock()
	defer s.mu.Unlock()

	return signingKey{id: "op-key-" + string(rune('a'+s.key)), key: rsaKeys[s.key]}
}

// rotate switches to the next signing key and stops publishing the old one.
func (s *opStorage) rotate() {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.key = (s.key + 1) % len(rsaKeys)
}

func (s *opStorage) setTamper(t tamper) {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.tamper = t
}

func (s *opStorage) getTamper() tamper {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.tamper
}

func (s *opStorage) SigningKey(context.Context) (op.SigningKey, error) {
	return s.current(), nil
}

func (s *opStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *opStorage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{s.current()}}, nil
}

// testClient puts profile claims in the ID token and, for the jwt
// client, demands private_key_jwt.
type testClient struct{ op.Client }

func (c testClient) IDTokenUserinfoClaimsAssertion() bool { return true }

func (c testClient) AuthMethod() zoidc.AuthMethod {
	if c.GetID() == jwtClient {
		return zoidc.AuthMethodPrivateKeyJWT
	}

	return c.Client.AuthMethod()
}

func (s *opStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}

	return testClient{c}, nil
}

func (s *opStorage) GetKeyByIDAndClientID(ctx context.Context, keyID,
	clientID string) (*jose.JSONWebKey, error) {
	if clientID == jwtClient && keyID == clientKeyID {
		return &jose.JSONWebKey{Key: &clientKey.PublicKey, KeyID: keyID,
			Algorithm: string(jose.ES256), Use: "sig"}, nil
	}

	return s.Storage.GetKeyByIDAndClientID(ctx, keyID, clientID)
}

// tamperedRequest overrides the nonce or audience the provider signs.
type tamperedRequest struct {
	op.AuthRequest
	t tamper
}

func (r tamperedRequest) GetNonce() string {
	if r.t.nonce != nil {
		return *r.t.nonce
	}

	return r.AuthRequest.GetNonce()
}

func (r tamperedRequest) GetAudience() []string {
	if r.t.audience != nil {
		return r.t.audience
	}

	return r.AuthRequest.GetAudience()
}

func (s *opStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	req, err := s.Storage.AuthRequestByCode(ctx, code)
	if err != nil {
		return nil, err
	}

	return tamperedRequest{AuthRequest: req, t: s.getTamper()}, nil
}

func (s *opStorage) SetUserinfoFromRequest(ctx context.Context, info *zoidc.UserInfo,
	req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, info, req, scopes); err != nil {
		return err
	}

	for k, v := range s.getTamper().claims {
		info.AppendClaims(k, v)
	}

	return nil
}

// testOP is a running provider.
type testOP struct {
	srv     *httptest.Server
	issuer  string
	storage *opStorage
	// rewrite, when set, alters the discovery document's bytes.
	rewrite atomic.Pointer[func([]byte) []byte]
	// tokenHook, when set, reads or alters each token response.
	tokenHook atomic.Pointer[func(map[string]any)]
	// requestHook, when set, sees each request first; it may read the
	// body if it puts it back.
	requestHook atomic.Pointer[func(*http.Request)]
}

// newOP starts a provider whose clients redirect to callbackURL.
func newOP(t *testing.T, callbackURL string) *testOP {
	t.Helper()
	testKeys(t)
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	clients := map[string]*storage.Client{
		secretClient: storage.WebClient(secretClient, clientSecret, callbackURL),
		jwtClient:    storage.WebClient(jwtClient, "", callbackURL),
		otherClient:  storage.WebClient(otherClient, clientSecret, callbackURL),
	}
	st := &opStorage{Storage: storage.NewStorageWithClients(storage.NewUserStore(issuer), clients)}

	key := sha256.Sum256([]byte("op crypto key of the test"))
	cfg := &op.Config{CryptoKey: key, CodeMethodS256: true, AuthMethodPost: true,
		AuthMethodPrivateKeyJWT: true}
	prov, err := op.NewProvider(cfg, st, op.StaticIssuer(issuer), op.WithAllowInsecure(),
		op.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	require.NoError(t, err)

	o := &testOP{srv: srv, issuer: issuer, storage: st}
	mux := http.NewServeMux()
	login := op.NewIssuerInterceptor(prov.IssuerFromRequest).HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) { o.login(w, r, prov) })
	mux.Handle("/login/username", login)
	mux.Handle("/", prov)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.serve(w, r, mux)
	})
	srv.Start()
	t.Cleanup(srv.Close)

	return o
}

// login is the provider's login page: GET shows a form, POST checks the
// password and sends the browser back to the authorization endpoint.
func (o *testOP) login(w http.ResponseWriter, r *http.Request, prov *op.Provider) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}

	if r.Method == http.MethodGet {
		_, _ = io.WriteString(w, "<form method=post>sign in</form>")
		return
	}

	id := r.PostForm.Get("id")
	err := o.storage.CheckUsernamePassword(r.PostForm.Get("username"),
		r.PostForm.Get("password"), id)
	if err != nil {
		http.Error(w, "wrong password", http.StatusUnauthorized)
		return
	}

	http.Redirect(w, r, op.AuthCallbackURL(prov)(r.Context(), id), http.StatusFound)
}

// replaceIssuer returns a discovery rewrite that names another issuer.
func replaceIssuer(from, to string) func([]byte) []byte {
	return func(b []byte) []byte {
		return []byte(strings.Replace(string(b), `"issuer":"`+from+`"`, `"issuer":"`+to+`"`, 1))
	}
}

// serve passes requests to the provider, through the discovery rewrite
// and the token hook when they are set.
func (o *testOP) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	if see := o.requestHook.Load(); see != nil {
		(*see)(r)
	}

	rewrite, hook := o.rewrite.Load(), o.tokenHook.Load()
	discovery := r.URL.Path == "/.well-known/openid-configuration"
	token := r.URL.Path == "/oauth/token"
	if !(discovery && rewrite != nil) && !(token && hook != nil) {
		next.ServeHTTP(w, r)
		return
	}

	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	if discovery {
		body = (*rewrite)(body)
	} else if rec.Code == http.StatusOK {
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			(*hook)(m)
			body, _ = json.Marshal(m)
		}
	}

	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}
