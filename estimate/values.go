package estimate

import (
	"math"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

// This file computes the value of every component on one chunk: the CBPE
// estimate from calibrated probabilities (nannyml/performance_estimation/
// confidence_based/metrics.py, 0.13.1) and the realised value from labels
// (scikit-learn's metrics as NannyML calls them).

// view is one chunk of prepared rows: calibrated and raw scores per column,
// predicted classes and labels (NoLabel when unknown).
type view struct {
	cal, raw    [][]float64
	pred, label []int
}

func (v view) len() int { return len(v.cal[0]) }

// expected holds NannyML's expected confusion counts for one positive
// class: TP = Σ[ŷ=k]·p̂, FP = Σ[ŷ=k]·(1−p̂), FN = Σ[ŷ≠k]·p̂, TN = Σ[ŷ≠k]·(1−p̂),
// each an np.sum over the chunk.
type expected struct{ tp, fp, fn, tn float64 }

func expect(pred []int, class int, p, buf []float64) expected {
	var e expected
	fill := func(f func(i int) float64) float64 {
		for i := range p {
			buf[i] = f(i)
		}
		return numpy.Sum(buf[:len(p)])
	}
	e.tp = fill(func(i int) float64 {
		if pred[i] == class {
			return p[i]
		}
		return 0
	})
	e.fp = fill(func(i int) float64 {
		if pred[i] == class {
			return 1 - p[i]
		}
		return 0
	})
	e.fn = fill(func(i int) float64 {
		if pred[i] != class {
			return p[i]
		}
		return 0
	})
	e.tn = fill(func(i int) float64 {
		if pred[i] != class {
			return 1 - p[i]
		}
		return 0
	})
	return e
}

// rate returns NannyML's estimate_<metric> from expected counts; a zero
// denominator gives 0.
func (e expected) rate(m Metric) float64 {
	var num, den float64
	switch m {
	case Precision:
		num, den = e.tp, e.tp+e.fp
	case Recall:
		num, den = e.tp, e.tp+e.fn
	case Specificity:
		num, den = e.tn, e.tn+e.fp
	case F1:
		num, den = e.tp, e.tp+0.5*(e.fp+e.fn)
	}
	if den == 0 {
		return 0
	}
	return num / den
}

// binaryCell returns NannyML's estimated binary confusion-matrix cell
// (true, pred) from the expected counts of class 1 on n rows.
func (e expected) binaryCell(cell [2]int, n int, norm Normalization) float64 {
	fn := float64(n)
	tp, fp, fneg, tn := e.tp/fn, e.fp/fn, e.fn/fn, e.tn/fn
	var r, other float64 // other: the cell sharing the normalising row or column
	switch cell {
	case [2]int{1, 1}:
		r = tp
		if norm == NormalizeTrue {
			other = fneg
		} else {
			other = fp
		}
	case [2]int{0, 0}:
		r = tn
		if norm == NormalizeTrue {
			other = fp
		} else {
			other = fneg
		}
	case [2]int{0, 1}:
		r = fp
		if norm == NormalizeTrue {
			other = tn
		} else {
			other = tp
		}
	default:
		r = fneg
		if norm == NormalizeTrue {
			other = tp
		} else {
			other = tn
		}
	}
	switch norm {
	case NormalizeNone:
		return r * fn
	case NormalizeAll:
		return r
	}
	return r * (1 / (r + other))
}

// estimateAll writes the estimated value of each component to out.
func (e *Estimator) estimateAll(v view, out []float64) {
	n := v.len()
	if n == 0 {
		for i := range out {
			out[i] = math.NaN()
		}
		return
	}
	buf := make([]float64, n)
	var counts []expected // per one-vs-rest class, computed on first use
	classCounts := func() []expected {
		if counts == nil {
			for k := range e.ovrClasses() {
				counts = append(counts, expect(v.pred, e.posClass(k), v.cal[k], buf))
			}
		}
		return counts
	}
	var cm [][]float64 // multiclass expected confusion matrix
	for ci, c := range e.comps {
		switch c.metric {
		case ROCAUC, AveragePrecision:
			per := make([]float64, len(v.cal))
			for k := range v.cal {
				if c.metric == ROCAUC {
					per[k] = estimatedROCAUC(v.cal[k], v.raw[k])
				} else {
					per[k] = estimatedAP(v.cal[k], v.raw[k])
				}
			}
			out[ci] = mean(per)
		case Precision, Recall, Specificity, F1:
			cc := classCounts()
			per := make([]float64, len(cc))
			for k, x := range cc {
				per[k] = x.rate(c.metric)
			}
			out[ci] = mean(per)
		case Accuracy:
			if !e.multiclass {
				x := classCounts()[0]
				out[ci] = (x.tp + x.tn) / float64(n)
				continue
			}
			for i, p := range v.pred {
				buf[i] = v.cal[p][i]
			}
			out[ci] = mean(buf)
		case ConfusionMatrix:
			if !e.multiclass {
				out[ci] = classCounts()[0].binaryCell(c.cell, n, e.normalize)
				continue
			}
			if cm == nil {
				cm = expectedMatrix(v, buf, e.normalize)
			}
			out[ci] = cm[c.cell[0]][c.cell[1]]
		}
	}
}

// expectedMatrix is NannyML's multiclass estimate: cell (i, j) =
// mean([ŷ=j]·p̂_i), times n or normalised by its row, column or total.
func expectedMatrix(v view, buf []float64, norm Normalization) [][]float64 {
	c := len(v.cal)
	n := v.len()
	m := make([][]float64, c)
	for i := range m {
		m[i] = make([]float64, c)
		for j := range m[i] {
			for r, p := range v.pred {
				buf[r] = 0
				if p == j {
					buf[r] = v.cal[i][r]
				}
			}
			m[i][j] = numpy.Sum(buf[:n]) / float64(n)
		}
	}
	switch norm {
	case NormalizeNone:
		for i := range m {
			for j := range m[i] {
				m[i][j] *= float64(n)
			}
		}
	case NormalizeTrue:
		for i := range m {
			s := numpy.Sum(m[i])
			for j := range m[i] {
				m[i][j] /= s
			}
		}
	case NormalizePred:
		col := make([]float64, c)
		for j := range col {
			for i := range m {
				col[j] += m[i][j]
			}
		}
		for i := range m {
			for j := range m[i] {
				m[i][j] /= col[j]
			}
		}
	case NormalizeAll:
		flat := make([]float64, 0, c*c)
		for i := range m {
			flat = append(flat, m[i]...)
		}
		s := numpy.Sum(flat)
		for i := range m {
			for j := range m[i] {
				m[i][j] /= s
			}
		}
	}
	return m
}
