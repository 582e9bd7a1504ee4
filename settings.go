package modelwatch

import (
	"encoding/json"
	"slices"
	"time"
)

// Defaults of the scheduled checks, from the specification: data drift every
// Monday at 02:00 over the last 7 days, concept drift daily at 03:00 over the
// last 7 days of labelled predictions, both needing at least 100 rows.
const (
	DefaultDataDriftSchedule    = "0 2 * * MON"
	DefaultConceptDriftSchedule = "0 3 * * *"
	DefaultCheckWindow          = 7 * 24 * time.Hour
	DefaultMinRows              = 100
	DefaultDataDriftMaxRows     = 1_000_000
	DefaultConceptTolerance     = 0.05
	DefaultBaselineSample       = 1000
)

// ModelSettings are the monitoring settings of one model version. Zero
// values mean the defaults; ModelSettings.WithDefaults fills them in.
type ModelSettings struct {
	// BaselineAccuracy is the accuracy the model is expected to have. When
	// nil, it is measured on the first BaselineSample labelled predictions.
	BaselineAccuracy *float64 `json:"baseline_accuracy,omitempty"`
	// BaselineSample is how many of the first labelled predictions measure
	// the baseline when BaselineAccuracy is nil [1000].
	BaselineSample int `json:"baseline_sample,omitempty"`
	// ConceptTolerance is the absolute accuracy drop below the baseline that
	// is not yet drift: drift when accuracy < baseline − tolerance [0.05].
	ConceptTolerance *float64 `json:"concept_tolerance,omitempty"`

	DataDrift    CheckSettings `json:"data_drift"`
	ConceptDrift CheckSettings `json:"concept_drift"`

	// Drift tests, thresholds and the dataset rule, with the names of the
	// modelwatch drift command's flags and Evidently's test keys.
	Stattest                   string             `json:"stattest,omitempty"`
	NumStattest                string             `json:"num_stattest,omitempty"`
	CatStattest                string             `json:"cat_stattest,omitempty"`
	PerColumnStattest          map[string]string  `json:"per_column_stattest,omitempty"`
	StattestThreshold          *float64           `json:"stattest_threshold,omitempty"`
	NumStattestThreshold       *float64           `json:"num_stattest_threshold,omitempty"`
	CatStattestThreshold       *float64           `json:"cat_stattest_threshold,omitempty"`
	PerColumnStattestThreshold map[string]float64 `json:"per_column_stattest_threshold,omitempty"`
	DriftShare                 *float64           `json:"drift_share,omitempty"`
	Columns                    []string           `json:"columns,omitempty"`
	CategoricalColumns         []string           `json:"categorical_columns,omitempty"`
	NumericalColumns           []string           `json:"numerical_columns,omitempty"`

	// Detectors are the streaming concept-drift detectors fed with each
	// labelled prediction's error (1 wrong, 0 right) [adwin for drift, ddm
	// for warnings].
	Detectors []DetectorSpec `json:"detectors,omitempty"`

	// ReferenceRange, when set, makes the production predictions of that
	// period the reference of data-drift checks instead of an uploaded
	// dataset.
	ReferenceRange *TimeRange `json:"reference_range,omitempty"`

	// Estimation configures label-free performance estimation (CBPE).
	Estimation EstimationSettings `json:"estimation"`
}

// EstimationSettings configure label-free performance estimation (CBPE)
// of a model version that logs predicted probabilities.
type EstimationSettings struct {
	// Off disables estimation.
	Off bool `json:"off,omitempty"`
	// ReferenceSize is how many of the first labelled predictions with
	// probabilities the estimator is fitted on [3000].
	ReferenceSize int `json:"reference_size,omitempty"`
	// ChunkSize is how many of the latest predictions each estimate covers
	// [500]; the reference needs at least six chunks.
	ChunkSize int `json:"chunk_size,omitempty"`
	// Metrics to estimate, with NannyML's names [roc_auc, f1, precision,
	// recall, specificity, accuracy].
	Metrics []string `json:"metrics,omitempty"`
	// Calibration is auto (NannyML's decision), always or never [auto].
	Calibration string `json:"calibration,omitempty"`
	// PositiveClass is the positive class of a binary model ["1", "true"
	// or "yes" when one is a class, else the second class in sorted order].
	PositiveClass string `json:"positive_class,omitempty"`
	// Reference is what the estimator is fitted on [auto]: EstimationAuto
	// (the uploaded reference dataset when it has the columns of modelwatch
	// estimate, y_pred_proba or proba_<class>, y_pred and y_true; else the
	// first ReferenceSize labelled predictions), EstimationUploaded (only
	// the uploaded reference) or EstimationProduction (only the labelled
	// predictions).
	Reference string `json:"reference,omitempty"`
}

