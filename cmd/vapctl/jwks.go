package main

func runJWKS(s *session, args []string) error {
	fs := s.newFlagSet("Print the public JWK Set of a PEM private key file. Publish it at\n" +
		"your JWKS URL or register it with VAP. The private key is never printed.\n" +
		"An RSA key signs RS256 or PS256: name the one you sign with, as in\n" +
		"  vapctl jwks --key k.pem --alg PS256")
	fs.require("key")
	keyFile := fs.String("key", "", "PEM private key `FILE`")
	kid := fs.String("kid", "", "key `ID` (default: RFC 7638 thumbprint of the key)")
	alg := fs.String("alg", "",
		"algorithm `ALG` of the key: ES256, EdDSA, RS256 or PS256 (default: ES256 or EdDSA "+
			"from the key type; required for an RSA key)")
	fs.BoolVar(&s.json, "json", false, "machine-readable output (the JWKS is JSON either way)")
	if err := fs.parse(s, args); err != nil {
		return err
	}

	if err := fs.checkRequired(); err != nil {
		return err
	}

	if fs.NArg() > 0 {
		return usagef("jwks takes no arguments, got %d", fs.NArg())
	}

	if err := checkKeyAlgorithm(*alg); err != nil {
		return err
	}

	signer, err := loadSigner(*keyFile)
	if err != nil {
		return err
	}

	pub, err := publicKeyForFlags(signer, *kid, *alg, *keyFile)
	if err != nil {
		return err
	}

	doc, err := jwksDocument(pub)
	if err != nil {
		return err
	}

	return writeJSON(s.stdout, doc)
}
