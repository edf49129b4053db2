package scoring

import "math/big"

// aggregate returns each applicable domain's scaled score and share, and
// the aggregate score Σ share·scaled.
func (ev *evaluation) aggregate() (scaled, share []*big.Rat, total *big.Rat) {
	n := len(ev.p.domains)
	scaled, share = make([]*big.Rat, n), make([]*big.Rat, n)
	denom := new(big.Rat)
	for i, d := range ev.p.domains {
		if ev.skip[i] {
			continue
		}

		pts := ev.points[i]
		if pts == nil {
			pts = new(big.Rat)
			ev.points[i] = pts
		}

		scaled[i] = new(big.Rat).Quo(pts, d.max)
		share[i] = ev.basis(d)
		denom.Add(denom, share[i])
	}

	total = new(big.Rat)
	for i := range ev.p.domains {
		if ev.skip[i] {
			continue
		}

		share[i].Quo(share[i], denom)
		total.Add(total, new(big.Rat).Mul(share[i], scaled[i]))
	}

	return scaled, share, total
}

// basis is the domain's unnormalised share: its weight or its max points.
func (ev *evaluation) basis(d compiledDomain) *big.Rat {
	if ev.p.aggregation == AggregationPoints {
		return new(big.Rat).Set(d.max)
	}

	if d.weight < 0 {
		return new(big.Rat)
	}

	return new(big.Rat).SetInt64(int64(d.weight))
}

// exactScores are the exact values of one evaluation, before any rounding.
type exactScores struct {
	scaled, share []*big.Rat
	aggregate     *big.Rat
	uncapped      *big.Rat
	final         *big.Rat
	critical      bool
	hurdles       []HurdleResult
	missed        []string
}

// exact runs the evaluation steps 2 to 6.
func (ev *evaluation) exact() exactScores {
	var x exactScores
	x.scaled, x.share, x.aggregate = ev.aggregate()

	// Penalties, floored at zero: the uncapped score.
	x.uncapped = new(big.Rat).Sub(x.aggregate, ev.penalty)
	if x.uncapped.Sign() < 0 {
		x.uncapped.SetInt64(0)
	}

	// Critical action, once for any number of critical errors.
	x.final = x.uncapped
	x.critical = ev.critical > 0 && ev.p.action != CriticalNone
	if x.critical && ev.p.action == CriticalCap {
		x.final = minRat(x.final, ev.p.cap)
	}

	if x.critical && ev.p.action == CriticalZero {
		x.final = ratZero
	}

	// Hurdles.
	x.hurdles = ev.hurdles(x.scaled)
	for i, h := range x.hurdles {
		if h == HurdleMissed {
			x.missed = append(x.missed, HurdleReason(ev.p.domains[i].code))
		}
	}

	if len(x.missed) > 0 && ev.p.hurdleAction == HurdleCap {
		x.final = minRat(x.final, ev.p.hurdleCap)
	}

	return x
}

// result runs the evaluation steps 2 to 7 and rounds for output.
func (ev *evaluation) result() Result {
	x := ev.exact()
	res := ev.totals(x.uncapped, x.final)
	res.Penalty = roundScaled(new(big.Rat).Sub(x.aggregate, x.uncapped))
	res.SubScores = ev.subScores(x.scaled, x.share, x.hurdles)
	ev.judge(&res, x.uncapped, x.final, x.critical, x.missed)

	return res
}

// hurdles judges every domain against its minimum.
func (ev *evaluation) hurdles(scaled []*big.Rat) []HurdleResult {
	out := make([]HurdleResult, len(ev.p.domains))
	for i, d := range ev.p.domains {
		switch {
		case ev.skip[i] || d.minimum == nil:
			out[i] = HurdleNone
		case scaled[i].Cmp(d.minimum) < 0:
			out[i] = HurdleMissed
		default:
			out[i] = HurdleMet
		}
	}

	return out
}

// totals fills the score fields of a Result.
func (ev *evaluation) totals(uncapped, final *big.Rat) Result {
	points, maxPoints := new(big.Rat), new(big.Rat)
	for i, d := range ev.p.domains {
		if !ev.skip[i] {
			points.Add(points, ev.points[i])
			maxPoints.Add(maxPoints, d.max)
		}
	}

	return Result{
		Aggregation: ev.p.aggregation,
		Mode:        ev.mode,
		Points:      roundScaled(points),
		MaxPoints:   roundScaled(maxPoints),
		Scaled:      roundScaled(final),
		ScaledExact: final.RatString(),
		Uncapped:    roundScaled(uncapped),
		Percent:     roundPercent(final),
		CapApplied:  final.Cmp(uncapped) < 0,
		Threshold:   roundScaled(ev.threshold),
		Outcome:     OutcomeNotApplicable,
		FailReasons: []string{},
	}
}

// judge sets the outcome and fail reasons.
func (ev *evaluation) judge(res *Result, uncapped, final *big.Rat, critical bool,
	missed []string) {
	res.CriticalErrors = ev.critical
	if !ev.judged {
		return
	}

	if uncapped.Cmp(ev.threshold) < 0 {
		res.FailReasons = append(res.FailReasons, ReasonBelowThreshold)
	}

	if critical {
		res.FailReasons = append(res.FailReasons, ReasonCriticalError)
	}

	res.FailReasons = append(res.FailReasons, missed...)
	res.Outcome = OutcomeFailed
	if len(res.FailReasons) == 0 && final.Cmp(ev.threshold) >= 0 {
		res.Outcome = OutcomePassed
	}
}

// subScores builds one SubScore per domain.
func (ev *evaluation) subScores(scaled, share []*big.Rat, hurdles []HurdleResult) []SubScore {
	out := make([]SubScore, len(ev.p.domains))
	for i, d := range ev.p.domains {
		s := SubScore{Domain: d.code, Weight: d.weight, MaxPoints: roundScaled(d.max),
			Hurdle: hurdles[i]}
		if d.minimum != nil {
			m := roundScaled(d.minimum)
			s.Minimum = &m
		}

		if !ev.skip[i] {
			s.Applicable = true
			s.Points = roundScaled(ev.points[i])
			s.Scaled = roundScaled(scaled[i])
			s.Percent = roundPercent(scaled[i])
			s.Share = roundScaled(share[i])
			s.Contribution = roundScaled(new(big.Rat).Mul(share[i], scaled[i]))
		}

		out[i] = s
	}

	return out
}
