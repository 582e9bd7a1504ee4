package monitor

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/metrics"
	"github.com/modelwatch/modelwatch/internal/store"
	"github.com/modelwatch/modelwatch/internal/window"
)

// LabelSource is what Windows reads from the store.
type LabelSource interface {
	ModelVersions(ctx context.Context) ([]modelwatch.ModelVersion, error)
	LatestLabelled(ctx context.Context, key modelwatch.ModelKey, n int) ([]store.LabelEvent, int64, error)
	LabelEvents(ctx context.Context, after int64, limit int) ([]store.LabelEvent, error)
}

// WindowsOptions configure Windows. The zero value gives the defaults.
type WindowsOptions struct {
	Size         int           // labelled predictions per window (default window.DefaultSize)
	SyncInterval time.Duration // how often Run reads new label events (default 5s)
	Logger       *slog.Logger
	// OnEvent, when set, is called for every label event applied, in label
	// revision order (the streaming concept-drift detectors hook in here).
	OnEvent func(store.LabelEvent)
}

// eventPage is how many label events Sync reads per query.
const eventPage = 5000

// Windows keeps one sliding window per model version in step with the
// store's label events. It is safe for concurrent use.
type Windows struct {
	src  LabelSource
	opts WindowsOptions

	syncMu sync.Mutex // one Sync at a time, so events apply in order

	mu    sync.RWMutex // guards wins, rev and ready
	wins  map[modelwatch.ModelKey]*window.Window
	rev   int64
	ready bool
}

// NewWindows returns Windows over src. Call Rebuild before use.
func NewWindows(src LabelSource, opts WindowsOptions) *Windows {
	if opts.Size <= 0 {
		opts.Size = window.DefaultSize
	}
	if opts.SyncInterval <= 0 {
		opts.SyncInterval = 5 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Windows{src: src, opts: opts, wins: map[modelwatch.ModelKey]*window.Window{}}
}

// Rebuild loads every model version's latest labelled predictions from the
// store, replacing the windows' content.
func (w *Windows) Rebuild(ctx context.Context) error {
	w.syncMu.Lock()
	defer w.syncMu.Unlock()
	mvs, err := w.src.ModelVersions(ctx)
	if err != nil {
		return fmt.Errorf("rebuild windows: %w", err)
	}
	wins := make(map[modelwatch.ModelKey]*window.Window, len(mvs))
	rev := int64(-1)
	for _, mv := range mvs {
		evs, r, err := w.src.LatestLabelled(ctx, mv.ModelKey, w.opts.Size)
		if err != nil {
			return fmt.Errorf("rebuild window of %s: %w", mv.ModelKey, err)
		}
		// Follow from the oldest snapshot: events seen twice are applied
		// idempotently.
		if rev < 0 || r < rev {
			rev = r
		}
		win := window.New(w.opts.Size)
		for _, e := range evs {
			win.Observe(e.Seq, string(e.Truth), string(e.Prediction))
		}
		wins[mv.ModelKey] = win
	}
	if rev < 0 {
		rev = 0
	}
	w.mu.Lock()
	w.wins, w.rev, w.ready = wins, rev, true
	w.mu.Unlock()
	w.opts.Logger.Info("windows rebuilt", "model_versions", len(wins), "label_revision", rev)
	return nil
}

// Sync applies the label events stored since the last Sync or Rebuild.
func (w *Windows) Sync(ctx context.Context) error {
	w.syncMu.Lock()
	defer w.syncMu.Unlock()
	for {
		w.mu.RLock()
		after := w.rev
		w.mu.RUnlock()
		evs, err := w.src.LabelEvents(ctx, after, eventPage)
		if err != nil {
			return fmt.Errorf("sync windows: %w", err)
		}
		if len(evs) == 0 {
			return nil
		}
		w.mu.Lock()
		for _, e := range evs {
			win := w.wins[e.Model]
			if win == nil {
				win = window.New(w.opts.Size)
				w.wins[e.Model] = win
			}
			win.Observe(e.Seq, string(e.Truth), string(e.Prediction))
			w.rev = e.Rev
		}
		w.mu.Unlock()
		if w.opts.OnEvent != nil {
			for _, e := range evs {
				w.opts.OnEvent(e)
			}
		}
		if len(evs) < eventPage {
			return nil
		}
	}
}

// Track makes sure a model version has a (possibly empty) window, so its
// labelled-count gauge exists from its first prediction.
func (w *Windows) Track(k modelwatch.ModelKey) {
	w.mu.RLock()
	_, ok := w.wins[k]
	w.mu.RUnlock()
	if ok {
		return
	}
	w.mu.Lock()
	if _, ok := w.wins[k]; !ok {
		w.wins[k] = window.New(w.opts.Size)
	}
	w.mu.Unlock()
}

// Ready reports whether the windows have been rebuilt from the store.
func (w *Windows) Ready() bool {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.ready
}

// Run calls Sync every SyncInterval until ctx ends, so that labels written by
// other replicas reach this one's windows.
func (w *Windows) Run(ctx context.Context) {
	t := time.NewTicker(w.opts.SyncInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := w.Sync(ctx); err != nil && ctx.Err() == nil {
				w.opts.Logger.Warn("sync windows", "err", err)
			}
		}
	}
}

// WindowSize is the number of labelled predictions per window; the window
// gauges' help names it.
func (w *Windows) WindowSize() int { return w.opts.Size }

var _ metrics.WindowSizer = (*Windows)(nil)

// WindowStats implements metrics.WindowSource: the metrics of every window,
// ordered by model name and version.
func (w *Windows) WindowStats() []metrics.WindowStat {
	w.mu.RLock()
	out := make([]metrics.WindowStat, 0, len(w.wins))
	for k, win := range w.wins {
		out = append(out, metrics.WindowStat{Key: k, Metrics: win.Metrics()})
	}
	w.mu.RUnlock()
	slices.SortFunc(out, func(a, b metrics.WindowStat) int {
		if c := strings.Compare(a.Key.Name, b.Key.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Key.Version, b.Key.Version)
	})
	return out
}

// Stat returns the window metrics of one model version; ok is false when it
// has no window.
func (w *Windows) Stat(k modelwatch.ModelKey) (m window.Metrics, ok bool) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	win, ok := w.wins[k]
	if !ok {
		return m, false
	}
	return win.Metrics(), true
}
