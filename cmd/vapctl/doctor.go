package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/virtualaipatient/integration/launch"
)

type doctorFlags struct {
	jwksFile, jwksURL string
	issuer, audience  string
	algorithms        string
	leeway, lifetime  time.Duration
	timeout           time.Duration
	// api checks a partner API credential instead of a launch token.
	api bool
}

// kind returns what doctor checks, as the report names it.
func (f doctorFlags) kind() string {
	if f.api {
		return kindAPICredential
	}

	return kindLaunch
}

// Kinds of token doctor checks.
const (
	kindLaunch        = "launch_token"
	kindAPICredential = "api_credential"
)

// keySource is where the verifier takes the partner's keys from.
type keySource struct {
	keys []launch.PublicKey
	url  string
}

func runDoctor(s *session, args []string) error {
	fs := s.newFlagSet("Verify a launch token with package launch, as VAP does, WITHOUT\n" +
		"consuming it, and print every check with pass or fail, the measured clock\n" +
		"skew and how to fix each failure. The verdict always comes from\n" +
		"launch.Verifier. With --api, check a partner API credential instead (typ\n" +
		"vap-api+jwt, the bearer token of the reporting API) as VAP does\n" +
		"(launch.Verifier.VerifyAPICredential); --aud is then the API audience.\n" +
		"The token is read from the argument, taken exactly as given, or, when\n" +
		"absent or \"-\", from stdin, dropping one final newline; any other space or\n" +
		"newline fails the structure check, as at VAP. Exit status 0 when the\n" +
		"token is valid, 1 when it is not, 2 for a usage error.")
	fs.require("iss", "aud")
	fs.exactlyOne("jwks-file", "jwks-url")
	fs.args = "[TOKEN | -]"
	var f doctorFlags
	fs.StringVar(&f.jwksFile, "jwks-file", "", "JWKS `FILE` holding the partner's public keys")
	fs.StringVar(&f.jwksURL, "jwks-url", "", "partner's JWKS `URL` (https, or http on loopback)")
	fs.StringVar(&f.issuer, "iss", "", "expected `ISSUER`")
	fs.StringVar(&f.audience, "aud", "",
		"expected `AUDIENCE`: the launch audience, or with --api the API audience")
	fs.BoolVar(&f.api, "api", false,
		"check a partner API credential (typ vap-api+jwt) instead of a launch token")
	fs.StringVar(&f.algorithms, "alg", strings.Join(keyAlgorithms, ","),
		"accepted algorithms, a comma-separated `LIST`")
	fs.DurationVar(&f.leeway, "leeway", launch.DefaultLeeway,
		"clock leeway, a `DURATION` of at most 2m")
	fs.DurationVar(&f.lifetime, "max-lifetime", launch.MaxLifetime,
		"longest exp - iat accepted, a `DURATION` of at most 5m")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second,
		"time limit of the whole check, JWKS fetches included, a `DURATION`")
	fs.BoolVar(&s.json, "json", false, "machine-readable output")
	if err := fs.parse(s, args); err != nil {
		return err
	}

	if err := f.check(fs); err != nil {
		return err
	}

	token, err := s.readToken(fs.Args())
	if err != nil {
		return err
	}

	src, err := f.keySource()
	if err != nil {
		return err
	}

	// The token is read: from here on the run is bounded by --timeout.
	ctx, cancel := context.WithTimeout(context.Background(), f.timeout)
	defer cancel()

	rep, err := diagnose(ctx, s.env, f, src, token)
	if f.jwksURL != "" && errors.Is(err, launch.ErrConfig) {
		// With a JWKS URL the whole configuration comes from flags: the
		// verifier refused one of them, such as a plain http URL.
		return asUsage(err)
	}

	if err != nil {
		return err
	}

	return s.printDoctor(rep)
}

// check returns a usage error for flags missing, conflicting or out of
// the ranges launch.Verifier accepts.
func (f doctorFlags) check(fs *commandFlags) error {
	if err := fs.checkRequired(); err != nil {
		return err
	}

	switch {
	case f.timeout <= 0:
		return usagef("--timeout must be positive")
	case f.leeway <= 0 || f.leeway > launch.MaxLeeway:
		return usagef("--leeway must be positive and at most %v", launch.MaxLeeway)
	case f.lifetime <= 0 || f.lifetime > launch.MaxLifetime:
		return usagef("--max-lifetime must be positive and at most %v", launch.MaxLifetime)
	}

	if f.jwksURL != "" && !acceptableJWKSURL(f.jwksURL) {
		return usagef("--jwks-url must be an https URL, or http on a loopback host")
	}

	algs := f.algorithmList()
	if len(algs) == 0 {
		return usagef("--alg lists no algorithm")
	}

	for _, a := range algs {
		if !slices.Contains(keyAlgorithms, a) {
			return usagef("--alg may list only %s, not %q", strings.Join(keyAlgorithms, ", "), a)
		}
	}

	return nil
}

