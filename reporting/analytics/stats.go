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

// meanOf is the mean of a tally's values, nil without values.
func meanOf(t ValueTally) *big.Rat {
	if t.N == 0 || t.Sum == nil {
		return nil
	}

	return new(big.Rat).Quo(t.Sum, big.NewRat(t.N, 1))
}

// percentileOf interpolates linearly at rank (n-1)·p over the tally's
// ranked values (R type 7).
func percentileOf(t ValueTally, p *big.Rat) *big.Rat {
	n := t.N
	lo := floorRank(n, p)
	if lo >= n-1 {
		return t.Ranked[n-1]
	}

	a, b := t.Ranked[lo], t.Ranked[lo+1]
	if a == nil || b == nil {
		return nil
	}

	frac := new(big.Rat).Sub(new(big.Rat).Mul(big.NewRat(n-1, 1), p), big.NewRat(lo, 1))
	diff := new(big.Rat).Sub(b, a)

	return diff.Mul(diff, frac).Add(diff, a)
}

// sampleSD is the sample standard deviation, nil below 2 values. The
// variance (Σx² − (Σx)²/n) / (n−1) is exact; the square root is taken with
// 200 bits of precision before rounding.
func sampleSD(t ValueTally) *big.Rat {
	if t.N < 2 || t.Sum == nil || t.SumSquares == nil {
		return nil
	}

	n := big.NewRat(t.N, 1)
	sq := new(big.Rat).Mul(t.Sum, t.Sum)
	variance := new(big.Rat).Sub(t.SumSquares, sq.Quo(sq, n))
	variance.Quo(variance, big.NewRat(t.N-1, 1))
	if variance.Sign() < 0 {
		return nil
	}

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
func (c cells) scoreStats(t ValueTally) ScoreStats {
	n := t.N
	st := ScoreStats{N: c.count(n), Histogram: c.histogram(t)}
	if n == 0 {
		return st
	}

	st.Mean = c.stat(n, meanOf(t), valueDecimals)
	st.SD = c.stat(n, sampleSD(t), valueDecimals)
	st.Min = c.stat(n, t.Ranked[0], valueDecimals)
	st.P25 = c.stat(n, percentileOf(t, quarter), valueDecimals)
	st.Median = c.stat(n, percentileOf(t, half), valueDecimals)
	st.P75 = c.stat(n, percentileOf(t, threeQuarter), valueDecimals)
	st.P90 = c.stat(n, percentileOf(t, nineTenths), valueDecimals)
	st.Max = c.stat(n, t.Ranked[n-1], valueDecimals)

	return st
}

// histogram reports the tally's 10 bins, [0, 10) to [90, 100], with
// partition suppression.
func (c cells) histogram(t ValueTally) []Bin {
	counts := c.partition(t.Bins[:], t.N)
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
