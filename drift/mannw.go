package drift

import (
	"errors"
	"math"
	"math/big"
)

// Test "mannw": the Mann-Whitney U rank test, one-sided.
//
// Score: scipy.stats.mannwhitneyu(ref, cur, alternative="less") p-value
// (SciPy 1.10, method='auto', continuity correction). With R1 the sum of
// the reference's average ranks, U1 = R1 - n1(n1+1)/2 and U2 = n1 n2 - U1,
// the p-value is Pr(U >= U2) under the null. It is exact (the number of
// rank arrangements, counted as partitions) when a sample has at most 8
// values and there are no ties; otherwise it is the normal approximation
// z = (U2 - n1 n2/2 - 0.5)/s with the tie-corrected
// s^2 = n1 n2/12 ((n+1) - sum(t^3-t)/(n(n-1))). Being one-sided, it does not
// see a current sample shifted downwards, as in Evidently. Matches
// Evidently's `mannw` stattest ("Mann-Whitney U-rank test"). Drift when
// p < threshold (default 0.05).
func runMannWhitney(p *pair) (float64, error) {
	a, b := p.ref.sorted, p.cur.sorted
	n1, n2 := len(a), len(b)
	if n1 == 0 || n2 == 0 {
		return 0, errors.New("mannw needs values in both samples")
	}
	// Twice the rank sum of a, and the tie term, from one merge pass.
	var r2 int64
	tie := 0.0
	ties := false
	i, j := 0, 0
	for i < n1 || j < n2 {
		var v float64
		if j >= n2 || (i < n1 && a[i] <= b[j]) {
			v = a[i]
		} else {
			v = b[j]
		}
		below := i + j
		i0, j0 := i, j
		for i < n1 && a[i] == v {
			i++
		}
		for j < n2 && b[j] == v {
			j++
		}
		t := int64(i - i0 + j - j0)
		// The average rank of the group is below + (t+1)/2.
		r2 += int64(i-i0) * (2*int64(below) + t + 1)
		if t > 1 {
			ties = true
			tf := float64(t)
			tie += tf*tf*tf - tf
		}
	}
	R1 := float64(r2) / 2
	U1 := R1 - float64(n1)*float64(n1+1)/2
	U2 := float64(n1)*float64(n2) - U1
	if (n1 <= 8 || n2 <= 8) && !ties {
		// sf(U2) = cdf(n1 n2 - U2) = Pr(U <= U1).
		return clip01(mwuCDF(int(U1), n1, n2)), nil
	}
	n := float64(n1 + n2)
	s := math.Sqrt(float64(n1) * float64(n2) / 12 * ((n + 1) - tie/(n*(n-1))))
	z := (U2 - float64(n1)*float64(n2)/2 - 0.5) / s
	return clip01(normSF(z)), nil
}

// mwuCDF returns Pr(U <= k) for the Mann-Whitney statistic of samples of
// sizes m and n without ties: the number of partitions of at most k into at
// most min(m,n) parts no larger than max(m,n), over C(m+n, m). The counts
// are the coefficients of the Gaussian binomial
// prod_{i=1}^{s} (1 - q^{L+i}) / (1 - q^i), s = min(m,n), L = max(m,n),
// computed exactly with big integers.
func mwuCDF(k, m, n int) float64 {
	if k < 0 {
		return 0
	}
	if k >= m*n {
		return 1
	}
	if 2*k > m*n { // the distribution is symmetric about mn/2
		return 1 - mwuCDF(m*n-k-1, m, n)
	}
	s, L := min(m, n), max(m, n)
	c := make([]*big.Int, k+1)
	for i := range c {
		c[i] = new(big.Int)
	}
	c[0].SetInt64(1)
	for i := 1; i <= s; i++ { // divide by (1 - q^i): running sums
		for j := i; j <= k; j++ {
			c[j].Add(c[j], c[j-i])
		}
	}
	for i := 1; i <= s; i++ { // multiply by (1 - q^{L+i})
		d := L + i
		for j := k; j >= d; j-- {
			c[j].Sub(c[j], c[j-d])
		}
	}
	sum := new(big.Int)
	for _, v := range c {
		sum.Add(sum, v)
	}
	total := new(big.Int).Binomial(int64(m+n), int64(s))
	r, _ := new(big.Rat).SetFrac(sum, total).Float64()
	return r
}
