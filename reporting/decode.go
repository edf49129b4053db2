package reporting

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// DefaultMaxBodyBytes caps request bodies when Config.MaxBodyBytes is 0.
const DefaultMaxBodyBytes = 64 << 10

// mediaType returns the request's media type, lowercased, or "".
func mediaType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}

	return mt
}

// strictBody are the decoding rules of every JSON request body: member
// names match the documented ones exactly (case included), a name given
// twice and an unknown name are errors.
var strictBody = json.JoinOptions(
	json.MatchCaseInsensitiveNames(false),
	json.RejectUnknownMembers(true),
	jsontext.AllowDuplicateNames(false),
	jsontext.AllowInvalidUTF8(false),
)

// decodeJSON reads exactly one JSON object into v from a body capped at
// limit bytes, with the rules of strictBody; anything after the object but
// white space is an error.
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) *Problem {
	if mediaType(r) != "application/json" {
		return newProblem(http.StatusUnsupportedMediaType, CodeUnsupportedMedia,
			"send the body as application/json")
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return bodyProblem(err)
	}

	// Unmarshal would accept null, leaving v as it is: ask for an object.
	if !bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("{")) {
		return bodyProblem(errNotObject)
	}

	if err := json.Unmarshal(body, v, strictBody); err != nil {
		return bodyProblem(err)
	}

	return nil
}

var errNotObject = errors.New("reporting: body is not a JSON object")

// bodyProblem is the answer to a body that could not be read or decoded.
// Its detail names the field at fault, as a JSON pointer, and the kind of
// problem, from the decoder's error; never a value.
func bodyProblem(err error) *Problem {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return newProblem(http.StatusRequestEntityTooLarge, CodeBodyTooLarge,
			"the request body is above the size limit")
	}

	return newProblem(http.StatusBadRequest, CodeInvalidJSON, bodyDetail(err))
}

// bodyDetail says what is wrong with a body that did not decode.
func bodyDetail(err error) string {
	const whole = "send exactly one JSON object with only the documented fields, each once, " +
		"spelled exactly"
	var (
		semantic  *json.SemanticError
		syntactic *jsontext.SyntacticError
	)
	switch {
	case errors.As(err, &semantic) && semantic.JSONPointer != "":
		field := fieldName(semantic.JSONPointer)
		if errors.Is(err, json.ErrUnknownName) {
			return field + " is not a documented field; " + whole
		}

		return field + " " + valueRule(semantic)
	case errors.As(err, &syntactic) && errors.Is(err, jsontext.ErrDuplicateName):
		return fieldName(syntactic.JSONPointer) + " is given more than once; " + whole
	case errors.As(err, &syntactic):
		return fmt.Sprintf("the body is not valid JSON (near byte %d); %s",
			syntactic.ByteOffset, whole)
	}

	return whole
}

// fieldName is a JSON pointer as a detail shows it: at most 64 bytes,
// every character printable. Member names are not values, but the caller
// chose them.
func fieldName(p jsontext.Pointer) string {
	if p == "" {
		return "a field"
	}

	s := strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}

		return '?'
	}, string(p))
	if len(s) > 64 {
		s = strings.ToValidUTF8(s[:64], "") + "..."
	}

	return s
}

// timeType is the Go type of every time in a request body.
var timeType = reflect.TypeFor[Time]()

// valueRule says what a field's value must be, from the decoder's error:
// the Go type it is read into, the JSON kind it has and whether it is out
// of range.
func valueRule(e *json.SemanticError) string {
	want, kind := "", jsontext.Kind(0)
	t := e.GoType
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}

	switch {
	case t == nil:
	case t == timeType:
		want, kind = "an RFC 3339 time", '"'
	case t.Kind() == reflect.String:
		want, kind = "a string", '"'
	case t.Kind() == reflect.Bool:
		want, kind = "true or false", 't'
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		want, kind = "an integer", '0'
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		want, kind = "a number", '0'
	}

	got := e.JSONKind
	if got == 'f' {
		got = 't'
	}

	switch {
	case want == "":
		return "has a value of the wrong type"
	case got != 0 && got != kind:
		return "must be " + want + ", not " + kindName(got)
	case errors.Is(e.Err, strconv.ErrRange):
		return "must be " + want + " within range"
	}

	return "must be " + want
}

// kindName names a JSON kind in a detail.
func kindName(k jsontext.Kind) string {
	switch k {
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't':
		return "true or false"
	case 'n':
		return "null"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}

	return "this kind of value"
}
