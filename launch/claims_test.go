package launch

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDecodeRefusesNullStrings covers every string member of the claims and
// of the header, found by reflection so that a new one cannot be missed.
func TestDecodeRefusesNullStrings(t *testing.T) {
	tests := []struct {
		name      string
		target    func() any
		memberErr error
	}{
		{"claims", func() any { return &claimSet{} }, ErrInvalidClaim},
		{"header", func() any { return &header{} }, ErrMalformed},
	}
	for _, tt := range tests {
		typ := reflect.TypeOf(tt.target()).Elem()
		var names []string
		for f := range typ.Fields() {
			if f.Type.Kind() == reflect.String {
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				names = append(names, name)
			}
		}
		require.NotEmpty(t, names)

		for _, name := range names {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				err := decodeSegment(b64(`{"`+name+`":null}`), tt.target(), tt.memberErr)
				require.ErrorIs(t, err, tt.memberErr)
				assert.Contains(t, err.Error(), `member "`+name+`" has the wrong type`)

				assert.NoError(t, decodeSegment(b64(`{"`+name+`":"x"}`), tt.target(), tt.memberErr))
			})
		}
	}
}
