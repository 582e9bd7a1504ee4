package drift

import "math"

// This file ports the survival function of the exact two-sided one-sample
// Kolmogorov-Smirnov distribution, scipy.stats.kstwo.sf(d, n) in SciPy 1.10
// (scipy/stats/_ksstats.py, after Simard and L'Ecuyer 2011). ks_2samp uses
// it for its asymptotic p-value when either sample has more than 10000
// values. The branch points and constants are SciPy's, so that our p-values
// follow the same formula in every region.

// Scaling constants of SciPy's Durbin and Pomeranz routines: 2^128 and
// its inverse.
const (
	ksE128          = 128
	ksEP128 float64 = 1 << 128
	ksEM128 float64 = 1.0 / (1 << 128)
)

// kolmogornSF returns Pr(D_n > x) for the two-sided one-sample
// Kolmogorov-Smirnov statistic D_n with n observations.
func kolmogornSF(n int, x float64) float64 {
	if math.IsNaN(x) || n <= 0 {
		return math.NaN()
	}
	if x >= 1 {
		return 0
	}
	if x <= 0 {
		return 1
	}
	nf := float64(n)
	t := nf * x
	if t <= 1 { // Ruben-Gambino: 1/2n <= x <= 1/n
		if t <= 0.5 {
			return 1
		}
		var cdf float64
		if n <= 140 {
			cdf = 1
			for i := 1; i <= n; i++ {
				cdf *= float64(i) * (1 / nf) * (2*t - 1)
			}
		} else {
			cdf = math.Exp(logFactorialOverPower(nf) + nf*math.Log(2*t-1))
		}
		return clip01(1 - cdf)
	}
	if t >= nf-1 { // Ruben-Gambino
		return clip01(2 * math.Pow(1-x, nf))
	}
	if x >= 0.5 {
		return clip01(2 * smirnovSF(n, x))
	}
	nxx := t * x
	if n <= 140 {
		if nxx <= 0.754693 {
			return clip01(1 - kolmogornDurbin(n, x))
		}
		if nxx <= 4 {
			return clip01(1 - kolmogornPomeranz(n, x))
		}
		return clip01(2 * smirnovSF(n, x))
	}
	if nxx >= 370 {
		return 0
	}
	if nxx >= 2.2 {
		return clip01(2 * smirnovSF(n, x))
	}
	var cdf float64
	if n <= 100000 && nf*math.Pow(x, 1.5) <= 1.4 {
		cdf = kolmogornDurbin(n, x)
	} else {
		cdf = kolmogornPelzGood(n, x)
	}
	return clip01(1 - cdf)
}

// logFactorialOverPower is log(n!/n^n) from Stirling's series, as SciPy's
// _log_nfactorial_div_n_pow_n.
func logFactorialOverPower(n float64) float64 {
	coeffs := [...]float64{
		-2.955065359477124183e-2, 6.4102564102564102564e-3,
		-1.9175269175269175269e-3, 8.4175084175084175084e-4,
		-5.952380952380952381e-4, 7.9365079365079365079e-4,
		-2.7777777777777777778e-3, 8.3333333333333333333e-2,
	}
	rn := 1 / n
	z := rn / n
	p := 0.0
	for _, c := range coeffs {
		p = p*z + c
	}
	return math.Log(n)/2 - n + math.Log(2*math.Pi)/2 + rn*p
}

