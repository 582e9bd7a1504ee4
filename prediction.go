package modelwatch

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxNameLength is the longest model name or model version accepted, in bytes.
const MaxNameLength = 128

// MaxClasses is the most classes a prediction's probabilities may name. Each
// class is a label, at most MaxLabelLength bytes like any other.
const MaxClasses = 1000

// Prediction is one prediction a model made, as a model service reports it,
// and, once it arrives, its ground truth.
type Prediction struct {
	// ID identifies the prediction; ground truth refers to it. Clients should
	// set it (NewID makes one) so that retries are idempotent; the server
	// assigns a time-ordered id when it is empty.
	ID           string    `json:"id,omitempty"`
	ModelName    string    `json:"model_name"`
	ModelVersion string    `json:"model_version"`
	Timestamp    time.Time `json:"timestamp,omitzero"` // when the prediction was made; the server uses the arrival time when zero
	Features     Features  `json:"features,omitempty"`
	Prediction   Label     `json:"prediction"`
	// Confidence is the model's confidence in Prediction, in [0, 1]. When it
	// is nil and Probabilities are given, the largest probability is used.
	Confidence    *float64           `json:"confidence,omitempty"`
	Probabilities map[string]float64 `json:"probabilities,omitempty"` // class label → probability
	Latency       Latency            `json:"latency,omitzero"`
	// LatencyMs is the total latency in milliseconds. When nil, the total is
	// the sum of the stage latencies that are set.
	LatencyMs   *float64  `json:"latency_ms,omitempty"`
	GroundTruth Label     `json:"ground_truth,omitempty"` // empty until the label arrives
	LabelledAt  time.Time `json:"labelled_at,omitzero"`   // when the ground truth arrived
}

// Latency holds the time a prediction spent in each stage of the model
// service, in milliseconds. A nil stage was not measured.
type Latency struct {
	PreprocessingMs  *float64 `json:"preprocessing_ms,omitempty"`
	InferenceMs      *float64 `json:"inference_ms,omitempty"`
	PostprocessingMs *float64 `json:"postprocessing_ms,omitempty"`
}

// Total returns the total latency in milliseconds: LatencyMs when set, else
// the sum of the stage latencies that are set. ok is false when nothing was
// measured.
func (p *Prediction) Total() (ms float64, ok bool) {
	if p.LatencyMs != nil {
		return *p.LatencyMs, true
	}
	for _, v := range []*float64{p.Latency.PreprocessingMs, p.Latency.InferenceMs, p.Latency.PostprocessingMs} {
		if v != nil {
			ms += *v
			ok = true
		}
	}
	return ms, ok
}

// EffectiveConfidence returns Confidence, or the largest of Probabilities when
// Confidence is nil. ok is false when neither is given.
func (p *Prediction) EffectiveConfidence() (c float64, ok bool) {
	if p.Confidence != nil {
		return *p.Confidence, true
	}
	for _, v := range p.Probabilities {
		if !ok || v > c {
			c, ok = v, true
		}
	}
	return c, ok
}

// Validate checks p's fields and returns one FieldError (with Index 0) per
// invalid field; nil means p is valid. Features are checked when they are
// decoded (see Features.UnmarshalJSON and CheckFeatureObject).
func (p *Prediction) Validate() []FieldError {
	var errs []FieldError
	add := func(field, msg string) { errs = append(errs, FieldError{Field: field, Message: msg}) }
	if len(p.ID) > MaxIDLength {
		add("id", "is longer than 128 bytes")
	} else if p.ID != "" && !ValidText(p.ID) {
		add("id", "must be printable UTF-8 text")
	}
	if msg := checkName(p.ModelName); msg != "" {
		add("model_name", msg)
	}
	if msg := checkName(p.ModelVersion); msg != "" {
		add("model_version", msg)
	}
	if p.Prediction == "" {
		add("prediction", "is required")
	}
	if p.Confidence != nil && !inUnit(*p.Confidence) {
		add("confidence", "must be a number in [0, 1]")
	}
	errs = checkProbabilities(p.Probabilities, errs)
	checkMs := func(field string, v *float64) {
		if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0) || *v < 0) {
			add(field, "must be a non-negative number of milliseconds")
		}
	}
	checkMs("latency.preprocessing_ms", p.Latency.PreprocessingMs)
	checkMs("latency.inference_ms", p.Latency.InferenceMs)
	checkMs("latency.postprocessing_ms", p.Latency.PostprocessingMs)
	checkMs("latency_ms", p.LatencyMs)
	return errs
}

