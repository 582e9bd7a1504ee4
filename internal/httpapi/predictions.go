package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/modelwatch/modelwatch"
)

// wirePrediction is a prediction as clients send it. Polymorphic fields stay
// raw so that each row's problems can be reported field by field.
type wirePrediction struct {
	ID            string             `json:"id"`
	ModelName     string             `json:"model_name"`
	ModelVersion  string             `json:"model_version"`
	Timestamp     json.RawMessage    `json:"timestamp"`
	Features      json.RawMessage    `json:"features"`
	Prediction    json.RawMessage    `json:"prediction"`
	Confidence    *float64           `json:"confidence"`
	Probabilities map[string]float64 `json:"probabilities"`
	Latency       *wireLatency       `json:"latency"`
	LatencyMs     *float64           `json:"latency_ms"`
	GroundTruth   json.RawMessage    `json:"ground_truth"`

	featureSummary featureSummary // of Features, when the fast decoder read them
}

type wireLatency struct {
	PreprocessingMs  *float64 `json:"preprocessing_ms"`
	InferenceMs      *float64 `json:"inference_ms"`
	PostprocessingMs *float64 `json:"postprocessing_ms"`
}

// maxFutureSkew is how far in the future a prediction's timestamp may be.
const maxFutureSkew = 24 * time.Hour

// toPrediction validates w and converts it, filling defaults: a new id, the
// arrival time, and the confidence from the probabilities. It appends one
// FieldError per problem to errs.
func toPrediction(w *wirePrediction, index, line int, now time.Time, lim limits, errs []modelwatch.FieldError) (modelwatch.Prediction, []modelwatch.FieldError) {
	add := func(field, msg string) {
		errs = append(errs, modelwatch.FieldError{Index: index, Line: line, Field: field, Message: msg})
	}
	p := modelwatch.Prediction{
		ID:            w.ID,
		ModelName:     w.ModelName,
		ModelVersion:  w.ModelVersion,
		Confidence:    w.Confidence,
		Probabilities: w.Probabilities,
		LatencyMs:     w.LatencyMs,
	}
	if w.Latency != nil {
		p.Latency = modelwatch.Latency(*w.Latency)
	}
	if p.ID == "" {
		p.ID = modelwatch.NewID()
	}
	ts, err := parseTime(w.Timestamp, now)
	switch {
	case err != nil:
		add("timestamp", err.Error())
	case ts.After(now.Add(maxFutureSkew)):
		add("timestamp", "is more than 24 hours in the future; check the client's clock")
	default:
		p.Timestamp = ts
	}
	if len(w.Prediction) == 0 {
		add("prediction", "is required")
	} else if l, err := modelwatch.ParseLabel(w.Prediction); err != nil {
		add("prediction", err.Error())
	} else if l == "" {
		add("prediction", "is required")
	} else {
		p.Prediction = l
	}
	if len(w.GroundTruth) > 0 {
		if l, err := modelwatch.ParseLabel(w.GroundTruth); err != nil {
			add("ground_truth", err.Error())
		} else {
			p.GroundTruth = l
		}
	}
	if f, fe := features(w.Features, w.featureSummary, lim); fe != nil {
		field := "features"
		if fe.Name != "" {
			field += "." + fe.Name
		}
		add(field, fe.Message)
	} else {
		p.Features = f
	}
	for _, fe := range p.Validate() {
		if fe.Field == "prediction" {
			continue // reported while parsing it
		}
		add(fe.Field, fe.Message)
	}
	if p.Confidence == nil && len(p.Probabilities) > 0 {
		if c, ok := p.EffectiveConfidence(); ok && c >= 0 && c <= 1 {
			p.Confidence = new(c)
		}
	}
	return p, errs
}

// parseTime parses an RFC 3339 timestamp or a number of Unix seconds; a
// missing or null timestamp is now.
func parseTime(raw json.RawMessage, now time.Time) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return now, nil
	}
	if raw[0] == '"' {
		s, ok := plainJSONString(raw)
		if !ok {
			var u string
			if err := json.Unmarshal(raw, &u); err != nil {
				return time.Time{}, errTimestamp
			}
			s = u
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, errTimestamp
		}
		if t.Year() < 1970 {
			return time.Time{}, errTimestamp
		}
		return t.UTC(), nil
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		return time.Time{}, errTimestamp
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), nil
}

// plainJSONString returns the contents of the JSON string raw when it has
// neither escapes nor control characters and is valid UTF-8: then they are
// what encoding/json would decode it to.
func plainJSONString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	for _, c := range body {
		if c == '"' || c == '\\' || c < 0x20 {
			return "", false
		}
	}
	if !utf8.Valid(body) {
		return "", false
	}
	return string(body), true
}

