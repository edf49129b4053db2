package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/virtualaipatient/integration/launch"
)

// Check statuses and sources.
const (
	statusPass = "pass"
	statusFail = "fail"
	statusSkip = "skip"

	// sourceVerifier: the line follows from launch.Verifier's run.
	sourceVerifier = "verifier"
	// sourceProbe: a second launch.Verifier, given the token's own issuer,
	// audience and time, checked the key and signature.
	sourceProbe = "probe"
	// sourceDecoded: read from the unverified token after the verifier had
	// stopped; an explanation, not a verdict.
	sourceDecoded = "decoded"
)

// expectation is what doctor checks the token against.
type expectation struct {
	issuer      string
	audience    string
	algorithms  []string
	leeway      time.Duration
	maxLifetime time.Duration
	now         time.Time
	// api is set when the token is checked as a partner API credential.
	api bool
	// keys are the keys of the JWKS file; nil with a JWKS URL.
	keys []launch.PublicKey
}

// typ returns the "typ" header the token must carry.
func (x expectation) typ() string {
	if x.api {
		return launch.TypeAPICredential
	}

	return launch.TypeLaunch
}

// checkSpec describes one line of the breakdown, in the order in which
// launch.Verifier runs its checks.
type checkSpec struct {
	id string
	// codes are the launch error codes this check accounts for.
	codes []string
	// claim is the claim whose absence the check reports (for
	// claim_missing).
	claim string
	// kind is the sentinel whose hint says how to fix a failure.
	kind error
	// eval explains the check from the decoded token; nil for the checks
	// only a verifier can make (key, signature).
	eval func(d *decodedToken, x expectation) (bool, string)
	// fix, when set and not empty, says how to fix a failure better than
	// the hint of kind or of the verifier's error.
	fix func(d *decodedToken, x expectation) string
	// launchOnly marks the checks of launch claims, which API credentials
	// do not carry.
	launchOnly bool
}

var checkSpecs = []checkSpec{
	{id: "size", codes: []string{"token_too_large"}, kind: launch.ErrTokenTooLarge, eval: evalSize},
	{id: "structure", codes: []string{"token_malformed", "member_duplicated"},
		kind: launch.ErrMalformed, eval: evalStructure, fix: fixStructure},
	{id: "header.alg", codes: []string{"algorithm_not_allowed"},
		kind: launch.ErrAlgorithmNotAllowed, eval: evalAlgKnown},
	{id: "header.typ", codes: []string{"token_type_invalid"}, kind: launch.ErrType, eval: evalTyp,
		fix: fixTyp},
	{id: "header.params", codes: []string{"header_forbidden"},
		kind: launch.ErrForbiddenHeader, eval: evalParams},
	{id: "header.kid", kind: launch.ErrKeyNotFound, eval: evalKid},
	{id: "claim.types", codes: []string{"claim_invalid"}, kind: launch.ErrInvalidClaim, eval: evalTypes},
	{id: "issuer", codes: []string{"issuer_invalid", "claim_missing"}, claim: "iss",
		kind: launch.ErrIssuer, eval: evalIssuer},
	{id: "alg.allowed", codes: []string{"algorithm_not_allowed"},
		kind: launch.ErrAlgorithmNotAllowed, eval: evalAlgAllowed},
	{id: "key", codes: []string{"key_not_found", "key_set_unavailable", "key_unsupported"},
		kind: launch.ErrKeyNotFound, fix: fixKey},
	{id: "signature", codes: []string{"signature_invalid"}, kind: launch.ErrBadSignature},
	{id: "audience", codes: []string{"audience_invalid"}, kind: launch.ErrAudience, eval: evalAudience},
	{id: "exp", codes: []string{"token_expired", "claim_missing"}, claim: "exp",
		kind: launch.ErrExpired, eval: evalExp},
	{id: "nbf", codes: []string{"token_not_yet_valid"}, kind: launch.ErrNotYetValid, eval: evalNbf},
	{id: "iat", codes: []string{"token_issued_in_future", "claim_missing"}, claim: "iat",
		kind: launch.ErrIssuedInFuture, eval: evalIat},
	{id: "lifetime", codes: []string{"token_lifetime_exceeded", "claim_invalid"},
		kind: launch.ErrLifetimeExceeded, eval: evalLifetime, fix: fixLifetime},
	{id: "jti", codes: []string{"claim_missing", "claim_invalid"}, claim: "jti",
		kind: launch.ErrMissingClaim, eval: evalJti},
	{id: "claim.sub", codes: []string{"claim_missing", "claim_invalid"}, claim: "sub",
		kind: launch.ErrMissingClaim, eval: evalSub, fix: fixSub, launchOnly: true},
	{id: "claim.cohort", codes: []string{"claim_missing", "claim_invalid"}, claim: "cohort_id",
		kind: launch.ErrMissingClaim, eval: evalCohort, fix: fixCohort, launchOnly: true},
	{id: "claim.name", codes: []string{"claim_invalid"}, kind: launch.ErrInvalidClaim,
		eval: evalName, launchOnly: true},
	{id: "claim.role", codes: []string{"claim_missing", "claim_invalid"}, claim: "role",
		kind: launch.ErrInvalidClaim, eval: evalRole, launchOnly: true},
	{id: "claim.case", codes: []string{"claim_invalid"}, kind: launch.ErrInvalidClaim,
		eval: evalCase, launchOnly: true},
}

