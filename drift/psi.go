package drift

import (
	"math"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

// Test "psi": the Population Stability Index.
//
// Score: PSI = sum_i (r_i - c_i) * ln(r_i / c_i) over Evidently's binned
// shares with zero fill (see binnedShares). Matches Evidently's `psi`
// stattest. Drift when PSI >= threshold (default 0.1).
func runPSI(p *pair) (float64, error) {
	r, c, err := binnedShares(p, true)
	if err != nil {
		return 0, err
	}
	terms := make([]float64, len(r))
	for i := range r {
		terms[i] = (r[i] - c[i]) * math.Log(r[i]/c[i])
	}
	return numpy.Sum(terms), nil
}
