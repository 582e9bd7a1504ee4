package drift

import (
	"errors"
	"math"
)

// Test "es": the Epps-Singleton test on the empirical characteristic
// function.
//
// Score: the p-value of scipy.stats.epps_singleton_2samp(ref, cur) with
// t = (0.4, 0.8) (SciPy 1.10): the points are scaled by the semi
// interquartile range sigma of the pooled sample, each observation becomes
// g(x) = (cos(t1 x), cos(t2 x), sin(t1 x), sin(t2 x)) with t_i/sigma, and
// W = N d' S+ d with d the difference of the mean g of both samples and S+
// the pseudo-inverse of the pooled covariance estimate
// (N/n1) cov_ref + (N/n2) cov_cur (biased). W is chi-square with
// r = rank(S+) degrees of freedom; below 25 values per sample it is first
// multiplied by 1/(1 + N^-0.45 + 10.1 (n1^-1.7 + n2^-1.7)). Evidently
// rejects a pooled interquartile range of 0, and SciPy samples of fewer
// than 5 values; such columns are not computable. Matches Evidently's `es`
// stattest ("Epps-Singleton"). Drift when p < threshold (default 0.05).
func runEppsSingleton(p *pair) (float64, error) {
	x, y := p.ref.sorted, p.cur.sorted
	nx, ny := len(x), len(y)
	if nx < 5 || ny < 5 {
		return 0, errors.New("es needs at least five values in each sample")
	}
	iqr := pooledIQR(x, y, p.s)
	if iqr == 0 {
		return 0, errors.New("es needs a positive interquartile range, but the pooled sample's is 0 (Evidently raises)")
	}
	sigma := iqr / 2
	ts := [2]float64{0.4 / sigma, 0.8 / sigma}
	gx, mx := esFeatures(x, ts)
	gy, my := esFeatures(y, ts)
	n := float64(nx + ny)
	var cov [4][4]float64
	for a := range 4 {
		for b := range 4 {
			cov[a][b] = (n/float64(nx))*gx[a][b] + (n/float64(ny))*gy[a][b]
		}
	}
	pinv, rank := pseudoInverse4(cov)
	var diff [4]float64
	for a := range 4 {
		diff[a] = mx[a] - my[a]
	}
	w := 0.0
	for a := range 4 {
		inner := 0.0
		for b := range 4 {
			inner += pinv[a][b] * diff[b]
		}
		w += diff[a] * inner
	}
	w *= n
	if max(nx, ny) < 25 {
		corr := 1.0 / (1.0 + math.Pow(n, -0.45) + 10.1*(math.Pow(float64(nx), -1.7)+math.Pow(float64(ny), -1.7)))
		w *= corr
	}
	return chi2SF(w, float64(rank)), nil
}

// esFeatures returns the biased covariance matrix and the mean of
// (cos(t1 x), cos(t2 x), sin(t1 x), sin(t2 x)) over a sample.
func esFeatures(x []float64, ts [2]float64) ([4][4]float64, [4]float64) {
	n := len(x)
	cols := [4][]float64{make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)}
	for i, v := range x {
		s0, c0 := math.Sincos(ts[0] * v)
		s1, c1 := math.Sincos(ts[1] * v)
		cols[0][i], cols[1][i], cols[2][i], cols[3][i] = c0, c1, s0, s1
	}
	var m [4]float64
	for a := range 4 {
		m[a] = mean(cols[a])
		for i := range cols[a] {
			cols[a][i] -= m[a]
		}
	}
	var cov [4][4]float64
	for a := range 4 {
		for b := a; b < 4; b++ {
			var acc kahan
			for i := range n {
				acc.add(cols[a][i] * cols[b][i])
			}
			cov[a][b] = acc.value() / float64(n)
			cov[b][a] = cov[a][b]
		}
	}
	return cov, m
}

// pooledIQR is scipy.stats.iqr of both samples together: the difference
// of NumPy's linearly interpolated 75th and 25th percentiles.
func pooledIQR(x, y []float64, s *scratch) float64 {
	pooled := s.floatBuf(len(x) + len(y))
	i, j := 0, 0
	for k := range pooled {
		if j >= len(y) || (i < len(x) && x[i] <= y[j]) {
			pooled[k] = x[i]
			i++
		} else {
			pooled[k] = y[j]
			j++
		}
	}
	return percentileLinear(pooled, 0.75) - percentileLinear(pooled, 0.25)
}

// percentileLinear is np.percentile(sorted, 100q) with the default linear
// method, including NumPy's way of interpolating.
func percentileLinear(sorted []float64, q float64) float64 {
	n := len(sorted)
	virtual := float64(n-1) * q
	if virtual >= float64(n-1) {
		return sorted[n-1]
	}
	prev := math.Floor(virtual)
	lo := int(prev)
	a, b := sorted[lo], sorted[lo+1]
	gamma := virtual - prev
	diff := b - a
	if gamma >= 0.5 {
		return b - diff*(1-gamma)
	}
	return a + diff*gamma
}

// pseudoInverse4 returns np.linalg.pinv of a symmetric 4x4 matrix and the
// rank np.linalg.matrix_rank gives that pseudo-inverse. Singular values of a
// symmetric matrix are the absolute eigenvalues, found here by cyclic
// Jacobi rotations; values below 1e-15 times the largest are dropped, as
// pinv's default rcond does.
func pseudoInverse4(a [4][4]float64) ([4][4]float64, int) {
	vals, vecs := jacobiEigen4(a)
	smax := 0.0
	for _, v := range vals {
		smax = math.Max(smax, math.Abs(v))
	}
	var inv [4][4]float64
	rank := 0
	for k, v := range vals {
		if math.Abs(v) <= 1e-15*smax || v == 0 {
			continue
		}
		rank++
		for i := range 4 {
			for j := range 4 {
				inv[i][j] += vecs[i][k] * vecs[j][k] / v
			}
		}
	}
	return inv, rank
}

// jacobiEigen4 diagonalises a symmetric 4x4 matrix, returning the
// eigenvalues and the eigenvectors as columns.
func jacobiEigen4(a [4][4]float64) ([4]float64, [4][4]float64) {
	var v [4][4]float64
	for i := range 4 {
		v[i][i] = 1
	}
	for sweep := 0; sweep < 100; sweep++ {
		off := 0.0
		for i := range 4 {
			for j := i + 1; j < 4; j++ {
				off += a[i][j] * a[i][j]
			}
		}
		if off == 0 {
			break
		}
		for p := range 4 {
			for q := p + 1; q < 4; q++ {
				if a[p][q] == 0 {
					continue
				}
				theta := (a[q][q] - a[p][p]) / (2 * a[p][q])
				t := math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for k := range 4 {
					akp, akq := a[k][p], a[k][q]
					a[k][p] = c*akp - s*akq
					a[k][q] = s*akp + c*akq
				}
				for k := range 4 {
					apk, aqk := a[p][k], a[q][k]
					a[p][k] = c*apk - s*aqk
					a[q][k] = s*apk + c*aqk
				}
				for k := range 4 {
					vkp, vkq := v[k][p], v[k][q]
					v[k][p] = c*vkp - s*vkq
					v[k][q] = s*vkp + c*vkq
				}
			}
		}
	}
	return [4]float64{a[0][0], a[1][1], a[2][2], a[3][3]}, v
}
