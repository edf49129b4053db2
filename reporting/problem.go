package reporting

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"time"
)

// ProblemTypePrefix starts the "type" URI of every problem; the problem's
// code follows it.
const ProblemTypePrefix = "urn:vap:problem:"

// Problem is an RFC 9457 problem details body, served as
// application/problem+json. It never carries internal detail.
type Problem struct {
	// Type is ProblemTypePrefix followed by Code.
	Type string `json:"type"`
	// Title is a short, fixed summary of the problem's kind.
	Title string `json:"title"`
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Detail is a one-line hint for the partner's developers, or empty.
	Detail string `json:"detail,omitempty"`
	// Code is the stable machine-readable code.
	Code string `json:"code"`

	retryAfter time.Duration
	cause      error // logged by the handler, never sent
}

// Error returns "reporting: <code>".
func (p *Problem) Error() string { return "reporting: " + p.Code }

func newProblem(status int, code, detail string) *Problem {
	return &Problem{
		Type:   ProblemTypePrefix + code,
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
		Code:   code,
	}
}

// writeProblem sends p with the no-store header set by the handler.
func writeProblem(w http.ResponseWriter, p *Problem) {
	noteFailure(w, p)
	body, err := json.Marshal(p)
	if err != nil {
		body = []byte(`{"type":"about:blank","status":500,"code":"internal"}`)
	}

	if p.retryAfter > 0 {
		secs := int(math.Ceil(p.retryAfter.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	}

	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(p.Status)
	_, _ = w.Write(body)
}

// writeJSON sends v as application/json with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeProblem(w, newProblem(http.StatusInternalServerError, "internal", ""))
		return
	}

	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// failureNote is the response writer the handler serves through: it
// remembers the cause of a failed request so that ServeHTTP can log it
// once the response is written.
type failureNote struct {
	http.ResponseWriter
	code  string
	cause error
}

// noteFailure records p's cause on w when w is the handler's failureNote.
func noteFailure(w http.ResponseWriter, p *Problem) {
	if n, ok := w.(*failureNote); ok && p.cause != nil {
		n.code, n.cause = p.Code, p.cause
	}
}
