package ui

import (
	"bytes"
	"compress/gzip"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/alerting"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/store/rollup"
	"github.com/modelwatch/modelwatch/internal/window"
)

//go:embed assets
var assets embed.FS

// Store is what the UI reads from the database.
type Store interface {
	ModelVersions(ctx context.Context) ([]modelwatch.ModelVersion, error)
	Stats(ctx context.Context, q store.StatsQuery) (modelwatch.PredictionStats, error)
	Series(ctx context.Context, q store.SeriesQuery) ([]rollup.Point, error)
	ModelSettings(ctx context.Context, key modelwatch.ModelKey) (modelwatch.ModelSettings, error)
	FirstLabelled(ctx context.Context, key modelwatch.ModelKey, n int) (labelled, correct int64, err error)
	DriftRuns(ctx context.Context, key modelwatch.ModelKey, kind string, limit int) ([]modelwatch.DriftRun, error)
	ConceptEvents(ctx context.Context, key modelwatch.ModelKey, limit int) ([]modelwatch.ConceptEvent, error)
	LowConfidence(ctx context.Context, q store.LowConfidenceQuery) ([]modelwatch.Prediction, error)
	Estimates(ctx context.Context, key modelwatch.ModelKey, limit int) ([]modelwatch.Estimate, error)
}

// Windows gives the sliding-window metrics of a model version.
type Windows interface {
	Stat(k modelwatch.ModelKey) (window.Metrics, bool)
}

// Alerts lists the alerts modelwatch itself is firing.
type Alerts interface {
	Firing() []alerting.Alert
}

// Options configure a UI. Zero values give the defaults.
type Options struct {
	// Alerts are modelwatch's own firing alerts; nil shows none.
	Alerts Alerts
	// WindowMinCount is how many labelled predictions a sliding window
	// needs before its metrics are shown (default window.DefaultMinCount),
	// as for the API and the gauges.
	WindowMinCount int
	// LowConfidence is the confidence below which predictions are queued
	// for review (default 0.7, the specification's).
	LowConfidence float64
	// ReviewLimit is how many low-confidence predictions the review queue
	// shows (default 50).
	ReviewLimit int
	// RunLimit is how many drift runs and detector events the model
	// version page lists (default 50).
	RunLimit int
	Now      func() time.Time // clock (default time.Now)
	Logger   *slog.Logger
}

// UI serves the web pages. It implements http.Handler.
type UI struct {
	store   Store
	windows Windows
	opts    Options
	log     *slog.Logger
	tmpl    *template.Template
	static  http.Handler
	mux     *http.ServeMux
}

// New returns a UI reading from st and windows.
func New(st Store, windows Windows, opts Options) (*UI, error) {
	if opts.WindowMinCount <= 0 {
		opts.WindowMinCount = window.DefaultMinCount
	}
	if opts.LowConfidence <= 0 {
		opts.LowConfidence = 0.7
	}
	if opts.ReviewLimit <= 0 {
		opts.ReviewLimit = 50
	}
	if opts.RunLimit <= 0 {
		opts.RunLimit = 50
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	tmpl, err := template.New("ui").ParseFS(assets, "assets/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse UI templates: %w", err)
	}
	static, err := fs.Sub(assets, "assets/static")
	if err != nil {
		return nil, fmt.Errorf("UI assets: %w", err)
	}
	u := &UI{store: st, windows: windows, opts: opts, log: opts.Logger, tmpl: tmpl, mux: http.NewServeMux()}
	u.static = http.StripPrefix("/ui/assets/", http.FileServerFS(static))
	u.mux.HandleFunc("GET /{$}", u.handleOverview)
	u.mux.HandleFunc("GET /ui/{$}", u.handleOverview)
	u.mux.HandleFunc("GET /ui/models/{name}/versions/{version}", u.handleVersion)
	u.mux.HandleFunc("GET /ui/assets/", u.handleAsset)
	u.mux.HandleFunc("/", u.handleNotFound)
	return u, nil
}

// ServeHTTP implements http.Handler.
func (u *UI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mux.ServeHTTP(w, r)
}

// contentSecurityPolicy allows the pages nothing but their own stylesheet:
// no scripts, no inline styles, no other origin.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// render executes a page template and writes it, or an error page.
func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := u.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		u.fail(w, r, fmt.Errorf("render %s page: %w", name, err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Accept-Encoding")
	body := buf.Bytes()
	if acceptsGzip(r) {
		var zbuf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&zbuf, gzip.BestSpeed) // a valid level
		_, _ = zw.Write(body)                               // writes to memory
		if err := zw.Close(); err == nil {
			h.Set("Content-Encoding", "gzip")
			body = zbuf.Bytes()
		}
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// acceptsGzip reports whether the client takes gzip-compressed responses.
// Pages with hundreds of chart points compress about tenfold.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.ReplaceAll(strings.TrimSpace(q), " ", "") != "q=0" {
			return true
		}
	}
	return false
}

// errorPage is the data of the error template.
type errorPage struct {
	Title   string
	Status  int
	Message string
}

// fail writes an error page for err. The error's code decides the status,
// as in the API: not found 404, invalid 400, unavailable 503, else 500
// with a generic message (the error is logged).
func (u *UI) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, "internal error: see the server's log"
	var e *modelwatch.Error
	if errors.As(err, &e) {
		switch e.Code {
		case modelwatch.ENotFound:
			status, msg = http.StatusNotFound, e.Message
		case modelwatch.EInvalid:
			status, msg = http.StatusBadRequest, e.Message
		case modelwatch.EUnavailable:
			status, msg = http.StatusServiceUnavailable, "the database is unavailable: "+e.Message
			w.Header().Set("Retry-After", "1")
		}
	}
	if status >= 500 {
		u.log.LogAttrs(r.Context(), slog.LevelError, "UI request failed",
			slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	if r.Context().Err() != nil {
		return // the client is gone
	}
	var buf bytes.Buffer
	page := errorPage{Title: http.StatusText(status), Status: status, Message: msg}
	if err := u.tmpl.ExecuteTemplate(&buf, "error", page); err != nil {
		http.Error(w, msg, status)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// handleAsset serves the embedded stylesheet. Assets change only with the
// binary, so browsers may keep them for an hour.
func (u *UI) handleAsset(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	u.static.ServeHTTP(w, r)
}

func (u *UI) handleNotFound(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "the UI's pages only answer GET", http.StatusMethodNotAllowed)
		return
	}
	u.fail(w, r, modelwatch.Errorf(modelwatch.ENotFound, "no page at %s", r.URL.Path))
}
