package estimate

import (
	"math"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

// This file computes NannyML's sampling errors
// (nannyml/sampling_error/{binary,multiclass}_classification.py, 0.13.1):
// components are measured once on the labelled reference data, and the
// error of a chunk of n rows follows from them in O(1).

// seKind is the formula that turns components into a sampling error.
type seKind int

const (
	// seFraction: std / sqrt(n · fraction) (_universal_sampling_error).
	seFraction seKind = iota
	// seBootstrap: std · sqrt(sampleSize / n) (average precision).
	seBootstrap
	// seCount: std / sqrt(n) · n (confusion-matrix counts).
	seCount
	// seMacro: sqrt(Σ_k var_k / (n · fraction_k)) / C · factor (multiclass
	// precision, recall, F1, specificity and, with factor 1.2, ROC AUC).
	seMacro
	// seMacroBootstrap: sqrt(mean_k(var_k · sampleSize_k / n)) (multiclass
	// average precision).
	seMacroBootstrap
)

// samplingError holds the reference components of one metric.
type samplingError struct {
	kind   seKind
	std    float64      // single-term kinds
	frac   float64      // fraction, or sample size for seBootstrap
	terms  [][2]float64 // macro kinds: (variance, fraction or sample size) per class
	factor float64      // seMacro
}

// at returns the sampling error for a chunk of n rows: NaN for n = 0.
func (s samplingError) at(n int) float64 {
	if n == 0 {
		return math.NaN()
	}
	fn := float64(n)
	switch s.kind {
	case seFraction:
		return s.std / math.Sqrt(fn*s.frac)
	case seBootstrap:
		return s.std * math.Sqrt(s.frac/fn)
	case seCount:
		return s.std / math.Sqrt(fn) * fn
	case seMacro:
		v := make([]float64, len(s.terms))
		for k, t := range s.terms {
			v[k] = t[0] / (fn * t[1])
		}
		return math.Sqrt(numpy.Sum(v)) / float64(len(v)) * s.factor
	case seMacroBootstrap:
		v := make([]float64, len(s.terms))
		for k, t := range s.terms {
			v[k] = t[0] * t[1] / fn
		}
		return math.Sqrt(mean(v))
	}
	return math.NaN()
}

// outcomes counts the reference outcomes for the positive class: true and
// false positives and negatives, with y the true and p the predicted
// class indicator.
type outcomes struct{ tp, fp, fn, tn int }

func countOutcomes(y, p []bool) outcomes {
	var o outcomes
	for i := range y {
		switch {
		case y[i] && p[i]:
			o.tp++
		case !y[i] && p[i]:
			o.fp++
		case y[i] && !p[i]:
			o.fn++
		default:
			o.tn++
		}
	}
	return o
}

// ones returns ones 1s followed by zeros 0s, each multiplied by scale: the
// observation-level arrays NannyML builds with np.concatenate.
func ones(ones, zeros int, scale float64) []float64 {
	v := make([]float64, ones+zeros)
	for i := range ones {
		v[i] = scale
	}
	return v
}

// rateComponents returns the (spread, fraction) components of precision,
// recall, specificity or F1 for one positive class, as NannyML's
// *_sampling_error_components. The spread is the standard deviation for a
// binary model and the variance for a class of a multiclass model (the
// multiclass module adds variances). Multiclass F1 skips the binary
// module's correcting factor, as NannyML does.
func rateComponents(m Metric, o outcomes, n int, multiclass bool) (spread, frac float64) {
	var obs []float64
	switch m {
	case Precision:
		obs = ones(o.tp, o.fp, 1)
		frac = float64(o.tp+o.fp) / float64(n)
	case Recall:
		obs = ones(o.tp, o.fn, 1)
		frac = float64(o.tp+o.fn) / float64(n)
	case Specificity:
		obs = ones(o.tn, o.fp, 1)
		frac = float64(o.tn+o.fp) / float64(n)
	case F1:
		l := o.tp + o.fn + o.fp
		if l == 0 {
			return math.NaN(), 0
		}
		scale := 1.0
		if !multiclass {
			scale = float64(l) / (float64(o.fn+o.fp)*0.5 + float64(o.tp))
		}
		obs = ones(o.tp, o.fn+o.fp, scale)
		frac = float64(l) / float64(n)
	}
	if multiclass {
		return variance(obs, nil), frac
	}
	return std(obs), frac
}

// aucComponents is NannyML's auroc_sampling_error_components for one
// positive class: with the minority class as positive, rows sorted by
// score (stably; NumPy's quicksort leaves ties unspecified), the number of
// negatives ranked below each positive (except a positive ranked first),
// divided by the number of negatives; spread is their std (binary) or
// variance (multiclass), frac the share of positives.
func aucComponents(pos []bool, score []float64, multiclass bool) (spread, frac float64) {
	n := len(pos)
	y := make([]bool, n)
	s := make([]float64, n)
	npos := 0
	for i := range pos {
		if pos[i] {
			npos++
		}
	}
	flip := float64(npos)/float64(n) > 0.5
	for i := range pos {
		y[i], s[i] = pos[i], score[i]
		if flip {
			y[i], s[i] = !pos[i], 1-score[i]
		}
	}
	idx := argsort(s, nil)
	nPos := 0
	for _, i := range idx {
		if y[i] {
			nPos++
		}
	}
	nNeg := float64(n - nPos)
	var ser []float64
	for rank, i := range idx {
		if y[i] && rank > 0 {
			ser = append(ser, float64(rank-len(ser))/nNeg)
		}
	}
	frac = float64(nPos) / float64(n)
	if multiclass {
		return variance(ser, nil), frac
	}
	return std(ser), frac
}

// Bootstrap constants of NannyML's average-precision sampling error.
const (
	apExperiments   = 50
	apMaxSampleSize = 50000
)

// apComponents is NannyML's ap_sampling_error_components: the spread (std
// for binary, variance for multiclass) of the average precision of 50
// bootstrap samples of min(n/2, 50000) rows drawn with rng, as
// np.random.choice draws them.
func apComponents(pos []bool, score []float64, multiclass bool, rng *numpy.RandomState) (spread, size float64) {
	n := len(pos)
	m := min(n/2, apMaxSampleSize)
	res := make([]float64, apExperiments)
	sp := make([]bool, m)
	ss := make([]float64, m)
	for e := range res {
		for j := range m {
			i := rng.Intn(n)
			sp[j], ss[j] = pos[i], score[i]
		}
		res[e] = averagePrecision(sp, ss)
	}
	if multiclass {
		return variance(res, nil), float64(m)
	}
	return std(res), float64(m)
}
