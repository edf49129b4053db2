package reporting

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
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

// decodeJSON reads exactly one JSON value into v from a body capped at
// limit bytes, rejecting unknown fields and trailing data.
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) *Problem {
	if mediaType(r) != "application/json" {
		return newProblem(http.StatusUnsupportedMediaType, CodeUnsupportedMedia,
			"send the body as application/json")
	}

	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bodyProblem(err)
	}

	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return bodyProblem(err)
	}

	return nil
}

func bodyProblem(err error) *Problem {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return newProblem(http.StatusRequestEntityTooLarge, CodeBodyTooLarge,
			"the request body is above the size limit")
	}

	return newProblem(http.StatusBadRequest, CodeInvalidJSON,
		"send exactly one JSON object with only the documented fields")
}