var errTimestamp = errorString("must be an RFC 3339 time such as \"2026-11-26T08:00:00Z\" or a number of Unix seconds, after 1970")

type errorString string

func (e errorString) Error() string { return string(e) }

// limits bound what one prediction may carry.
type limits struct {
	maxFeatures     int // features per prediction
	maxFeatureBytes int // bytes of a feature's name or value
}

// features checks a raw features value against the limits and returns it
// compacted; null or absent gives nil. sum, when ok, summarises raw and
// saves reading it again.
func features(raw json.RawMessage, sum featureSummary, lim limits) (modelwatch.Features, *modelwatch.FeatureError) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if !utf8.Valid(raw) {
		// Names and values must be text; which one is not?
		if err := modelwatch.CheckFeatureObject(raw); err != nil {
			return nil, asFeatureError(err)
		}
	}
	if sum.ok && sum.longest <= lim.maxFeatureBytes {
		// An object of scalars, no name or value too long: what the loop
		// below finds too, without reading raw again.
		if sum.n > lim.maxFeatures {
			return nil, &modelwatch.FeatureError{Message: "has " + strconv.Itoa(sum.n) + " features, more than the limit of " + strconv.Itoa(lim.maxFeatures)}
		}
		if sum.spaced {
			return compactFeatures(raw)
		}
		return modelwatch.Features(raw), nil
	}
	n := 0
	var tooLong *modelwatch.FeatureError
	err := modelwatch.RangeFeatures(raw, func(name, value []byte) bool {
		n++
		if tooLong == nil && (len(name) > lim.maxFeatureBytes || len(value) > lim.maxFeatureBytes) {
			tooLong = &modelwatch.FeatureError{Name: string(name), Message: "is longer than " + strconv.Itoa(lim.maxFeatureBytes) + " bytes"}
		}
		return true
	})
	if err != nil {
		return nil, asFeatureError(err)
	}
	if tooLong != nil {
		return nil, tooLong
	}
	if n > lim.maxFeatures {
		return nil, &modelwatch.FeatureError{Message: "has " + strconv.Itoa(n) + " features, more than the limit of " + strconv.Itoa(lim.maxFeatures)}
	}
	if bytes.ContainsAny(raw, " \t\r\n") {
		return compactFeatures(raw)
	}
	return modelwatch.Features(raw), nil
}

// asFeatureError returns err, an error of modelwatch's features checks, as
// the *FeatureError it is.
func asFeatureError(err error) *modelwatch.FeatureError {
	var fe *modelwatch.FeatureError
	if errors.As(err, &fe) {
		return fe
	}
	return &modelwatch.FeatureError{Message: err.Error()}
}

// compactFeatures returns raw without whitespace between its tokens.
func compactFeatures(raw json.RawMessage) (modelwatch.Features, *modelwatch.FeatureError) {
	var buf bytes.Buffer
	buf.Grow(len(raw))
	if err := json.Compact(&buf, raw); err != nil {
		return nil, &modelwatch.FeatureError{Message: "must be a JSON object"}
	}
	return modelwatch.Features(buf.Bytes()), nil
}

type ingestResponse struct {
	Accepted   int      `json:"accepted"`
	Duplicates int      `json:"duplicates"`
	IDs        []string `json:"ids"`
}

// handlePredictions serves POST /api/v1/predictions.
func (s *Server) handlePredictions(w http.ResponseWriter, r *http.Request) {
	now, lim := s.opts.Now().UTC(), s.limits()
	ps, ok := decodeBatch(s, w, r, "prediction", func(index, line int, wp *wirePrediction, errs []modelwatch.FieldError) (modelwatch.Prediction, []modelwatch.FieldError) {
		return toPrediction(wp, index, line, now, lim, errs)
	})
	if !ok {
		return
	}
	res, err := s.store.IngestPredictions(r.Context(), ps)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	labelled := len(res.Labelled) > 0
	resp := ingestResponse{Accepted: res.Accepted, Duplicates: res.Duplicates(), IDs: make([]string, len(ps))}
	for i := range ps {
		resp.IDs[i] = ps[i].ID
		if res.Duplicate[i] {
			continue
		}
		s.metrics.ObservePrediction(&ps[i])
		s.windows.Track(modelwatch.ModelKey{Name: ps[i].ModelName, Version: ps[i].ModelVersion})
	}
	for k, n := range res.Labelled {
		s.metrics.ObserveGroundTruth(k, n)
	}
	s.metrics.IngestRows("prediction", "accepted", res.Accepted)
	s.metrics.IngestRows("prediction", "duplicate", res.Duplicates())
	if labelled {
		s.syncWindows(r)
	}
	writeJSON(w, http.StatusOK, resp)
}
