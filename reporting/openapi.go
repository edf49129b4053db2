package reporting

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// OpenAPI is the OpenAPI 3.1 document of the handler's endpoints. Its one
// server is DefaultBasePath; the handler serves a copy whose server is
// Config.BasePath.
//
//go:embed openapi.json
var OpenAPI []byte

// openAPIFor returns the OpenAPI document with base as its one server.
func openAPIFor(base string) ([]byte, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(OpenAPI, &doc); err != nil {
		return nil, fmt.Errorf("reporting: openapi document: %w", err)
	}

	servers, err := json.Marshal([]map[string]string{{"url": base}})
	if err != nil {
		return nil, fmt.Errorf("reporting: openapi document: %w", err)
	}

	doc["servers"] = servers

	return json.MarshalIndent(doc, "", "  ")
}

// handleOpenAPI serves the OpenAPI document. It takes no query
// parameters.
func (h *Handler) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	if _, p := readQuery(r); p != nil {
		writeProblem(w, p)
		return
	}

	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(h.spec)))
	_, _ = w.Write(h.spec)
}
