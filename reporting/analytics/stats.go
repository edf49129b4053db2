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

// scoreStats describes percents (exact); n is the N's quantity and bins
// the histogram's.
func (c cells) scoreStats(t ValueTally, n qid, bins [10]qid) ScoreStats {
	st := ScoreStats{N: c.count(n), Histogram: make([]Bin, 10)}
	for i := range st.Histogram {
		st.Histogram[i] = Bin{Lower: float64(i * 10), Upper: float64(i*10 + 10),
			Count: c.count(bins[i])}
	}

	if t.N == 0 {
		return st
	}

	st.Mean = c.stat(n, meanOf(t), valueDecimals)
	st.SD = c.stat(n, sampleSD(t), valueDecimals)
	st.Min = c.stat(n, t.Ranked[0], valueDecimals)
	st.P25 = c.stat(n, percentileOf(t, quarter), valueDecimals)
	st.Median = c.stat(n, percentileOf(t, half), valueDecimals)
	st.P75 = c.stat(n, percentileOf(t, threeQuarter), valueDecimals)
	st.P90 = c.stat(n, percentileOf(t, nineTenths), valueDecimals)
	st.Max = c.stat(n, t.Ranked[t.N-1], valueDecimals)

	return st
}
