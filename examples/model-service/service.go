package main

import (
	"encoding/json"
	"net/http"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/sdk"
)

// service serves the model over HTTP and reports to modelwatch.
type service struct {
	model  *churnModel
	client *sdk.Client
}

// handler returns the service's routes. Only /predict goes through the
// middleware: its failures are the model's errors.
func (s *service) handler() http.Handler {
	instrument := sdk.Middleware(s.client, sdk.MiddlewareConfig{
		ModelName:    s.model.name,
		ModelVersion: s.model.version,
	})
	mux := http.NewServeMux()
	mux.Handle("POST /predict", instrument(http.HandlerFunc(s.predict)))
	mux.HandleFunc("POST /feedback", s.feedback)
	return mux
}

// prediction is the answer of /predict.
type prediction struct {
	PredictionID string  `json:"prediction_id"` // quote it in /feedback
	Churn        bool    `json:"churn"`
	Probability  float64 `json:"probability"`
}

// predict serves POST /predict: a customer in, a churn prediction out.
func (s *service) predict(w http.ResponseWriter, r *http.Request) {
	timer := sdk.TimerFrom(r.Context()) // started by the middleware

	// Preprocessing: decode and check the input.
	var in customer
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil {
		http.Error(w, "the body must be a JSON customer: "+err.Error(), http.StatusBadRequest)
		return // the middleware logs error type http_400
	}
	if err := in.validate(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	timer.Mark(sdk.Preprocessing)

	// Inference.
	pChurn := s.model.predict(&in)
	timer.Mark(sdk.Inference)

	// Postprocessing: the answer, with an id the caller quotes in feedback.
	class, probs, confidence := classify(pChurn)
	out := prediction{PredictionID: modelwatch.NewID(), Churn: class == "churn", Probability: pChurn}
	body, err := json.Marshal(out)
	if err != nil {
		http.Error(w, "encode the answer", http.StatusInternalServerError)
		return
	}
	timer.Mark(sdk.Postprocessing)

	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)

	// Log the prediction. This never blocks: the client queues it and sends
	// it in the background. The features are the decoded input, so that
	// modelwatch can compare their distribution with the training data's.
	features, _ := json.Marshal(in) // a struct of numbers and a string: cannot fail
	s.client.LogTimed(modelwatch.Prediction{
		ID:            out.PredictionID,
		ModelName:     s.model.name,
		ModelVersion:  s.model.version,
		Features:      features,
		Prediction:    modelwatch.Label(class),
		Confidence:    &confidence,
		Probabilities: probs,
	}, timer)
}

// feedbackRequest says what became of a customer we made a prediction for.
type feedbackRequest struct {
	PredictionID string `json:"prediction_id"`
	Churned      *bool  `json:"churned"`
}

// feedback serves POST /feedback: the ground truth of an earlier
// prediction, often days later (the customer left, or renewed).
func (s *service) feedback(w http.ResponseWriter, r *http.Request) {
	var fb feedbackRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<12)).Decode(&fb); err != nil || fb.PredictionID == "" || fb.Churned == nil {
		http.Error(w, `the body must be {"prediction_id": "...", "churned": true|false}`, http.StatusBadRequest)
		return
	}
	label := modelwatch.Label("stay")
	if *fb.Churned {
		label = "churn"
	}
	s.client.LogGroundTruth(fb.PredictionID, label)
	w.WriteHeader(http.StatusAccepted)
}
