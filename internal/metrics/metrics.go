package metrics

import (
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/modelwatch/modelwatch"
)

// Histogram buckets of the specification, in seconds.
var (
	InferenceBuckets = []float64{0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0}
	StageBuckets     = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0}
)

// Options configure Metrics. The zero value gives the defaults.
type Options struct {
	// MaxLabelValues caps distinct predicted classes and error types per
	// model version (default DefaultMaxLabelValues); the rest are Other.
	MaxLabelValues int
	// MaxModelVersions caps the model versions with series of their own
	// (default DefaultMaxModelVersions). The counters and histograms of
	// later versions are recorded with model_version Other (and model_name
	// Other too unless an earlier version of the model was admitted); their
	// data are stored as usual.
	MaxModelVersions int
	// Logger receives a warning the first time each cap is reached
	// (default: discard).
	Logger *slog.Logger
	// Version is the build version reported by modelwatch_build_info.
	Version string
}

// Metrics holds the collectors modelwatch updates as predictions, ground
// truth and errors arrive.
type Metrics struct {
	predictions    *prometheus.CounterVec
	errors         *prometheus.CounterVec
	groundTruth    *prometheus.CounterVec
	inference      *prometheus.HistogramVec
	preprocessing  *prometheus.HistogramVec
	postprocessing *prometheus.HistogramVec
	ingestRows     *prometheus.CounterVec
	httpRequests   *prometheus.CounterVec
	httpDuration   *prometheus.HistogramVec
	overflow       *prometheus.CounterVec

	versions   *versionCap
	classes    *limiter
	errorTypes *limiter

	mu    sync.Mutex
	known map[modelwatch.ModelKey]bool
}

// New creates the collectors and registers them on reg.
func New(reg prometheus.Registerer, opts Options) (*Metrics, error) {
	if opts.MaxLabelValues <= 0 {
		opts.MaxLabelValues = DefaultMaxLabelValues
	}
	if opts.MaxModelVersions <= 0 {
		opts.MaxModelVersions = DefaultMaxModelVersions
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	mv := []string{"model_name", "model_version"}
	m := &Metrics{
		predictions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "model_predictions_total",
			Help: "Total number of predictions, by predicted class (at most " + strconv.Itoa(opts.MaxLabelValues) + " classes per model version, the rest as __other__).",
		}, []string{"model_name", "model_version", "predicted_class"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "model_prediction_errors_total",
			Help: "Total prediction errors: calls in which the model service failed to answer, by error type (capped like predicted_class).",
		}, []string{"model_name", "model_version", "error_type"}),
		groundTruth: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "model_ground_truth_received_total",
			Help: "Ground-truth labels joined to stored predictions (first labels only; corrections are not counted).",
		}, mv),
		inference: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "model_inference_duration_seconds",
			Help:    "Model inference latency in seconds.",
			Buckets: InferenceBuckets,
		}, mv),
		preprocessing: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "model_preprocessing_duration_seconds",
			Help:    "Data preprocessing latency in seconds.",
			Buckets: StageBuckets,
		}, mv),
		postprocessing: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "model_postprocessing_duration_seconds",
			Help:    "Prediction postprocessing latency in seconds.",
			Buckets: StageBuckets,
		}, mv),
		ingestRows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "modelwatch_ingest_rows_total",
			Help: "Rows received by the ingest API, by kind (prediction, ground_truth, error) and result (accepted, duplicate, rejected, pending).",
		}, []string{"kind", "result"}),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "modelwatch_http_requests_total",
			Help: "HTTP requests served, by handler and status code.",
		}, []string{"handler", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "modelwatch_http_request_duration_seconds",
			Help:    "Time to serve HTTP requests, by handler.",
			Buckets: []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}, []string{"handler"}),
		overflow: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "modelwatch_metric_series_overflow_total",
			Help: "Updates recorded under the label value __other__ because the label's cap was reached, by label (model_version: --max-model-versions; predicted_class, error_type: --max-label-values per model version).",
		}, []string{"label"}),
		known: map[modelwatch.ModelKey]bool{},
	}
	overflow := func(label string, limit int) func() {
		c := m.overflow.WithLabelValues(label)
		var once sync.Once
		return func() {
			c.Inc()
			once.Do(func() {
				opts.Logger.Warn("metric label cap reached: later values are exported as "+Other+"; the data are stored as usual",
					"label", label, "limit", limit)
			})
		}
	}
	m.versions = newVersionCap(opts.MaxModelVersions, overflow("model_version", opts.MaxModelVersions))
	m.classes = newLimiter(opts.MaxLabelValues, overflow("predicted_class", opts.MaxLabelValues))
	m.errorTypes = newLimiter(opts.MaxLabelValues, overflow("error_type", opts.MaxLabelValues))
	buildInfo := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "modelwatch_build_info",
		Help: "A metric with a constant '1' value labelled by the modelwatch version and the Go version that built it.",
	}, []string{"version", "goversion"})
	buildInfo.WithLabelValues(opts.Version, runtime.Version()).Set(1)
	for _, c := range []prometheus.Collector{
		m.predictions, m.errors, m.groundTruth, m.inference, m.preprocessing, m.postprocessing,
		m.ingestRows, m.httpRequests, m.httpDuration, m.overflow, buildInfo,
	} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// TrackModel makes a model version's ground-truth counter exist at 0, so that
