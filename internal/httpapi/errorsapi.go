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
	var pes []modelwatch.PredictionError
	var errs []modelwatch.FieldError
	decodeRecords(body, f, func(index, line int, pe *modelwatch.PredictionError, bad *modelwatch.FieldError) {
		if bad != nil {
			bad.Index, bad.Line = index, line
			errs = append(errs, *bad)
			return
		}
		for _, fe := range pe.Validate() {
			fe.Index, fe.Line = index, line
			errs = append(errs, fe)
		}
		pes = append(pes, *pe)
	})
	if len(errs) > 0 {
		s.metrics.IngestRows("error", "rejected", max(len(pes), 1))
		s.writeError(w, r, invalidRows(errs))
		return
	}
	for i := range pes {
		s.metrics.ObserveError(&pes[i])
	}
	s.metrics.IngestRows("error", "accepted", len(pes))
	writeJSON(w, http.StatusOK, errorsResponse{Accepted: len(pes)})
}
