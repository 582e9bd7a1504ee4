package estimate

import (
	"fmt"
	"math"

	"github.com/modelwatch/modelwatch/internal/numpy"
)

// buildComponents lists the reported values of the estimator's metrics
// with their ranges and sampling-error components measured on the
// reference rows (every one labelled). seed seeds the average-precision
// bootstrap.
func (e *Estimator) buildComponents(ref Data, seed uint32) {
	n := ref.Len()
	rng := numpy.NewRandomState(seed)
	// One-vs-rest outcomes of the reference predictions per class.
	var ovr []outcomes
	if ref.Pred != nil {
		for k := range e.ovrClasses() {
			ovr = append(ovr, countOutcomes(indicator(ref.Label, e.posClass(k)), indicator(ref.Pred, e.posClass(k))))
		}
	}
	unit := func(m Metric, se samplingError) component {
		return component{name: string(m), metric: m, lowerLimit: 0, upperLimit: 1, se: se}
	}
	for _, m := range e.metrics {
		switch m {
		case ROCAUC, AveragePrecision:
			se := samplingError{kind: seFraction}
			if e.multiclass {
				se = samplingError{kind: seMacro, factor: 1.2}
				if m == AveragePrecision {
					se = samplingError{kind: seMacroBootstrap}
				}
			} else if m == AveragePrecision {
				se.kind = seBootstrap
			}
			for k, col := range ref.Scores {
				pos := indicator(ref.Label, e.posClass(k))
				var a, b float64
				if m == ROCAUC {
					a, b = aucComponents(pos, col, e.multiclass)
				} else {
					a, b = apComponents(pos, col, e.multiclass, rng)
				}
				if e.multiclass {
					se.terms = append(se.terms, [2]float64{a, b})
				} else {
					se.std, se.frac = a, b
				}
			}
			e.comps = append(e.comps, unit(m, se))
		case Precision, Recall, Specificity, F1:
			se := samplingError{kind: seFraction}
			if e.multiclass {
				se = samplingError{kind: seMacro, factor: 1}
			}
			for _, o := range ovr {
				a, b := rateComponents(m, o, n, e.multiclass)
				if e.multiclass {
					se.terms = append(se.terms, [2]float64{a, b})
				} else {
					se.std, se.frac = a, b
				}
			}
			e.comps = append(e.comps, unit(m, se))
		case Accuracy:
			correct := make([]float64, n)
			for i := range correct {
				if ref.Label[i] == ref.Pred[i] {
					correct[i] = 1
				}
			}
			e.comps = append(e.comps, unit(m, samplingError{kind: seFraction, std: std(correct), frac: 1}))
		case ConfusionMatrix:
			e.comps = append(e.comps, e.matrixComponents(ref)...)
		}
	}
}

// matrixComponents returns one component per confusion-matrix cell with
// NannyML's sampling-error components: the spread of a 0/1 indicator of
// the cell over all rows (counts, "all"), or over the rows of its true
// ("true") or predicted ("pred") class, whose share of the rows is the
// relevant fraction.
func (e *Estimator) matrixComponents(ref Data) []component {
	n := ref.Len()
	upper := math.Inf(1)
	if e.normalize != NormalizeNone {
		upper = 1
	}
	cm := confusionMatrix(ref.Label, ref.Pred, e.classCount(), NormalizeNone)
	type cellName struct {
		cell [2]int
		name string
	}
	var cells []cellName
	if e.multiclass {
		for i, a := range e.classes {
			for j, b := range e.classes {
				cells = append(cells, cellName{[2]int{i, j}, fmt.Sprintf("true_%s_pred_%s", a, b)})
			}
		}
	} else {
		cells = []cellName{
			{[2]int{1, 1}, "true_positive"},
			{[2]int{0, 0}, "true_negative"},
			{[2]int{0, 1}, "false_positive"},
			{[2]int{1, 0}, "false_negative"},
		}
	}
	out := make([]component, 0, len(cells))
	for _, c := range cells {
		i, j := c.cell[0], c.cell[1]
		count := int(cm[i][j])
		var se samplingError
		switch e.normalize {
		case NormalizeNone, NormalizeAll:
			var obs []float64
			if e.multiclass {
				obs = ones(count, n-count, 1)
			} else {
				// The binary module builds the indicator in row order.
				obs = make([]float64, n)
				for r := range obs {
					if ref.Label[r] == i && ref.Pred[r] == j {
						obs[r] = 1
					}
				}
			}
			se = samplingError{kind: seCount, std: std(obs), frac: 1}
			if e.normalize == NormalizeAll {
				se.kind = seFraction
			}
		case NormalizeTrue, NormalizePred:
			marginal := 0
			for k := range e.classCount() {
				if e.normalize == NormalizeTrue {
					marginal += int(cm[i][k])
				} else {
					marginal += int(cm[k][j])
				}
			}
			se = samplingError{kind: seFraction, std: std(ones(count, marginal-count, 1)), frac: float64(marginal) / float64(n)}
		}
		out = append(out, component{
			name: c.name, metric: ConfusionMatrix, cell: c.cell,
			lowerLimit: 0, upperLimit: upper, se: se,
		})
	}
	return out
}
