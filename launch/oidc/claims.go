package oidc

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	gooidc "github.com/coreos/go-oidc/v3/oidc"

	"github.com/virtualaipatient/integration/launch"
)

// MaxSubjectBytes caps the ID token's "sub", as launch tokens cap theirs:
// a longer subject fails with a *ClaimError of ErrClaimInvalid. Mapped
// cohort, case and case set ids have the same cap.
const MaxSubjectBytes = 256

// maxNameBytes caps the display name; a longer one is dropped.
const maxNameBytes = 256

// emailShape finds something shaped like an e-mail address.
var emailShape = regexp.MustCompile(`[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>()]+`)

// claimSet is the ID token's claims, each kept raw so that types are
// checked exactly.
type claimSet map[string]json.RawMessage

// mapLaunch builds the launch from the verified ID token and the flow.
func mapLaunch(cfg Config, idt *gooidc.IDToken, f Flow) (*launch.Launch, error) {
	var claims claimSet
	if err := idt.Claims(&claims); err != nil {
		return nil, errorf(ErrIDTokenInvalid, "claims are not a json object")
	}

	if err := checkSubject(idt.Subject); err != nil {
		return nil, err
	}

	if cfg.RequireVerifiedEmail {
		if err := claims.emailVerified(); err != nil {
			return nil, err
		}
	}

	return claims.launch(cfg, f, idt)
}

func (c claimSet) launch(cfg Config, f Flow, idt *gooidc.IDToken) (*launch.Launch, error) {
	m := cfg.Mapping
	l := &launch.Launch{
		PartnerID: cfg.PartnerID,
		Issuer:    cfg.Issuer,
		TokenID:   signInID(f.Nonce),
		ExpiresAt: idt.Expiry.UTC(),
		Subject:   idt.Subject,
	}

	name, err := c.optionalString(m.NameClaim)
	if err != nil {
		return nil, err
	}

	l.Name = displayName(name)
	fields := []struct {
		src      Source
		login    string
		dst      *string
		label    string
		required bool
	}{
		{m.Cohort, f.Target.CohortID, &l.CohortID, "cohort", true},
		{m.Case, f.Target.CaseID, &l.CaseID, "case", false},
		{m.CaseSet, f.Target.CaseSetID, &l.CaseSetID, "case set", false},
	}
	for _, fd := range fields {
		v, err := c.resolve(fd.src, fd.login, m.GroupsClaim, fd.label, fd.required)
		if err != nil {
			return nil, err
		}

		*fd.dst = v
	}

	role, err := c.resolve(m.Role, "", m.GroupsClaim, "role", true)
	if err != nil {
		return nil, err
	}

	if !validRole(role) {
		return nil, &ClaimError{Kind: ErrClaimInvalid, Claim: sourceName(m.Role, "role")}
	}

	l.Role = launch.Role(role)

	return l, nil
}

// checkSubject accepts as "sub" what launch.CheckSubject accepts as a
// launch token's "sub": an identifier, never an e-mail address, which the
// learner record must not hold. Errors name the claim, never its value.
func checkSubject(sub string) error {
	switch {
	case sub == "":
		return &ClaimError{Kind: ErrClaimMissing, Claim: "sub"}
	case launch.CheckSubject(sub) != nil:
		return &ClaimError{Kind: ErrClaimInvalid, Claim: "sub"}
	}

	return nil
}

// validTargetID accepts a cohort, case or case set id: what launch.CheckID
// accepts (at most MaxSubjectBytes bytes of valid UTF-8, not blank, no
// control or format (Cf) character such as a bidi override or a zero-width
// space, not "." or ".."), and without U+FFFD, which decoding the ID
// token's JSON puts in place of bytes that were not UTF-8.
func validTargetID(v string) bool {
	return launch.CheckID("id", v) == nil && !strings.ContainsRune(v, utf8.RuneError)
}

// displayName keeps a name only if it looks like one: a value too long,
// with control characters or bidi controls (which reorder the text shown
// around it) or holding something shaped like an e-mail address is dropped
// rather than stored as the learner's name. Other format characters, such
// as the zero-width joiner of emoji and some scripts, are kept.
func displayName(name string) string {
	if len(name) > maxNameBytes || !utf8.ValidString(name) ||
		strings.IndexFunc(name, controlOrBidi) >= 0 || emailShape.MatchString(name) {
		return ""
	}

	return name
}

// controlOrBidi reports control characters and the bidi embedding,
// override and isolate controls (U+202A-U+202E, U+2066-U+2069).
func controlOrBidi(r rune) bool {
	return unicode.IsControl(r) || ('\u202A' <= r && r <= '\u202E') ||
		('\u2066' <= r && r <= '\u2069')
}

// resolve returns the value of one source.
func (c claimSet) resolve(s Source, login, groups, label string, required bool) (string, error) {
	var v string
	var err error
	switch {
	case !s.set():
		return "", nil
	case s.Value != "":
		return s.Value, nil
	case s.Login:
		v = login
	case s.Claim != "":
		v, err = c.optionalString(s.Claim)
	default:
		v, err = c.group(groups, s.GroupPrefix)
	}

	if err != nil {
		return "", err
	}

	if v == "" {
		v = s.Default
	}

	if v == "" && required {
		return "", &ClaimError{Kind: ErrClaimMissing, Claim: sourceName(s, label)}
	}

	if v != "" && !validTargetID(v) {
		return "", &ClaimError{Kind: ErrClaimInvalid, Claim: sourceName(s, label)}
	}

	return v, nil
}

// sourceName names a source in errors: its claim, groups or the login
// parameter, never its value.
func sourceName(s Source, label string) string {
	switch {
	case s.Claim != "":
		return s.Claim
	case s.GroupPrefix != "":
		return "groups"
	case s.Login:
		return "login:" + label
	}

	return label
}

// optionalString returns a string claim, "" when absent or null.
func (c claimSet) optionalString(name string) (string, error) {
	raw, ok := c[name]
	if !ok || bytes.Equal(raw, []byte("null")) {
		return "", nil
	}

	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", &ClaimError{Kind: ErrClaimInvalid, Claim: name}
	}

	return v, nil
}

// group returns the rest of the one group starting with prefix, "" when
// none does.
func (c claimSet) group(claim, prefix string) (string, error) {
	raw, ok := c[claim]
	if !ok {
		return "", nil
	}

	var groups []string
	if err := json.Unmarshal(raw, &groups); err != nil {
		return "", &ClaimError{Kind: ErrClaimInvalid, Claim: claim}
	}

	found := ""
	for _, g := range groups {
		rest, ok := strings.CutPrefix(g, prefix)
		if !ok || rest == "" || rest == found {
			continue
		}

		if found != "" {
			return "", &ClaimError{Kind: ErrClaimInvalid, Claim: claim}
		}

		found = rest
	}

	return found, nil
}

// emailVerified accepts only the JSON boolean true.
func (c claimSet) emailVerified() error {
	raw, ok := c["email_verified"]
	if !ok {
		return errorf(ErrEmailNotVerified, "email_verified is absent")
	}

	var v bool
	if err := json.Unmarshal(raw, &v); err != nil {
		return &ClaimError{Kind: ErrClaimInvalid, Claim: "email_verified"}
	}

	if !v {
		return errorf(ErrEmailNotVerified, "email_verified is false")
	}

	return nil
}

func validRole(r string) bool {
	return r == string(launch.RoleLearner) || r == string(launch.RoleInstructor)
}
