package estimate

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// Options configure Fit. The zero value is NannyML's default CBPE: the
// default metrics, ten chunks, automatic calibration, mean ± 3σ thresholds.
type Options struct {
	// Metrics to estimate, without repeats; empty means DefaultMetrics().
	Metrics []Metric
	// Chunker splits the reference data for the thresholds, and Run's data.
	// Nil means DefaultChunker{}.
	Chunker Chunker
	// Calibration is CalibrateAuto (the zero value), CalibrateAlways or
	// CalibrateNever.
	Calibration Calibration
	// Threshold computes the alert thresholds of every metric from its
	// realised values on the reference chunks; nil means DefaultThreshold().
	Threshold Threshold
	// Thresholds overrides Threshold per metric (all confusion-matrix cells
	// share the ConfusionMatrix entry).
	Thresholds map[Metric]Threshold
	// Classes names the classes of a multiclass model, one per score column
	// (they appear in confusion-matrix cell names); nil means "0", "1", ….
	// Ignored for a binary model.
	Classes []string
	// Normalize expresses confusion-matrix cells as counts (the zero value)
	// or normalised shares.
	Normalize Normalization
	// Seed seeds the bootstrap of the average-precision sampling error,
	// which NannyML draws from NumPy's global generator: with Seed s the
	// draws are those of np.random.seed(s).
	Seed uint32
}

// Estimator is CBPE fitted on labelled reference data. It is immutable and
// safe for concurrent use: fit it once per model version, then estimate
// any number of chunks.
type Estimator struct {
	multiclass  bool
	classes     []string
	metrics     []Metric
	comps       []component
	calibrators []*Isotonic // per score column; nil: used as given
	chunker     Chunker
	normalize   Normalization
	reference   []ChunkResult
	warnings    []string
}

// component is one reported value: a metric, or one confusion-matrix cell.
type component struct {
	name                   string
	metric                 Metric
	cell                   [2]int  // confusion matrix: (true, predicted) class
	lowerLimit, upperLimit float64 // the metric's range; ±Inf when open
	se                     samplingError
	lower, upper           float64 // alert thresholds; NaN: none
}

// Fit fits CBPE on reference data with a label on every row: it measures
// the sampling-error components, computes the alert thresholds from the
// realised metrics of the reference chunks, decides whether to calibrate
// and fits the calibrators (one per class, one-vs-rest, for a multiclass
// model), and estimates the reference chunks (Reference).
//
// A model with one score column is binary (classes 0 and 1); one with C ≥ 2
// columns is multiclass, and every class must occur among the reference
// labels.
func Fit(ref Data, opts Options) (*Estimator, error) {
	e := &Estimator{chunker: opts.Chunker, normalize: opts.Normalize}
	for _, m := range opts.Metrics {
		if !slices.Contains(AllMetrics(), m) {
			return nil, fmt.Errorf("fit estimator: unknown metric %q", m)
		}
		if !slices.Contains(e.metrics, m) {
			e.metrics = append(e.metrics, m)
		}
	}
	if len(e.metrics) == 0 {
		e.metrics = DefaultMetrics()
	}
	if e.chunker == nil {
		e.chunker = DefaultChunker{}
	}
	switch opts.Normalize {
	case NormalizeNone, NormalizeAll, NormalizeTrue, NormalizePred:
	default:
		return nil, fmt.Errorf("fit estimator: confusion matrix normalisation %q: want \"\", all, true or pred", opts.Normalize)
	}
	cols := len(ref.Scores)
	switch {
	case cols == 0:
		return nil, errors.New("fit estimator: no score column")
	case cols == 1:
		e.classes = []string{"0", "1"}
	default:
		e.multiclass = true
		e.classes = slices.Clone(opts.Classes)
		if e.classes == nil {
			for k := range cols {
				e.classes = append(e.classes, strconv.Itoa(k))
			}
		}
		if len(e.classes) != cols {
			return nil, fmt.Errorf("fit estimator: %d class names for %d score columns", len(e.classes), cols)
		}
		if s := slices.Sorted(slices.Values(e.classes)); len(slices.Compact(s)) != cols {
			return nil, fmt.Errorf("fit estimator: class names %q repeat a name", e.classes)
		}
	}
	if err := ref.check(cols, e.classCount(), e.needsPred(), true); err != nil {
		return nil, fmt.Errorf("fit estimator: reference data: %w", err)
	}
	n := ref.Len()
	if n == 0 {
		return nil, errors.New("fit estimator: reference data has no rows")
	}
	if e.multiclass {
		h := classHistogram(ref.Label, cols)
		for k, c := range h {
			if c == 0 {
				return nil, fmt.Errorf("fit estimator: reference data: class %q never occurs among the labels", e.classes[k])
			}
		}
	}
	ref = byTime(ref)
	chunks, err := e.chunker.Chunks(n, ref.Time)
	if err != nil {
		return nil, fmt.Errorf("fit estimator: chunk reference data: %w", err)
	}
	if len(chunks) < MinChunks {
		e.warnings = append(e.warnings, fmt.Sprintf("the reference data make %d chunks, fewer than %d: thresholds are unreliable", len(chunks), MinChunks))
	}

	e.buildComponents(ref, opts.Seed)
	if err := e.fitThresholds(ref, chunks, opts); err != nil {
		return nil, fmt.Errorf("fit estimator: %w", err)
	}
	if err := e.fitCalibrators(ref, opts.Calibration); err != nil {
		return nil, fmt.Errorf("fit estimator: %w", err)
	}
	e.reference = e.estimateChunks(ref, chunks, "reference")
	return e, nil
}

