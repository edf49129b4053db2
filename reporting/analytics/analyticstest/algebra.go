package analyticstest

import (
	"math"
	"math/big"
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

func value(row map[int]*big.Rat, v int) *big.Rat {
	if x, ok := row[v]; ok {
		return x
	}

	return new(big.Rat)
}

// upperBound maximizes x[obj] over x ≥ 0 satisfying the equations, with a
// dense two-phase simplex in float64 and Bland's rule. It returns +Inf
// when unbounded and NaN when infeasible.
func upperBound(all []reduced, obj int) float64 {
	eqs := around(all, obj)
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

	n, m := len(order), len(eqs)
	width := n + m + 1
	tab := make([][]float64, m)
	cost := make([]float64, width)
	basis := make([]int, m)
	for i, e := range eqs {
		row := make([]float64, width)
		sign := 1.0
		if e.rhs < 0 {
			sign = -1
		}

		for v, c := range e.coef {
			row[cols[v]] = sign * float64(c)
		}

		row[n+i], row[width-1] = 1, sign*float64(e.rhs)
		for j := range n {
			cost[j] -= row[j]
		}

		cost[width-1] -= row[width-1]
		tab[i], basis[i] = row, n+i
	}

	banned := make([]bool, width-1)
	if simplex(tab, cost, basis, banned) {
		return math.NaN()
	}

	if math.Abs(cost[width-1]) > 1e-7 {
		return math.NaN()
	}

	for j := n; j < n+m; j++ {
		banned[j] = true
	}

	for i := range tab {
		if basis[i] < n {
			continue
		}

		for j := range n {
			if math.Abs(tab[i][j]) > 1e-9 {
				pivot(tab, cost, basis, i, j)
				break
			}
		}
	}

	clear(cost)
	cost[0] = -1
	for i, b := range basis {
		if b == 0 {
			for j := range cost {
				cost[j] += tab[i][j]
			}
		}
	}

	if simplex(tab, cost, basis, banned) {
		return math.Inf(1)
	}

	return cost[width-1]
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

// simplex minimizes; it reports an unbounded objective.
func simplex(tab [][]float64, cost []float64, basis []int, banned []bool) bool {
	const eps = 1e-9
	rhs := len(cost) - 1
	for range 10000 {
		enter := -1
		for j := range rhs {
			if !banned[j] && cost[j] < -eps {
				enter = j
				break
			}
		}

		if enter < 0 {
			return false
		}

		leave := -1
		best := math.Inf(1)
		for i, row := range tab {
			if row[enter] <= eps {
				continue
			}

			ratio := row[rhs] / row[enter]
			if ratio < best-eps || (ratio <= best+eps && leave >= 0 && basis[i] < basis[leave]) {
				leave, best = i, ratio
			}
		}

		if leave < 0 {
			return true
		}

		pivot(tab, cost, basis, leave, enter)
	}

	panic("analyticstest: simplex did not converge")
}

func pivot(tab [][]float64, cost []float64, basis []int, r, c int) {
	p := tab[r][c]
	for j := range tab[r] {
		tab[r][j] /= p
	}

	for i, row := range tab {
		if i != r && row[c] != 0 {
			f := row[c]
			for j := range row {
				row[j] -= f * tab[r][j]
			}
		}
	}

	f := cost[c]
	for j := range cost {
		cost[j] -= f * tab[r][j]
	}

	basis[r] = c
}
