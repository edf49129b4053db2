package analyticstest

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// equation is Σ coef[v]·x[v] = 0 over the variables of a system.
type equation map[int]int64

// reduced is an equation over the unknown variables, known values moved
// to the right-hand side.
type reduced struct {
	coef map[int]int64
	rhs  int64
}

// determined returns which unknown variables the equations fix: those
// whose unit vector lies in the row space (exact Gauss-Jordan
// elimination over the rationals).
func determined(eqs []reduced) map[int]bool {
	var rows []map[int]*big.Rat
	for _, e := range eqs {
		row := make(map[int]*big.Rat)
		for v, c := range e.coef {
			if c != 0 {
				row[v] = big.NewRat(c, 1)
			}
		}

		if len(row) > 0 {
			rows = append(rows, row)
		}
	}

	pivotOf := make(map[int]int) // column -> row
	for r := 0; r < len(rows); r++ {
		col := -1
		for v := range rows[r] {
			if _, taken := pivotOf[v]; !taken && (col < 0 || v < col) {
				col = v
			}
		}

		if col < 0 {
			continue
		}

		p := new(big.Rat).Set(rows[r][col])
		for v, x := range rows[r] {
			rows[r][v] = new(big.Rat).Quo(x, p)
		}

		for i := range rows {
			f, ok := rows[i][col]
			if i == r || !ok {
				continue
			}

			f = new(big.Rat).Set(f)
			for v, x := range rows[r] {
				y := new(big.Rat).Sub(value(rows[i], v), new(big.Rat).Mul(f, x))
				if y.Sign() == 0 {
					delete(rows[i], v)
				} else {
					rows[i][v] = y
				}
			}
		}

		pivotOf[col] = r
	}

	out := make(map[int]bool)
	for col, r := range pivotOf {
		if len(rows[r]) == 1 {
			out[col] = true
		}
	}

	return out
}

// boolRank ranks true before false.
func boolRank(b bool) int {
	if b {
		return 0
	}

	return 1
}

func value(row map[int]*big.Rat, v int) *big.Rat {
	if x, ok := row[v]; ok {
		return x
	}

	return new(big.Rat)
}

// upperBound maximizes x[obj] over x ≥ 0 satisfying the equations with
// gonum's simplex, after dropping by exact elimination the equations that
// the others imply (the simplex needs independent rows). It returns +Inf
// when unbounded and NaN when infeasible, and an error when the simplex
// fails otherwise.
func upperBound(all []reduced, obj int) (float64, error) {
	eqs, values, ok := independent(around(all, obj))
	if !ok {
		return math.NaN(), nil
	}

	cols := map[int]int{obj: 0}
	order := []int{obj}
	for _, e := range eqs {
		for v, c := range e.coef {
			if _, ok := cols[v]; !ok && c != 0 {
				cols[v] = len(order)
				order = append(order, v)
			}
		}
	}

	if len(eqs) == 0 {
		return math.Inf(1), nil
	}

	if len(eqs) == len(order) {
		// The equations fix every variable.
		for _, x := range values {
			if x.Sign() < 0 {
				return math.NaN(), nil
			}
		}

		f, _ := values[obj].Float64()

		return f, nil
	}

	a := mat.NewDense(len(eqs), len(order), nil)
	b := make([]float64, len(eqs))
	for i, e := range eqs {
		for v, c := range e.coef {
			a.Set(i, cols[v], float64(c))
		}

		b[i] = float64(e.rhs)
	}

	// The pivots of the echelon form are a first basis when feasible,
	// which spares the simplex its search for one.
	var basis []int
	for v, x := range values {
		if x.Sign() < 0 {
			basis = nil
			break
		}

		basis = append(basis, cols[v])
	}

	c := make([]float64, len(order))
	c[0] = -1
	opt, err := simplex(c, a, b, basis)
	switch {
	case errors.Is(err, lp.ErrInfeasible):
		return math.NaN(), nil
	case errors.Is(err, lp.ErrUnbounded):
		return math.Inf(1), nil
	case err != nil:
		return 0, fmt.Errorf("analyticstest: simplex: %w", err)
	}

	return -opt, nil
}

