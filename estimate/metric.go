package estimate

import (
	"fmt"
	"slices"
	"strings"
)

// Metric names a performance metric CBPE estimates. The names are NannyML's.
type Metric string

// The metrics. All of them are in [0, 1] except the unnormalised confusion
// matrix, whose cells are expected counts.
const (
	ROCAUC           Metric = "roc_auc"           // area under the ROC curve (macro one-vs-rest for multiclass)
	F1               Metric = "f1"                // F1 score of class 1 (macro for multiclass)
	Precision        Metric = "precision"         // precision of class 1 (macro for multiclass)
	Recall           Metric = "recall"            // recall of class 1 (macro for multiclass)
	Specificity      Metric = "specificity"       // true negative rate (macro for multiclass)
	Accuracy         Metric = "accuracy"          // share of correct predictions
	AveragePrecision Metric = "average_precision" // area under the precision-recall curve (macro for multiclass)
	ConfusionMatrix  Metric = "confusion_matrix"  // one result per cell, see Estimator.Components
)

// DefaultMetrics returns the metrics estimated when Options.Metrics is
// empty: the ones the modelwatch estimate command reports by default.
func DefaultMetrics() []Metric {
	return []Metric{ROCAUC, F1, Precision, Recall, Specificity, Accuracy}
}

// AllMetrics returns every supported metric in NannyML's order.
func AllMetrics() []Metric {
	return []Metric{ROCAUC, F1, AveragePrecision, Precision, Recall, Specificity, Accuracy, ConfusionMatrix}
}

// needsPred reports whether the metric needs predicted classes; the
// ranking metrics use probabilities only.
func (m Metric) needsPred() bool { return m != ROCAUC && m != AveragePrecision }

// ParseMetrics parses a comma-separated list of metric names such as
// "roc_auc,f1". Duplicates are removed; the order is kept.
func ParseMetrics(s string) ([]Metric, error) {
	var out []Metric
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		m := Metric(f)
		if !slices.Contains(AllMetrics(), m) {
			return nil, fmt.Errorf("metric %q: want one of %s", f, joinMetrics(AllMetrics()))
		}
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("metrics %q: no metric named", s)
	}
	return out, nil
}

func joinMetrics(ms []Metric) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = string(m)
	}
	return strings.Join(s, ", ")
}

// Normalization says how confusion-matrix cells are expressed, as
// scikit-learn's confusion_matrix(normalize=...).
type Normalization string

// The normalisations of the confusion matrix.
const (
	NormalizeNone Normalization = ""     // expected counts
	NormalizeAll  Normalization = "all"  // divided by the number of rows
	NormalizeTrue Normalization = "true" // divided by the (expected) row count of the true class
	NormalizePred Normalization = "pred" // divided by the row count of the predicted class
)
