package drift

import "math"

// Test "ed": the energy distance.
//
// Score: scipy.stats.energy_distance(ref, cur) = sqrt(2) * sqrt(integral
// (F_ref(x) - F_cur(x))^2 dx) over the empirical CDFs. It is not normed, so
// it depends on the scale of the data. Matches Evidently's `ed` stattest
// ("Energy-distance"). Drift when E > threshold (strictly; default 0.1).
func runEnergy(p *pair) (float64, error) {
	return math.Sqrt(2) * cdfDistance(p.ref.sorted, p.cur.sorted, 2), nil
}
