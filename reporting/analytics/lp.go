package analytics

import (
	"encoding/binary"
	"math"
	"math/big"
	"math/bits"
	"slices"
)

// The suppression pass asks one question many times: over every
// non-negative solution of the relations that the published numbers leave
// open, how large can a hidden count be? That is a small linear program,
// solved here exactly with the simplex method and Bland's rule (which
// cannot cycle), in rationals that stay in int64 while they fit and move
// to math/big when they do not.

// num is an exact rational: n/d (d > 0, reduced) unless r is set.
type num struct {
	n, d int64
	r    *big.Rat
}

// numLimit keeps int64 numerators and denominators far from overflow.
const numLimit = math.MaxInt64 >> 2

var numZero, numOne = num{n: 0, d: 1}, num{n: 1, d: 1}

func numOf(n int64) num {
	if abs64(n) <= numLimit {
		return num{n: n, d: 1}
	}

	return num{r: big.NewRat(n, 1)}
}

func (a num) rat() *big.Rat {
	if a.r != nil {
		return a.r
	}

	return big.NewRat(a.n, a.d)
}

// fromRat returns r, in int64 form when it fits.
func fromRat(r *big.Rat) num {
	n, d := r.Num(), r.Denom()
	if n.IsInt64() && d.IsInt64() && abs64(n.Int64()) <= numLimit && d.Int64() <= numLimit {
		return num{n: n.Int64(), d: d.Int64()}
	}

	return num{r: r}
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}

	return a
}

func abs64(a int64) int64 {
	if a < 0 {
		return -a
	}

	return a
}

// mulFits reports whether a·b stays within numLimit.
func mulFits(a, b int64) bool {
	const small = 1 << 30
	if a > -small && a < small && b > -small && b < small {
		return true
	}

	hi, lo := bits.Mul64(uint64(abs64(a)), uint64(abs64(b)))

	return hi == 0 && lo <= numLimit
}

func reduced(n, d int64) num {
	if g := gcd(abs64(n), d); g > 1 {
		n, d = n/g, d/g
	}

	return num{n: n, d: d}
}

func (a num) add(b num) num {
	if a.r == nil && b.r == nil {
		g := gcd(a.d, b.d)
		x, y := b.d/g, a.d/g
		if mulFits(a.n, x) && mulFits(b.n, y) && mulFits(a.d, x) {
			if n := a.n*x + b.n*y; abs64(n) <= numLimit {
				return reduced(n, a.d*x)
			}
		}
	}

	return fromRat(new(big.Rat).Add(a.rat(), b.rat()))
}

func (a num) neg() num {
	if a.r != nil {
		return num{r: new(big.Rat).Neg(a.r)}
	}

	return num{n: -a.n, d: a.d}
}

func (a num) sub(b num) num { return a.add(b.neg()) }

func (a num) mul(b num) num {
	if a.r == nil && b.r == nil {
		if a.n == 0 || b.n == 0 {
			return numZero
		}

		g1, g2 := gcd(abs64(a.n), b.d), gcd(abs64(b.n), a.d)
		n1, n2, d1, d2 := a.n/g1, b.n/g2, a.d/g2, b.d/g1
		if mulFits(n1, n2) && mulFits(d1, d2) {
			return num{n: n1 * n2, d: d1 * d2}
		}
	}

	return fromRat(new(big.Rat).Mul(a.rat(), b.rat()))
}

func (a num) quo(b num) num {
	if b.r == nil {
		if b.n < 0 {
			return a.mul(num{n: -b.d, d: -b.n})
		}

		return a.mul(num{n: b.d, d: b.n})
	}

	return fromRat(new(big.Rat).Quo(a.rat(), b.rat()))
}

func (a num) sign() int {
	switch {
	case a.r != nil:
		return a.r.Sign()
	case a.n > 0:
		return 1
	case a.n < 0:
		return -1
	}

	return 0
}

func (a num) cmp(b num) int { return a.sub(b).sign() }

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
// infeasible reports a program without solution, which the caller treats
// as the most restrictive answer.
type maxResult struct {
	max        *big.Rat
	infeasible bool
}

// maximize solves p exactly.
func maximize(p program) maxResult {
	p, fixed := p.reduce()
	if fixed != nil {
		return maxResult{max: fixed}
	}

	if len(p.a) == 0 {
		return maxResult{}
	}

	return solve(p)
}

// tableau is the simplex tableau of a program in standard form.
type tableau struct {
	rows  [][]num // each ends with its right-hand side
	cost  []num   // reduced costs of a minimization; the last is -objective
	basis []int
	ban   []bool // columns that may not enter
}

func zeros(n int) []num {
	out := make([]num, n)
	for i := range out {
		out[i] = numZero
	}

	return out
}

