package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"

	"github.com/virtualaipatient/integration/launch"
)

// Permissions of the files keygen writes.
const (
	privateKeyPerm = 0o600
	publicFilePerm = 0o644
)

type keygenResult struct {
	Algorithm      string          `json:"alg"`
	KeyID          string          `json:"kid"`
	PrivateKeyFile string          `json:"private_key_file"`
	JWKSFile       string          `json:"jwks_file,omitempty"`
	JWKS           json.RawMessage `json:"jwks"`
}

func runKeygen(s *session, args []string) error {
	fs := s.newFlagSet("--out FILE [--alg ES256|EdDSA|RS256] [--jwks-out FILE] [--json]",
		"Generate a signing key. The private key is written in PKCS #8 PEM to --out\n"+
			"(mode 0600, never printed); the public JWK Set goes to --jwks-out or stdout.\n"+
			"The key id is the RFC 7638 thumbprint of the key unless --kid is set.")
	alg := fs.String("alg", launch.ES256, "algorithm: ES256, EdDSA or RS256")
	bits := fs.Int("bits", 3072, "RSA key size in bits (RS256 only; 2048 or more)")
	out := fs.String("out", "", "private key file to create (required)")
	jwksOut := fs.String("jwks-out", "", "JWKS file to write (default: print the JWKS)")
	kid := fs.String("kid", "", "key id (default: RFC 7638 thumbprint)")
	force := fs.Bool("force", false, "overwrite existing files")
	fs.BoolVar(&s.json, "json", false, "machine-readable output")
	if err := s.parseFlags(fs, args); err != nil {
		return err
	}

	if err := checkKeygenFlags(fs.NArg(), *out, *alg, *bits); err != nil {
		return err
	}

	res, err := generateKeyFiles(*alg, *bits, *kid, *out, *jwksOut, *force)
	if err != nil {
		return err
	}

	return s.printKeygen(res)
}

func checkKeygenFlags(nargs int, out, alg string, bits int) error {
	switch {
	case nargs > 0:
		return usagef("keygen takes no argument")
	case out == "":
		return usagef("--out is required")
	case alg != launch.ES256 && alg != launch.EdDSA && alg != launch.RS256:
		return usagef("--alg must be ES256, EdDSA or RS256")
	case alg == launch.RS256 && (bits < 2048 || bits > 8192):
		return usagef("--bits must be between 2048 and 8192")
	}

	return nil
}

func generateKeyFiles(alg string, bits int, kid, out, jwksOut string, force bool) (keygenResult, error) {
	signer, err := generateKey(alg, bits)
	if err != nil {
		return keygenResult{}, err
	}

	pub, err := publicKeyFor(signer, kid, alg)
	if err != nil {
		return keygenResult{}, err
	}

	doc, err := jwksDocument(pub)
	if err != nil {
		return keygenResult{}, err
	}

	der, err := x509.MarshalPKCS8PrivateKey(signer)
	if err != nil {
		return keygenResult{}, fmt.Errorf("vapctl: encode private key: %w", err)
	}

	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := writeNewFile(out, pemBytes, privateKeyPerm, force); err != nil {
		return keygenResult{}, err
	}

	if jwksOut != "" {
		if err := writeNewFile(jwksOut, append(doc, '\n'), publicFilePerm, force); err != nil {
			return keygenResult{}, err
		}
	}

	res := keygenResult{Algorithm: alg, KeyID: pub.KeyID, PrivateKeyFile: out, JWKSFile: jwksOut, JWKS: doc}

	return res, nil
}

func generateKey(alg string, bits int) (crypto.Signer, error) {
	var (
		signer crypto.Signer
		err    error
	)
	switch alg {
	case launch.EdDSA:
		_, signer, err = ed25519.GenerateKey(rand.Reader)
	case launch.RS256:
		signer, err = rsa.GenerateKey(rand.Reader, bits)
	default:
		signer, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		return nil, fmt.Errorf("vapctl: generate key: %w", err)
	}

	return signer, nil
}

// writeNewFile writes data to path with perm. Without force an existing
// file is an error; with force it is replaced and its mode reset to perm.
func writeNewFile(path string, data []byte, perm os.FileMode, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}

	f, err := os.OpenFile(path, flags, perm)
	if err != nil {
		return fmt.Errorf("vapctl: create %s (use --force to replace): %w", path, err)
	}

	if err := f.Chmod(perm); err != nil {
		_ = f.Close()

		return fmt.Errorf("vapctl: set mode of %s: %w", path, err)
	}

	if _, err := f.Write(data); err != nil {
		_ = f.Close()

		return fmt.Errorf("vapctl: write %s: %w", path, err)
	}

	if err := f.Close(); err != nil {
		return fmt.Errorf("vapctl: write %s: %w", path, err)
	}

	return nil
}

func (s *session) printKeygen(res keygenResult) error {
	if s.json {
		return writeJSON(s.stdout, res)
	}

	fmt.Fprintf(s.stderr, "wrote %s private key to %s (mode 0600); kid %s\n",
		res.Algorithm, res.PrivateKeyFile, res.KeyID)
	if res.JWKSFile != "" {
		fmt.Fprintf(s.stderr, "wrote public JWKS to %s\n", res.JWKSFile)

		return nil
	}

	return writeJSON(s.stdout, res.JWKS)
}
