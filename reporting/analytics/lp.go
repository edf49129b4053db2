package analytics

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// The suppression pass asks one question many times: over every
// non-negative solution of the relations that the published numbers leave
// open (suppressed counts shifted by their least value, 1), how large can
// a hidden count be? That is a small linear program,
// which gonum's simplex solves in floating point. Around it, exact integer
// elimination makes the answer exact, or else smaller, which only hides
// more:
//
//   - it drops the rows that the others imply (the simplex needs
//     independent rows); a row that contradicts them makes the program
//     infeasible, and rows that fix every variable solve it;
//   - it gives the simplex a first basis, so that the simplex need not
//     search for one: the echelon form's pivots when they are feasible,
//     else the optimum of a first program that gets rid of the negative
//     right-hand sides;
//   - it works a finite optimum out again, exactly, on the variables that
//     the simplex left positive. That is a solution of the program, so its
//     value is at most the true maximum, and it is the maximum whenever the
//     simplex stopped at an optimal vertex, as it does up to its tolerance;
//   - an unbounded answer stands only with an exact solution and an exact
//     direction along which the hidden count grows without bound;
//   - any other answer becomes the most restrictive one, infeasible.

// program is max x[obj] subject to a·x = b and x ≥ 0, with integer
// coefficients.
type program struct {
	a   [][]int64
	b   []int64
	obj int
}

// key identifies p, for memoization.
func (p program) key() string {
	buf := make([]byte, 0, 4*(len(p.b)+1)*(len(p.b)+2))
	buf = binary.AppendVarint(buf, int64(p.obj))
	buf = binary.AppendVarint(buf, int64(len(p.a)))
	for i, row := range p.a {
		buf = binary.AppendVarint(buf, p.b[i])
		for _, c := range row {
			buf = binary.AppendVarint(buf, c)
		}
	}

	return string(buf)
}

// reduce solves the rows with a single variable, substitutes their
// values, and keeps the rows and columns connected to the objective. It
// returns the objective's value instead when a row fixes it.
func (p program) reduce() (program, *big.Rat) {
	if len(p.a) == 0 {
		return p, nil
	}

	a, b := make([][]int64, len(p.a)), slices.Clone(p.b)
	for i, row := range p.a {
		a[i] = slices.Clone(row)
	}

	for changed := true; changed; {
		changed = false
		for i, row := range a {
			col, n := -1, 0
			for j, c := range row {
				if c != 0 {
					col, n = j, n+1
				}
			}

			if n != 1 || b[i]%row[col] != 0 {
				continue
			}

			v := b[i] / row[col]
			if col == p.obj {
				return program{}, big.NewRat(v, 1)
			}

			for k := range a {
				b[k] -= a[k][col] * v
				a[k][col] = 0
			}

			changed = true
		}
	}

	return around(a, b, p.obj), nil
}

// around keeps the rows and columns of a that column obj reaches through
// shared rows, renumbering obj to 0.
func around(a [][]int64, b []int64, obj int) program {
	cols := []int{obj}
	inCol, inRow := make([]bool, len(a[0])), make([]bool, len(a))
	inCol[obj] = true
	var rows []int
	for k := 0; k < len(cols); k++ {
		for i, row := range a {
			if inRow[i] || row[cols[k]] == 0 {
				continue
			}

			inRow[i] = true
			rows = append(rows, i)
			for j, c := range row {
				if c != 0 && !inCol[j] {
					inCol[j] = true
					cols = append(cols, j)
				}
			}
		}
	}

	out := program{obj: 0}
	for _, i := range rows {
		row := make([]int64, len(cols))
		for k, j := range cols {
			row[k] = a[i][j]
		}

		out.a, out.b = append(out.a, row), append(out.b, b[i])
	}

	return out
}

// maxResult is the optimum of a program: max is nil when unbounded.
// infeasible reports a program without solution, or one whose answer the
// solver could not confirm; the caller treats both as the most
// restrictive answer.
type maxResult struct {
	max        *big.Rat
	infeasible bool
}

const (
	// simplexTol is the reduced cost under which gonum's simplex stops.
	simplexTol = 1e-10
	// zeroTol is the size, relative to the largest, under which a value of
	// the simplex's solution counts as 0.
	zeroTol = 1e-9
)