// apiCheckSpecs are the checks of an API credential: those of a launch
// token without the launch claims, in the same order.
var apiCheckSpecs = slices.DeleteFunc(slices.Clone(checkSpecs), func(c checkSpec) bool {
	return c.launchOnly
})

// specs returns the checks made for what x expects.
func (x expectation) specs() []checkSpec {
	if x.api {
		return apiCheckSpecs
	}

	return checkSpecs
}

// Limits of package launch that are not exported; they only shape the
// explanations, never the verdict.
const (
	maxClaimLength = 256
	maxTokenIDLen  = 128
)

func evalSize(d *decodedToken, _ expectation) (bool, string) {
	return d.Size <= launch.DefaultMaxTokenBytes,
		fmt.Sprintf("%d bytes, limit %d", d.Size, launch.DefaultMaxTokenBytes)
}

func evalStructure(d *decodedToken, _ expectation) (bool, string) {
	if d.Whitespace != "" {
		return false, fmt.Sprintf("spaces or newlines in the token (%s)", d.Whitespace)
	}

	if d.Header == nil {
		return false, "not a compact JWS with JSON header and claims"
	}

	return true, "three base64url segments, JSON header and claims"
}

func evalAlgKnown(d *decodedToken, _ expectation) (bool, string) {
	alg, _ := text(d.Header, "alg")
	switch alg {
	case launch.ES256, launch.EdDSA, launch.RS256, launch.PS256, launch.HS256:
		return true, fmt.Sprintf("alg %s is supported", alg)
	case "":
		return false, "alg header missing or not a string"
	default:
		return false, fmt.Sprintf("alg %q is not supported", truncate(alg))
	}
}

func evalAlgAllowed(d *decodedToken, x expectation) (bool, string) {
	alg, _ := text(d.Header, "alg")
	list := strings.Join(x.algorithms, ", ")
	if slices.Contains(x.algorithms, alg) {
		return true, fmt.Sprintf("alg %s is in the accepted list (%s)", alg, list)
	}

	return false, fmt.Sprintf("alg %q is not in the accepted list (%s)", truncate(alg), list)
}

func fixStructure(d *decodedToken, _ expectation) string {
	if d.Whitespace != "" {
		return whitespaceFix
	}

	return ""
}

func evalTyp(d *decodedToken, x expectation) (bool, string) {
	typ, _ := text(d.Header, "typ")
	if typ == x.typ() {
		return true, "typ " + typ
	}

	return false, fmt.Sprintf("typ %q, want %q", truncate(typ), x.typ())
}

// fixTyp says when the token is the other kind doctor checks.
func fixTyp(d *decodedToken, x expectation) string {
	typ, _ := text(d.Header, "typ")
	switch {
	case typ == launch.TypeAPICredential && !x.api:
		return "this is an API credential: check it with --api and the API audience as --aud"
	case typ == launch.TypeLaunch && x.api:
		return "this is a launch token: check it without --api, with the launch audience as --aud"
	default:
		return ""
	}
}

