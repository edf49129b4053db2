package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/virtualaipatient/integration/launch"
)

// breakdown explains verdict check by check. Checks the verifier passed
// before it stopped are "pass" from the verifier; the one it stopped at is
// its failure; the rest are read from the decoded token, or for the key and
// signature, from a probe verifier.
func breakdown(verdict error, d *decodedToken, x expectation, probe func() error) []checkResult {
	specs := x.specs()
	failIdx := len(specs)
	if verdict != nil {
		failIdx = failingCheck(verdict, d, x)
	}

	var probed *probeOutcome
	out := make([]checkResult, len(specs))
	for i, spec := range specs {
		switch {
		case i < failIdx:
			out[i] = verifiedPass(spec, d, x)
		case i == failIdx:
			out[i] = verifiedFail(spec, d, x, verdict)
		case spec.eval == nil:
			if probed == nil {
				probed = runProbe(failIdx, probe)
			}

			out[i] = probed.result(spec)
		default:
			out[i] = decodedResult(spec, d, x)
		}
	}

	return out
}

func evaluate(spec checkSpec, d *decodedToken, x expectation) (bool, string) {
	if spec.eval == nil {
		return true, ""
	}

	return spec.eval(d, x)
}

func verifiedPass(spec checkSpec, d *decodedToken, x expectation) checkResult {
	_, detail := evaluate(spec, d, x)
	if detail == "" {
		detail = "verified"
	}

	return checkResult{ID: spec.id, Status: statusPass, Source: sourceVerifier, Detail: detail}
}

func verifiedFail(spec checkSpec, d *decodedToken, x expectation, verdict error) checkResult {
	ok, detail := evaluate(spec, d, x)
	if ok || (d.Header == nil && d.Whitespace == "") {
		detail = verdict.Error()
	}

	return checkResult{
		ID: spec.id, Status: statusFail, Source: sourceVerifier, Detail: detail,
		Fix: betterFix(spec, d, x, launch.Hint(verdict)),
	}
}

// betterFix returns the check's own fix for the token when it has one,
// else hint.
func betterFix(spec checkSpec, d *decodedToken, x expectation, hint string) string {
	if spec.fix == nil {
		return hint
	}

	if fix := spec.fix(d, x); fix != "" {
		return fix
	}

	return hint
}

func decodedResult(spec checkSpec, d *decodedToken, x expectation) checkResult {
	r := checkResult{ID: spec.id, Status: statusSkip, Source: sourceDecoded}
	if d.Header == nil {
		r.Detail = "not reached: the token could not be decoded"

		return r
	}

	ok, detail := spec.eval(d, x)
	r.Status, r.Detail = statusPass, detail
	if !ok {
		r.Status, r.Fix = statusFail, betterFix(spec, d, x, launch.Hint(spec.kind))
	}

	return r
}

// failingCheck returns the index in x.specs() of the check at which the
// verifier stopped, using the error code and the decoded token to choose
// among checks that share a code; len(x.specs()) when no check matches.
func failingCheck(verdict error, d *decodedToken, x expectation) int {
	specs := x.specs()
	code := launch.Code(verdict)
	var candidates []int
	for i, spec := range specs {
		if slices.Contains(spec.codes, code) {
			candidates = append(candidates, i)
		}
	}
	if len(candidates) == 0 {
		return len(specs)
	}

	for _, i := range candidates {
		spec := specs[i]
		if code == "claim_missing" && spec.claim != "" && claimAbsent(d, spec.claim) {
			return i
		}

		if code != "claim_missing" && spec.eval != nil {
			if ok, _ := spec.eval(d, x); !ok {
				return i
			}
		}
	}

	return candidates[0]
}

func claimAbsent(d *decodedToken, name string) bool {
	v, present := d.Claims[name]

	return !present || v == ""
}

// probeOutcome is the key and signature lines, established by a probe
// verifier when the real one stopped before reaching them.
type probeOutcome struct {
	key, signature checkResult
}

func (p *probeOutcome) result(spec checkSpec) checkResult {
	if spec.id == "key" {
		return p.key
	}

	return p.signature
}

// lastStructuralCheck is the index of the last check made before the
// issuer is known; a failure there leaves nothing for a probe to check.
// The checks of API credentials share it: only launch claims, at the end,
// are left out.
var lastStructuralCheck = slices.IndexFunc(checkSpecs, func(c checkSpec) bool {
	return c.id == "claim.types"
})

// keyCheck is the index of the key check, the same for API credentials.
var keyCheck = slices.IndexFunc(checkSpecs, func(c checkSpec) bool { return c.id == "key" })