func (e *Estimator) needsPred() bool {
	return slices.ContainsFunc(e.metrics, Metric.needsPred)
}

// classCount returns the number of classes (2 for a binary model).
func (e *Estimator) classCount() int { return len(e.classes) }

// ovrClasses returns the number of one-vs-rest problems: 1 for a binary
// model (class 1 against class 0), C for a multiclass one.
func (e *Estimator) ovrClasses() int {
	if e.multiclass {
		return len(e.classes)
	}
	return 1
}

// posClass returns the positive class of one-vs-rest problem k.
func (e *Estimator) posClass(k int) int {
	if e.multiclass {
		return k
	}
	return 1
}

// fitThresholds computes each component's alert thresholds from its
// realised values on the reference chunks, clipped to its range.
func (e *Estimator) fitThresholds(ref Data, chunks []Chunk, opts Options) error {
	values := make([][]float64, len(e.comps))
	out := make([]float64, len(e.comps))
	for _, c := range chunks {
		d := ref.slice(c.Start, c.End+1)
		e.realizedAll(view{raw: d.Scores, pred: d.Pred, label: d.Label}, out)
		for i, v := range out {
			values[i] = append(values[i], v)
		}
	}
	for i := range e.comps {
		c := &e.comps[i]
		t := opts.Threshold
		if u, ok := opts.Thresholds[c.metric]; ok {
			t = u
		}
		if t == nil {
			t = DefaultThreshold()
		}
		if err := checkThreshold(t); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		lo, hi := t.Bounds(values[i])
		c.lower, c.upper = clipBounds(lo, hi, c.lowerLimit, c.upperLimit)
	}
	return nil
}

// fitCalibrators decides per score column whether to calibrate and fits
// an isotonic regression on all reference rows where it does.
func (e *Estimator) fitCalibrators(ref Data, mode Calibration) error {
	e.calibrators = make([]*Isotonic, len(ref.Scores))
	for k, col := range ref.Scores {
		pos := indicator(ref.Label, e.posClass(k))
		switch mode {
		case CalibrateNever:
			continue
		case CalibrateAuto:
			if !NeedsCalibration(pos, col) {
				continue
			}
		case CalibrateAlways:
		default:
			return fmt.Errorf("calibration %v: want auto, always or never", mode)
		}
		y := make([]float64, len(pos))
		for i, p := range pos {
			if p {
				y[i] = 1
			}
		}
		iso, err := FitIsotonic(col, y, nil)
		if err != nil {
			return fmt.Errorf("calibrate class %s: %w", e.classes[e.posClass(k)], err)
		}
		e.calibrators[k] = iso
	}
	return nil
}

// byTime returns d with its rows in increasing time order (stable; NannyML
// sorts with pandas' default quicksort, which leaves equal timestamps in an
// unspecified order). Without timestamps d is returned as is.
func byTime(d Data) Data {
	if d.Time == nil || slices.IsSortedFunc(d.Time, time.Time.Compare) {
		return d
	}
	idx := make([]int, d.Len())
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := d.Time[a].Compare(d.Time[b]); c != 0 {
			return c
		}
		return a - b
	})
	return d.rows(idx)
}

// Multiclass reports whether the model has more than one score column.
func (e *Estimator) Multiclass() bool { return e.multiclass }

// Classes returns the class names: "0", "1" for a binary model.
func (e *Estimator) Classes() []string { return slices.Clone(e.classes) }

// Metrics returns the estimated metrics.
func (e *Estimator) Metrics() []Metric { return slices.Clone(e.metrics) }

// Components returns the names of the reported values in result order:
// the metrics, with confusion_matrix expanded into its cells
// ("true_positive", "true_negative", "false_positive", "false_negative" for a
// binary model, "true_<a>_pred_<b>" for a multiclass one).
func (e *Estimator) Components() []string {
	out := make([]string, len(e.comps))
	for i, c := range e.comps {
		out[i] = c.name
	}
	return out
}

// NeedsCalibration reports whether any score column is calibrated.
func (e *Estimator) NeedsCalibration() bool {
	return slices.ContainsFunc(e.calibrators, func(c *Isotonic) bool { return c != nil })
}

// Calibrated reports, per score column, whether it is calibrated.
func (e *Estimator) Calibrated() []bool {
	out := make([]bool, len(e.calibrators))
	for k, c := range e.calibrators {
		out[k] = c != nil
	}
	return out
}

// Thresholds returns the alert thresholds of a component (NaN: none) and
// whether the component exists.
func (e *Estimator) Thresholds(name string) (lower, upper float64, ok bool) {
	for _, c := range e.comps {
		if c.name == name {
			return c.lower, c.upper, true
		}
	}
	return math.NaN(), math.NaN(), false
}

// Reference returns the results on the reference chunks, period
// "reference".
func (e *Estimator) Reference() []ChunkResult {
	out := make([]ChunkResult, len(e.reference))
	for i, r := range e.reference {
		r.Metrics = slices.Clone(r.Metrics)
		out[i] = r
	}
	return out
}

// Warnings returns what Fit found questionable without failing, such as
// too few reference chunks for stable thresholds.
func (e *Estimator) Warnings() []string { return slices.Clone(e.warnings) }
