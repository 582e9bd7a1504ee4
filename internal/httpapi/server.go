package httpapi

import (
	"context"
	_ "embed" // the OpenAPI document
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/auth"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/window"
)

// Store is what the API needs from the database.
type Store interface {
	IngestPredictions(ctx context.Context, ps []modelwatch.Prediction) (store.IngestResult, error)
	AddGroundTruth(ctx context.Context, labels []modelwatch.GroundTruth) (store.LabelResult, error)
	Stats(ctx context.Context, q store.StatsQuery) (modelwatch.PredictionStats, error)
	LowConfidence(ctx context.Context, q store.LowConfidenceQuery) ([]modelwatch.Prediction, error)
	ModelVersions(ctx context.Context) ([]modelwatch.ModelVersion, error)
	Ping(ctx context.Context) error

	ModelSettings(ctx context.Context, key modelwatch.ModelKey) (modelwatch.ModelSettings, error)
	PutModelSettings(ctx context.Context, key modelwatch.ModelKey, s modelwatch.ModelSettings) error
	PutReference(ctx context.Context, ref modelwatch.Reference) error
	Reference(ctx context.Context, key modelwatch.ModelKey, withData bool) (modelwatch.Reference, error)
	DriftRuns(ctx context.Context, key modelwatch.ModelKey, kind string, limit int) ([]modelwatch.DriftRun, error)
	DriftRun(ctx context.Context, key modelwatch.ModelKey, id int64) (modelwatch.DriftRun, error)
	DriftReport(ctx context.Context, key modelwatch.ModelKey, id int64) ([]byte, error)
	ConceptEvents(ctx context.Context, key modelwatch.ModelKey, limit int) ([]modelwatch.ConceptEvent, error)
	Estimates(ctx context.Context, key modelwatch.ModelKey, limit int) ([]modelwatch.Estimate, error)
	AddAudit(ctx context.Context, e modelwatch.AuditEntry) error
	AuditLog(ctx context.Context, limit int) ([]modelwatch.AuditEntry, error)
}

// Checks runs drift checks on demand.
type Checks interface {
	RunCheck(ctx context.Context, key modelwatch.ModelKey, kind string, window modelwatch.TimeRange, scheduledFor time.Time) (modelwatch.DriftRun, error)
	Invalidate(key modelwatch.ModelKey)
	EstimationStatus(key modelwatch.ModelKey) (status, message string)
}

// Windows is what the API needs from the sliding windows.
type Windows interface {
	Sync(ctx context.Context) error
	Track(k modelwatch.ModelKey)
	Ready() bool
	Stat(k modelwatch.ModelKey) (window.Metrics, bool)
}

// Recorder is what the API reports to Prometheus.
type Recorder interface {
	ObservePrediction(p *modelwatch.Prediction)
	ObserveError(e *modelwatch.PredictionError)
	ObserveGroundTruth(k modelwatch.ModelKey, n int)
	IngestRows(kind, result string, n int)
	ObserveHTTP(handler string, code int, d time.Duration)
}

// Options configure a Server. Zero values give the defaults.
type Options struct {
	MaxBodyBytes      int64 // largest accepted request body after decompression (default 16 MiB)
	MaxReferenceBytes int64 // largest accepted reference dataset (default 256 MiB)
	// Checks runs manual drift checks; nil disables them.
	Checks         Checks
	MaxBatchRows   int              // most records per request (default 100000)
	MaxFeatures    int              // features per prediction (default 1000)
	MaxFeatureSize int              // bytes of a feature's name or JSON value (default 4096)
	WindowMinCount int              // labelled predictions before window metrics are shown (default 100)
	Now            func() time.Time // clock (default time.Now)
	Logger         *slog.Logger
	// Metrics serves GET /metrics when set.
	Metrics http.Handler
	// UI, when set, serves the web UI at GET / and under /ui/.
	UI http.Handler
	// MetricsPublic serves /metrics without a token.
	MetricsPublic bool
	// Auth checks bearer tokens; nil serves every endpoint without one.
	Auth Authenticator
	// RateLimit is the requests per second each token may make (0: no
	// limit), with bursts of RateBurst.
	RateLimit float64
	RateBurst int
}