// simplex is gonum's solver. Tests replace it to check that a wrong answer
// errs toward hiding.
var simplex = lp.Simplex

// lpFailed, when set, is told of each program whose answer falls back to
// infeasible because the simplex's could not be confirmed. The package's
// tests set it to fail.
var lpFailed func(p program, err error)

// errUnconfirmed is returned when an answer of the simplex does not hold
// exactly.
var errUnconfirmed = errors.New("analytics: simplex answer does not hold exactly")

// maximize solves p. The maximum is exact, or smaller should the simplex
// stop short of the optimum.
func maximize(p program) maxResult {
	p, fixed := p.reduce()
	if fixed != nil {
		return maxResult{max: fixed}
	}

	if len(p.a) == 0 {
		return maxResult{}
	}

	r, err := solve(p)
	if err != nil {
		if lpFailed != nil {
			lpFailed(p, err)
		}

		return maxResult{infeasible: true}
	}

	return r
}

// solve maximizes x[obj] over a program of one row or more.
func solve(p program) (maxResult, error) {
	n := len(p.a[0])
	e, ok := echelon(p.a, p.b, columns(n), true)
	if !ok {
		return maxResult{infeasible: true}, nil
	}

	if len(e.rows) == n {
		// The rows fix every variable.
		x, feasible := e.solution(n)
		if !feasible {
			return maxResult{infeasible: true}, nil
		}

		return maxResult{max: x[p.obj]}, nil
	}

	a, b := make([][]int64, len(e.kept)), make([]int64, len(e.kept))
	for k, i := range e.kept {
		a[k], b[k] = p.a[i], p.b[i]
	}

	basis := e.pivots
	if _, feasible := e.solution(n); !feasible {
		var err error
		if basis, err = firstBasis(a, b, e); err != nil {
			if errors.Is(err, lp.ErrInfeasible) {
				return maxResult{infeasible: true}, nil
			}

			return maxResult{}, err
		}
	}

	c := make([]float64, n)
	c[p.obj] = -1
	x, err := simplexFrom(c, a, b, basis)
	if errors.Is(err, lp.ErrUnbounded) {
		return maxResult{}, confirmUnbounded(a, p.obj, e.pivots)
	}

	if err != nil {
		return maxResult{}, err
	}

	v, _, err := vertex(a, b, x)
	if err != nil {
		return maxResult{}, err
	}

	return maxResult{max: v[p.obj]}, nil
}

// firstBasis returns a feasible basis of a·x = b, x ≥ 0 (independent rows),
// whose echelon form e has a negative right-hand side. It minimizes the
// sum of artificial variables, one for each such row: the negated column
// of the row's pivot, so that these and the other rows' pivots start as a
// feasible basis. It returns lp.ErrInfeasible when the sum stays positive.
func firstBasis(a [][]int64, b []int64, e echelonForm) ([]int, error) {
	n := len(a[0])
	var arts []int // the pivot columns that get an artificial
	start := slices.Clone(e.pivots)
	for k, j := range e.pivots {
		if e.value(k).Sign() < 0 {
			start[k] = n + len(arts)
			arts = append(arts, j)
		}
	}

	wide := make([][]int64, len(a))
	for i, row := range a {
		wide[i] = append(slices.Clone(row), make([]int64, len(arts))...)
		for k, j := range arts {
			wide[i][n+k] = -row[j]
		}
	}

	c := make([]float64, n+len(arts))
	for k := range arts {
		c[n+k] = 1
	}

	x, err := simplexFrom(c, wide, b, start)
	if err != nil {
		return nil, err
	}

	_, basis, err := vertex(a, b, x[:n])
	if err == nil {
		return basis, nil
	}

	var sum, scale float64
	for j, v := range x {
		scale = max(scale, math.Abs(v))
		if j >= n {
			sum += v
		}
	}

	if sum > zeroTol*max(1, scale) {
		return nil, lp.ErrInfeasible
	}

	return nil, err
}

