package concept

import (
	"math"
	"slices"
)

// ksTwoSample is the two-sided two-sample Kolmogorov–Smirnov test of two
// samples of the same size n, as River's KSWIN calls it:
// scipy.stats.ks_2samp(a, b, method="auto"). It sorts a and b in place.
//
// The statistic is D = max over x of |F_a(x) − F_b(x)|, the largest
// difference of the empirical distribution functions (right-continuous, so
// ties count on both sides at once), returned as h/n with h = n·D the
// integer largest difference of counts. The p-value is scipy's exact
// P(D ≥ h/n) for equal sizes, _compute_prob_outside_square:
//
//	P = 2·Σ_{k≥1} (−1)^(k+1) C(2n, n−k·h) / C(2n, n)
//
// evaluated in the same Horner-like order as scipy (each ratio of binomials
// as a product of h simple factors); 1 when h = 0. Where rounding takes that
// sum out of [0, 1] (only when the p-value is 1 or within about 1e-16 of it)
// scipy falls back to the asymptotic kstwo.sf(D, round(n/2)), and so do we
// (kstwoSF). scipy's "auto" also switches to kstwo.sf for n > 10000; we keep
// the exact form there, which differs from it by the asymptotic error.
func ksTwoSample(a, b []float64) (stat, p float64) {
	n := len(a)
	if n == 0 || len(b) != n {
		return 0, 1
	}
	slices.Sort(a)
	slices.Sort(b)
	h := 0
	i, j := 0, 0
	for i < n && j < n {
		v := min(a[i], b[j])
		for i < n && a[i] <= v {
			i++
		}
		for j < n && b[j] <= v {
			j++
		}
		h = max(h, i-j, j-i)
	}
	return float64(h) / float64(n), ksProbOutsideSquare(n, h)
}

// ksProbOutsideSquare is scipy's _compute_prob_outside_square(n, h): the
// probability that D_{n,n} ≥ h/n, with scipy's fallback to kstwo.sf when
// the series leaves [0, 1].
func ksProbOutsideSquare(n, h int) float64 {
	if h <= 0 {
		return 1
	}
	p := 0.0
	for k := n / h; k >= 0; k-- {
		p1 := 1.0
		for j := 0; j < h; j++ {
			p1 = float64(n-k*h-j) * p1 / float64(n+k*h+j+1)
		}
		p = p1 * (1 - p)
	}
	p *= 2
	if p >= 0 && p <= 1 {
		return p
	}
	return kstwoSF(int(math.RoundToEven(float64(n)/2)), float64(h)/float64(n))
}

// kstwoSF is scipy.stats.kstwo.sf(x, n): P(D_n > x) for the two-sided
// one-sample Kolmogorov–Smirnov statistic D_n (scipy's _kolmogn with
// cdf=False, after Simard and L'Ecuyer 2011). ksProbOutsideSquare needs it
// only where scipy falls back to it, at p-values within about 1e-16 of 1,
// where n·x² is tiny; it has the branches scipy takes there:
//
//   - x ≥ 1: 0; x ≤ 0 or n·x ≤ 1/2: 1;
//   - n·x ≤ 1 (Ruben–Gambino): 1 − n!/nⁿ·(2nx − 1)ⁿ;
//   - n·x ≥ n − 1 (Ruben–Gambino): 2·(1 − x)ⁿ;
//   - otherwise 1 − P(D_n ≤ x) by the Durbin matrix (Marsaglia, Tsang and
//     Wang 2003), scipy's _kolmogn_DMTW.
//
// scipy uses Pomeranz's recursion, Miller's approximation (2·smirnov) or
// Pelz–Good instead of the Durbin matrix at larger n·x²; the Durbin matrix
// is exact there too. Beyond a 201×201 matrix the result is clipped to 1.
func kstwoSF(n int, x float64) float64 {
	switch {
	case n <= 0:
		return 1
	case x >= 1:
		return 0
	case x <= 0:
		return 1
	}
	nf := float64(n)
	t := nf * x
	if t <= 1 {
		if t <= 0.5 {
			return 1
		}
		var cdf float64
		if n <= 140 {
			cdf = 1
			for i := 1; i <= n; i++ {
				cdf *= float64(i) * (1 / nf) * (float64(2*t) - 1)
			}
		} else {
			cdf = math.Exp(logFactorialOverPower(nf) + float64(nf*math.Log(float64(2*t)-1)))
		}
		return clip01(1 - cdf)
	}
	if t >= nf-1 {
		return clip01(2 * math.Pow(1-x, nf))
	}
	cdf, ok := kolmogorovDurbin(n, x)
	if !ok {
		return 1
	}
	return clip01(1 - cdf)
}