// DefaultMaxBodyBytes is the default request body limit: 16 MiB.
const DefaultMaxBodyBytes = 16 << 20

// Server is the HTTP API. It implements http.Handler.
type Server struct {
	store   Store
	windows Windows
	metrics Recorder
	checks  Checks
	rate    *limiter
	opts    Options
	log     *slog.Logger
	mux     *http.ServeMux
}

// New returns a Server.
func New(st Store, windows Windows, rec Recorder, opts Options) *Server {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MaxReferenceBytes <= 0 {
		opts.MaxReferenceBytes = 256 << 20
	}
	if opts.MaxBatchRows <= 0 {
		opts.MaxBatchRows = 100000
	}
	if opts.MaxFeatures <= 0 {
		opts.MaxFeatures = 1000
	}
	if opts.MaxFeatureSize <= 0 {
		opts.MaxFeatureSize = 4096
	}
	if opts.WindowMinCount <= 0 {
		opts.WindowMinCount = window.DefaultMinCount
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{store: st, windows: windows, metrics: rec, checks: opts.Checks, opts: opts, log: opts.Logger, mux: http.NewServeMux()}
	if opts.RateLimit > 0 {
		s.rate = newLimiter(opts.RateLimit, opts.RateBurst, opts.Now)
	}
	s.routes()
	return s
}

// route is one path of the API and the endpoints of its methods.
type route struct {
	path      string
	name      string // handler label in metrics
	endpoints map[string]endpoint
}

// endpoint is one method of a route and the scope a token needs for it
// ("" for public endpoints).
type endpoint struct {
	handler http.HandlerFunc
	scope   string
}

// table returns every route of the API.
func (s *Server) table() []route {
	const mv = "/api/v1/models/{name}/versions/{version}"
	ingest := func(h http.HandlerFunc) endpoint { return endpoint{h, auth.ScopeIngest} }
	read := func(h http.HandlerFunc) endpoint { return endpoint{h, auth.ScopeRead} }
	admin := func(h http.HandlerFunc) endpoint { return endpoint{h, auth.ScopeAdmin} }
	public := func(h http.HandlerFunc) endpoint { return endpoint{h, ""} }
	routes := []route{
		{"/api/v1/predictions", "predictions", map[string]endpoint{"POST": ingest(s.handlePredictions)}},
		{"/api/v1/ground-truth", "ground_truth", map[string]endpoint{"POST": ingest(s.handleGroundTruth)}},
		{"/api/v1/errors", "errors", map[string]endpoint{"POST": ingest(s.handleErrors)}},
		{"/api/v1/models", "models", map[string]endpoint{"GET": read(s.handleModels)}},
		{"/api/ml/predictions/stats", "stats", map[string]endpoint{"GET": read(s.handleStats)}},
		{"/api/ml/predictions/low-confidence", "low_confidence", map[string]endpoint{"GET": read(s.handleLowConfidence)}},
		{mv, "model", map[string]endpoint{"GET": read(s.handleModel)}},
		{mv + "/settings", "settings", map[string]endpoint{"GET": read(s.handleGetSettings), "PUT": admin(s.handlePutSettings)}},
		{mv + "/reference", "reference", map[string]endpoint{"GET": read(s.handleGetReference), "PUT": admin(s.handlePutReference)}},
		{mv + "/drift-runs", "drift_runs", map[string]endpoint{"GET": read(s.handleListRuns), "POST": admin(s.handlePostRun)}},
		{mv + "/drift-runs/{id}", "drift_run", map[string]endpoint{"GET": read(s.handleGetRun)}},
		{mv + "/drift-runs/{id}/report", "drift_report", map[string]endpoint{"GET": read(s.handleGetReport)}},
		{mv + "/concept-events", "concept_events", map[string]endpoint{"GET": read(s.handleConceptEvents)}},
		{mv + "/estimates", "estimates", map[string]endpoint{"GET": read(s.handleEstimates)}},
		{"/api/v1/audit", "audit", map[string]endpoint{"GET": admin(s.handleAudit)}},
		{"/api/openapi.json", "openapi", map[string]endpoint{"GET": public(s.handleOpenAPI)}},
		{"/healthz", "healthz", map[string]endpoint{"GET": public(s.handleHealthz)}},
		{"/readyz", "readyz", map[string]endpoint{"GET": public(s.handleReadyz)}},
	}
	if s.opts.Metrics != nil {
		ep := read(s.opts.Metrics.ServeHTTP)
		if s.opts.MetricsPublic {
			ep = public(s.opts.Metrics.ServeHTTP)
		}
		routes = append(routes, route{"/metrics", "metrics", map[string]endpoint{"GET": ep}})
	}
	return routes
}

func (s *Server) routes() {
	for _, rt := range s.table() {
		var allow []string
		for method, ep := range rt.endpoints {
			allow = append(allow, method)
			s.mux.Handle(method+" "+rt.path, s.instrument(rt.name, s.authorize(ep.scope, ep.handler)))
			if method == "GET" {
				allow = append(allow, "HEAD")
			}
		}
		slices.Sort(allow)
		allowed := strings.Join(allow, ", ")
		s.mux.Handle(rt.path, s.instrument(rt.name, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allowed)
			s.writeError(w, r, modelwatch.Errorf(modelwatch.EMethodNotAllowed, "%s is not allowed on %s; use %s", r.Method, rt.path, allowed))
		}))
	}
	if s.opts.UI != nil {
		// The pages need the read scope, like the API they show; the
		// stylesheet is public.
		s.mux.Handle("GET /{$}", s.instrument("ui", s.authorize(auth.ScopeRead, s.opts.UI.ServeHTTP)))
		s.mux.Handle("/ui/", s.instrument("ui", s.authorize(auth.ScopeRead, s.opts.UI.ServeHTTP)))
		s.mux.Handle("GET /ui/assets/", s.instrument("ui", s.opts.UI.ServeHTTP))
	}
	s.mux.Handle("/", s.instrument("not_found", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, modelwatch.Errorf(modelwatch.ENotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
	}))
}

