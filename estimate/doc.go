// Package estimate estimates the performance of a classifier before its
// labels arrive: NannyML's confidence-based performance estimation (CBPE).
//
// A classifier that outputs calibrated probabilities carries its own
// expected confusion matrix: a row predicted positive with probability p̂ of
// being positive is a true positive with probability p̂ and a false positive
// with probability 1 − p̂. Summed over a chunk of predictions, these give
// expected TP, FP, FN and TN, and from them accuracy, precision, recall,
// F1, specificity, ROC AUC and average precision, with no label at all.
//
// Fit takes labelled reference data (a period where the model performed as
// expected). It decides whether the probabilities need calibrating and fits
// isotonic calibrators (one-vs-rest for multiclass models), measures the
// reference's sampling-error components, and sets alert thresholds at the
// mean ± 3 population standard deviations of the realised metric over the
// reference chunks. The fitted Estimator then estimates any number of
// chunks cheaply: Estimate for one chunk, Run to split data with a Chunker
// (size-, count- or period-based, NannyML's chunk keys) and estimate each.
// Where rows carry labels, each result also holds the realised metric, so
// estimates can be checked once the labels come in.
//
// The algorithms follow NannyML 0.13.1 (nannyml/performance_estimation/
// confidence_based, nannyml/calibration.py, nannyml/sampling_error,
// nannyml/chunk.py, nannyml/thresholds.py) and scikit-learn 1.2.1
// (IsotonicRegression, StratifiedShuffleSplit, roc_auc_score,
// average_precision_score, precision/recall/f1 with zero_division=0). The
// golden tests in testdata/ compare them with scikit-learn and NumPy; each
// function documents where it departs from them.
//
// CBPE assumes that the calibrated probabilities stay calibrated: the
// input distribution may shift (covariate shift) but P(y | x) may not
// (no concept drift). Under concept drift the estimates are wrong, and
// only labels can tell. See docs/estimate.md.
//
// The package is pure: no I/O, no clocks, no global state.
package estimate