// confirmUnbounded checks the simplex's claim that x[obj] has no maximum
// over a·x = b, x ≥ 0 (independent rows, with pivots a basis), a feasible
// program: it asks the simplex for a direction r with a·r = 0, r ≥ 0 and
// r[obj] = 1, and checks it exactly.
func confirmUnbounded(a [][]int64, obj int, pivots []int) error {
	// The columns are r, then the slack s of r[obj] + s = 1, maximizing
	// r[obj] from r = 0.
	m, n := len(a), len(a[0])
	rows := make([][]int64, m+1)
	for i, row := range a {
		rows[i] = append(slices.Clone(row), 0)
	}

	rows[m] = make([]int64, n+1)
	rows[m][obj], rows[m][n] = 1, 1
	rhs := make([]int64, m+1)
	rhs[m] = 1

	c := make([]float64, n+1)
	c[obj] = -1
	r, err := simplexFrom(c, rows, rhs, append(slices.Clone(pivots), n))
	if err != nil {
		return fmt.Errorf("%w: unbounded, then %w", errUnconfirmed, err)
	}

	v, _, err := vertex(rows, rhs, r)
	if err != nil {
		return err
	}

	if v[obj].Cmp(big.NewRat(1, 1)) != 0 {
		return fmt.Errorf("%w: unbounded without a direction", errUnconfirmed)
	}

	return nil
}

// simplexFrom minimizes c·x over a·x = b, x ≥ 0 with gonum's simplex,
// starting from basis, which is feasible exactly. gonum panics when it
// finds the basis infeasible to its tolerance, which rounding can cause
// where the basis is degenerate; the simplex then starts again without a
// basis and looks for one itself.
func simplexFrom(c []float64, a [][]int64, b []int64, basis []int) ([]float64, error) {
	ad, bf := dense(a), make([]float64, len(b))
	for i, v := range b {
		bf[i] = float64(v)
	}

	var x []float64
	var err error
	refused := func() (refused bool) {
		defer func() { refused = recover() != nil }()
		_, x, err = simplex(c, ad, bf, simplexTol, basis)

		return false
	}()
	if refused {
		_, x, err = simplex(c, ad, bf, simplexTol, nil)
	}

	if err != nil && !errors.Is(err, lp.ErrUnbounded) && !errors.Is(err, lp.ErrInfeasible) {
		err = fmt.Errorf("analytics: simplex: %w", err)
	}

	return x, err
}

// vertex returns the exact solution v ≥ 0 of a·v = b (independent rows)
// that is 0 wherever x, the simplex's solution, is, and a basis of v. It
// fails unless x is v but for rounding.
func vertex(a [][]int64, b []int64, x []float64) ([]*big.Rat, []int, error) {
	scale := 1.0
	for _, v := range x {
		scale = max(scale, math.Abs(v))
	}

	// The echelon form over the positive variables first has them among
	// its pivots, unless they are dependent, with the others 0.
	var order, rest []int
	for j, v := range x {
		if v > zeroTol*scale {
			order = append(order, j)
		} else {
			rest = append(rest, j)
		}
	}

	order = append(order, rest...)

	e, ok := echelon(a, b, order, false)
	if !ok || len(e.rows) != len(a) {
		return nil, nil, fmt.Errorf("%w: dependent rows", errUnconfirmed)
	}

	v := make([]*big.Rat, len(x))
	for j := range v {
		v[j] = new(big.Rat)
	}

	basis := make([]int, len(e.rows))
	for k, p := range e.pivots {
		basis[k] = order[p]
		v[order[p]] = e.value(k)
		if v[order[p]].Sign() < 0 {
			return nil, nil, fmt.Errorf("%w: no solution on its positive variables",
				errUnconfirmed)
		}
	}

	for j, xj := range x {
		if f, _ := v[j].Float64(); !(math.Abs(f-xj) <= zeroTol*scale) {
			return nil, nil, fmt.Errorf("%w: its solution is no vertex", errUnconfirmed)
		}
	}

	return v, basis, nil
}

// columns returns 0, 1, …, n-1.
func columns(n int) []int {
	out := make([]int, n)
	for j := range out {
		out[j] = j
	}

	return out
}

func dense(a [][]int64) *mat.Dense {
	out := mat.NewDense(len(a), len(a[0]), nil)
	for i, row := range a {
		for j, c := range row {
			out.Set(i, j, float64(c))
		}
	}

	return out
}