// kolmogornDurbin is Pr(D_n <= d) by Durbin's matrix method as arranged by
// Marsaglia, Tsang and Wang (2003): the (k,k) element of H^n scaled by
// n!/n^n, with explicit exponent bookkeeping against overflow.
func kolmogornDurbin(n int, d float64) float64 {
	if d >= 1 {
		return 1
	}
	nd := float64(n) * d
	if nd <= 0.5 {
		return 0
	}
	k := int(math.Ceil(nd))
	h := float64(k) - nd
	m := 2*k - 1
	v := make([]float64, m)
	w := make([]float64, m)
	fac := 1.0
	for j := 1; j <= m; j++ {
		v[j-1] = 1 - math.Pow(h, float64(j))
		w[j-1] = fac
		fac /= float64(j)
		v[j-1] *= fac
	}
	tt := math.Pow(math.Max(2*h-1, 0), float64(m)) - 2*math.Pow(h, float64(m))
	v[m-1] = (1 + tt) * fac
	H := newMatrix(m)
	for i := 1; i < m; i++ {
		for r := i - 1; r < m; r++ {
			H.set(r, i, w[r-(i-1)])
		}
	}
	for r := range m {
		H.set(r, 0, v[r])
	}
	for c := range m {
		H.set(m-1, c, v[m-1-c])
	}
	pow := identity(m)
	expnt, hexpnt := 0, 0
	for nn := n; nn > 0; nn /= 2 {
		if nn%2 == 1 {
			pow = pow.mul(H)
			expnt += hexpnt
		}
		H = H.mul(H)
		hexpnt *= 2
		if math.Abs(H.at(k-1, k-1)) > ksEP128 {
			H.scale(1 / ksEP128)
			hexpnt += ksE128
		}
	}
	p := pow.at(k-1, k-1)
	for i := 1; i <= n; i++ {
		p = float64(i) * p / float64(n)
		if math.Abs(p) < ksEM128 {
			p *= ksEP128
			expnt -= ksE128
		}
	}
	if expnt != 0 {
		p = math.Ldexp(p, expnt)
	}
	return clip01(p)
}

// kolmogornPomeranz is Pr(D_n <= x) by Pomeranz's (1974) recursion, used
// by SciPy for n <= 140.
func kolmogornPomeranz(n int, x float64) float64 {
	t := float64(n) * x
	ll := int(math.Floor(t))
	f := t - float64(ll)
	g := math.Min(f, 1-f)
	ceilf, roundf := 0, 0
	if f > 0 {
		ceilf = 1
	}
	if f > 0.5 {
		roundf = 1
	}
	npwrs := 2 * (ll + 1)
	gpower := make([]float64, npwrs)
	twogpower := make([]float64, npwrs)
	onem2gpower := make([]float64, npwrs)
	gpower[0], twogpower[0], onem2gpower[0] = 1, 1, 1
	nf := float64(n)
	gn, twogn, onem2gn := g/nf, 2*g/nf, (1-2*g)/nf
	for m := 1; m < npwrs; m++ {
		gpower[m] = gpower[m-1] * gn / float64(m)
		twogpower[m] = twogpower[m-1] * twogn / float64(m)
		onem2gpower[m] = onem2gpower[m-1] * onem2gn / float64(m)
	}
	V0 := make([]float64, npwrs)
	V1 := make([]float64, npwrs)
	V1[0] = 1
	v0s, v1s := 0, 0
	expnt := 0
	j1, _ := pomeranzBounds(0, n, ll, ceilf, roundf)
	conv := make([]float64, 2*npwrs)
	for i := 1; i < 2*n+2; i++ {
		k1 := j1
		V0, V1 = V1, V0
		v0s, v1s = v1s, v0s
		clear(V1)
		var j2 int
		j1, j2 = pomeranzBounds(i, n, ll, ceilf, roundf)
		pwrs := onem2gpower
		switch {
		case i == 1 || i == 2*n+1:
			pwrs = gpower
		case i%2 == 1:
			pwrs = twogpower
		}
		ln2 := j2 - k1 + 1
		if ln2 <= 0 {
			continue
		}
		a := sliceClamp(V0, k1-v0s, k1-v0s+ln2)
		b := sliceClamp(pwrs, 0, ln2)
		full := convolve(a, b, conv)
		start, length := j1-k1, j2-j1+1
		seg := sliceClamp(full, start, start+length)
		copy(V1, seg)
		mx := 0.0
		for _, val := range V1 {
			mx = math.Max(mx, val)
		}
		if 0 < mx && mx < ksEM128 {
			for idx := range V1 {
				V1[idx] *= ksEP128
			}
			expnt -= ksE128
		}
		v1s = v0s + j1 - k1
	}
	ans := V1[n-v1s]
	for m := 1; m <= n; m++ {
		if math.Abs(ans) > ksEP128 {
			ans *= ksEM128
			expnt += ksE128
		}
		ans *= float64(m)
	}
	if expnt != 0 {
		ans = math.Ldexp(ans, expnt)
	}
	return clip01(ans)
}