// simplex runs gonum's simplex from basis, or without one when gonum
// refuses it (it panics on a basis that rounding makes infeasible).
func simplex(c []float64, a *mat.Dense, b []float64, basis []int) (opt float64, err error) {
	if basis != nil {
		refused := func() (refused bool) {
			defer func() { refused = recover() != nil }()
			opt, _, err = lp.Simplex(c, a, b, 1e-10, basis)

			return false
		}()
		if !refused {
			return opt, err
		}
	}

	opt, _, err = lp.Simplex(c, a, b, 1e-10, nil)

	return opt, err
}

// independent returns the equations that the others do not imply, and
// reports false when one contradicts them. It also returns the values of
// the pivot variables of their reduced row echelon form when the others
// are 0: the sparser equations go first and each pivot has, where it can,
// the sign of the right-hand side and the fewest equations, so that these
// values are often a feasible basis, and they fix every variable when
// there are as many pivots as variables.
func independent(eqs []reduced) ([]reduced, map[int]*big.Rat, bool) {
	uses := make(map[int]int)
	for _, e := range eqs {
		for v, c := range e.coef {
			if c != 0 {
				uses[v]++
			}
		}
	}

	size := func(e reduced) int {
		n := 0
		for _, c := range e.coef {
			if c != 0 {
				n++
			}
		}

		return n
	}
	eqs = slices.Clone(eqs)
	slices.SortStableFunc(eqs, func(x, y reduced) int { return cmp.Compare(size(x), size(y)) })

	var kept []reduced
	var rows []map[int]*big.Rat // reduced row echelon form; rhs under key -1
	var pivots []int
	for _, e := range eqs {
		row := map[int]*big.Rat{-1: big.NewRat(e.rhs, 1)}
		for v, c := range e.coef {
			if c != 0 {
				row[v] = big.NewRat(c, 1)
			}
		}

		for k, r := range rows {
			subtract(row, r, pivots[k])
		}

		col, rank := -1, [3]int{}
		for v, x := range row {
			if v < 0 || x.Sign() == 0 {
				continue
			}

			r := [3]int{boolRank(x.Sign()*value(row, -1).Sign() >= 0), uses[v], v}
			if col < 0 || slices.Compare(r[:], rank[:]) < 0 {
				col, rank = v, r
			}
		}

		if col < 0 {
			if value(row, -1).Sign() != 0 {
				return nil, nil, false
			}

			continue
		}

		p := new(big.Rat).Set(row[col])
		for v, x := range row {
			row[v] = new(big.Rat).Quo(x, p)
		}

		for _, r := range rows {
			subtract(r, row, col)
		}

		rows, pivots, kept = append(rows, row), append(pivots, col), append(kept, e)
	}

	values := make(map[int]*big.Rat)
	for k, r := range rows {
		values[pivots[k]] = value(r, -1)
	}

	return kept, values, true
}

// subtract makes row's entry in col 0 by subtracting a multiple of pivot,
// whose entry in col is 1.
func subtract(row, pivot map[int]*big.Rat, col int) {
	f, ok := row[col]
	if !ok || f.Sign() == 0 {
		return
	}

	f = new(big.Rat).Set(f)
	for v, x := range pivot {
		y := new(big.Rat).Sub(value(row, v), new(big.Rat).Mul(f, x))
		if y.Sign() == 0 {
			delete(row, v)
		} else {
			row[v] = y
		}
	}
}

// around returns the equations that share unknowns with obj, directly or
// through other such equations: the others do not bound it.
func around(eqs []reduced, obj int) []reduced {
	reached, taken := map[int]bool{obj: true}, make([]bool, len(eqs))
	var out []reduced
	for grew := true; grew; {
		grew = false
		for i, e := range eqs {
			if taken[i] || !touches(e, reached) {
				continue
			}

			taken[i], grew = true, true
			out = append(out, e)
			for v, c := range e.coef {
				if c != 0 {
					reached[v] = true
				}
			}
		}
	}

	return out
}

func touches(e reduced, vars map[int]bool) bool {
	for v, c := range e.coef {
		if c != 0 && vars[v] {
			return true
		}
	}

	return false
}