func runProbe(failIdx int, probe func() error) *probeOutcome {
	skip := func(id, detail string) checkResult {
		return checkResult{ID: id, Status: statusSkip, Source: sourceProbe, Detail: detail}
	}

	if failIdx <= lastStructuralCheck {
		reason := "not reached: the verifier stopped at an earlier check"

		return &probeOutcome{key: skip("key", reason), signature: skip("signature", reason)}
	}

	if failIdx == keyCheck {
		// The verifier found no key: a probe would look for it again, and
		// spend the time a JWKS URL that does not answer takes once more.
		return &probeOutcome{signature: skip("signature", "not reached: no key")}
	}

	err := probe()
	pass := func(id, detail string) checkResult {
		return checkResult{ID: id, Status: statusPass, Source: sourceProbe, Detail: detail}
	}
	fail := func(id string) checkResult {
		return checkResult{
			ID: id, Status: statusFail, Source: sourceProbe, Detail: err.Error(), Fix: launch.Hint(err),
		}
	}

	switch code := launch.Code(err); {
	case errors.Is(err, errProbeUnavailable):
		reason := "not checked: the token has no issuer and audience to probe with"

		return &probeOutcome{key: skip("key", reason), signature: skip("signature", reason)}
	case code == "key_not_found" || code == "key_set_unavailable" || code == "key_unsupported":
		return &probeOutcome{key: fail("key"), signature: skip("signature", "not reached: no key")}
	case code == "signature_invalid":
		return &probeOutcome{key: pass("key", "a key matches the token's kid"), signature: fail("signature")}
	case err == nil || laterThanSignature(code):
		return &probeOutcome{
			key:       pass("key", "a key matches the token's kid"),
			signature: pass("signature", "the signature verifies with that key"),
		}
	default:
		reason := "not checked: " + err.Error()

		return &probeOutcome{key: skip("key", reason), signature: skip("signature", reason)}
	}
}

// laterThanSignature reports whether an error code comes from a check made
// after the signature.
func laterThanSignature(code string) bool {
	switch code {
	case "audience_invalid", "token_expired", "token_not_yet_valid", "token_issued_in_future",
		"token_lifetime_exceeded", "claim_missing", "claim_invalid":
		return true
	default:
		return false
	}
}

// measureSkew returns the verifier's measured skew when a time check
// failed, else iat against this machine's clock.
func measureSkew(verdict error, d *decodedToken, x expectation) *skewReport {
	var te *launch.TimeError
	if errors.As(verdict, &te) {
		what := map[string]string{
			"token_expired":          "exp passed %v ago",
			"token_not_yet_valid":    "nbf lies %v ahead of this clock",
			"token_issued_in_future": "iat lies %v ahead of this clock",
		}[launch.Code(te)]

		return &skewReport{
			Seconds: te.Skew.Seconds(), LeewaySeconds: te.Leeway.Seconds(), Source: sourceVerifier,
			Detail: fmt.Sprintf(what+", beyond the leeway of %v", roundSec(te.Skew), te.Leeway),
		}
	}

	iat, present, ok := dateClaim(d.Claims, "iat")
	if !present || !ok {
		return nil
	}

	skew := iat.Sub(x.now)
	detail := fmt.Sprintf("iat lies %v ahead of this clock", roundSec(skew))
	if skew <= 0 {
		detail = fmt.Sprintf("iat lies %v behind this clock (includes the time since minting)",
			roundSec(-skew))
	}

	return &skewReport{
		Seconds: skew.Seconds(), LeewaySeconds: x.leeway.Seconds(), Source: sourceDecoded, Detail: detail,
	}
}

func (s *session) printDoctor(rep *doctorReport) error {
	var err error
	if s.json {
		err = writeJSON(s.stdout, rep)
	} else {
		err = printDoctorText(s.stdout, rep)
	}
	if err != nil {
		return err
	}

	if !rep.Valid {
		return errors.Join(errTokenInvalid, errReported)
	}

	return nil
}

func printDoctorText(w io.Writer, rep *doctorReport) error {
	if rep.Kind == kindAPICredential {
		fmt.Fprintln(w, "vapctl doctor: API credential checked with "+
			"launch.Verifier.VerifyAPICredential")
	} else {
		fmt.Fprintln(w, "vapctl doctor: launch token checked with launch.Verifier (not consumed)")
	}
	if rep.Valid {
		fmt.Fprintln(w, "\nverdict: PASS")
	} else {
		fmt.Fprintf(w, "\nverdict: FAIL (%s)\n  %s\n", rep.Error.Code, rep.Error.Message)
		if rep.Error.Hint != "" {
			fmt.Fprintf(w, "  fix: %s\n", rep.Error.Hint)
		}
	}

	if rep.Skew != nil {
		fmt.Fprintf(w, "clock skew: %s [%s]\n", rep.Skew.Detail, rep.Skew.Source)
	}

	fmt.Fprintln(w, "\nchecks:")
	for _, c := range rep.Checks {
		fmt.Fprintf(w, "  %-4s  %-13s %s [%s]\n", strings.ToUpper(c.Status), c.ID, c.Detail, c.Source)
		if c.Fix != "" {
			fmt.Fprintf(w, "        %-13s fix: %s\n", "", c.Fix)
		}
	}

	_, err := fmt.Fprint(w, "\n[verifier] established by launch.Verifier, which gives the verdict;\n"+
		"[probe] checked by a second launch.Verifier given the token's own issuer,\n"+
		"        audience and iat, because the first stopped earlier;\n"+
		"[decoded] read from the UNVERIFIED token after the verifier stopped.\n")

	return err
}
