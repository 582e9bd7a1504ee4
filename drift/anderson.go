package drift

import (
	"errors"
	"math"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

// Test "anderson": the k-sample Anderson-Darling test with k = 2.
//
// Score: the significance level of scipy.stats.anderson_ksamp([ref, cur])
// (midrank version, Scholz and Stephens 1987, SciPy 1.10). The normalised
// statistic A2 = (A2akN - 1)/sigma is compared with the critical values of
// Scholz and Stephens' Table 2 for one degree of freedom; inside their
// range the p-value is exp of the quadratic fitted by np.polyfit to
// (critical value, log significance), outside it is capped at 0.25 or
// floored at 0.001 as SciPy does. Matches Evidently's `anderson` stattest.
// Drift when p < threshold (default 0.1).
func runAnderson(p *pair) (float64, error) {
	a, b := p.ref.sorted, p.cur.sorted
	N := len(a) + len(b)
	Nf := float64(N)
	// Walk the distinct pooled values once, collecting for each the
	// searchsorted positions SciPy uses.
	var zl, lj []float64
	var ml [2][]float64 // M_ij for each sample
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var v float64
		if j >= len(b) || (i < len(a) && a[i] <= b[j]) {
			v = a[i]
		} else {
			v = b[j]
		}
		left := i + j
		i0, j0 := i, j
		for i < len(a) && a[i] == v {
			i++
		}
		for j < len(b) && b[j] == v {
			j++
		}
		zl = append(zl, float64(left))
		lj = append(lj, float64(i+j-left))
		ml[0] = append(ml[0], float64(i)-float64(i-i0)/2)
		ml[1] = append(ml[1], float64(j)-float64(j-j0)/2)
	}
	if len(zl) < 2 {
		return 0, errors.New("anderson needs more than one distinct value (SciPy raises)")
	}
	if N < 4 {
		return 0, errors.New("anderson needs at least four values in total")
	}
	allDistinct := len(zl) == N
	inner := make([]float64, len(zl))
	A2akN := 0.0
	for s, n := range [2]int{len(a), len(b)} {
		nf := float64(n)
		for t := range zl {
			l := lj[t]
			if allDistinct {
				l = 1
			}
			Bj := zl[t] + l/2
			num := Nf*ml[s][t] - Bj*nf
			inner[t] = l / Nf * (num * num) / (Bj*(Nf-Bj) - Nf*l/4)
		}
		A2akN += numpy.Sum(inner) / nf
	}
	A2akN *= (Nf - 1) / Nf
	H := 1/float64(len(a)) + 1/float64(len(b))
	// hs_cs = cumsum(1/(N-1), 1/(N-2), ..., 1/2); h = hs_cs[-1] + 1;
	// g = sum(hs_cs[i] / (i+2)).
	hs := make([]float64, max(N-2, 0))
	acc := 0.0
	for idx := range hs {
		acc += 1 / float64(N-1-idx)
		hs[idx] = acc / float64(idx+2)
	}
	h := acc + 1
	g := numpy.Sum(hs)
	const k = 2.0
	aa := (4*g-6)*(k-1) + (10-6*g)*H
	bb := (2*g-4)*k*k + 8*h*k + (2*g-14*h-4)*H - 8*h + 4*g - 6
	cc := (6*h+2*g-2)*k*k + (4*h-4*g+6)*k + (2*h-6)*H + 4*h
	dd := (2*h+6)*k*k - 4*h*k
	sigmasq := (aa*Nf*Nf*Nf + bb*Nf*Nf + cc*Nf + dd) / ((Nf - 1) * (Nf - 2) * (Nf - 3))
	A2 := (A2akN - (k - 1)) / math.Sqrt(sigmasq)
	return andersonPValue(A2), nil
}

// andersonPValue interpolates the significance level of the normalised
// statistic for one degree of freedom.
func andersonPValue(A2 float64) float64 {
	// Critical values b0 + b1 + b2 of Scholz and Stephens' Table 2 for
	// m = 1, at significance 0.25 ... 0.001.
	critical := [7]float64{0.32500000000000007, 1.226, 1.9609999999999999, 2.718, 3.752, 4.592, 6.546}
	switch {
	case math.IsNaN(A2):
		return math.NaN()
	case A2 < critical[0]:
		return 0.25
	case A2 > critical[6]:
		return 0.001
	}
	// np.polyfit(critical, log(sig), 2) for the values above, as NumPy
	// 1.24 computes it (andersonFit checks them by least squares).
	pf := [3]float64{0.01819809457411147, -1.0082265644652515, -1.077770279820484}
	return math.Exp((pf[0]*A2+pf[1])*A2 + pf[2])
}
