package scoring

import (
	"math"
	"math/big"
	"strconv"
)

// Decimal places used when results are rounded for output.
const (
	// ScaledDecimals is the number of decimals of every scaled score,
	// weight and contribution in a Result.
	ScaledDecimals = 4
	// PercentDecimals is the number of decimals of every percent in a Result.
	PercentDecimals = 2
)

var (
	ratZero    = new(big.Rat)
	ratOne     = big.NewRat(1, 1)
	ratHundred = big.NewRat(100, 1)
)

// Exact returns the exact rational value of f's shortest decimal
// representation, so Exact(0.7) is exactly 7/10 rather than the binary
// fraction nearest to 0.7. It returns ErrNotFinite for NaN and infinities.
func Exact(f float64) (*big.Rat, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, ErrNotFinite
	}

	r, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'f', -1, 64))
	if !ok {
		return nil, ErrNotFinite
	}

	return r, nil
}

// Round returns r rounded half away from zero to the given number of
// decimals, as the float64 nearest to the rounded decimal (so
// Round(64375/100000, 4) is 0.6438). A negative decimals counts as 0.
// r is not modified.
func Round(r *big.Rat, decimals int) float64 {
	f, _ := RoundRat(r, decimals).Float64()
	return f
}

// RoundRat returns r rounded half away from zero to the given number of
// decimals, as an exact rational. A negative decimals counts as 0. r is not
// modified.
func RoundRat(r *big.Rat, decimals int) *big.Rat {
	scale := pow10(decimals)
	num := new(big.Int).Mul(r.Num(), scale)
	num.Abs(num)

	q, m := new(big.Int).QuoRem(num, r.Denom(), new(big.Int))
	if m.Lsh(m, 1).Cmp(r.Denom()) >= 0 {
		q.Add(q, big.NewInt(1))
	}

	if r.Sign() < 0 {
		q.Neg(q)
	}

	return new(big.Rat).SetFrac(q, scale)
}

// HasAtMostDecimals reports whether r can be written with at most the given
// number of decimals.
func HasAtMostDecimals(r *big.Rat, decimals int) bool {
	scaled := new(big.Rat).Mul(r, new(big.Rat).SetInt(pow10(decimals)))
	return scaled.IsInt()
}

var pow10Cache = [...]*big.Int{
	big.NewInt(1), big.NewInt(10), big.NewInt(100), big.NewInt(1000), big.NewInt(10000),
}

func pow10(decimals int) *big.Int {
	if decimals <= 0 {
		return pow10Cache[0]
	}

	if decimals < len(pow10Cache) {
		return pow10Cache[decimals]
	}

	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil)
}

// roundScaled rounds a scaled value for output.
func roundScaled(r *big.Rat) float64 { return Round(r, ScaledDecimals) }

// roundPercent turns a scaled value into a percent rounded for output.
func roundPercent(r *big.Rat) float64 {
	return Round(new(big.Rat).Mul(r, ratHundred), PercentDecimals)
}

func minRat(a, b *big.Rat) *big.Rat {
	if a.Cmp(b) <= 0 {
		return a
	}

	return b
}
