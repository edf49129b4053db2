package logkey_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/virtualaipatient/integration/internal/logkey"
)

func TestHash(t *testing.T) {
	k := logkey.New([]byte("host-secret"))
	other := logkey.New([]byte("another-secret"))
	tests := []struct {
		name  string
		a, b  string
		equal bool
	}{
		{name: "same id same hash", a: k.Hash("p", "user-1"), b: k.Hash("p", "user-1"),
			equal: true},
		{name: "other id", a: k.Hash("p", "user-1"), b: k.Hash("p", "user-2")},
		{name: "other partner", a: k.Hash("p", "user-1"), b: k.Hash("q", "user-1")},
		{name: "scope boundary", a: k.Hash("ab", "c"), b: k.Hash("a", "bc")},
		{name: "other key", a: k.Hash("p", "user-1"), b: other.Hash("p", "user-1")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Len(t, tc.a, logkey.HashLen)
			assert.NotContains(t, tc.a, "user")
			assert.Equal(t, tc.equal, tc.a == tc.b)
		})
	}
}

func TestProcessKeyIsStable(t *testing.T) {
	assert.Equal(t, logkey.Process().Hash("p", "u"), logkey.Process().Hash("p", "u"))
	assert.NotEqual(t, logkey.New(nil).Hash("p", "u"), logkey.New(nil).Hash("p", "u"))
}
