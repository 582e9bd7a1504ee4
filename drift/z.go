package drift

import "math"

// Test "z": the two-proportion Z-test.
//
// Score: with k0 the smallest value of both samples (sorted(keys)[0] in
// Python), p1 and p2 the shares of values other than k0 in reference and
// current, and P the pooled share,
//
//	z = (p1 - p2) / sqrt(P (1-P) (1/n1 + 1/n2)),   p = 2 (1 - Phi(|z|)).
//
// As in Evidently, p is computed as 1 - cdf and so is exactly 0 for
// |z| above about 8.3, and it is 1 when both samples hold the same single
// value. Columns with more than two values are tested as k0 against the
// rest. Matches Evidently's `z` stattest ("Z-test p_value"). Drift when
// p < threshold (default 0.05).
func runZ(p *pair) (float64, error) {
	d := p.discrete()
	refDistinct, curDistinct := 0, 0
	for i := range d.keys() {
		if d.ref[i] > 0 {
			refDistinct++
		}
		if d.cur[i] > 0 {
			curDistinct++
		}
	}
	if refDistinct == 1 && curDistinct == 1 && d.keys() == 1 {
		return 1, nil
	}
	k0 := d.firstKey()
	n1, n2 := float64(d.nref), float64(d.ncur)
	p1 := (n1 - d.ref[k0]) / n1
	p2 := (n2 - d.cur[k0]) / n2
	P := (p1*n1 + p2*n2) / float64(d.nref+d.ncur)
	z := (p1 - p2) / math.Sqrt(P*(1-P)*(1.0/n1+1.0/n2))
	return 2 * (1 - ndtr(math.Abs(z))), nil
}