func inUnit(v float64) bool { return v >= 0 && v <= 1 } // false for NaN

// checkProbabilities appends the problems of a prediction's probabilities
// to errs, in class order: more than MaxClasses classes (then nothing else
// is checked), an empty or overlong class name, a value outside [0, 1].
func checkProbabilities(probs map[string]float64, errs []FieldError) []FieldError {
	if len(probs) > MaxClasses {
		return append(errs, FieldError{
			Field:   "probabilities",
			Message: "has " + strconv.Itoa(len(probs)) + " classes, more than the limit of " + strconv.Itoa(MaxClasses),
		})
	}
	bad := false
	for class, v := range probs {
		if class == "" || len(class) > MaxLabelLength || !inUnit(v) {
			bad = true
			break
		}
	}
	if !bad {
		return errs // the common case, without sorting
	}
	for _, class := range slices.Sorted(maps.Keys(probs)) {
		switch {
		case class == "":
			errs = append(errs, FieldError{Field: "probabilities", Message: "has an empty class name"})
		case len(class) > MaxLabelLength:
			errs = append(errs, FieldError{
				Field:   "probabilities",
				Message: "has a class name of " + strconv.Itoa(len(class)) + " bytes, longer than " + strconv.Itoa(MaxLabelLength) + ": " + strconv.Quote(class[:32]) + "…",
			})
		case !inUnit(probs[class]):
			errs = append(errs, FieldError{Field: "probabilities." + class, Message: "must be a number in [0, 1]"})
		}
	}
	return errs
}

// checkName returns why s is not a valid model name or version, or "".
func checkName(s string) string {
	switch {
	case s == "":
		return "is required"
	case len(s) > MaxNameLength:
		return "is longer than 128 bytes"
	case strings.ContainsRune(s, '/'):
		return "must not contain '/'"
	case !ValidText(s):
		return "must be printable UTF-8 text"
	}
	return ""
}

// ValidText reports whether s is valid UTF-8 without control characters.
func ValidText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// GroundTruth is the true class of a prediction, sent after the fact.
type GroundTruth struct {
	ID          string `json:"id"`
	GroundTruth Label  `json:"ground_truth"`
}

// Validate checks g and returns one FieldError (with Index 0) per invalid
// field.
func (g *GroundTruth) Validate() []FieldError {
	var errs []FieldError
	switch {
	case g.ID == "":
		errs = append(errs, FieldError{Field: "id", Message: "is required"})
	case len(g.ID) > MaxIDLength:
		errs = append(errs, FieldError{Field: "id", Message: "is longer than 128 bytes"})
	}
	if g.GroundTruth == "" {
		errs = append(errs, FieldError{Field: "ground_truth", Message: "is required"})
	}
	return errs
}

// PredictionError is a failed prediction reported by a model service: the
// model raised an error instead of answering.
type PredictionError struct {
	ModelName    string `json:"model_name"`
	ModelVersion string `json:"model_version"`
	ErrorType    string `json:"error_type"`
}

// Validate checks e and returns one FieldError (with Index 0) per invalid
// field.
func (e *PredictionError) Validate() []FieldError {
	var errs []FieldError
	if msg := checkName(e.ModelName); msg != "" {
		errs = append(errs, FieldError{Field: "model_name", Message: msg})
	}
	if msg := checkName(e.ModelVersion); msg != "" {
		errs = append(errs, FieldError{Field: "model_version", Message: msg})
	}
	switch {
	case e.ErrorType == "":
		errs = append(errs, FieldError{Field: "error_type", Message: "is required"})
	case len(e.ErrorType) > MaxLabelLength || !ValidText(e.ErrorType):
		errs = append(errs, FieldError{Field: "error_type", Message: "must be printable text of at most 256 bytes"})
	}
	return errs
}