// Sources of the estimator's reference (EstimationSettings.Reference).
const (
	EstimationAuto       = "auto"
	EstimationUploaded   = "uploaded"
	EstimationProduction = "production"
)

// Defaults of label-free performance estimation.
const (
	DefaultEstimationReference = 3000
	DefaultEstimationChunk     = 500
)

// CheckSettings configure one scheduled check.
type CheckSettings struct {
	// Schedule is a cron specification in UTC ("m h dom mon dow", names
	// allowed, or @hourly, @daily, @weekly, @monthly), or "off".
	Schedule string `json:"schedule,omitempty"`
	// Window is the period before the scheduled time that is checked.
	Window Duration `json:"window,omitempty"`
	// MinRows is the fewest rows (predictions for data drift, labelled
	// predictions for concept drift) a check needs; below it the run is
	// recorded as not enough data.
	MinRows int `json:"min_rows,omitempty"`
	// MaxRows, for data drift only, is the most predictions a check
	// compares: a window with more is compared through a uniform random
	// sample of MaxRows of them, so that a check's memory does not grow
	// with traffic.
	MaxRows int `json:"max_rows,omitempty"`
}

// DetectorSpec names a streaming detector and its parameters, with River's
// names: {"name": "adwin", "params": {"delta": "0.002"}}.
type DetectorSpec struct {
	Name   string            `json:"name"`
	Params map[string]string `json:"params,omitempty"`
	// Role is RoleDrift (the default: a detection is a concept-drift event,
	// counted and alerted on) or RoleWarning (its detections, and its
	// warning zone where it has one, are recorded as early warnings only).
	Role string `json:"role,omitempty"`
}

// Roles of a streaming detector.
const (
	RoleDrift   = "drift"
	RoleWarning = "warning"
)

// TimeRange is a period [From, To).
type TimeRange struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// WithDefaults returns s with every unset field set to its default.
func (s ModelSettings) WithDefaults() ModelSettings {
	if s.BaselineSample <= 0 {
		s.BaselineSample = DefaultBaselineSample
	}
	if s.ConceptTolerance == nil {
		s.ConceptTolerance = new(DefaultConceptTolerance)
	}
	fill := func(c *CheckSettings, schedule string) {
		if c.Schedule == "" {
			c.Schedule = schedule
		}
		if c.Window <= 0 {
			c.Window = Duration(DefaultCheckWindow)
		}
		if c.MinRows <= 0 {
			c.MinRows = DefaultMinRows
		}
	}
	fill(&s.DataDrift, DefaultDataDriftSchedule)
	if s.DataDrift.MaxRows <= 0 {
		s.DataDrift.MaxRows = DefaultDataDriftMaxRows
	}
	fill(&s.ConceptDrift, DefaultConceptDriftSchedule)
	if s.Detectors == nil {
		// ADWIN decides drift; DDM, quick but prone to false alarms on a
		// stable stream, gives early warnings.
		s.Detectors = []DetectorSpec{{Name: "adwin"}, {Name: "ddm", Role: RoleWarning}}
	}
	s.Detectors = slices.Clone(s.Detectors) // leave the caller's settings as they are
	for i := range s.Detectors {
		if s.Detectors[i].Role == "" {
			s.Detectors[i].Role = RoleDrift
		}
	}
	if s.Estimation.ReferenceSize <= 0 {
		s.Estimation.ReferenceSize = DefaultEstimationReference
	}
	if s.Estimation.ChunkSize <= 0 {
		s.Estimation.ChunkSize = DefaultEstimationChunk
	}
	if s.Estimation.Calibration == "" {
		s.Estimation.Calibration = "auto"
	}
	if s.Estimation.Reference == "" {
		s.Estimation.Reference = EstimationAuto
	}
	return s
}

// Duration is a time.Duration written in JSON as a Go duration string
// ("168h") and also read from a number of seconds.
type Duration time.Duration

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return Errorf(EInvalid, "duration %q: %v", s, err)
		}
		*d = Duration(v)
		return nil
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil {
		return Errorf(EInvalid, "duration must be a string such as \"168h\" or a number of seconds")
	}
	*d = Duration(secs * float64(time.Second))
	return nil
}
