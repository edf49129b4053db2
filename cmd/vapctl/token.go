package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// decodedToken is a compact JWS decoded WITHOUT any verification. Nothing in
// it may be trusted; it serves inspect and doctor's explanations only.
type decodedToken struct {
	Header    map[string]any
	Claims    map[string]any
	Signature []byte
	// Size is the length of the raw token in bytes.
	Size int
	// Whitespace says where the raw token holds spaces or newlines, as
	// whitespaceIn does; empty when it holds none.
	Whitespace string
}

// whitespaceFix is the fix for a token with spaces or newlines, which
// package launch refuses as malformed.
const whitespaceFix = "remove the spaces/newlines around the token: a token holds none " +
	"(a file or stdin may end in one newline)"

// whitespaceIn describes where token holds whitespace, such as
// "1 leading, 2 trailing", or returns "" when it holds none.
func whitespaceIn(token string) string {
	if !strings.ContainsFunc(token, unicode.IsSpace) {
		return ""
	}

	count := utf8.RuneCountInString
	inner := strings.TrimFunc(token, unicode.IsSpace)
	if inner == "" {
		return fmt.Sprintf("%d whitespace characters and nothing else", count(token))
	}

	leading := count(token) - count(strings.TrimLeftFunc(token, unicode.IsSpace))
	trailing := count(token) - count(strings.TrimRightFunc(token, unicode.IsSpace))
	inside := count(inner) - count(strings.Join(strings.Fields(inner), ""))
	var where []string
	for _, n := range []struct {
		count int
		place string
	}{{leading, "leading"}, {trailing, "trailing"}, {inside, "inside"}} {
		if n.count > 0 {
			where = append(where, fmt.Sprintf("%d %s", n.count, n.place))
		}
	}

	return strings.Join(where, ", ")
}

// decodeUnverified splits token into its three segments and decodes the
// header and claims as JSON objects. A token with whitespace is refused,
// as package launch refuses it, although the base64 decoder would skip
// newlines. Errors never quote the token.
func decodeUnverified(token string) (*decodedToken, error) {
	if ws := whitespaceIn(token); ws != "" {
		return nil, fmt.Errorf("%w: spaces or newlines in the token (%s); %s",
			errMalformedToken, ws, whitespaceFix)
	}

	parts := strings.Split(token, ".")
	if len(parts) == 5 {
		return nil, fmt.Errorf("%w: five segments: an encrypted token (JWE) is not a launch token",
			errMalformedToken)
	}

	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: want 3 dot-separated segments, got %d", errMalformedToken,
			len(parts))
	}

	d := &decodedToken{Size: len(token)}
	var err error
	if d.Header, err = decodeObject(parts[0]); err != nil {
		return nil, fmt.Errorf("%w: header: %w", errMalformedToken, err)
	}

	if d.Claims, err = decodeObject(parts[1]); err != nil {
		return nil, fmt.Errorf("%w: claims: %w", errMalformedToken, err)
	}

	if d.Signature, err = base64.RawURLEncoding.DecodeString(parts[2]); err != nil {
		return nil, fmt.Errorf("%w: signature is not base64url", errMalformedToken)
	}

	return d, nil
}

// decodeObject decodes one base64url segment holding a JSON object. Numbers
// are kept exact as json.Number.
func decodeObject(seg string) (map[string]any, error) {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return nil, errors.New("not unpadded base64url")
	}

	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, errors.New("not a JSON object")
	}

	if dec.More() {
		return nil, errors.New("data after the JSON object")
	}

	return obj, nil
}

// text returns the string member name of m and whether it is a string.
func text(m map[string]any, name string) (string, bool) {
	s, ok := m[name].(string)

	return s, ok
}

// audiences returns the "aud" claim as a list, and false if it is neither a
// string nor an array of strings.
func audiences(claims map[string]any) ([]string, bool) {
	switch v := claims["aud"].(type) {
	case nil:
		return nil, true
	case string:
		return []string{v}, true
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, false
			}

			out = append(out, s)
		}

		return out, true
	default:
		return nil, false
	}
}

// dateClaim reads a NumericDate claim. present is false when the claim is
// absent; ok is false when it is not a number in range.
func dateClaim(claims map[string]any, name string) (t time.Time, present, ok bool) {
	v, present := claims[name]
	if !present {
		return time.Time{}, false, true
	}

	n, isNumber := v.(json.Number)
	if !isNumber {
		return time.Time{}, true, false
	}

	f, err := n.Float64()
	if err != nil || f < 0 || f > maxNumericDate {
		return time.Time{}, true, false
	}

	sec, frac := math.Modf(f)

	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true, true
}

// maxNumericDate is the last second of year 9999, as in package launch.
const maxNumericDate = 253402300799
