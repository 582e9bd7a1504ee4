package drift

import "math"

// Test "ks": the two-sample Kolmogorov-Smirnov test.
//
// Score: the two-sided p-value of scipy.stats.ks_2samp(ref, cur) with
// method='auto' (SciPy 1.10), as Evidently's `ks` stattest returns it.
// Drift when p <= threshold (default 0.05), Evidently's comparison.
//
// The statistic is D = max |F_ref(v) - F_cur(v)| over every observed v,
// with each empirical CDF computed as count/n in floating point exactly as
// SciPy does. The p-value is exact when max(n_ref, n_cur) <= 10000: the
// share of lattice paths from (0,0) to (n_ref,n_cur) that leave the band
// |x/n_ref - y/n_cur| < D, counted with Hodges' inside method in Viehmann's
// numerically stable form (or the closed form when the sizes are equal).
// Above 10000, or if the exact count fails, it is the survival function of
// the one-sample Kolmogorov distribution kstwo at n = round(n_ref*n_cur/(n_ref+n_cur)).

// ksMaxExact is SciPy's MAX_AUTO_N: the largest sample size for the exact
// p-value under method='auto'.
const ksMaxExact = 10000

// runKS computes the ks score of a numerical pair.
func runKS(p *pair) (float64, error) {
	a, b := p.ref.sorted, p.cur.sorted
	d := ksStatistic(a, b)
	return ksPValue(d, len(a), len(b)), nil
}

// ksStatistic returns the two-sided statistic D of sorted samples a and b.
func ksStatistic(a, b []float64) float64 {
	n1, n2 := float64(len(a)), float64(len(b))
	maxS, minS := math.Inf(-1), math.Inf(1)
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var v float64
		if j >= len(b) || (i < len(a) && a[i] <= b[j]) {
			v = a[i]
		} else {
			v = b[j]
		}
		for i < len(a) && a[i] <= v {
			i++
		}
		for j < len(b) && b[j] <= v {
			j++
		}
		diff := float64(i)/n1 - float64(j)/n2
		maxS = math.Max(maxS, diff)
		minS = math.Min(minS, diff)
	}
	minD := clip01(-minS)
	if minD > maxS {
		return minD
	}
	return maxS
}

// ksPValue returns ks_2samp's two-sided p-value for statistic d and sample
// sizes n1, n2.
func ksPValue(d float64, n1, n2 int) float64 {
	if max(n1, n2) <= ksMaxExact {
		g := gcd(n1, n2)
		lcm := (n1 / g) * n2
		h := int(math.RoundToEven(d * float64(lcm)))
		d = float64(h) / float64(lcm)
		if h == 0 {
			return 1
		}
		var prob float64
		if n1 == n2 {
			prob = ksProbOutsideSquare(n1, h)
		} else {
			prob = ksOuterProbInside(n1, n2, g, h)
		}
		if prob >= 0 && prob <= 1 {
			return prob
		}
		// SciPy falls back to the asymptotic distribution, with d rounded
		// to the lattice as above.
	}
	m, n := float64(max(n1, n2)), float64(min(n1, n2))
	en := math.RoundToEven(m * n / (m + n))
	return clip01(kolmogornSF(int(en), d))
}

// ksProbOutsideSquare is Pr(D_{n,n} >= h/n): twice the alternating sum of
// binomial ratios, evaluated in Horner form to avoid cancellation (SciPy's
// _compute_prob_outside_square).
func ksProbOutsideSquare(n, h int) float64 {
	P := 0.0
	k := int(math.Floor(float64(n) / float64(h)))
	for ; k >= 0; k-- {
		p1 := 1.0
		for j := range h {
			p1 = float64(n-k*h-j) * p1 / float64(n+k*h+j+1)
		}
		P = p1 * (1 - P)
	}
	return 2 * P
}

// ksOuterProbInside is the proportion of lattice paths from (0,0) to (m,n)
// that do not stay strictly inside |x/m - y/n| < h/lcm(m,n) (SciPy's
// _compute_outer_prob_inside_method). It keeps one column of the path
// counts as proportions, over a sliding window of rows.
func ksOuterProbInside(m, n, g, h int) float64 {
	if m < n {
		m, n = n, m
	}
	mg, ng := m/g, n/g
	minj, maxj := 0, min(int(math.Ceil(float64(h)/float64(mg))), n+1)
	curlen := maxj - minj
	lenA := min(2*maxj+2, n+1)
	A := make([]float64, lenA)
	for i := range A {
		A[i] = 1
	}
	for i := minj; i < maxj && i < lenA; i++ {
		A[i] = 0
	}
	for i := 1; i <= m; i++ {
		lastminj, lastlen := minj, curlen
		minj = max(int(math.Floor(float64(ng*i-h)/float64(mg)))+1, 0)
		minj = min(minj, n)
		maxj = min(int(math.Ceil(float64(ng*i+h)/float64(mg))), n+1)
		if maxj <= minj {
			return 1
		}
		val := 1.0
		if minj == 0 {
			val = 0
		}
		fi := float64(i)
		if maxj-lastminj > lenA {
			return math.NaN() // outside SciPy's window: let the caller fall back
		}
		for jj := range maxj - minj {
			j := jj + minj
			val = (A[jj+minj-lastminj]*fi + val*float64(j)) / (fi + float64(j))
			A[jj] = val
		}
		curlen = maxj - minj
		if lastlen > curlen {
			for k := maxj - minj; k < maxj-minj+(lastlen-curlen) && k < lenA; k++ {
				A[k] = 1
			}
		}
	}
	return A[maxj-minj-1]
}

// gcd returns the greatest common divisor of a and b (both > 0).
func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