// pomeranzBounds is SciPy's _pomeranz_compute_j1j2: the column interval of
// row i of the Pomeranz recursion.
func pomeranzBounds(i, n, ll, ceilf, roundf int) (int, int) {
	var j1, j2 int
	if i == 0 {
		j1, j2 = -ll-ceilf-1, ll+ceilf-1
	} else {
		ip1div2, ip1mod2 := (i+1)/2, (i+1)%2
		if ip1mod2 == 0 { // i is odd
			if ip1div2 == n+1 {
				j1, j2 = n-ll-ceilf-1, n+ll+ceilf-1
			} else {
				j1, j2 = ip1div2-1-ll-roundf-1, ip1div2+ll-1+ceilf-1
			}
		} else {
			j1, j2 = ip1div2-1-ll-1, ip1div2+ll+roundf-1
		}
	}
	return max(j1+2, 0), min(j2, n)
}

// kolmogornPelzGood is the Pelz-Good (1976) approximation to
// Pr(D_n <= x), used by SciPy for large n.
func kolmogornPelzGood(n int, x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	nf := float64(n)
	z := math.Sqrt(nf) * x
	z2, z3, z4, z6 := math.Pow(z, 2), math.Pow(z, 3), math.Pow(z, 4), math.Pow(z, 6)
	pi2, pi4, pi6 := math.Pi*math.Pi, math.Pow(math.Pi, 4), math.Pow(math.Pi, 6)
	qlog := -pi2 / 8 / z2
	if qlog < -708 {
		return 0
	}
	q := math.Exp(qlog)
	k1a := -z2
	k1b := pi2 / 4
	k2a := 6*z6 + 2*z4
	k2b := (2*z4 - 5*z2) * pi2 / 4
	k2c := pi4 * (1 - 2*z2) / 16
	k3d := pi6 * (5 - 30*z2) / 64
	k3c := pi4 * (-60*z2 + 212*z4) / 16
	k3b := pi2 * (135*z4 - 96*z6) / 4
	k3a := -30*z6 - 90*math.Pow(z, 8)
	var K [4]float64
	maxk := int(math.Ceil(16 * z / math.Pi))
	for k := maxk; k > 0; k-- {
		m := float64(2*k - 1)
		m2, m4, m6 := m*m, m*m*m*m, math.Pow(m, 6)
		qp := math.Pow(q, float64(8*k))
		c := [4]float64{1, k1a + k1b*m2, k2a + k2b*m2 + k2c*m4, k3a + k3b*m2 + k3c*m4 + k3d*m6}
		for i := range K {
			K[i] = K[i]*qp + c[i]
		}
	}
	sqrt2pi := math.Sqrt(2 * math.Pi)
	den := [4]float64{z, 6 * z4, 72 * math.Pow(z, 7), 6480 * math.Pow(z, 10)}
	for i := range K {
		K[i] = K[i] * q * sqrt2pi / den[i]
	}
	q = math.Exp(-pi2 / 2 / z2)
	sqrt3z := math.Sqrt(3) * z
	var k2extra, k3extra float64
	for k := maxk; k > 0; k-- {
		kf := float64(k)
		ks := kf * kf
		qp := math.Pow(q, ks)
		k2extra += ks * qp
		kspi := math.Pi * kf
		k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks * qp
	}
	K[2] += k2extra * (pi2 * sqrt2pi / (-36 * z3))
	K[3] += k3extra * (pi2 * sqrt2pi / (216 * z6))
	sum := 0.0
	for i := range K {
		sum += K[i] / math.Pow(nf, float64(i)/2)
	}
	return sum
}

// clip01 clips a probability to [0, 1].
func clip01(p float64) float64 {
	switch {
	case p < 0:
		return 0
	case p > 1:
		return 1
	}
	return p
}

// sliceClamp returns a[lo:hi] with the bounds clamped to the slice, as
// NumPy slicing does.
func sliceClamp(a []float64, lo, hi int) []float64 {
	lo = max(lo, 0)
	hi = min(hi, len(a))
	if hi <= lo {
		return nil
	}
	return a[lo:hi]
}

// convolve is np.convolve(a, b) in "full" mode, written into buf.
func convolve(a, b, buf []float64) []float64 {
	if len(a) == 0 || len(b) == 0 {
		return nil
	}
	n := len(a) + len(b) - 1
	if cap(buf) < n {
		buf = make([]float64, n)
	}
	out := buf[:n]
	clear(out)
	for i, av := range a {
		for j, bv := range b {
			out[i+j] += av * bv
		}
	}
	return out
}