// acceptableJWKSURL reports whether launch.Verifier fetches keys from
// raw: an https URL, or http on localhost or a loopback address.
func acceptableJWKSURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}

	ip := net.ParseIP(u.Hostname())
	loopback := u.Hostname() == "localhost" || (ip != nil && ip.IsLoopback())

	return u.Scheme == "https" || (u.Scheme == "http" && loopback)
}

func (f doctorFlags) algorithmList() []string {
	var out []string
	for a := range strings.SplitSeq(f.algorithms, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}

	return out
}

func (f doctorFlags) keySource() (keySource, error) {
	if f.jwksURL != "" {
		return keySource{url: f.jwksURL}, nil
	}

	data, err := os.ReadFile(f.jwksFile)
	if err != nil {
		return keySource{}, fmt.Errorf("read JWKS file: %w", err)
	}

	keys, err := launch.ParseJWKS(data)
	if err != nil {
		return keySource{}, fmt.Errorf("JWKS file %s: %w", f.jwksFile, err)
	}

	return keySource{keys: keys}, nil
}

// verifierSetup is what a launch.Verifier of doctor is built from besides
// the flags: the partner's issuer, audience and algorithms, the clock, and
// the time left before the run's deadline.
type verifierSetup struct {
	issuer, audience string
	algs             []string
	now              time.Time
	budget           time.Duration
	log              *fetchLog
}

// newVerifier builds a launch.Verifier for one partner. The keys of a JWKS
// file that suit none of the accepted algorithms are left out.
func newVerifier(e env, f doctorFlags, src keySource, vs verifierSetup) (*launch.Verifier, error) {
	p := launch.Partner{
		ID: "doctor", Issuer: vs.issuer, Audience: vs.audience, Algorithms: vs.algs,
		JWKSURL: src.url, Leeway: f.leeway, MaxLifetime: f.lifetime,
	}
	if f.api {
		p.APIAudience = vs.audience
	}
	for _, k := range src.keys {
		if slices.ContainsFunc(signingAlgorithms(k), func(a string) bool {
			return slices.Contains(vs.algs, a)
		}) {
			p.Keys = append(p.Keys, k)
		}
	}

	if src.url == "" && len(p.Keys) == 0 {
		return nil, noKeyForAlgorithms(f, src, vs.algs)
	}

	return launch.NewVerifier(launch.VerifierConfig{
		Partners:    []launch.Partner{p},
		Now:         func() time.Time { return vs.now },
		HTTPClient:  e.httpClient,
		JWKSTimeout: vs.budget,
		Logger:      slog.New(vs.log),
	})
}

// noKeyForAlgorithms is the error for a JWKS file none of whose keys suits
// --alg: it names both, and says which --alg would accept the file.
func noKeyForAlgorithms(f doctorFlags, src keySource, algs []string) error {
	var held []string
	for _, k := range src.keys {
		for _, a := range signingAlgorithms(k) {
			if !slices.Contains(held, a) {
				held = append(held, a)
			}
		}
	}

	err := fmt.Errorf("%w: --alg %s accepts none of the keys in the JWKS file %s, "+
		"which are for %s", launch.ErrConfig, strings.Join(algs, ","), f.jwksFile,
		strings.Join(held, ", "))

	return withHint(err, fmt.Sprintf("pass --alg %s to check the token with these keys, or "+
		"--jwks-file with the JWKS of the key that signs %s", strings.Join(held, ","),
		strings.Join(algs, " or ")))
}

