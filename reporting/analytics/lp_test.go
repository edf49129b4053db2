package analytics

import (
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMaximize(t *testing.T) {
	tests := []struct {
		name       string
		p          program
		max        *big.Rat // nil: unbounded
		infeasible bool
	}{
		{name: "partition remainder", max: big.NewRat(2, 1), p: program{
			// x0 + x1 = 10, x1 - x2 = 8: x0 = 2 - x2.
			a: [][]int64{{1, 1, 0}, {0, 1, -1}}, b: []int64{10, 8}}},
		{name: "fixed by one row", max: big.NewRat(3, 1), p: program{
			a: [][]int64{{2, 0}, {1, 1}}, b: []int64{6, 9}}},
		{name: "fraction", max: big.NewRat(7, 2), p: program{
			a: [][]int64{{2, 1}}, b: []int64{7}}},
		{name: "unbounded", p: program{a: [][]int64{{1, -1}}, b: []int64{3}}},
		{name: "no rows", p: program{a: nil, b: nil}},
		{name: "redundant rows", max: big.NewRat(5, 1), p: program{
			a: [][]int64{{1, 1}, {2, 2}, {-1, -1}}, b: []int64{5, 10, -5}}},
		{name: "degenerate", max: big.NewRat(0, 1), p: program{
			a: [][]int64{{1, 1, -1}, {0, 1, -1}}, b: []int64{0, 0}}},
		{name: "infeasible", infeasible: true, p: program{
			a: [][]int64{{1, 1}, {1, 1}}, b: []int64{2, 3}}},
		{name: "objective not first", max: big.NewRat(4, 1), p: program{
			obj: 2, a: [][]int64{{1, 0, 1}, {0, 1, 1}}, b: []int64{4, 6}}},
		{name: "beyond int64 fractions", max: big.NewRat(math.MaxInt64/3, 1), p: program{
			a: [][]int64{{3, 1}}, b: []int64{math.MaxInt64 / 3 * 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := maximize(tt.p)
			require.Equal(t, tt.infeasible, got.infeasible)
			if tt.max == nil {
				assert.Nil(t, got.max)
				return
			}

			require.NotNil(t, got.max)
			assert.Zero(t, tt.max.Cmp(got.max), "max %v", got.max)
		})
	}
}

func TestNumArithmetic(t *testing.T) {
	big1 := fromRat(new(big.Rat).SetFrac(new(big.Int).Lsh(big.NewInt(1), 100), big.NewInt(3)))
	tests := []struct {
		name string
		got  num
		want *big.Rat
	}{
		{"add", numOf(1).quo(numOf(3)).add(numOf(1).quo(numOf(6))), big.NewRat(1, 2)},
		{"sub", numOf(1).sub(numOf(3).quo(numOf(4))), big.NewRat(1, 4)},
		{"negative quotient", numOf(3).quo(numOf(-6)), big.NewRat(-1, 2)},
		{"overflowing product", numOf(math.MaxInt64 / 4).mul(numOf(8)),
			new(big.Rat).Mul(big.NewRat(math.MaxInt64/4, 1), big.NewRat(8, 1))},
		{"back to int64", big1.mul(numOf(3)).quo(big1).quo(numOf(3)), big.NewRat(1, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Zero(t, tt.want.Cmp(tt.got.rat()), "got %v", tt.got.rat())
		})
	}

	assert.Nil(t, big1.mul(numOf(3)).quo(big1).r, "fits int64 again")
}
