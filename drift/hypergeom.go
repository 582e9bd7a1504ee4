package drift

import "math"

// The hypergeometric distribution for Fisher's exact test. SciPy 1.10 takes
// it from Boost; we compute each probability with Loader's saddle-point
// method ("Fast and accurate computation of binomial probabilities", 2000),
// accurate to a few units in the last place even for millions of draws,
// where differences of log-gamma values would lose several digits.

// hypergeom is the distribution of the number of good items among draws
// items drawn without replacement from good+bad items.
type hypergeom struct {
	good, bad, draws int
}

// support returns the smallest and largest possible counts.
func (h hypergeom) support() (int, int) {
	return max(0, h.draws-h.bad), min(h.good, h.draws)
}

// pmf returns Pr(X = k).
func (h hypergeom) pmf(k int) float64 {
	lo, hi := h.support()
	if k < lo || k > hi {
		return 0
	}
	total := h.good + h.bad
	p := float64(h.draws) / float64(total)
	q := float64(total-h.draws) / float64(total)
	p1 := binomRaw(k, h.good, p, q)
	p2 := binomRaw(h.draws-k, h.bad, p, q)
	p3 := binomRaw(h.draws, total, p, q)
	return p1 * p2 / p3
}

// cdf returns Pr(X <= k).
func (h hypergeom) cdf(k int) float64 {
	lo, _ := h.support()
	return h.sumRange(lo, k)
}

// sf returns Pr(X > k).
func (h hypergeom) sf(k int) float64 {
	_, hi := h.support()
	return h.sumRange(k+1, hi)
}

// sumRange adds the probabilities of a..b, walking away from the mode so
// that negligible tail terms can be skipped.
func (h hypergeom) sumRange(a, b int) float64 {
	lo, hi := h.support()
	a, b = max(a, lo), min(b, hi)
	if a > b {
		return 0
	}
	mode := int(float64(h.draws+1) * float64(h.good+1) / float64(h.good+h.bad+2))
	var acc kahan
	switch {
	case b <= mode: // terms decrease as k goes down from b
		for k := b; k >= a; k-- {
			t := h.pmf(k)
			acc.add(t)
			if t < acc.value()*1e-18 {
				break
			}
		}
	case a >= mode: // terms decrease as k goes up from a
		for k := a; k <= b; k++ {
			t := h.pmf(k)
			acc.add(t)
			if t < acc.value()*1e-18 {
				break
			}
		}
	default:
		for k := mode; k >= a; k-- {
			t := h.pmf(k)
			acc.add(t)
			if t < acc.value()*1e-18 {
				break
			}
		}
		for k := mode + 1; k <= b; k++ {
			t := h.pmf(k)
			acc.add(t)
			if t < acc.value()*1e-18 {
				break
			}
		}
	}
	return acc.value()
}

// binomRaw is the binomial probability C(n,x) p^x q^(n-x) (q = 1-p given
// separately for accuracy), by Loader's method.
func binomRaw(x, n int, p, q float64) float64 {
	if p == 0 {
		if x == 0 {
			return 1
		}
		return 0
	}
	if q == 0 {
		if x == n {
			return 1
		}
		return 0
	}
	nf, xf := float64(n), float64(x)
	if x == 0 {
		if n == 0 {
			return 1
		}
		if p < 0.1 {
			return math.Exp(-bd0(nf, nf*q) - nf*p)
		}
		return math.Exp(nf * math.Log(q))
	}
	if x == n {
		if q < 0.1 {
			return math.Exp(-bd0(nf, nf*p) - nf*q)
		}
		return math.Exp(nf * math.Log(p))
	}
	if x < 0 || x > n {
		return 0
	}
	lc := stirlerr(nf) - stirlerr(xf) - stirlerr(nf-xf) - bd0(xf, nf*p) - bd0(nf-xf, nf*q)
	lf := math.Log(2*math.Pi) + math.Log(xf) + math.Log1p(-xf/nf)
	return math.Exp(lc - 0.5*lf)
}

// stirlerr is the error of Stirling's formula,
// log(n!) - log(sqrt(2 pi n) (n/e)^n), for integers n >= 0.
func stirlerr(n float64) float64 {
	const (
		s0 = 1.0 / 12
		s1 = 1.0 / 360
		s2 = 1.0 / 1260
		s3 = 1.0 / 1680
		s4 = 1.0 / 1188
	)
	if n <= 15 {
		if n == 0 {
			return 0 // log(0!) - lim; only reached through x = 0 guards
		}
		return lgamma(n+1) - (n+0.5)*math.Log(n) + n - 0.5*math.Log(2*math.Pi)
	}
	nn := n * n
	switch {
	case n > 500:
		return (s0 - s1/nn) / n
	case n > 80:
		return (s0 - (s1-s2/nn)/nn) / n
	case n > 35:
		return (s0 - (s1-(s2-s3/nn)/nn)/nn) / n
	}
	return (s0 - (s1-(s2-(s3-s4/nn)/nn)/nn)/nn) / n
}

// bd0 is x log(x/np) + np - x, computed without cancellation when x is
// close to np.
func bd0(x, np float64) float64 {
	if math.Abs(x-np) < 0.1*(x+np) {
		v := (x - np) / (x + np)
		s := (x - np) * v
		ej := 2 * x * v
		v *= v
		for j := 1; j < 1000; j++ {
			ej *= v
			s1 := s + ej/float64(2*j+1)
			if s1 == s {
				return s1
			}
			s = s1
		}
		return s
	}
	return x*math.Log(x/np) + np - x
}