// logFactorialOverPower is scipy's _log_nfactorial_div_n_pow_n: ln(n!/nⁿ)
// by Stirling's series with the n·ln(n) terms cancelled up front.
func logFactorialOverPower(n float64) float64 {
	coeffs := [...]float64{
		-2.955065359477124183e-2, 6.4102564102564102564e-3,
		-1.9175269175269175269e-3, 8.4175084175084175084e-4,
		-5.952380952380952381e-4, 7.9365079365079365079e-4,
		-2.7777777777777777778e-3, 8.3333333333333333333e-2,
	}
	rn := 1 / n
	poly := 0.0
	for _, c := range coeffs {
		poly = float64(poly*(rn/n)) + c
	}
	return math.Log(n)/2 - n + math.Log(2*math.Pi)/2 + float64(rn*poly)
}

// kolmogorovDurbin is scipy's _kolmogn_DMTW: P(D_n ≤ d) as the k-th diagonal
// entry of n!/nⁿ·Hⁿ for Durbin's (2k−1)×(2k−1) matrix H, where
// d = (k − h)/n with k an integer and 0 ≤ h < 1, scaling by 2^128 to stay
// in range. It reports false when the matrix would be larger than 201×201.
func kolmogorovDurbin(n int, d float64) (float64, bool) {
	if d >= 1 {
		return 1, true
	}
	nd := float64(n) * d
	if nd <= 0.5 {
		return 0, true
	}
	k := int(math.Ceil(nd))
	h := float64(k) - nd
	m := 2*k - 1
	if m > 201 {
		return 0, false
	}
	v := make([]float64, m)
	w := make([]float64, m)
	fac := 1.0
	for j := 1; j <= m; j++ {
		w[j-1] = fac
		fac /= float64(j)
		v[j-1] = (1 - math.Pow(h, float64(j))) * fac
	}
	tt := math.Pow(max(float64(2*h)-1, 0), float64(m)) - float64(2*math.Pow(h, float64(m)))
	v[m-1] = (1 + tt) * fac

	H := newMatrix(m)
	for i := 1; i < m; i++ {
		for r := i - 1; r < m; r++ {
			H[r][i] = w[r-i+1]
		}
	}
	for r := range m {
		H[r][0] = v[r]
	}
	for c := range m {
		H[m-1][c] = v[m-1-c]
	}

	const scale = 0x1p128
	power := newMatrix(m)
	for i := range m {
		power[i][i] = 1
	}
	expnt, hExpnt := 0, 0
	for nn := n; nn > 0; nn /= 2 {
		if nn%2 == 1 {
			power = matMul(power, H)
			expnt += hExpnt
		}
		H = matMul(H, H)
		hExpnt *= 2
		if math.Abs(H[k-1][k-1]) > scale {
			for _, row := range H {
				for c := range row {
					row[c] /= scale
				}
			}
			hExpnt += 128
		}
	}
	p := power[k-1][k-1]
	for i := 1; i <= n; i++ {
		p = float64(i) * p / float64(n)
		if math.Abs(p) < 1/scale {
			p *= scale
			expnt -= 128
		}
	}
	return clip01(math.Ldexp(p, expnt)), true
}

func newMatrix(m int) [][]float64 {
	rows := make([][]float64, m)
	for i := range rows {
		rows[i] = make([]float64, m)
	}
	return rows
}

func matMul(a, b [][]float64) [][]float64 {
	m := len(a)
	out := newMatrix(m)
	for i := range m {
		for k := range m {
			aik := a[i][k]
			if aik == 0 {
				continue
			}
			for j := range m {
				out[i][j] += float64(aik * b[k][j])
			}
		}
	}
	return out
}

func clip01(p float64) float64 { return min(max(p, 0), 1) }
