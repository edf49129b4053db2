package launch

import (
	"encoding/base64"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Token types ("typ" header). Each kind of token has its own, so that none
// can be presented in place of another.
const (
	// TypeLaunch is the "typ" of launch tokens.
	TypeLaunch = "vap-launch+jwt"
	// TypeAPICredential is the "typ" of partner API credentials.
	TypeAPICredential = "vap-api+jwt"
	// TypeSession is the "typ" of VAP session tokens.
	TypeSession = "vap-session+jwt"
)

const (
	maxClaimLength = 256
	maxTokenIDLen  = 128
	// maxNumericDate bounds NumericDate values (year 9999) so that
	// conversions never overflow.
	maxNumericDate = 253402300799
)

// strictBase64 decodes unpadded base64url and refuses non-canonical input.
var strictBase64 = base64.RawURLEncoding.Strict()

// header is the protected header of a compact JWS. Members that are never
// accepted are captured only to detect their presence.
type header struct {
	Alg  string         `json:"alg"`
	Typ  string         `json:"typ"`
	Kid  string         `json:"kid"`
	Crit jsontext.Value `json:"crit"`
	JWK  jsontext.Value `json:"jwk"`
	JKU  jsontext.Value `json:"jku"`
	X5U  jsontext.Value `json:"x5u"`
	X5C  jsontext.Value `json:"x5c"`
}

// claimSet holds the claims of every token kind of this package. Decoding
// is strict: member names are case-sensitive, duplicates are refused and a
// value of the wrong JSON type, null included, is an error, never a zero
// value.
type claimSet struct {
	Issuer    string      `json:"iss,omitzero"`
	Subject   string      `json:"sub,omitzero"`
	Audience  audience    `json:"aud,omitzero"`
	Expiry    numericDate `json:"exp,omitzero"`
	NotBefore numericDate `json:"nbf,omitzero"`
	IssuedAt  numericDate `json:"iat,omitzero"`
	TokenID   string      `json:"jti,omitzero"`
	Name      string      `json:"name,omitzero"`
	Role      Role        `json:"role,omitzero"`
	CohortID  string      `json:"cohort_id,omitzero"`
	CaseID    string      `json:"case_id,omitzero"`
	CaseSetID string      `json:"case_set_id,omitzero"`
	SessionID string      `json:"sid,omitzero"`
	PartnerID string      `json:"pid,omitzero"`
}

// decodeSegment decodes one base64url segment and unmarshals the JSON object
// it holds into v. A member of the wrong JSON type, null included, or out of
// range is reported as memberErr: ErrInvalidClaim for claims, ErrMalformed
// for header parameters, which are not claims.
func decodeSegment(seg string, v any, memberErr error) error {
	buf := make([]byte, strictBase64.DecodedLen(len(seg)))
	n, err := strictBase64.Decode(buf, []byte(seg))
	if err != nil {
		return errorf(ErrMalformed, "segment is not strict base64url")
	}

	err = json.Unmarshal(buf[:n], v, strictStrings)
	if err == nil {
		return nil
	}

	if errors.Is(err, jsontext.ErrDuplicateName) {
		return ErrDuplicateMember
	}

	var serr *json.SemanticError
	if errors.As(err, &serr) && serr.JSONPointer != "" {
		if errors.Is(err, errDateRange) {
			return errorf(memberErr, "member %q is out of range", memberName(serr.JSONPointer))
		}

		return errorf(memberErr, "member %q has the wrong type", memberName(serr.JSONPointer))
	}

	return errorf(ErrMalformed, "segment is not a JSON object")
}

// errNull is returned for JSON null where a string belongs.
var errNull = errors.New("null is not a string")

// strictStrings refuses null where a string belongs: the decoder would
// otherwise leave the string empty, as if the member were absent.
var strictStrings = json.WithUnmarshalers(json.JoinUnmarshalers(
	json.UnmarshalFromFunc(refuseNull[*string]),
	json.UnmarshalFromFunc(refuseNull[*Role]),
))

// refuseNull fails on null and leaves any other value to the decoder.
func refuseNull[T any](dec *jsontext.Decoder, _ T) error {
	if dec.PeekKind() == 'n' {
		return errNull
	}

	return json.SkipFunc
}

// memberName returns the top-level member name of a JSON pointer, bounded in
// length; member names are not secret but are attacker-controlled.
func memberName(p jsontext.Pointer) string {
	s := strings.TrimPrefix(string(p), "/")
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i]
	}

	if len(s) > 32 {
		s = s[:32]
	}

	return s
}

// errDateRange is returned for a NumericDate outside [0, year 9999],
// including numbers too large for a float64 such as 1e400.
var errDateRange = errors.New("out of range")

// numericDate is a JWT NumericDate that remembers whether it was present.
type numericDate struct {
	seconds float64
	set     bool
}

// UnmarshalJSONFrom accepts only a JSON number within a sane range.
func (d *numericDate) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}

	if tok.Kind() != '0' {
		return errors.New("not a number")
	}

	f := tok.Float()
	if math.IsNaN(f) || f < 0 || f > maxNumericDate {
		return errDateRange
	}

	d.seconds, d.set = f, true

	return nil
}

// time converts the date to a time.Time.
func (d numericDate) time() time.Time {
	sec, frac := math.Modf(d.seconds)

	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}

// newNumericDate returns t as a whole-second NumericDate.
func newNumericDate(t time.Time) numericDate {
	return numericDate{seconds: float64(t.Unix()), set: true}
}

// MarshalJSONTo writes the date as an integer number of seconds.
func (d numericDate) MarshalJSONTo(enc *jsontext.Encoder) error {
	return enc.WriteToken(jsontext.Int(int64(d.seconds)))
}

// IsZero lets omitzero leave out an absent date.
func (d numericDate) IsZero() bool { return !d.set }

// audience is the "aud" claim: one string or an array of strings.
type audience struct {
	one  string
	many []string
}

// UnmarshalJSONFrom accepts a string or an array of strings, nothing else.
func (a *audience) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case '"':
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}

		a.one = tok.String()

		return nil
	case '[':
		return a.readArray(dec)
	default:
		return errors.New("not a string or an array of strings")
	}
}

func (a *audience) readArray(dec *jsontext.Decoder) error {
	if _, err := dec.ReadToken(); err != nil {
		return err
	}

	for dec.PeekKind() == '"' {
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}

		a.many = append(a.many, tok.String())
	}

	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}

	if tok.Kind() != ']' {
		return errors.New("array member is not a string")
	}

	return nil
}

// MarshalJSONTo writes a single audience as a string.
func (a audience) MarshalJSONTo(enc *jsontext.Encoder) error {
	if a.many == nil {
		return enc.WriteToken(jsontext.String(a.one))
	}

	return json.MarshalEncode(enc, a.many)
}

// IsZero lets omitzero leave out an absent audience.
func (a audience) IsZero() bool { return a.one == "" && a.many == nil }

// contains reports whether want is one of the audiences. An empty want
// never matches.
func (a audience) contains(want string) bool {
	if want == "" {
		return false
	}

	if a.one == want {
		return true
	}

	for _, s := range a.many {
		if s == want {
			return true
		}
	}

	return false
}