// verify runs VerifyUnconsumed, or VerifyAPICredential with --api, with a
// fresh verifier, until ctx's deadline; a configuration error comes back
// as setupErr, a refusal of the token as verdict. A key set that could not
// be fetched is refused with the cause of the failure in the message.
func verify(ctx context.Context, e env, f doctorFlags, src keySource, token, issuer,
	audience string, algs []string, now time.Time) (verdict, setupErr error) {
	budget := f.timeout
	if deadline, ok := ctx.Deadline(); ok {
		budget = time.Until(deadline)
	}

	log := &fetchLog{}
	v, err := newVerifier(e, f, src, verifierSetup{
		issuer: issuer, audience: audience, algs: algs, now: now, budget: budget, log: log,
	})
	if err != nil {
		return nil, err
	}
	defer v.Close()

	if f.api {
		_, verdict = v.VerifyAPICredential(ctx, token)
	} else {
		_, verdict = v.VerifyUnconsumed(ctx, token)
	}

	if launch.Code(verdict) == "key_set_unavailable" {
		cause := fetchCause(verdict, log.first(), f.timeout)
		switch {
		case cause == "":
		case errors.Is(verdict, context.DeadlineExceeded):
			// "gave up waiting for the key set: context deadline
			// exceeded" says what the cause says.
			verdict = fmt.Errorf("%w: %s", launch.ErrKeySetUnavailable, cause)
		default:
			verdict = fmt.Errorf("%w: %s", verdict, cause)
		}
	}

	return verdict, nil
}

// doctorReport is the result of doctor, in text or JSON.
type doctorReport struct {
	// Kind is what was checked: kindLaunch or kindAPICredential.
	Kind     string        `json:"kind"`
	Valid    bool          `json:"valid"`
	Consumed bool          `json:"consumed"`
	Error    *jsonError    `json:"error,omitempty"`
	Skew     *skewReport   `json:"clock_skew,omitempty"`
	Checks   []checkResult `json:"checks"`
}

// checkResult is one line of the breakdown.
type checkResult struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Source string `json:"source"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// skewReport is the measured clock skew: from the verifier's TimeError when
// a time check failed, otherwise iat minus this machine's clock.
type skewReport struct {
	Seconds       float64 `json:"seconds"`
	LeewaySeconds float64 `json:"leeway_seconds"`
	Source        string  `json:"source"`
	Detail        string  `json:"detail"`
}

// diagnose verifies token and explains the verdict, check by check, until
// ctx's deadline.
func diagnose(ctx context.Context, e env, f doctorFlags, src keySource,
	token string) (*doctorReport, error) {
	now := e.now()
	algs := f.algorithmList()
	verdict, err := verify(ctx, e, f, src, token, f.issuer, f.audience, algs, now)
	if err != nil {
		return nil, err
	}

	d, decodeErr := decodeUnverified(token)
	if decodeErr != nil {
		d = &decodedToken{Size: len(token), Whitespace: whitespaceIn(token)}
	}

	x := expectation{
		issuer: f.issuer, audience: f.audience, algorithms: algs,
		leeway: f.leeway, maxLifetime: f.lifetime, now: now, api: f.api, keys: src.keys,
	}
	rep := &doctorReport{
		Kind: f.kind(), Valid: verdict == nil, Skew: measureSkew(verdict, d, x),
	}
	if verdict != nil {
		rep.Error = &jsonError{
			Message: verdict.Error(), Code: launch.Code(verdict), Hint: launch.Hint(verdict),
		}
	}

	probe := func() error {
		return probeSignature(ctx, e, f, src, token, d, now)
	}
	rep.Checks = breakdown(verdict, d, x, probe)
	if rep.Error != nil {
		// The failing check may know a fix more precise than the verdict's.
		for _, c := range rep.Checks {
			if c.Status == statusFail && c.Source == sourceVerifier && c.Fix != "" {
				rep.Error.Hint = c.Fix

				break
			}
		}
	}

	return rep, nil
}

// probeSignature verifies token with the token's own issuer and audience,
// every asymmetric algorithm, and a clock set at its iat, so that only the
// structure, key and signature can fail. It returns nil when they pass and
// errProbeUnavailable when the token gives no issuer to probe with, and
// errProbeTimedOut when ctx's deadline has passed.
func probeSignature(ctx context.Context, e env, f doctorFlags, src keySource, token string,
	d *decodedToken, now time.Time) error {
	iss, _ := text(d.Claims, "iss")
	auds, _ := audiences(d.Claims)
	if iss == "" || len(auds) == 0 || auds[0] == "" {
		return errProbeUnavailable
	}

	at := now
	if iat, _, ok := dateClaim(d.Claims, "iat"); ok && !iat.IsZero() {
		at = iat
	}

	if ctx.Err() != nil {
		return errProbeTimedOut
	}

	algs := []string{launch.ES256, launch.EdDSA, launch.RS256, launch.PS256}
	probeFlags := f
	probeFlags.lifetime = launch.MaxLifetime
	verdict, err := verify(ctx, e, probeFlags, src, token, iss, auds[0], algs, at)
	if err != nil {
		return errProbeUnavailable
	}

	return verdict
}
