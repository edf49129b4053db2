package main

import (
	"context"
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
	fs := s.newFlagSet("--key FILE --iss ISSUER --aud AUDIENCE --sub ID --cohort ID [flags]",
		"Mint a launch token signed with a PEM private key, exactly as the SDK's\n"+
			"launch.Minter does, and print it. Use it to test a VAP integration by hand.")
	var f mintFlags
	fs.StringVar(&f.keyFile, "key", "", "PEM private key file (required)")
	fs.StringVar(&f.kid, "kid", "", "kid header (default: RFC 7638 thumbprint of the key)")
	fs.BoolVar(&f.noKid, "no-kid", false, "leave the kid header out")
	fs.StringVar(&f.alg, "alg", "", "algorithm (default: from the key type)")
	fs.StringVar(&f.issuer, "iss", "", "issuer registered with VAP (required)")
	fs.StringVar(&f.audience, "aud", "", "audience VAP gave you (required)")
	fs.StringVar(&f.subject, "sub", "", "partner's stable user id (required)")
	fs.StringVar(&f.name, "name", "", "display name (optional)")
	fs.StringVar(&f.role, "role", string(launch.RoleLearner), "role: learner or instructor")
	fs.StringVar(&f.cohort, "cohort", "", "cohort id (required)")
	fs.StringVar(&f.caseID, "case", "", "case id to open (optional)")
	fs.StringVar(&f.setID, "case-set", "", "case set id to open (optional)")
	fs.DurationVar(&f.ttl, "ttl", launch.DefaultTTL, "token lifetime (at most 5m)")
	fs.BoolVar(&s.json, "json", false, "machine-readable output")
	if err := s.parseFlags(fs, args); err != nil {
		return err
	}

	if err := f.check(fs.NArg()); err != nil {
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

func (f mintFlags) check(nargs int) error {
	switch {
	case nargs > 0:
		return usagef("mint takes no argument")
	case f.keyFile == "":
		return usagef("--key is required")
	case f.issuer == "" || f.audience == "":
		return usagef("--iss and --aud are required")
	case f.ttl <= 0:
		return usagef("--ttl must be positive")
	case f.noKid && f.kid != "":
		return usagef("--kid and --no-kid are exclusive")
	}

	return nil
}

func mintToken(e env, f mintFlags) (mintResult, error) {
	signer, err := loadSigner(f.keyFile)
	if err != nil {
		return mintResult{}, err
	}

	pub, err := publicKeyFor(signer, f.kid, f.alg)
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
	if err != nil {
		return mintResult{}, err
	}

	token, err := m.Mint(context.Background(), launch.LaunchRequest{
		Subject: f.subject, Name: f.name, Role: launch.Role(f.role),
		CohortID: f.cohort, CaseID: f.caseID, CaseSetID: f.setID,
	})
	if err != nil {
		return mintResult{}, err
	}

	exp := now.Add(f.ttl).Truncate(time.Second).UTC()

	return mintResult{Token: token, KeyID: pub.KeyID, Algorithm: pub.Algorithm, ExpiresAt: exp}, nil
}
