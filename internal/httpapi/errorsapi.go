package httpapi

import (
	"net/http"

	"github.com/modelwatch/modelwatch"
)

type errorsResponse struct {
	Accepted int `json:"accepted"`
}

// handleErrors serves POST /api/v1/errors: failed prediction calls, counted
// in model_prediction_errors_total.
func (s *Server) handleErrors(w http.ResponseWriter, r *http.Request) {
	pes, ok := decodeBatch(s, w, r, "error", func(index, line int, pe *modelwatch.PredictionError, errs []modelwatch.FieldError) (modelwatch.PredictionError, []modelwatch.FieldError) {
		for _, fe := range pe.Validate() {
			fe.Index, fe.Line = index, line
			errs = append(errs, fe)
		}
		return *pe, errs
	})
	if !ok {
		return
	}
	for i := range pes {
		s.metrics.ObserveError(&pes[i])
	}
	s.metrics.IngestRows("error", "accepted", len(pes))
	writeJSON(w, http.StatusOK, errorsResponse{Accepted: len(pes)})
}
