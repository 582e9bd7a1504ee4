package estimate

import "math"

// realizedAll writes the realised value of each component to out, computed
// on the labelled rows of v, and returns how many rows have a label. With
// no labelled row every value is NaN.
//
// The values are scikit-learn's metrics with NannyML's guards: precision,
// recall, F1 (and, for multiclass, accuracy, specificity and the confusion
// matrix) are NaN when the labels or the predictions hold a single class;
// ROC AUC is NaN unless every class occurs among the labels; average
// precision is NaN without a positive (multiclass: unless every class
// occurs); specificity is NaN when a class has no negatives. ROC AUC and
// average precision use the uncalibrated scores.
func (e *Estimator) realizedAll(v view, out []float64) int {
	var rows []int
	for i, l := range v.label {
		if l != NoLabel {
			rows = append(rows, i)
		}
	}
	for i := range out {
		out[i] = math.NaN()
	}
	m := len(rows)
	if m == 0 {
		return 0
	}
	y := make([]int, m)
	var p []int
	if v.pred != nil {
		p = make([]int, m)
	}
	for j, i := range rows {
		y[j] = v.label[i]
		if p != nil {
			p[j] = v.pred[i]
		}
	}
	raw := make([][]float64, len(v.raw))
	for k, col := range v.raw {
		raw[k] = make([]float64, m)
		for j, i := range rows {
			raw[k][j] = col[i]
		}
	}
	classes := e.classCount()
	yCount := classHistogram(y, classes)
	allClasses := distinct(yCount) == classes
	var pCount []int
	single := true // labels or predictions hold a single class
	if p != nil {
		pCount = classHistogram(p, classes)
		single = distinct(yCount) <= 1 || distinct(pCount) <= 1
	}
	var cm [][]float64
	for ci, c := range e.comps {
		switch c.metric {
		case ROCAUC, AveragePrecision:
			// Binary average precision needs a positive only; the others
			// need every class.
			if e.multiclass || c.metric == ROCAUC {
				if !allClasses {
					continue
				}
			} else if yCount[1] == 0 {
				continue
			}
			per := make([]float64, len(raw))
			for k := range raw {
				pos := indicator(y, e.posClass(k))
				if c.metric == ROCAUC {
					per[k] = rocAUC(pos, raw[k])
				} else {
					per[k] = averagePrecision(pos, raw[k])
				}
			}
			out[ci] = mean(per)
		case Precision, Recall, F1:
			if single {
				continue
			}
			per := make([]float64, e.ovrClasses())
			for k := range per {
				o := countOutcomes(indicator(y, e.posClass(k)), indicator(p, e.posClass(k)))
				per[k] = realizedRate(c.metric, o)
			}
			out[ci] = mean(per)
		case Specificity:
			if e.multiclass && single {
				continue
			}
			per := make([]float64, e.ovrClasses())
			for k := range per {
				o := countOutcomes(indicator(y, e.posClass(k)), indicator(p, e.posClass(k)))
				per[k] = realizedRate(Specificity, o)
			}
			out[ci] = mean(per)
		case Accuracy:
			if e.multiclass && single {
				continue
			}
			correct := 0
			for j := range y {
				if y[j] == p[j] {
					correct++
				}
			}
			out[ci] = float64(correct) / float64(m)
		case ConfusionMatrix:
			if e.multiclass && single {
				continue
			}
			if cm == nil {
				cm = confusionMatrix(y, p, classes, e.normalize)
			}
			out[ci] = cm[c.cell[0]][c.cell[1]]
		}
	}
	return m
}

// realizedRate returns scikit-learn's precision, recall, F1 (zero_division
// = 0, F1 = 2·P·R/(P+R)) or specificity TN/(TN+FP) (NaN when TN+FP = 0)
// for one positive class.
func realizedRate(m Metric, o outcomes) float64 {
	div := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	switch m {
	case Precision:
		return div(o.tp, o.tp+o.fp)
	case Recall:
		return div(o.tp, o.tp+o.fn)
	case F1:
		p, r := div(o.tp, o.tp+o.fp), div(o.tp, o.tp+o.fn)
		den := p + r
		if den == 0 {
			den = 1
		}
		return 2 * p * r / den
	case Specificity:
		if o.tn+o.fp == 0 {
			return math.NaN()
		}
		return float64(o.tn) / float64(o.tn+o.fp)
	}
	return math.NaN()
}

// confusionMatrix returns scikit-learn's confusion_matrix(y, p,
// labels=range(classes), normalize=norm): cell (i, j) counts rows of true
// class i predicted j; normalised cells with a zero denominator are 0.
func confusionMatrix(y, p []int, classes int, norm Normalization) [][]float64 {
	cm := make([][]float64, classes)
	for i := range cm {
		cm[i] = make([]float64, classes)
	}
	for j := range y {
		cm[y[j]][p[j]]++
	}
	div := func(a, b float64) float64 {
		if b == 0 {
			return 0
		}
		return a / b
	}
	switch norm {
	case NormalizeTrue:
		for i := range cm {
			s := 0.0
			for _, x := range cm[i] {
				s += x
			}
			for j := range cm[i] {
				cm[i][j] = div(cm[i][j], s)
			}
		}
	case NormalizePred:
		for j := range classes {
			s := 0.0
			for i := range cm {
				s += cm[i][j]
			}
			for i := range cm {
				cm[i][j] = div(cm[i][j], s)
			}
		}
	case NormalizeAll:
		total := float64(len(y))
		for i := range cm {
			for j := range cm[i] {
				cm[i][j] = div(cm[i][j], total)
			}
		}
	}
	return cm
}

// classHistogram counts the rows of each class.
func classHistogram(v []int, classes int) []int {
	h := make([]int, classes)
	for _, c := range v {
		h[c]++
	}
	return h
}

// distinct returns the number of classes that occur.
func distinct(h []int) int {
	n := 0
	for _, c := range h {
		if c > 0 {
			n++
		}
	}
	return n
}

// indicator returns v == class for each row.
func indicator(v []int, class int) []bool {
	b := make([]bool, len(v))
	for i, c := range v {
		b[i] = c == class
	}
	return b
}
