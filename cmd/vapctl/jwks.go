package main

func runJWKS(s *session, args []string) error {
	fs := s.newFlagSet("--key FILE [--kid ID] [--alg ALG] [--json]",
		"Print the public JWK Set of a PEM private key file. Publish it at your JWKS URL\n"+
			"or register it with VAP. The private key is never printed.")
	keyFile := fs.String("key", "", "PEM private key file (required)")
	kid := fs.String("kid", "", "key id (default: RFC 7638 thumbprint of the key)")
	alg := fs.String("alg", "",
		"algorithm of the key: ES256, EdDSA, RS256 or PS256 (default: from the key type)")
	fs.BoolVar(&s.json, "json", false, "machine-readable output (the JWKS is JSON either way)")
	if err := s.parseFlags(fs, args); err != nil {
		return err
	}

	if *keyFile == "" {
		return usagef("--key is required")
	}

	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}

	signer, err := loadSigner(*keyFile)
	if err != nil {
		return err
	}

	pub, err := publicKeyFor(signer, *kid, *alg)
	if err != nil {
		return err
	}

	doc, err := jwksDocument(pub)
	if err != nil {
		return err
	}

	return writeJSON(s.stdout, doc)
}
