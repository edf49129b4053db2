package reporting

import (
	_ "embed"
	"net/http"
	"strconv"
)

// OpenAPI is the OpenAPI 3.1 document of the handler's endpoints, with
// paths relative to DefaultBasePath.
//
//go:embed openapi.json
var OpenAPI []byte

// handleOpenAPI serves the OpenAPI document.
func (h *Handler) handleOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(OpenAPI)))
	_, _ = w.Write(OpenAPI)
}
