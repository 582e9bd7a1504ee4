package drift

import (
	"math"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

// Test "jensenshannon": the Jensen-Shannon distance.
//
// Score: scipy.spatial.distance.jensenshannon(r, c) with the natural
// logarithm, over Evidently's binned shares without zero fill (see
// binnedShares): with p = r/sum(r), q = c/sum(c) and m = (p+q)/2,
//
//	JS = sqrt((KL(p||m) + KL(q||m)) / 2),   0 <= JS <= sqrt(ln 2) ~ 0.8326.
//
// Matches Evidently's `jensenshannon` stattest. Drift when JS >= threshold
// (default 0.1).
func runJensenShannon(p *pair) (float64, error) {
	r, c, err := binnedShares(p, false)
	if err != nil {
		return 0, err
	}
	return jensenShannon(r, c), nil
}

// jensenShannon is the Jensen-Shannon distance of two share vectors.
func jensenShannon(r, c []float64) float64 {
	pp, qq := normalized(r), normalized(c)
	left := make([]float64, len(pp))
	right := make([]float64, len(pp))
	for i := range pp {
		m := (pp[i] + qq[i]) / 2.0
		left[i] = relEntr(pp[i], m)
		right[i] = relEntr(qq[i], m)
	}
	js := numpy.Sum(left) + numpy.Sum(right)
	return math.Sqrt(js / 2.0)
}
