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
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

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
	fs := s.newFlagSet("Generate a signing key. The private key is written in PKCS #8 PEM to --out\n" +
		"(mode 0600, never printed); the public JWK Set goes to --jwks-out or stdout.\n" +
		"The key id is the RFC 7638 thumbprint of the key unless --kid is set.")
	fs.require("out")
	alg := fs.String("alg", launch.ES256,
		"signing algorithm `ALG`: ES256, EdDSA, RS256 or PS256 (both RSA; the JWKS names it, "+
			"and mint and jwks need the same --alg)")
	bits := fs.Int("bits", 3072, "RSA key size in `BITS`, 2048 to 8192 (RS256 and PS256 only)")
	out := fs.String("out", "", "private key `FILE` to create")
	jwksOut := fs.String("jwks-out", "", "JWKS `FILE` to write (default: print the JWKS)")
	kid := fs.String("kid", "", "key `ID` (default: RFC 7638 thumbprint)")
	force := fs.Bool("force", false, "overwrite existing files")
	fs.BoolVar(&s.json, "json", false, "machine-readable output")
	if err := fs.parse(s, args); err != nil {
		return err
	}

	if err := checkKeygenFlags(fs, *out, *jwksOut, *alg, *bits); err != nil {
		return err
	}

	res, err := generateKeyFiles(*alg, *bits, *kid, *out, *jwksOut, *force)
	if err != nil {
		return err
	}

	return s.printKeygen(res)
}

func checkKeygenFlags(fs *commandFlags, out, jwksOut, alg string, bits int) error {
	if err := fs.checkRequired(); err != nil {
		return err
	}

	rsaKey := isRSA(alg)
	switch {
	case fs.NArg() > 0:
		return usagef("keygen takes no arguments, got %d", fs.NArg())
	case !slices.Contains(keyAlgorithms, alg):
		return usagef("--alg must be one of %s, not %q", strings.Join(keyAlgorithms, ", "), alg)
	case !rsaKey && fs.isSet("bits"):
		return usagef("--bits applies to RSA keys (RS256, PS256) only")
	case rsaKey && (bits < 2048 || bits > 8192):
		return usagef("--bits must be between 2048 and 8192")
	case jwksOut != "" && filepath.Clean(jwksOut) == filepath.Clean(out):
		return usagef("--out and --jwks-out must name different files")
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
		return keygenResult{}, fmt.Errorf("encode private key: %w", err)
	}

	files := []outputFile{{
		path: out, perm: privateKeyPerm,
		data: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
	}}
	if jwksOut != "" {
		files = append(files, outputFile{path: jwksOut, perm: publicFilePerm, data: append(doc, '\n')})
	}

	if err := writeFiles(files, force); err != nil {
		return keygenResult{}, err
	}

	res := keygenResult{Algorithm: alg, KeyID: pub.KeyID, PrivateKeyFile: out, JWKSFile: jwksOut, JWKS: doc}

	return res, nil
}

func generateKey(alg string, bits int) (crypto.Signer, error) {
	var (
		signer crypto.Signer
		err    error
	)
	switch {
	case alg == launch.EdDSA:
		_, signer, err = ed25519.GenerateKey(rand.Reader)
	case isRSA(alg):
		signer, err = rsa.GenerateKey(rand.Reader, bits)
	default:
		signer, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}

	return signer, nil
}

// isRSA reports whether alg signs with an RSA key: RS256 (PKCS #1 v1.5)
// and PS256 (PSS) use the same kind of key.
func isRSA(alg string) bool {
	return alg == launch.RS256 || alg == launch.PS256
}

// outputFile is a file keygen writes.
type outputFile struct {
	path string
	data []byte
	perm os.FileMode
}

// writeFiles writes every file or none. Without force an existing file is
// an error; each path is first created empty with O_EXCL, so that a name
// taken, or a directory that does not exist, stops keygen before anything
// is written. The data goes to a temporary file beside each path, renamed
// onto it once every file is written; with force the rename replaces the
// file and its mode. On any failure, the files created are removed.
//
// NOTE: with force, a rename that fails after the first succeeded leaves
// the new key beside the old JWKS; the error says which file was not
// written. Renames within a directory that took a new file rarely fail.
func writeFiles(files []outputFile, force bool) (err error) {
	var created []string
	defer func() {
		if err != nil {
			for _, path := range created {
				_ = os.Remove(path)
			}
		}
	}()

	for _, f := range files {
		if force {
			// A rename cannot replace a directory; say so before the
			// other file is replaced.
			if info, err := os.Stat(f.path); err == nil && info.IsDir() {
				return fmt.Errorf("%s is a directory", f.path)
			}

			continue
		}

		if err := reserve(f.path, f.perm); err != nil {
			return err
		}

		created = append(created, f.path)
	}

	temps := make([]string, len(files))
	for i, f := range files {
		temps[i], err = writeTemp(f)
		if temps[i] != "" {
			created = append(created, temps[i])
		}

		if err != nil {
			return err
		}
	}

	for i, f := range files {
		if err := os.Rename(temps[i], f.path); err != nil {
			return fmt.Errorf("write %s: %w", f.path, pathCause(err))
		}
	}

	return nil
}

// reserve creates path empty with perm, and fails if it exists.
func reserve(path string, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s: %w (use --force to replace it)", path, os.ErrExist)
	}

	if err != nil {
		return fmt.Errorf("create %s: %w", path, pathCause(err))
	}

	if err := f.Close(); err != nil {
		return fmt.Errorf("create %s: %w", path, pathCause(err))
	}

	return nil
}

// writeTemp writes f's data with f's mode to a new temporary file in the
// directory of f.path and returns its name, set as soon as it exists.
func writeTemp(f outputFile) (string, error) {
	dir, base := filepath.Split(f.path)
	if dir == "" {
		dir = "."
	}

	// CreateTemp makes the file with mode 0600: a private key is never
	// readable by others, even for a moment.
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("create %s: %w", f.path, pathCause(err))
	}

	name := tmp.Name()
	if err := tmp.Chmod(f.perm); err != nil {
		_ = tmp.Close()

		return name, fmt.Errorf("set mode of %s: %w", f.path, pathCause(err))
	}

	if _, err := tmp.Write(f.data); err != nil {
		_ = tmp.Close()

		return name, fmt.Errorf("write %s: %w", f.path, pathCause(err))
	}

	if err := tmp.Close(); err != nil {
		return name, fmt.Errorf("write %s: %w", f.path, pathCause(err))
	}

	return name, nil
}

// pathCause returns the cause of an *fs.PathError or *os.LinkError, whose
// paths would name the temporary file rather than the one asked for.
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}

	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}

	return err
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
