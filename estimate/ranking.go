package estimate

import (
	"math"
	"slices"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

// This file holds the ranking metrics: ROC AUC and average precision as
// scikit-learn computes them from labels (the realised values), and as
// NannyML estimates them from calibrated probabilities (CBPE).

// descending returns the row indices ordered by decreasing score:
// np.argsort(score, kind="mergesort")[::-1], so tied rows come in
// decreasing row order.
func descending(score []float64, idx []int) []int {
	idx = argsort(score, idx)
	slices.Reverse(idx)
	return idx
}

// binaryCurve is scikit-learn's _binary_clf_curve without weights: the
// false and true positive counts at each distinct score, from the highest
// score down.
func binaryCurve(pos []bool, score []float64) (fps, tps []float64) {
	idx := descending(score, make([]int, 0, len(score)))
	fps = make([]float64, 0, len(score))
	tps = make([]float64, 0, len(score))
	tp := 0.0
	for k, i := range idx {
		if pos[i] {
			tp++
		}
		if k == len(idx)-1 || score[idx[k+1]] != score[i] {
			tps = append(tps, tp)
			fps = append(fps, float64(1+k)-tp)
		}
	}
	return fps, tps
}

// rocAUC returns sklearn.metrics.roc_auc_score(pos, score) for a binary
// target: the trapezoidal area under roc_curve(drop_intermediate=True).
// It is NaN when pos holds a single class (scikit-learn raises).
func rocAUC(pos []bool, score []float64) float64 {
	fps, tps := binaryCurve(pos, score)
	if len(fps) == 0 || fps[len(fps)-1] == 0 || tps[len(tps)-1] == 0 {
		return math.NaN()
	}
	if len(fps) > 2 {
		keepF := fps[:0:0]
		keepT := tps[:0:0]
		for i := range fps {
			if i == 0 || i == len(fps)-1 ||
				fps[i+1]-2*fps[i]+fps[i-1] != 0 || tps[i+1]-2*tps[i]+tps[i-1] != 0 {
				keepF = append(keepF, fps[i])
				keepT = append(keepT, tps[i])
			}
		}
		fps, tps = keepF, keepT
	}
	fpr := make([]float64, len(fps)+1)
	tpr := make([]float64, len(tps)+1)
	lastF, lastT := fps[len(fps)-1], tps[len(tps)-1]
	for i := range fps {
		fpr[i+1] = fps[i] / lastF
		tpr[i+1] = tps[i] / lastT
	}
	return trapezoid(fpr, tpr)
}

// averagePrecision returns sklearn.metrics.average_precision_score(pos,
// score): Σ (R_k − R_{k−1}) P_k over the distinct thresholds. Without a
// positive, recall is 1 everywhere and the score is 0, as in scikit-learn
// (NannyML's realised value checks for that case first). It is NaN for no
// rows.
func averagePrecision(pos []bool, score []float64) float64 {
	fps, tps := binaryCurve(pos, score)
	if len(tps) == 0 {
		return math.NaN()
	}
	// precision_recall_curve reverses the curve and appends (P=1, R=0);
	// the score is -Σ diff(recall)·precision[:-1].
	m := len(tps)
	terms := make([]float64, m)
	last := tps[m-1]
	for j := range m {
		// j-th element of the reversed arrays is index m-1-j.
		i := m - 1 - j
		prec := 0.0
		if ps := tps[i] + fps[i]; ps != 0 {
			prec = tps[i] / ps
		}
		rec, nextRec := 1.0, 0.0
		if last != 0 {
			rec = tps[i] / last
		}
		if i > 0 {
			nextRec = 1
			if last != 0 {
				nextRec = tps[i-1] / last
			}
		}
		terms[j] = (nextRec - rec) * prec
	}
	return -numpy.Sum(terms)
}

// estimatedCurve is the shared part of NannyML's estimate_roc_auc and
// estimate_ap: rows ordered by decreasing uncalibrated score, and the
// running sum of calibrated probabilities (expected true positives).
func estimatedCurve(cal, uncal []float64, idx []int) (tps []float64) {
	idx = descending(uncal, idx)
	tps = make([]float64, len(cal))
	s := 0.0
	for k, i := range idx {
		s += cal[i]
		tps[k] = s
	}
	return tps
}

// estimatedROCAUC is NannyML's estimate_roc_auc: with rows ordered by
// decreasing uncalibrated score, tps = cumsum(p̂), fps = k − tps, both
// prefixed with 0 and rounded to 5 decimals, and the trapezoidal area under
// (fps/fps[-1], tps/tps[-1]). It is NaN for an empty chunk or when every
// p̂ is 0 or every p̂ is 1. Rows with tied uncalibrated scores keep
// decreasing row order (NannyML's unstable argsort leaves it unspecified).
func estimatedROCAUC(cal, uncal []float64) float64 {
	n := len(cal)
	if n == 0 {
		return math.NaN()
	}
	cum := estimatedCurve(cal, uncal, make([]int, 0, n))
	tps := make([]float64, n+1)
	fps := make([]float64, n+1)
	for k, t := range cum {
		tps[k+1] = round5(t)
		fps[k+1] = round5(float64(k+1) - t)
	}
	lastT, lastF := tps[n], fps[n]
	if lastT == 0 || lastF == 0 {
		return math.NaN()
	}
	for k := range tps {
		tps[k] /= lastT
		fps[k] /= lastF
	}
	return trapezoid(fps, tps)
}

// estimatedAP is NannyML's estimate_ap: with the same ordering, precision_k
// = round5(tps_k)/k with a leading 1, recall = tps/tps[-1] with a leading 0,
// and AP = Σ (recall_k − recall_{k−1})·precision_k. It is NaN for an empty
// chunk or when every p̂ is 0.
func estimatedAP(cal, uncal []float64) float64 {
	n := len(cal)
	if n == 0 {
		return math.NaN()
	}
	cum := estimatedCurve(cal, uncal, make([]int, 0, n))
	last := round5(cum[n-1])
	if last == 0 {
		return math.NaN()
	}
	// -Σ diff(recall[::-1]) · precision[::-1][:-1]: over the reversed
	// arrays, term j pairs recall[n-j-1] − recall[n-j] with precision[n-j].
	terms := make([]float64, n)
	for j := range n {
		i := n - j // index into the prefixed arrays
		tI := round5(cum[i-1])
		tPrev := 0.0
		if i > 1 {
			tPrev = round5(cum[i-2])
		}
		prec := tI / float64(i)
		terms[j] = (tPrev/last - tI/last) * prec
	}
	return -numpy.Sum(terms)
}
