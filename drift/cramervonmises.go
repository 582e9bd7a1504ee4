package drift

import (
	"errors"
	"math"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

// Test "cramer_von_mises": the two-sample Cramér-von Mises test.
//
// Score: the p-value of scipy.stats.cramervonmises_2samp(ref, cur) with
// method='auto', in the copy Evidently vendors. With average ranks r of
// the pooled sample,
//
//	U = n sum_i (r_i - i)^2 + m sum_j (s_j - j)^2,
//	T = U/(n m N) - (4 n m - 1)/(6 N).
//
// When max(n, m) <= 20 the p-value is exact: the share of the C(N, n)
// rank arrangements with a statistic at least U, counted with Xiao, Gordon
// and Yakovlev's recursion (2006). Above that it is 1 - F(t) with F the
// limiting distribution (Csörgő and Faraway 1996, eq. 1.2, summed until a
// term is below 1e-7) at the standardised t; 1 when t < 0.003. Matches
// Evidently's `cramer_von_mises` stattest. Drift when p <= threshold
// (default 0.1).
func runCramerVonMises(p *pair) (float64, error) {
	x, y := p.ref.sorted, p.cur.sorted
	nx, ny := len(x), len(y)
	if nx <= 1 || ny <= 1 {
		return 0, errors.New("cramer_von_mises needs at least two values in each sample")
	}
	// Average ranks of each sorted sample within the pooled sample.
	tx := make([]float64, 0, nx)
	ty := make([]float64, 0, ny)
	i, j := 0, 0
	for i < nx || j < ny {
		var v float64
		if j >= ny || (i < nx && x[i] <= y[j]) {
			v = x[i]
		} else {
			v = y[j]
		}
		below := i + j
		i0, j0 := i, j
		for i < nx && x[i] == v {
			i++
		}
		for j < ny && y[j] == v {
			j++
		}
		rank := float64(below) + float64(i-i0+j-j0+1)/2
		for k := i0; k < i; k++ {
			d := rank - float64(k+1)
			tx = append(tx, d*d)
		}
		for k := j0; k < j; k++ {
			d := rank - float64(k+1)
			ty = append(ty, d*d)
		}
	}
	u := float64(nx) * numpy.Sum(tx)
	u += float64(ny) * numpy.Sum(ty)
	k, N := float64(nx)*float64(ny), float64(nx+ny)
	if max(nx, ny) <= 20 {
		return cvmExactP(u, nx, ny), nil
	}
	t := u/(k*N) - (4*k-1)/(6*N)
	et := (1 + 1/N) / 6
	vt := (N + 1.0) * (4*k*N - 3*(float64(nx)*float64(nx)+float64(ny)*float64(ny)) - 2*k)
	vt = vt / (45 * N * N * 4 * k)
	tn := 1.0/6 + (t-et)/math.Sqrt(45*vt)
	if tn < 0.003 {
		return 1, nil
	}
	return math.Max(0, 1-cvmLimitCDF(tn)), nil
}

// cvmLimitCDF is the CDF of the limiting Cramér-von Mises distribution
// (SciPy's _cdf_cvm_inf), a series of Bessel K_{1/4} terms.
func cvmLimitCDF(x float64) float64 {
	tot := 0.0
	for k := 0; k < 1000; k++ {
		kf := float64(k)
		u := math.Exp(lgamma(kf+0.5)-lgamma(kf+1)) / (math.Pow(math.Pi, 1.5) * math.Sqrt(x))
		y := 4*kf + 1
		q := y * y / (16 * x)
		z := u * math.Sqrt(y) * math.Exp(-q) * besselK(0.25, q)
		tot += z
		if math.Abs(z) < 1e-7 {
			break
		}
	}
	return tot
}

// cvmExactP is the exact p-value of the two-sample statistic U for sample
// sizes m and n (SciPy's _pval_cvm_2samp_exact): it follows the lattice
// paths of the ranks and counts, per reachable value of
// sum (a v - b u)^2, how many arrangements reach it.
func cvmExactP(s float64, m, n int) float64 {
	l := m / gcd(m, n) * n
	a, b := l/m, l/n
	mn := m * n
	// zeta = lcm^2 (m+n) (6s - mn(4mn-1)) // (6 mn^2), with Python's
	// float floor division.
	num := float64(l*l*(m+n)) * (6*s - float64(mn*(4*mn-1)))
	zeta := pyFloorDiv(num, float64(6*mn*mn))
	// gs[v] holds, sorted by value, the reachable values of the sum at
	// lattice point (u, v) with the number of paths reaching each; the
	// counts are integers below 2^53, so every sum is exact.
	gs := make([][]cvmCount, m+1)
	gs[0] = []cvmCount{{0, 1}}
	for u := 0; u <= n; u++ {
		next := make([][]cvmCount, m+1)
		var tmp []cvmCount
		for v, g := range gs {
			step := int64(a*v - b*u)
			step *= step
			tmp = mergeShifted(tmp, g, step)
			next[v] = tmp
		}
		gs = next
	}
	total := 0.0
	for _, c := range gs[m] {
		if float64(c.val) >= zeta {
			total += c.n
		}
	}
	return total / binomial(m+n, m)
}

// cvmCount is a value of cvmExactP's sum with its number of paths.
type cvmCount struct {
	val int64
	n   float64
}

// mergeShifted returns the union of the sorted lists x and y, counts of
// equal values added, with step added to every value: sorted too.
func mergeShifted(x, y []cvmCount, step int64) []cvmCount {
	out := make([]cvmCount, 0, len(x)+len(y))
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i].val < y[j].val:
			out = append(out, cvmCount{x[i].val + step, x[i].n})
			i++
		case x[i].val > y[j].val:
			out = append(out, cvmCount{y[j].val + step, y[j].n})
			j++
		default:
			out = append(out, cvmCount{x[i].val + step, x[i].n + y[j].n})
			i++
			j++
		}
	}
	for ; i < len(x); i++ {
		out = append(out, cvmCount{x[i].val + step, x[i].n})
	}
	for ; j < len(y); j++ {
		out = append(out, cvmCount{y[j].val + step, y[j].n})
	}
	return out
}

// pyFloorDiv is Python's float floor division a // b for b > 0.
func pyFloorDiv(a, b float64) float64 {
	mod := math.Mod(a, b)
	div := (a - mod) / b
	if mod != 0 && (b < 0) != (mod < 0) {
		div--
	}
	if div == 0 {
		return math.Copysign(0, a/b)
	}
	fl := math.Floor(div)
	if div-fl > 0.5 {
		fl++
	}
	return fl
}

// binomial returns C(n, k) as a float64, exact while it fits in 53 bits.
func binomial(n, k int) float64 {
	k = min(k, n-k)
	c := 1.0
	for i := 1; i <= k; i++ {
		c = c * float64(n-k+i) / float64(i)
	}
	return math.Round(c)
}
