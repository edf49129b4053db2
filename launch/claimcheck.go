package launch

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// slugPattern is the form of case and case set ids.
var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,63}$`)

// compactAlphabet reports, per byte, whether it may appear in a compact
// JWS: the base64url alphabet and the dot.
var compactAlphabet = func() (set [256]bool) {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
	for i := range len(chars) {
		set[chars[i]] = true
	}

	return set
}()

// checkAlphabet refuses any byte outside base64url and '.': whitespace, CR
// and LF included, which the standard decoders would skip.
func checkAlphabet(token string) error {
	for i := range len(token) {
		if !compactAlphabet[token[i]] {
			return errorf(ErrMalformed, "character outside the base64url alphabet")
		}
	}

	return nil
}

// textClaim checks a free-text claim: at most maxClaimLength bytes of valid
// UTF-8 without control characters. Errors name the claim, never the value.
func textClaim(name, value string) error {
	if len(value) > maxClaimLength {
		return errorf(ErrInvalidClaim, "%s longer than %d bytes", name, maxClaimLength)
	}

	if !utf8.ValidString(value) {
		return errorf(ErrInvalidClaim, "%s is not valid UTF-8", name)
	}

	if strings.IndexFunc(value, unicode.IsControl) >= 0 {
		return errorf(ErrInvalidClaim, "%s holds a control character", name)
	}

	return nil
}

// requiredText checks a required free-text claim: textClaim, not empty and
// not only white space.
func requiredText(name, value string) error {
	if value == "" {
		return errorf(ErrMissingClaim, "%s", name)
	}

	if err := textClaim(name, value); err != nil {
		return err
	}

	if strings.TrimFunc(value, unicode.IsSpace) == "" {
		return errorf(ErrInvalidClaim, "%s is only white space", name)
	}

	return nil
}

// printableClaim checks a required identifier shown to people: CheckID,
// and every character printable (letters, marks, numbers, punctuation,
// symbols and the ASCII space).
func printableClaim(name, value string) error {
	if err := CheckID(name, value); err != nil {
		return err
	}

	if strings.IndexFunc(value, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return errorf(ErrInvalidClaim, "%s holds a character that is not printable", name)
	}

	return nil
}

// CheckID checks an identifier claim with the rule of the launch token's
// sub and cohort_id, so that every other source of the same ids (the
// subject of a single sign-on ID token, an id in an API path) can apply
// it too: not empty, at most 256 bytes of valid UTF-8, not only white
// space, no control character (Unicode Cc) and no format character (Cf:
// bidirectional controls, zero-width spaces, the byte order mark...), and
// neither "." nor "..", which URL paths resolve as dot segments. name is
// the claim's name, used in the message; the value is never part of it.
// The error wraps ErrMissingClaim for an empty value and ErrInvalidClaim
// otherwise.
func CheckID(name, value string) error {
	if err := requiredText(name, value); err != nil {
		return err
	}

	if strings.IndexFunc(value, isFormat) >= 0 {
		return errorf(ErrInvalidClaim, "%s holds a format character", name)
	}

	if value == "." || value == ".." {
		return errorf(ErrInvalidClaim, "%s is a dot segment", name)
	}

	return nil
}

// emailShape finds an e-mail address anywhere in a value:
// something@domain.tld, with a top-level domain of at least two letters or
// digits that starts with a letter. It is not anchored, so that an address
// with stray spaces, in angle brackets ("Ada <ada@example.org>") or in a
// list is found too.
var emailShape = regexp.MustCompile(`[^@\s<>()\[\],;:"']+@(?:[^@\s.<>()\[\],;:"']+\.)+\pL[\pL\pN-]*[\pL\pN]`)

// CheckSubject checks a launch's subject, the "sub" of a launch token:
// CheckID, and holding nothing shaped like an e-mail address
// (something@domain.tld), alone or within other text.
// The subject is the partner's pseudonymous user id, stored with the
// learner record, which must never hold an e-mail address. Minter.Mint and
// the Verifier apply it; every other source of launches (the subject of a
// single sign-on ID token) should too. The error wraps ErrMissingClaim for
// an empty subject and ErrInvalidClaim otherwise; for an e-mail address
// its Hint says to send the platform's pseudonymous user id instead. The
// value is never part of the message.
func CheckSubject(sub string) error {
	if err := CheckID("sub", sub); err != nil {
		return err
	}

	if emailShape.MatchString(sub) {
		return &hintedError{err: errorf(ErrInvalidClaim, "sub is shaped like an e-mail address"),
			hint: "set sub to the platform's pseudonymous user id (an opaque, stable id), " +
				"never an e-mail address"}
	}

	return nil
}

// isFormat reports whether r is a Unicode format character (category Cf).
func isFormat(r rune) bool { return unicode.Is(unicode.Cf, r) }

// isBidiControl reports whether r overrides or isolates the text
// direction (U+202A to U+202E, U+2066 to U+2069), which can make a name
// read as something else.
func isBidiControl(r rune) bool {
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// nameClaim checks the optional display name: textClaim and no
// bidirectional override or isolate. Other format characters stay
// allowed: the zero-width joiner and non-joiner belong to real names and
// emoji.
func nameClaim(value string) error {
	if err := textClaim("name", value); err != nil {
		return err
	}

	if strings.IndexFunc(value, isBidiControl) >= 0 {
		return errorf(ErrInvalidClaim, "name holds a bidirectional control character")
	}

	return nil
}

// slugClaim checks an optional case or case set id against the slug form
// ^[a-z0-9][a-z0-9-]{1,63}$.
func slugClaim(name, value string) error {
	if value != "" && !slugPattern.MatchString(value) {
		return errorf(ErrInvalidClaim, "%s is not a slug (^[a-z0-9][a-z0-9-]{1,63}$)", name)
	}

	return nil
}
