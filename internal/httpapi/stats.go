package httpapi

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/store"
)

// maxDays bounds the period of the statistics endpoints.
const maxDays = 3650

// queryFloat reads a float query parameter with a default and bounds.
func queryFloat(q url.Values, name string, def, lo, hi float64) (float64, error) {
	s := q.Get(name)
	if s == "" {
		return def, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < lo || v > hi {
		return 0, &modelwatch.Error{
			Code:    modelwatch.EInvalid,
			Message: "query parameter " + name + " must be a number in [" + strconv.FormatFloat(lo, 'g', -1, 64) + ", " + strconv.FormatFloat(hi, 'g', -1, 64) + "], not " + strconv.Quote(s),
			Details: []modelwatch.FieldError{{Field: name, Message: "must be a number in range"}},
		}
	}
	return v, nil
}

func days(q url.Values) (time.Duration, error) {
	d, err := queryFloat(q, "days", 7, 0, maxDays)
	if err != nil {
		return 0, err
	}
	if d == 0 {
		return 0, modelwatch.Errorf(modelwatch.EInvalid, "query parameter days must be greater than 0")
	}
	return time.Duration(d * float64(24*time.Hour)), nil
}

// handleStats serves GET /api/ml/predictions/stats.
func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	period, err := days(q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// Rollups are per minute: the period ends with the current minute and
	// starts the same length of time before.
	to := s.opts.Now().UTC().Truncate(time.Minute).Add(time.Minute)
	st, err := s.store.Stats(r.Context(), store.StatsQuery{
		Model: q.Get("model_name"), Version: q.Get("model_version"),
		From: to.Add(-period), To: to,
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// lowConfidenceItem is one entry of the review list, with the fields of the
// original specification.
type lowConfidenceItem struct {
	ID           string              `json:"id"`
	ModelName    string              `json:"model_name"`
	ModelVersion string              `json:"model_version"`
	Prediction   modelwatch.Label    `json:"prediction"`
	Confidence   float64             `json:"confidence"`
	Features     modelwatch.Features `json:"features"`
	CreatedAt    string              `json:"created_at"`
}

// handleLowConfidence serves GET /api/ml/predictions/low-confidence.
func (s *Server) handleLowConfidence(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	period, err := days(q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	threshold, err := queryFloat(q, "threshold", 0.7, 0, 1)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := queryFloat(q, "limit", 100, 1, 1000)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.opts.Now().UTC()
	ps, err := s.store.LowConfidence(r.Context(), store.LowConfidenceQuery{
		Model: q.Get("model_name"), Version: q.Get("model_version"),
		Since: now.Add(-period), Threshold: threshold, Limit: int(limit),
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]lowConfidenceItem, len(ps))
	for i, p := range ps {
		out[i] = lowConfidenceItem{
			ID: p.ID, ModelName: p.ModelName, ModelVersion: p.ModelVersion, Prediction: p.Prediction,
			Features: p.Features, CreatedAt: p.Timestamp.Format(time.RFC3339Nano),
		}
		if p.Confidence != nil {
			out[i].Confidence = *p.Confidence
		}
		if out[i].Features == nil {
			out[i].Features = modelwatch.Features("{}")
		}
	}
	writeJSON(w, http.StatusOK, out)
}

type modelVersionItem struct {
	modelwatch.ModelVersion
	Window *windowItem `json:"window"`
}

type windowItem struct {
	LabelledPredictions int      `json:"labelled_predictions"`
	Accuracy            *float64 `json:"accuracy"`
	Precision           *float64 `json:"precision"`
	Recall              *float64 `json:"recall"`
	F1Score             *float64 `json:"f1_score"`
}

// handleModels serves GET /api/v1/models: every model version with its
// sliding-window metrics.
func (s *Server) handleModels(w http.ResponseWriter, r *http.Request) {
	mvs, err := s.store.ModelVersions(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]modelVersionItem, len(mvs))
	for i, mv := range mvs {
		out[i] = modelVersionItem{ModelVersion: mv, Window: &windowItem{}}
		if m, ok := s.windows.Stat(mv.ModelKey); ok {
			out[i].Window.LabelledPredictions = m.Count
			if m.Count >= s.opts.WindowMinCount {
				out[i].Window.Accuracy = new(m.Accuracy)
				out[i].Window.Precision = new(m.Precision)
				out[i].Window.Recall = new(m.Recall)
				out[i].Window.F1Score = new(m.F1)
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"model_versions": out})
}
