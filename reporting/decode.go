package reporting

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"

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

func bodyProblem(err error) *Problem {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return newProblem(http.StatusRequestEntityTooLarge, CodeBodyTooLarge,
			"the request body is above the size limit")
	}

	return newProblem(http.StatusBadRequest, CodeInvalidJSON,
		"send exactly one JSON object with only the documented fields, each once, "+
			"spelled exactly")
}
