package estimate

import (
	"fmt"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

// Calibration says whether the estimator calibrates predicted probabilities
// with isotonic regression before estimating.
type Calibration int

const (
	// CalibrateAuto decides from the reference data as NannyML's
	// needs_calibration does (see NeedsCalibration). It is the zero value.
	CalibrateAuto Calibration = iota
	// CalibrateAlways fits and applies an isotonic calibrator.
	CalibrateAlways
	// CalibrateNever uses the probabilities as given.
	CalibrateNever
)

// String returns "auto", "always" or "never".
func (c Calibration) String() string {
	switch c {
	case CalibrateAuto:
		return "auto"
	case CalibrateAlways:
		return "always"
	case CalibrateNever:
		return "never"
	}
	return fmt.Sprintf("Calibration(%d)", int(c))
}

// ParseCalibration parses "auto", "always" or "never".
func ParseCalibration(s string) (Calibration, error) {
	switch s {
	case "auto":
		return CalibrateAuto, nil
	case "always":
		return CalibrateAlways, nil
	case "never":
		return CalibrateNever, nil
	}
	return 0, fmt.Errorf("calibration %q: want auto, always or never", s)
}

// The constants of NannyML's needs_calibration.
const (
	calibrationSplits   = 10
	calibrationTestSize = 0.1
	calibrationSeed     = 42
	calibrationBins     = 10
	calibrationMaxAUC   = 0.999
)

// NeedsCalibration reports whether isotonic calibration lowers the
// expected calibration error of scores for the binary target pos, with
// NannyML's rule (nannyml/calibration.py, 0.13.1):
//
//   - false when pos holds a single class or ROC AUC > 0.999;
//   - otherwise scikit-learn's StratifiedShuffleSplit(n_splits=10,
//     test_size=0.1, random_state=42) splits the rows; for each split an
//     isotonic regression fitted on the train rows calibrates the test rows;
//     the test folds are concatenated, and the ECE over equal-count bins
//     (10 bins of ⌊n/10⌋ rows, the last one taking the remainder) is
//     computed before and after calibration: Σ_b |b|/n · |mean(p_b) −
//     mean(y_b)|, rows sorted by score;
//   - true when the ECE before is larger than the ECE after.
//
// The splits are scikit-learn's own: NumPy's MT19937 and the legacy
// RandomState permutations are reproduced, so the train and test rows are
// the ones NannyML uses. Two differences remain. The ECE sorts rows with a
// stable sort, where NumPy's default quicksort leaves tied scores in an
// unspecified (and NumPy-version and CPU dependent) order; calibrated scores
// tie often, so a bin edge inside a tie can move an ECE slightly and flip a
// close decision. And where scikit-learn raises (a class with fewer than 2
// rows, or fewer than 2 test rows) NannyML fails to fit; we return false.
// Use CalibrateAlways or CalibrateNever when results must be reproducible
// across tools.
func NeedsCalibration(pos []bool, scores []float64) bool {
	before, after, ok := calibrationErrors(pos, scores)
	return ok && before > after
}

// calibrationErrors returns the ECE before and after calibration that
// NeedsCalibration compares, and false where it answers false without
// computing them.
func calibrationErrors(pos []bool, scores []float64) (before, after float64, ok bool) {
	if len(pos) != len(scores) || len(pos) == 0 {
		return 0, 0, false
	}
	npos := 0
	for _, p := range pos {
		if p {
			npos++
		}
	}
	if npos == 0 || npos == len(pos) {
		return 0, 0, false
	}
	if rocAUC(pos, scores) > calibrationMaxAUC {
		return 0, 0, false
	}
	y := make([]int, len(pos))
	yf := make([]float64, len(pos))
	for i, p := range pos {
		if p {
			y[i], yf[i] = 1, 1
		}
	}
	train, test, err := stratifiedShuffleSplit(y, calibrationSplits, calibrationTestSize, calibrationSeed)
	if err != nil {
		return 0, 0, false
	}
	// Every train fold is fitted from one (score, label) ordering of all
	// rows, filtered to the fold's rows.
	order := reorder(scores, argsort(yf, nil))
	inTrain := make([]bool, len(pos))
	trIdx := make([]int, 0, len(pos))
	var testY, testP, testCal []float64
	for s := range train {
		clear(inTrain)
		for _, i := range train[s] {
			inTrain[i] = true
		}
		trIdx = trIdx[:0]
		for _, i := range order {
			if inTrain[i] {
				trIdx = append(trIdx, i)
			}
		}
		iso := fitOrdered(scores, yf, nil, trIdx)
		for _, i := range test[s] {
			testY = append(testY, yf[i])
			testP = append(testP, scores[i])
			testCal = append(testCal, iso.Predict(scores[i]))
		}
	}
	edges, ok := binEdges(len(testP), calibrationBins)
	if !ok {
		return 0, 0, false
	}
	return ece(testY, testP, edges), ece(testY, testCal, edges), true
}

// binEdges is NannyML's _get_bin_index_edges: bins of ⌊n/bins⌋ rows, the
// last one ending at n (so there can be more than bins bins). With n ≤
// 2·bins the bin count drops to n/2; below 2 bins it fails.
func binEdges(n, bins int) ([][2]int, bool) {
	if n <= 2*bins {
		bins = n / 2
		if bins < 2 {
			return nil, false
		}
	}
	width := n / bins
	var starts []int
	for e := 0; e <= n; e += width {
		starts = append(starts, e)
	}
	starts[len(starts)-1] = n
	edges := make([][2]int, 0, len(starts)-1)
	for i := 1; i < len(starts); i++ {
		edges = append(edges, [2]int{starts[i-1], starts[i]})
	}
	return edges, true
}

// ece is NannyML's _calculate_expected_calibration_error with a stable sort
// of the rows by score.
func ece(y, p []float64, edges [][2]int) float64 {
	idx := argsort(p, nil)
	sp := make([]float64, len(p))
	sy := make([]float64, len(p))
	for k, i := range idx {
		sp[k], sy[k] = p[i], y[i]
	}
	terms := make([]float64, len(edges))
	n := float64(len(p))
	for b, e := range edges {
		mp := mean(sp[e[0]:e[1]])
		my := mean(sy[e[0]:e[1]])
		d := mp - my
		if d < 0 {
			d = -d
		}
		terms[b] = float64(e[1]-e[0]) / n * d
	}
	return numpy.Sum(terms)
}
