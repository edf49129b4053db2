package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/virtualaipatient/integration/launch"
)

type mintFlags struct {
	keyFile, kid, alg     string
	issuer, audience      string
	subject, name, role   string
	cohort, caseID, setID string
	ttl                   time.Duration
	noKid                 bool
}

type mintResult struct {
	Token     string    `json:"token"`
	KeyID     string    `json:"kid,omitempty"`
	Algorithm string    `json:"alg"`
	ExpiresAt time.Time `json:"expires_at"`
}

func runMint(s *session, args []string) error {
	fs := s.newFlagSet("Mint a launch token signed with a PEM private key, exactly as the SDK's\n" +
		"launch.Minter does, and print it. Use it to test a VAP integration by hand.\n" +
		"An RSA key signs RS256 or PS256: pass --alg with the alg of its JWKS, as in\n" +
		"  vapctl keygen --alg PS256 --out k.pem --jwks-out jwks.json\n" +
		"  vapctl mint --key k.pem --alg PS256 --iss ISSUER --aud AUDIENCE --sub ID --cohort ID")
	fs.require("key", "iss", "aud", "sub", "cohort")
	var f mintFlags
	fs.StringVar(&f.keyFile, "key", "", "PEM private key `FILE`")
	fs.StringVar(&f.kid, "kid", "", "kid header `ID` (default: RFC 7638 thumbprint of the key)")
	fs.BoolVar(&f.noKid, "no-kid", false, "leave the kid header out")
	fs.StringVar(&f.alg, "alg", "",
		"signing algorithm `ALG`: ES256, EdDSA, RS256 or PS256 (default: ES256 or EdDSA "+
			"from the key type; required for an RSA key)")
	fs.StringVar(&f.issuer, "iss", "", "`ISSUER` registered with VAP")
	fs.StringVar(&f.audience, "aud", "", "`AUDIENCE` VAP gave you")
	fs.StringVar(&f.subject, "sub", "", "partner's stable user `ID` of the learner")
	fs.StringVar(&f.name, "name", "", "display `NAME` (optional)")
	fs.StringVar(&f.role, "role", string(launch.RoleLearner), "`ROLE`: learner or instructor")
	fs.StringVar(&f.cohort, "cohort", "", "cohort `ID`")
	fs.StringVar(&f.caseID, "case", "", "case `ID` to open (optional)")
	fs.StringVar(&f.setID, "case-set", "", "case set `ID` to open (optional)")
	fs.DurationVar(&f.ttl, "ttl", launch.DefaultTTL, "token lifetime, a `DURATION` of at most 5m")
	fs.BoolVar(&s.json, "json", false, "machine-readable output")
	if err := fs.parse(s, args); err != nil {
		return err
	}

	if err := f.check(fs); err != nil {
		return err
	}

	res, err := mintToken(s.env, f)
	if err != nil {
		return err
	}

	if s.json {
		return writeJSON(s.stdout, res)
	}

	_, err = fmt.Fprintln(s.stdout, res.Token)

	return err
}

// check returns a usage error for what can be told from the flags alone;
// launch.Minter checks the values themselves.
func (f mintFlags) check(fs *commandFlags) error {
	if err := fs.checkRequired(); err != nil {
		return err
	}

	switch {
	case fs.NArg() > 0:
		return usagef("mint takes no arguments, got %d", fs.NArg())
	case f.ttl <= 0:
		return usagef("--ttl must be positive")
	case f.noKid && f.kid != "":
		return usagef("--kid and --no-kid are exclusive")
	}

	return checkKeyAlgorithm(f.alg)
}

func mintToken(e env, f mintFlags) (mintResult, error) {
	signer, err := loadSigner(f.keyFile)
	if err != nil {
		return mintResult{}, err
	}

	pub, err := publicKeyForFlags(signer, f.kid, f.alg, f.keyFile)
	if err != nil {
		return mintResult{}, err
	}

	if f.noKid {
		pub.KeyID = ""
	}

	now := e.now()
	m, err := launch.NewMinter(launch.MinterConfig{
		Issuer: f.issuer, Audience: f.audience, Algorithm: pub.Algorithm,
		Signer: signer, KeyID: pub.KeyID, TTL: f.ttl,
		Now: func() time.Time { return now },
	})
	if errors.Is(err, launch.ErrConfig) {
		// Everything but the key comes from flags (--ttl, --iss, --aud).
		return mintResult{}, asUsage(err)
	}

	if err != nil {
		return mintResult{}, err
	}

	token, err := m.Mint(context.Background(), launch.LaunchRequest{
		Subject: f.subject, Name: f.name, Role: launch.Role(f.role),
		CohortID: f.cohort, CaseID: f.caseID, CaseSetID: f.setID,
	})
	if errors.Is(err, launch.ErrMissingClaim) || errors.Is(err, launch.ErrInvalidClaim) {
		// The claims are the flags' values.
		return mintResult{}, asUsage(err)
	}

	if err != nil {
		return mintResult{}, err
	}

	exp := now.Add(f.ttl).Truncate(time.Second).UTC()

	return mintResult{Token: token, KeyID: pub.KeyID, Algorithm: pub.Algorithm, ExpiresAt: exp}, nil
}
