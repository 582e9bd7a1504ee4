package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/modelwatch/modelwatch"
)

type wireGroundTruth struct {
	ID  string          `json:"id"`
	Raw json.RawMessage `json:"ground_truth"` // parsed by ParseLabel to report on each row
}

type groundTruthResponse struct {
	Received   int `json:"received"`
	Joined     int `json:"joined"`
	Relabelled int `json:"relabelled"`
	Unchanged  int `json:"unchanged"`
	Pending    int `json:"pending"`
}

// toGroundTruth validates a wire label and converts it.
func toGroundTruth(index, line int, wg *wireGroundTruth, errs []modelwatch.FieldError) (modelwatch.GroundTruth, []modelwatch.FieldError) {
	g := modelwatch.GroundTruth{ID: wg.ID}
	parseOK := true
	if len(wg.Raw) > 0 {
		l, err := modelwatch.ParseLabel(wg.Raw)
		if err != nil {
			errs = append(errs, modelwatch.FieldError{Index: index, Line: line, Field: "ground_truth", Message: err.Error()})
			parseOK = false
		}
		g.GroundTruth = l
	}
	for _, fe := range g.Validate() {
		if fe.Field == "ground_truth" && !parseOK {
			continue
		}
		fe.Index, fe.Line = index, line
		errs = append(errs, fe)
	}
	return g, errs
}

// handleGroundTruth serves POST /api/v1/ground-truth.
func (s *Server) handleGroundTruth(w http.ResponseWriter, r *http.Request) {
	labels, ok := decodeBatch(s, w, r, "ground_truth", toGroundTruth)
	if !ok {
		return
	}
	res, err := s.store.AddGroundTruth(r.Context(), labels)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for k, n := range res.Labelled {
		s.metrics.ObserveGroundTruth(k, n)
	}
	s.metrics.IngestRows("ground_truth", "accepted", res.Joined+res.Relabelled)
	s.metrics.IngestRows("ground_truth", "duplicate", res.Unchanged)
	s.metrics.IngestRows("ground_truth", "pending", res.Pending)
	if res.Joined+res.Relabelled > 0 {
		s.syncWindows(r)
	}
	writeJSON(w, http.StatusOK, groundTruthResponse{
		Received: len(labels), Joined: res.Joined, Relabelled: res.Relabelled,
		Unchanged: res.Unchanged, Pending: res.Pending,
	})
}
