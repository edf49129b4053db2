package reporting_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/reporting"
)

var (
	specOnce   sync.Once
	specRouter routers.Router
	specErr    error
)

func loadSpec() (routers.Router, error) {
	specOnce.Do(func() {
		// The launch endpoint answers a navigating browser with an HTML
		// page; its body is checked as a string.
		openapi3filter.RegisterBodyDecoder("text/html", func(body io.Reader, _ http.Header,
			_ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
			b, err := io.ReadAll(body)
			return string(b), err
		})
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(reporting.OpenAPI)
		if err != nil {
			specErr = err
			return
		}

		doc.Servers = openapi3.Servers{{URL: "https://vap.example" + reporting.DefaultBasePath}}
		if err := doc.Validate(context.Background()); err != nil {
			specErr = err
			return
		}

		specRouter, specErr = legacy.NewRouter(doc)
	})

	return specRouter, specErr
}

// validateResponse checks that the recorded response is one the OpenAPI
// document allows for the request.
func validateResponse(t testing.TB, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	router, err := loadSpec()
	require.NoError(t, err)

	probe := req.Clone(context.Background())
	probe.URL.Scheme, probe.URL.Host = "https", "vap.example"
	probe.Body = http.NoBody
	route, params, err := router.FindRoute(probe)
	if err != nil {
		require.Contains(t, []int{404, 405}, rec.Code, "undocumented route %s %s", req.Method, req.URL)
		return
	}

	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: probe, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status:  rec.Code,
		Header:  rec.Header(),
		Body:    io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	require.NoError(t, openapi3filter.ValidateResponse(context.Background(), in),
		"%s %s -> %d %s", req.Method, req.URL, rec.Code, rec.Body.String())
}
