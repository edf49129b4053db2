package reporting_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/virtualaipatient/integration/reporting"
)

// TestCodesLiveForTheirTTL checks that a one-time code stays redeemable for
// the whole configured lifetime, however many codes are issued meanwhile.
func TestCodesLiveForTheirTTL(t *testing.T) {
	tests := []struct {
		name string
		ttl  time.Duration
	}{
		{name: "default", ttl: reporting.DefaultCodeTTL},
		{name: "two minutes", ttl: 2 * time.Minute},
		{name: "five minutes", ttl: 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *reporting.Config) { c.CodeTTL = tt.ttl })
			rec := e.launchJSON(e.mint(e.a, "user-1", caseChest))
			require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
			first := decode[reporting.LaunchResponse](t, rec)

			// Other launches a second before the first code expires.
			e.clock.Advance(tt.ttl - time.Second)
			for _, sub := range []string{"user-2", "user-3"} {
				require.Equal(t, http.StatusCreated, e.launchJSON(e.mint(e.a, sub, caseChest)).Code)
			}

			ex := e.exchange(codeOf(t, first.LaunchURL))
			assert.Equal(t, http.StatusOK, ex.Code, ex.Body.String())
		})
	}
}
