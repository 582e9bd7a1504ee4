package httpapi

import (
	"net/http"

	"github.com/modelwatch/modelwatch"
)

type wireGroundTruth struct {
	ID  string   `json:"id"`
	Raw rawLabel `json:"ground_truth"`
}

// rawLabel keeps a label's JSON as sent, so that ParseLabel can report on
// it per row.
type rawLabel []byte

// UnmarshalJSON keeps a copy of the raw JSON.
func (r *rawLabel) UnmarshalJSON(b []byte) error {
	*r = append((*r)[:0], b...)
	return nil
}

type groundTruthResponse struct {
	Received   int `json:"received"`
	Joined     int `json:"joined"`
	Relabelled int `json:"relabelled"`
	Unchanged  int `json:"unchanged"`
	Pending    int `json:"pending"`
}

// handleGroundTruth serves POST /api/v1/ground-truth.
func (s *Server) handleGroundTruth(w http.ResponseWriter, r *http.Request) {
	f, err := requestFormat(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body, err := readBody(r, s.opts.MaxBodyBytes)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var labels []modelwatch.GroundTruth
	var errs []modelwatch.FieldError
	decodeRecords(body, f, func(index, line int, wg *wireGroundTruth, bad *modelwatch.FieldError) {
		if bad != nil {
			bad.Index, bad.Line = index, line
			errs = append(errs, *bad)
			return
		}
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
		labels = append(labels, g)
	})
	if len(errs) > 0 {
		s.metrics.IngestRows("ground_truth", "rejected", max(len(labels), 1))
		s.writeError(w, r, invalidRows(errs))
		return
	}
	if len(labels) > s.opts.MaxBatchRows {
		s.writeError(w, r, modelwatch.Errorf(modelwatch.ETooLarge, "the batch has %d labels, more than the limit of %d; split it", len(labels), s.opts.MaxBatchRows))
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