// echelonForm is a system in reduced row echelon form, in integers: each
// row has a nonzero entry in its pivot column, where every other row has
// 0, and ends with its right-hand side.
type echelonForm struct {
	rows   [][]*big.Int
	pivots []int // the pivot column of each row
	kept   []int // the input row each row comes from
}

// value returns the value of row k's pivot variable when the variables
// that are not pivots are 0.
func (e echelonForm) value(k int) *big.Rat {
	row := e.rows[k]
	return new(big.Rat).SetFrac(row[len(row)-1], row[e.pivots[k]])
}

// solution returns the values of the n variables when those that are not
// pivots are 0, and whether none is negative.
func (e echelonForm) solution(n int) ([]*big.Rat, bool) {
	x := make([]*big.Rat, n)
	for j := range x {
		x[j] = new(big.Rat)
	}

	feasible := true
	for k, j := range e.pivots {
		x[j] = e.value(k)
		feasible = feasible && x[j].Sign() >= 0
	}

	return x, feasible
}

// echelon brings a·x = b, over the columns cols in that order, to reduced
// row echelon form by exact fraction-free Gauss-Jordan elimination,
// dropping each row that the ones before it imply. It reports false when
// such a row contradicts them. Each row's pivot is its first column with
// a nonzero entry, unless crash is set: then the sparser rows go first and
// a row's pivot is one whose entry has the sign of its right-hand side
// and that the fewest rows use, so that the pivots are often a feasible
// basis.
func echelon(a [][]int64, b []int64, cols []int, crash bool) (echelonForm, bool) {
	order, uses := columns(len(a)), make([]int, len(cols))
	if crash {
		nonzero := make([]int, len(a))
		for i, coef := range a {
			for k, j := range cols {
				if coef[j] != 0 {
					nonzero[i]++
					uses[k]++
				}
			}
		}

		slices.SortStableFunc(order, func(i, j int) int {
			return cmp.Compare(nonzero[i], nonzero[j])
		})
	}

	var e echelonForm
	for _, i := range order {
		row := make([]*big.Int, len(cols)+1)
		for k, j := range cols {
			row[k] = big.NewInt(a[i][j])
		}

		rhs := big.NewInt(b[i])
		row[len(cols)] = rhs
		for k, r := range e.rows {
			eliminate(row, r, e.pivots[k])
		}

		col := -1
		for k, v := range row[:len(cols)] {
			switch {
			case v.Sign() == 0:
			case col < 0:
				col = k
			case !crash:
			case v.Sign()*rhs.Sign() >= 0 && row[col].Sign()*rhs.Sign() < 0:
				col = k
			case (v.Sign()*rhs.Sign() >= 0) == (row[col].Sign()*rhs.Sign() >= 0) &&
				uses[k] < uses[col]:
				col = k
			}

			if col >= 0 && !crash {
				break
			}
		}

		if col < 0 {
			if rhs.Sign() != 0 {
				return echelonForm{}, false
			}

			continue
		}

		for _, r := range e.rows {
			eliminate(r, row, col)
		}

		e.rows = append(e.rows, row)
		e.pivots, e.kept = append(e.pivots, col), append(e.kept, i)
	}

	return e, true
}

// eliminate makes row's entry in col 0: row becomes p·row − f·pivot, with
// p and f the entries of pivot and row in col over their greatest common
// divisor, then is divided by the greatest common divisor of its entries.
func eliminate(row, pivot []*big.Int, col int) {
	if row[col].Sign() == 0 {
		return
	}

	g := new(big.Int).GCD(nil, nil, row[col], pivot[col])
	p, f := new(big.Int).Quo(pivot[col], g), new(big.Int).Quo(row[col], g)
	one, t := p.IsInt64() && p.Int64() == 1, new(big.Int)
	for j, v := range pivot {
		if !one && row[j].Sign() != 0 {
			row[j].Mul(row[j], p)
		}

		if v.Sign() != 0 {
			row[j].Sub(row[j], t.Mul(f, v))
		}
	}

	g.SetInt64(0)
	for _, v := range row {
		if v.Sign() == 0 {
			continue
		}

		if g.GCD(nil, nil, g, v); g.IsInt64() && g.Int64() == 1 {
			return
		}
	}

	if g.Sign() != 0 {
		for _, v := range row {
			v.Quo(v, g)
		}
	}
}
