package signinpage_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/virtualaipatient/integration/internal/signinpage"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name     string
		hint     string
		wantHint string
	}{
		{name: "hint", hint: "Try <again>.", wantHint: "Try &lt;again&gt;."},
		{name: "default hint", wantHint: signinpage.DefaultHint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			signinpage.Write(rec, http.StatusForbidden, "launch_not_permitted", tt.hint)

			assert.Equal(t, http.StatusForbidden, rec.Code)
			assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
			assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
			assert.Equal(t, "default-src 'none'", rec.Header().Get("Content-Security-Policy"))
			assert.Contains(t, rec.Body.String(), "<code>launch_not_permitted</code>")
			assert.Contains(t, rec.Body.String(), tt.wantHint)
		})
	}
}