func (s *Server) limits() limits {
	return limits{maxFeatures: s.opts.MaxFeatures, maxFeatureBytes: s.opts.MaxFeatureSize}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// statusWriter records the status code of a response.
type statusWriter struct {
	http.ResponseWriter
	code int
}

// WriteHeader records the first status code written.
func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200 status.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument wraps a handler with metrics, logging and panic recovery.
func (s *Server) instrument(name string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(v)
				}
				s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				if sw.code == 0 {
					s.writeError(sw, r, modelwatch.Errorf(modelwatch.EInternal, "internal error"))
				}
			}
			d := time.Since(start)
			s.metrics.ObserveHTTP(name, sw.code, d)
			s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", sw.code, "duration", d)
		}()
		h(sw, r)
	})
}

// syncWindows brings the sliding windows up to date after labels were
// stored. The labels are committed whatever happens here, so a failure is
// logged, not returned: the background sync catches up.
func (s *Server) syncWindows(r *http.Request) {
	if err := s.windows.Sync(r.Context()); err != nil {
		s.log.Warn("sync windows after labelling", "err", err)
	}
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.writeError(w, r, modelwatch.Errorf(modelwatch.EUnavailable, "the database does not answer"))
		return
	}
	if !s.windows.Ready() {
		s.writeError(w, r, modelwatch.Errorf(modelwatch.EUnavailable, "the sliding windows are still being rebuilt"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

//go:embed openapi.json
var openAPI []byte

// handleOpenAPI serves the OpenAPI document of the API.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPI)
}