func solve(p program) maxResult {
	t, n := start(p)

	// Phase 1: minimize the artificial variables' sum.
	t.run()
	if t.cost[len(t.cost)-1].sign() != 0 {
		return maxResult{infeasible: true}
	}

	t.dropArtificials(n)

	// Phase 2: minimize -x[obj].
	t.cost = zeros(len(t.cost))
	t.cost[p.obj] = numOf(-1)
	for i, b := range t.basis {
		if b == p.obj {
			for j, v := range t.rows[i] {
				t.cost[j] = t.cost[j].add(v)
			}
		}
	}

	if t.run() {
		return maxResult{}
	}

	return maxResult{max: t.cost[len(t.cost)-1].rat()}
}

// start sets up phase 1 and returns the tableau and the number of
// original columns. A row whose right-hand side has the sign of a
// variable found in no other row starts with that variable basic; every
// other row gets an artificial variable.
func start(p program) (*tableau, int) {
	n, m := len(p.a[0]), len(p.a)
	uses := make([]int, n)
	for _, coef := range p.a {
		for j, c := range coef {
			if c != 0 {
				uses[j]++
			}
		}
	}

	basic, arts := make([]int, m), 0
	for i, coef := range p.a {
		basic[i] = -1
		for j, c := range coef {
			if uses[j] == 1 && c != 0 && (c > 0) == (p.b[i] >= 0) {
				basic[i] = j
				break
			}
		}

		if basic[i] < 0 {
			arts++
		}
	}

	cols := n + arts
	t := &tableau{cost: zeros(cols + 1), basis: make([]int, m), ban: make([]bool, cols)}
	art := n
	for i, coef := range p.a {
		// Scale the row so that its basic variable has coefficient 1 and
		// its right-hand side is not negative.
		scale := num{n: 1, d: 1}
		if j := basic[i]; j >= 0 {
			scale = num{n: 1, d: coef[j]}
			if coef[j] < 0 {
				scale = num{n: -1, d: -coef[j]}
			}
		} else if p.b[i] < 0 {
			scale = num{n: -1, d: 1}
		}

		row := zeros(cols + 1)
		for j, c := range coef {
			row[j] = numOf(c).mul(scale)
		}

		row[cols] = numOf(p.b[i]).mul(scale)
		t.basis[i] = basic[i]
		if basic[i] < 0 {
			row[art], t.basis[i] = numOne, art
			art++
			for j, v := range row {
				if j < n || j == cols {
					t.cost[j] = t.cost[j].sub(v)
				}
			}
		}

		t.rows = append(t.rows, row)
	}

	return t, n
}

// dropArtificials pivots the artificial variables out of the basis after
// phase 1, drops the rows that turn out redundant, and bans the
// artificial columns.
func (t *tableau) dropArtificials(n int) {
	for i := 0; i < len(t.rows); i++ {
		if t.basis[i] < n {
			continue
		}

		col := -1
		for j := range n {
			if t.rows[i][j].sign() != 0 {
				col = j
				break
			}
		}

		if col >= 0 {
			t.pivot(i, col)
			continue
		}

		t.rows = append(t.rows[:i], t.rows[i+1:]...)
		t.basis = append(t.basis[:i], t.basis[i+1:]...)
		i--
	}

	for j := n; j < len(t.ban); j++ {
		t.ban[j] = true
	}
}

// run pivots until optimal, or reports that the objective is unbounded.
func (t *tableau) run() (unbounded bool) {
	rhs := len(t.cost) - 1
	for {
		enter := -1
		for j := range rhs {
			if !t.ban[j] && t.cost[j].sign() < 0 {
				enter = j
				break
			}
		}

		if enter < 0 {
			return false
		}

		leave := -1
		var best num
		for i, row := range t.rows {
			if row[enter].sign() <= 0 {
				continue
			}

			ratio := row[rhs].quo(row[enter])
			if leave < 0 {
				leave, best = i, ratio
				continue
			}

			if c := ratio.cmp(best); c < 0 || (c == 0 && t.basis[i] < t.basis[leave]) {
				leave, best = i, ratio
			}
		}

		if leave < 0 {
			return true
		}

		t.pivot(leave, enter)
	}
}

func (t *tableau) pivot(r, c int) {
	pr := t.rows[r]
	p := pr[c]
	for j, v := range pr {
		if v.sign() != 0 {
			pr[j] = v.quo(p)
		}
	}

	eliminate := func(row []num) {
		f := row[c]
		if f.sign() == 0 {
			return
		}

		for j, v := range pr {
			if v.sign() != 0 {
				row[j] = row[j].sub(f.mul(v))
			}
		}
	}
	for i, row := range t.rows {
		if i != r {
			eliminate(row)
		}
	}

	eliminate(t.cost)
	t.basis[r] = c
}