func evalParams(d *decodedToken, _ expectation) (bool, string) {
	var found []string
	for _, p := range []string{"crit", "jwk", "jku", "x5u", "x5c"} {
		if _, ok := d.Header[p]; ok {
			found = append(found, p)
		}
	}
	if len(found) > 0 {
		return false, "forbidden header parameters: " + strings.Join(found, ", ")
	}

	return true, "no crit, jwk, jku, x5u or x5c"
}

func evalKid(d *decodedToken, _ expectation) (bool, string) {
	v, present := d.Header["kid"]
	kid, isText := v.(string)
	switch {
	case !present:
		return true, "kid absent: accepted only when the key set holds a single key"
	case !isText:
		return false, "kid is not a string"
	default:
		return true, fmt.Sprintf("kid %q", truncate(kid))
	}
}

// claimTypes are the JSON types package launch requires of each claim.
var claimTypes = map[string]string{
	"iss": "string", "sub": "string", "jti": "string", "name": "string", "role": "string",
	"cohort_id": "string", "case_id": "string", "case_set_id": "string", "sid": "string",
	"pid": "string", "exp": "date", "nbf": "date", "iat": "date", "aud": "audience",
}

func evalTypes(d *decodedToken, _ expectation) (bool, string) {
	var wrong []string
	for name, kind := range claimTypes {
		if _, present := d.Claims[name]; present && !hasType(d.Claims, name, kind) {
			wrong = append(wrong, name)
		}
	}
	if len(wrong) > 0 {
		slices.Sort(wrong)

		return false, "claims of the wrong JSON type: " + strings.Join(wrong, ", ")
	}

	return true, "every known claim has its JSON type"
}

func hasType(claims map[string]any, name, kind string) bool {
	switch kind {
	case "date":
		_, _, ok := dateClaim(claims, name)

		return ok
	case "audience":
		_, ok := audiences(claims)

		return ok
	default:
		_, ok := text(claims, name)

		return ok
	}
}

func evalIssuer(d *decodedToken, x expectation) (bool, string) {
	iss, _ := text(d.Claims, "iss")
	switch iss {
	case "":
		return false, "iss missing"
	case x.issuer:
		return true, fmt.Sprintf("iss %q as expected", iss)
	default:
		return false, fmt.Sprintf("iss %q, want %q", truncate(iss), x.issuer)
	}
}

func evalAudience(d *decodedToken, x expectation) (bool, string) {
	auds, _ := audiences(d.Claims)
	if slices.Contains(auds, x.audience) {
		return true, fmt.Sprintf("aud contains %q", x.audience)
	}

	quoted := make([]string, len(auds))
	for i, a := range auds {
		quoted[i] = fmt.Sprintf("%q", truncate(a))
	}

	return false, fmt.Sprintf("aud [%s] does not contain %q", strings.Join(quoted, " "), x.audience)
}

func evalExp(d *decodedToken, x expectation) (bool, string) {
	exp, present, _ := dateClaim(d.Claims, "exp")
	if !present {
		return false, "exp missing"
	}

	late := x.now.Sub(exp)
	if late > x.leeway {
		return false, fmt.Sprintf("expired %v ago, beyond the leeway of %v", roundSec(late), x.leeway)
	}

	return true, fmt.Sprintf("expires %s (leeway %v)", relative(exp, x.now), x.leeway)
}

func evalNbf(d *decodedToken, x expectation) (bool, string) {
	nbf, present, _ := dateClaim(d.Claims, "nbf")
	if !present {
		return true, "nbf absent"
	}

	early := nbf.Sub(x.now)
	if early > x.leeway {
		return false, fmt.Sprintf("valid only in %v, beyond the leeway of %v", roundSec(early), x.leeway)
	}

	return true, fmt.Sprintf("valid since %s", relative(nbf, x.now))
}

func evalIat(d *decodedToken, x expectation) (bool, string) {
	iat, present, _ := dateClaim(d.Claims, "iat")
	if !present {
		return false, "iat missing"
	}

	ahead := iat.Sub(x.now)
	if ahead > x.leeway {
		return false, fmt.Sprintf("issued %v in the future, beyond the leeway of %v",
			roundSec(ahead), x.leeway)
	}

	return true, fmt.Sprintf("issued %s", relative(iat, x.now))
}

