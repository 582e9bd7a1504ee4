package drift

// matrix is a small dense square matrix in row-major order, enough for the
// Durbin matrix power and the 4x4 Epps-Singleton covariance.
type matrix struct {
	n int
	a []float64
}

// newMatrix returns an n x n zero matrix.
func newMatrix(n int) matrix { return matrix{n: n, a: make([]float64, n*n)} }

// identity returns the n x n identity matrix.
func identity(n int) matrix {
	m := newMatrix(n)
	for i := range n {
		m.a[i*n+i] = 1
	}
	return m
}

func (m matrix) at(i, j int) float64     { return m.a[i*m.n+j] }
func (m matrix) set(i, j int, v float64) { m.a[i*m.n+j] = v }

// scale multiplies every element by s.
func (m matrix) scale(s float64) {
	for i := range m.a {
		m.a[i] *= s
	}
}

// mul returns m*o.
func (m matrix) mul(o matrix) matrix {
	n := m.n
	r := newMatrix(n)
	for i := range n {
		row := r.a[i*n : (i+1)*n]
		for k := range n {
			v := m.a[i*n+k]
			if v == 0 {
				continue
			}
			orow := o.a[k*n : (k+1)*n]
			for j := range n {
				row[j] += v * orow[j]
			}
		}
	}
	return r
}
