package analytics

import (
	"math/big"
	"slices"

	"github.com/virtualaipatient/integration/scoring"
)

// Decimals of rounded output.
const (
	rateDecimals  = 4
	valueDecimals = 2
)

// cells applies the suppression rules with minimum cell size k.
type cells struct{ k int64 }

func (c cells) small(n int64) bool { return n >= 1 && n < c.k }

// count returns n, suppressed when small.
func (c cells) count(n int64) Count {
	if c.small(n) {
		return Count{Suppressed: true}
	}

	return Count{Value: &n}
}

func hidden() Count { return Count{Suppressed: true} }

// rate returns num/den rounded to 4 decimals, null when den is 0,
// suppressed by rule 5.
func (c cells) rate(num, den Count, rawNum, rawDen int64) Number {
	if rawDen == 0 {
		return Number{}
	}

	if num.Suppressed || den.Suppressed || c.small(rawNum) || c.small(rawDen) ||
		c.small(rawDen-rawNum) {
		return Number{Suppressed: true}
	}

	return value(big.NewRat(rawNum, rawDen), rateDecimals)
}

// stat returns v rounded, null when n is 0, suppressed when n is small.
func (c cells) stat(n int64, v *big.Rat, decimals int) Number {
	if n == 0 || v == nil {
		return Number{}
	}

	if c.small(n) {
		return Number{Suppressed: true}
	}

	return value(v, decimals)
}

func value(r *big.Rat, decimals int) Number {
	f := scoring.Round(r, decimals)
	return Number{Value: &f}
}

// sorted returns the exact values in increasing order.
func sorted(xs []*big.Rat) []*big.Rat {
	out := slices.Clone(xs)
	slices.SortFunc(out, func(a, b *big.Rat) int { return a.Cmp(b) })

	return out
}

func mean(xs []*big.Rat) *big.Rat {
	if len(xs) == 0 {
		return nil
	}

	sum := new(big.Rat)
	for _, x := range xs {
		sum.Add(sum, x)
	}

	return sum.Quo(sum, big.NewRat(int64(len(xs)), 1))
}

// percentile interpolates linearly at rank (n-1)·p over sorted values (R
// type 7).
func percentile(s []*big.Rat, p *big.Rat) *big.Rat {
	if len(s) == 0 {
		return nil
	}

	h := new(big.Rat).Mul(big.NewRat(int64(len(s)-1), 1), p)
	lo := new(big.Int).Quo(h.Num(), h.Denom()).Int64()
	if int(lo) >= len(s)-1 {
		return new(big.Rat).Set(s[len(s)-1])
	}

	frac := new(big.Rat).Sub(h, big.NewRat(lo, 1))
	diff := new(big.Rat).Sub(s[lo+1], s[lo])

	return diff.Mul(diff, frac).Add(diff, s[lo])
}

// sampleSD is the sample standard deviation, nil below 2 values. The
// variance is exact; the square root is taken with 200 bits of precision
// before rounding.
func sampleSD(xs []*big.Rat) *big.Rat {
	if len(xs) < 2 {
		return nil
	}

	m := mean(xs)
	ss := new(big.Rat)
	for _, x := range xs {
		d := new(big.Rat).Sub(x, m)
		ss.Add(ss, d.Mul(d, d))
	}

	variance := ss.Quo(ss, big.NewRat(int64(len(xs)-1), 1))
	f := new(big.Float).SetPrec(200).SetRat(variance)
	f.Sqrt(f)
	r, _ := f.Rat(nil)

	return r
}

var (
	quarter      = big.NewRat(1, 4)
	half         = big.NewRat(1, 2)
	threeQuarter = big.NewRat(3, 4)
	nineTenths   = big.NewRat(9, 10)
)

// scoreStats describes percents (exact).
func (c cells) scoreStats(xs []*big.Rat) ScoreStats {
	s := sorted(xs)
	n := int64(len(s))
	st := ScoreStats{N: c.count(n), Mean: c.stat(n, mean(s), valueDecimals),
		Histogram: c.histogram(s)}
	if n == 0 {
		return st
	}

	st.SD = c.stat(n, sampleSD(s), valueDecimals)
	st.Min = c.stat(n, s[0], valueDecimals)
	st.P25 = c.stat(n, percentile(s, quarter), valueDecimals)
	st.Median = c.stat(n, percentile(s, half), valueDecimals)
	st.P75 = c.stat(n, percentile(s, threeQuarter), valueDecimals)
	st.P90 = c.stat(n, percentile(s, nineTenths), valueDecimals)
	st.Max = c.stat(n, s[n-1], valueDecimals)

	return st
}

// histogram counts percents in 10 bins, [0, 10) to [90, 100], with
// partition suppression.
func (c cells) histogram(s []*big.Rat) []Bin {
	raw := make([]int64, 10)
	for _, x := range s {
		f, _ := x.Float64()
		i := min(max(int(f/10), 0), 9)
		if new(big.Rat).SetInt64(int64(i*10)).Cmp(x) > 0 {
			i--
		}

		raw[i]++
	}

	counts := c.partition(raw, int64(len(s)))
	bins := make([]Bin, 10)
	for i := range bins {
		bins[i] = Bin{Lower: float64(i * 10), Upper: float64(i*10 + 10), Count: counts[i]}
	}

	return bins
}

// partition applies rules 1 and 3 to cells adding up to a total.
func (c cells) partition(raw []int64, total int64) []Count {
	out := make([]Count, len(raw))
	hide := make([]bool, len(raw))
	var hiddenSum int64
	for i, n := range raw {
		hide[i] = c.small(n)
		if hide[i] {
			hiddenSum += n
		}
	}

	for !c.small(total) && c.small(hiddenSum) {
		pick := -1
		for i, n := range raw {
			if !hide[i] && n > 0 && (pick < 0 || n < raw[pick]) {
				pick = i
			}
		}

		if pick < 0 {
			break
		}

		hide[pick] = true
		hiddenSum += raw[pick]
	}

	for i, n := range raw {
		out[i] = c.count(n)
		if hide[i] {
			out[i] = hidden()
		}
	}

	return out
}

// chain applies rule 4 to nested counts, largest first: when two shown
// counts differ by a small number, the smaller is hidden.
func (c cells) chain(raw []int64, shown []Count) {
	for changed := true; changed; {
		changed = false
		for i := range raw {
			for j := i + 1; j < len(raw); j++ {
				if shown[i].Suppressed || shown[j].Suppressed || !c.small(raw[i]-raw[j]) {
					continue
				}

				shown[j], changed = hidden(), true
			}
		}
	}
}

// secondsRat is d in seconds, exactly.
func secondsRat(nanos int64) *big.Rat { return big.NewRat(nanos, 1e9) }
