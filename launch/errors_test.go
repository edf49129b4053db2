package launch

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

var allSentinels = []error{
	ErrConfig, ErrTokenTooLarge, ErrMalformed, ErrDuplicateMember, ErrAlgorithmNotAllowed,
	ErrForbiddenHeader, ErrType, ErrKeyNotFound, ErrKeySetUnavailable, ErrBadSignature, ErrIssuer,
	ErrAudience, ErrExpired, ErrNotYetValid, ErrIssuedInFuture, ErrLifetimeExceeded,
	ErrMissingClaim, ErrInvalidClaim, ErrReplayed, ErrReplayGuardUnavailable, ErrKeyUnsupported,
}

func TestSentinelsHaveStableCodesAndHints(t *testing.T) {
	seen := map[string]bool{}
	for _, err := range allSentinels {
		t.Run(Code(err), func(t *testing.T) {
			assert.NotEmpty(t, Code(err))
			assert.False(t, seen[Code(err)], "codes are unique")
			seen[Code(err)] = true
			assert.NotEmpty(t, Hint(err))
			assert.Regexp(t, `^launch: [a-z]`, err.Error())

			wrapped := fmt.Errorf("outer: %w", errorf(err, "detail"))
			assert.ErrorIs(t, wrapped, err)
			assert.Equal(t, Code(err), Code(wrapped))
		})
	}
}

func TestCodeOfForeignErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"nil", nil},
		{"foreign", errors.New("other")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Empty(t, Code(tt.err))
			assert.Empty(t, Hint(tt.err))
		})
	}
}

func TestTimeErrorMatchesItsSentinel(t *testing.T) {
	err := error(&TimeError{Kind: ErrExpired, Skew: 95 * time.Second, Leeway: 30 * time.Second})

	assert.ErrorIs(t, err, ErrExpired)
	assert.NotErrorIs(t, err, ErrNotYetValid)
	assert.Equal(t, "token_expired", Code(err))
	assert.Equal(t, "launch: token expired 1m35s ago (beyond the 30s leeway); mint a new one "+
		"just before use", err.Error())
}