func evalLifetime(d *decodedToken, x expectation) (bool, string) {
	exp, expSet, _ := dateClaim(d.Claims, "exp")
	iat, iatSet, _ := dateClaim(d.Claims, "iat")
	if !expSet || !iatSet {
		return false, "needs both exp and iat"
	}

	life := exp.Sub(iat)
	switch {
	case life <= 0:
		return false, "exp is not after iat"
	case life > x.maxLifetime:
		return false, fmt.Sprintf("exp - iat = %v, above the maximum of %v", life, x.maxLifetime)
	default:
		return true, fmt.Sprintf("exp - iat = %v, at most %v", life, x.maxLifetime)
	}
}

// fixKey says, when the key of a JWKS file that the token's kid names is
// published for another algorithm, which vapctl command fixes either side;
// "" otherwise, and with a JWKS URL, where launch's hint says the same
// without the commands.
func fixKey(d *decodedToken, x expectation) string {
	alg, _ := text(d.Header, "alg")
	kid, hasKid := text(d.Header, "kid")
	if !slices.Contains(keyAlgorithms, alg) {
		return ""
	}

	for _, k := range x.keys {
		named := k.KeyID == kid || (!hasKid && len(x.keys) == 1)
		if named && k.Algorithm != "" && k.Algorithm != alg {
			return fmt.Sprintf("the token is signed %s but the key with this kid is published "+
				"for %s; sign with %s (vapctl mint --alg %s) or publish the key for %s "+
				"(vapctl jwks --alg %s)", alg, k.Algorithm, k.Algorithm, k.Algorithm, alg, alg)
		}
	}

	return ""
}

// fixLifetime says how to fix an exp that is not after iat, which no
// lifetime limit explains.
func fixLifetime(d *decodedToken, x expectation) string {
	exp, expSet, _ := dateClaim(d.Claims, "exp")
	iat, iatSet, _ := dateClaim(d.Claims, "iat")
	if !expSet || !iatSet || exp.After(iat) {
		return ""
	}

	return fmt.Sprintf("exp must be after iat: set iat to the time of minting and exp to iat "+
		"plus the lifetime (at most %v)", x.maxLifetime)
}

func evalJti(d *decodedToken, x expectation) (bool, string) {
	jti, _ := text(d.Claims, "jti")
	switch {
	case jti == "" && x.api:
		return false, "jti missing"
	case jti == "":
		return false, "jti missing: the verifier needs it for single use"
	case len(jti) > maxTokenIDLen:
		return false, fmt.Sprintf("jti longer than %d bytes", maxTokenIDLen)
	case textProblem("jti", jti) != "":
		return false, textProblem("jti", jti)
	case strings.TrimFunc(jti, unicode.IsSpace) == "":
		return false, "jti is only white space"
	case x.api:
		return true, "jti present (an API credential may serve several calls until exp)"
	default:
		return true, "jti present (single-use id; not consumed by doctor)"
	}
}

// textProblem says what package launch refuses in the value of a text
// claim, or returns "": more than 256 bytes, invalid UTF-8, a control
// character. The value is never part of it.
func textProblem(name, value string) string {
	switch {
	case len(value) > maxClaimLength:
		return fmt.Sprintf("%s longer than %d bytes", name, maxClaimLength)
	case !utf8.ValidString(value):
		return name + " is not valid UTF-8"
	case strings.ContainsFunc(value, unicode.IsControl):
		return name + " holds a control character"
	default:
		return ""
	}
}

// claimProblem returns the message of a launch claim error without its
// prefixes, such as "sub is shaped like an e-mail address".
func claimProblem(err error) string {
	msg := message(err)
	for _, prefix := range []string{"invalid claim: ", "missing claim: "} {
		msg = strings.TrimPrefix(msg, prefix)
	}

	return msg
}