// rate() and increase() see its first labels (a counter that appears with
// its first value hides that value from them).
func (m *Metrics) TrackModel(k modelwatch.ModelKey) {
	m.track(m.versions.key(k))
}

// track is TrackModel for a key already through the version cap.
func (m *Metrics) track(k modelwatch.ModelKey) {
	m.mu.Lock()
	seen := m.known[k]
	m.known[k] = true
	m.mu.Unlock()
	if !seen {
		m.groundTruth.WithLabelValues(k.Name, k.Version).Add(0)
	}
}

// ObservePrediction counts a stored prediction and records its stage
// latencies.
func (m *Metrics) ObservePrediction(p *modelwatch.Prediction) {
	k := m.versions.key(modelwatch.ModelKey{Name: p.ModelName, Version: p.ModelVersion})
	m.track(k)
	m.predictions.WithLabelValues(k.Name, k.Version, m.classes.value(k, string(p.Prediction))).Inc()
	observeMs(m.preprocessing, k, p.Latency.PreprocessingMs)
	observeMs(m.inference, k, p.Latency.InferenceMs)
	observeMs(m.postprocessing, k, p.Latency.PostprocessingMs)
}

func observeMs(h *prometheus.HistogramVec, k modelwatch.ModelKey, ms *float64) {
	if ms != nil {
		h.WithLabelValues(k.Name, k.Version).Observe(*ms / 1000)
	}
}

// ObserveError counts a failed prediction call.
func (m *Metrics) ObserveError(e *modelwatch.PredictionError) {
	k := m.versions.key(modelwatch.ModelKey{Name: e.ModelName, Version: e.ModelVersion})
	m.errors.WithLabelValues(k.Name, k.Version, m.errorTypes.value(k, e.ErrorType)).Inc()
}

// ObserveGroundTruth counts n first labels joined to predictions of k.
func (m *Metrics) ObserveGroundTruth(k modelwatch.ModelKey, n int) {
	k = m.versions.key(k)
	m.groundTruth.WithLabelValues(k.Name, k.Version).Add(float64(n))
}

// IngestRows counts n rows of kind with result.
func (m *Metrics) IngestRows(kind, result string, n int) {
	if n > 0 {
		m.ingestRows.WithLabelValues(kind, result).Add(float64(n))
	}
}

// ObserveHTTP records a served request.
func (m *Metrics) ObserveHTTP(handler string, code int, d time.Duration) {
	m.httpRequests.WithLabelValues(handler, strconv.Itoa(code)).Inc()
	m.httpDuration.WithLabelValues(handler).Observe(d.Seconds())
}
