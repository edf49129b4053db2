package analytics

import (
	"errors"
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

func TestMaximize(t *testing.T) {
	tests := []struct {
		name       string
		p          program
		max        *big.Rat // nil: unbounded
		infeasible bool
		runs       int // of the simplex, when not 0
	}{
		{name: "partition remainder", max: big.NewRat(2, 1), p: program{
			// x0 + x1 = 10, x1 - x2 = 8: x0 = 2 - x2.
			a: [][]int64{{1, 1, 0}, {0, 1, -1}}, b: []int64{10, 8}}},
		{name: "fixed by one row", max: big.NewRat(3, 1), p: program{
			a: [][]int64{{2, 0}, {1, 1}}, b: []int64{6, 9}}},
		{name: "fraction", max: big.NewRat(7, 2), p: program{
			a: [][]int64{{2, 1}}, b: []int64{7}}},
		{name: "unbounded", runs: 2, p: program{a: [][]int64{{1, -1}}, b: []int64{3}}},
		{name: "no rows", p: program{a: nil, b: nil}},
		{name: "redundant rows", max: big.NewRat(5, 1), p: program{
			a: [][]int64{{1, 1}, {2, 2}, {-1, -1}}, b: []int64{5, 10, -5}}},
		{name: "dependent row", max: big.NewRat(5, 1), runs: 1, p: program{
			// The third row is the sum of the others, which gonum's
			// simplex refuses as singular.
			a: [][]int64{{1, 1, 0}, {0, 1, 1}, {1, 2, 1}}, b: []int64{5, 3, 8}}},
		{name: "contradicting dependent row", infeasible: true, p: program{
			a: [][]int64{{1, 1, 0}, {0, 1, 1}, {1, 2, 1}}, b: []int64{5, 3, 9}}},
		{name: "degenerate", max: big.NewRat(0, 1), p: program{
			a: [][]int64{{1, 1, -1}, {0, 1, -1}}, b: []int64{0, 0}}},
		{name: "infeasible", infeasible: true, p: program{
			a: [][]int64{{1, 1}, {1, 1}}, b: []int64{2, 3}}},
		{name: "infeasible with a first basis", infeasible: true, p: program{
			// x0 + x1 - x2 = 1 and x1 - x2 = 2 give x0 = -1.
			a: [][]int64{{1, 1, -1}, {0, 1, -1}}, b: []int64{1, 2}}},
		{name: "objective not first", max: big.NewRat(4, 1), p: program{
			obj: 2, a: [][]int64{{1, 0, 1}, {0, 1, 1}}, b: []int64{4, 6}}},
		{name: "every variable fixed", max: big.NewRat(3, 2), runs: -1, p: program{
			a: [][]int64{{1, 1, 0}, {0, 1, 1}, {1, 0, 1}}, b: []int64{3, 2, 2}}},
		{name: "every variable fixed, one negative", infeasible: true, p: program{
			a: [][]int64{{1, 1, 0}, {0, 1, 1}, {1, 0, 1}}, b: []int64{1, 1, 4}}},
		{name: "first basis", max: big.NewRat(3, 1), runs: 2, p: program{
			// The echelon form's pivots are not a feasible basis.
			a: [][]int64{{-1, 1, 1, 0}, {1, 0, 1, -1}, {1, 0, 0, 1}}, b: []int64{3, 3, 3}}},
		{name: "unbounded from a first basis", runs: 3, p: program{
			a: [][]int64{{1, -1, -1}, {1, -1, 1}}, b: []int64{-1, 2}}},
		{name: "weighted distribution", max: big.NewRat(6, 1), p: program{
			// x0 + x1 + x2 = 6 pairs, 1·x0 + 2·x1 + 5·x2 = 12 attempts.
			obj: 1, a: [][]int64{{1, 1, 1}, {1, 2, 5}}, b: []int64{6, 12}}},
		{name: "beyond float64 precision", max: big.NewRat(math.MaxInt64/3, 1), p: program{
			a: [][]int64{{3, 1}}, b: []int64{math.MaxInt64 / 3 * 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := 0
			swap(t, &simplex, func(c []float64, a mat.Matrix, b []float64, tol float64,
				basis []int) (float64, []float64, error) {
				runs++
				return lp.Simplex(c, a, b, tol, basis)
			})

			got := maximize(tt.p)
			if tt.runs != 0 {
				assert.Equal(t, max(tt.runs, 0), runs, "runs of the simplex")
			}

			require.Equal(t, tt.infeasible, got.infeasible)
			if tt.infeasible {
				return
			}

			if tt.max == nil {
				assert.Nil(t, got.max)
				return
			}

			require.NotNil(t, got.max)
			assert.Zero(t, tt.max.Cmp(got.max), "max %v", got.max)
		})
	}
}

// simplexFunc is the signature of gonum's lp.Simplex.
type simplexFunc = func(c []float64, a mat.Matrix, b []float64, tol float64,
	basis []int) (float64, []float64, error)

// TestMaximizeWrongSimplex replaces gonum's simplex with wrong ones: the
// answer is then the true maximum, or smaller, or the restrictive
// infeasible, never larger, and each fallback is reported.
func TestMaximizeWrongSimplex(t *testing.T) {
	// x0 + x1 = 10, x1 + x2 = 4: max x0 = 10.
	bounded := program{a: [][]int64{{1, 1, 0}, {0, 1, 1}}, b: []int64{10, 4}}
	errAny := errors.New("some failure")
	answer := func(x []float64, err error) simplexFunc {
		return func([]float64, mat.Matrix, []float64, float64, []int) (float64, []float64, error) {
			return 0, x, err
		}
	}
	tests := []struct {
		name    string
		p       program
		simplex simplexFunc
		max     *big.Rat // nil: infeasible
		failed  error
	}{
		{name: "unbounded claim without a direction", p: bounded,
			simplex: answer(nil, lp.ErrUnbounded), failed: errUnconfirmed},
		{name: "solution off the program", p: bounded,
			simplex: answer([]float64{3, 3, 3}, nil), failed: errUnconfirmed},
		{name: "negative solution", p: bounded,
			simplex: answer([]float64{11, -1, 5}, nil), failed: errUnconfirmed},
		{name: "stopped short of the optimum", p: bounded, max: big.NewRat(6, 1),
			simplex: answer([]float64{6, 4, 0}, nil)},
		{name: "other error", p: bounded, simplex: answer(nil, lp.ErrBland), failed: lp.ErrBland},
		{name: "unknown error", p: bounded, simplex: answer(nil, errAny), failed: errAny},
		{name: "refused first basis", p: bounded, max: big.NewRat(10, 1),
			simplex: func(c []float64, a mat.Matrix, b []float64, tol float64,
				basis []int) (float64, []float64, error) {
				if basis != nil {
					panic("lp: supplied subcolumns not a feasible solution")
				}

				return lp.Simplex(c, a, b, tol, nil)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var failed []error
			swap(t, &simplex, tt.simplex)
			swap(t, &lpFailed, func(_ program, err error) { failed = append(failed, err) })

			got := maximize(tt.p)
			if tt.max == nil {
				assert.True(t, got.infeasible)
			} else {
				require.NotNil(t, got.max)
				assert.Zero(t, tt.max.Cmp(got.max), "max %v", got.max)
			}

			if tt.failed == nil {
				assert.Empty(t, failed)
				return
			}

			require.Len(t, failed, 1)
			assert.ErrorIs(t, failed[0], tt.failed)
		})
	}
}

// swap sets *v to x for the duration of the test.
func swap[T any](t *testing.T, v *T, x T) {
	t.Helper()
	old := *v
	*v = x
	t.Cleanup(func() { *v = old })
}