// evalSub checks sub with launch.CheckSubject, as the verifier does. The
// value, a partner's user id, is never shown.
func evalSub(d *decodedToken, _ expectation) (bool, string) {
	sub, _ := text(d.Claims, "sub")
	if sub == "" {
		return false, "sub missing"
	}

	if err := launch.CheckSubject(sub); err != nil {
		return false, claimProblem(err)
	}

	return true, fmt.Sprintf("sub present (%s, value not shown)", byteCount(len(sub)))
}

// fixSub is launch's hint for a sub it refuses, such as an e-mail address.
func fixSub(d *decodedToken, _ expectation) string {
	sub, _ := text(d.Claims, "sub")
	if sub == "" {
		return ""
	}

	return launch.Hint(launch.CheckSubject(sub))
}

// evalCohort checks cohort_id as the verifier does: launch.CheckID, and
// every character printable.
func evalCohort(d *decodedToken, _ expectation) (bool, string) {
	cohort, _ := text(d.Claims, "cohort_id")
	if cohort == "" {
		return false, "cohort_id missing"
	}

	if err := launch.CheckID("cohort_id", cohort); err != nil {
		return false, claimProblem(err)
	}

	if strings.ContainsFunc(cohort, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return false, "cohort_id holds a character that is not printable"
	}

	return true, fmt.Sprintf("cohort_id %q", cohort)
}

// fixCohort says to fix the value of a cohort_id that is present.
func fixCohort(d *decodedToken, x expectation) string {
	if cohort, _ := text(d.Claims, "cohort_id"); cohort == "" {
		return ""
	}

	if ok, _ := evalCohort(d, x); ok {
		return ""
	}

	return launch.Hint(launch.ErrInvalidClaim)
}

// evalName checks the optional display name as the verifier does. The
// value, a person's name, is never shown.
func evalName(d *decodedToken, _ expectation) (bool, string) {
	name, _ := text(d.Claims, "name")
	switch {
	case textProblem("name", name) != "":
		return false, textProblem("name", name)
	case strings.ContainsFunc(name, isBidiControl):
		return false, "name holds a bidirectional control character"
	case name == "":
		return true, "name absent (optional)"
	default:
		return true, fmt.Sprintf("name present (%s, value not shown)", byteCount(len(name)))
	}
}

// isBidiControl reports whether r overrides or isolates the text direction
// (U+202A to U+202E, U+2066 to U+2069), which package launch refuses in a
// name.
func isBidiControl(r rune) bool {
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

func evalRole(d *decodedToken, _ expectation) (bool, string) {
	role, _ := text(d.Claims, "role")
	if role == "" {
		return false, "role missing"
	}

	if !launch.Role(role).Valid() {
		return false, fmt.Sprintf("role %q, want learner or instructor", truncate(role))
	}

	return true, "role " + role
}

// slugPattern is the form package launch requires of case and case set ids.
var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,63}$`)

func evalCase(d *decodedToken, _ expectation) (bool, string) {
	caseID, _ := text(d.Claims, "case_id")
	setID, _ := text(d.Claims, "case_set_id")
	switch {
	case caseID != "" && setID != "":
		return false, "case_id and case_set_id are exclusive"
	case caseID != "" && !slugPattern.MatchString(caseID):
		return false, "case_id is not a slug (" + slugPattern.String() + ")"
	case setID != "" && !slugPattern.MatchString(setID):
		return false, "case_set_id is not a slug (" + slugPattern.String() + ")"
	case caseID != "":
		return true, fmt.Sprintf("case_id %q", caseID)
	case setID != "":
		return true, fmt.Sprintf("case_set_id %q", setID)
	default:
		return true, "no case_id or case_set_id: VAP opens the cohort's single open " +
			"assignment, and answers 422 when the cohort has none or several open"
	}
}

// truncate bounds an attacker-controlled value before it is displayed.
func truncate(s string) string {
	const limit = 64
	if len(s) <= limit {
		return s
	}

	return s[:limit] + "..."
}

// roundSec cuts d to whole seconds as launch's time errors do, so that
// every line of a report gives one age for one token.
func roundSec(d time.Duration) time.Duration { return d.Truncate(time.Second) }

// byteCount writes n bytes in words: "1 byte", "12 bytes".
func byteCount(n int) string {
	if n == 1 {
		return "1 byte"
	}

	return fmt.Sprintf("%d bytes", n)
}
