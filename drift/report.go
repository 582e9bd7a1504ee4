package drift

// Report is the result of comparing a current dataset with a reference:
// Evidently's DatasetDriftMetric and DataDriftTable in one value. Its JSON
// form is the `modelwatch drift --json` contract; NaN never appears in it.
type Report struct {
	// DriftShare is the share of drifted columns at which the dataset
	// drifts.
	DriftShare float64 `json:"drift_share"`
	// NumberOfColumns counts the compared columns, not-computable ones
	// included.
	NumberOfColumns int `json:"number_of_columns"`
	// NumberOfDriftedColumns counts the columns whose test detected drift.
	NumberOfDriftedColumns int `json:"number_of_drifted_columns"`
	// ShareOfDriftedColumns is NumberOfDriftedColumns/NumberOfColumns (0
	// when there are no columns).
	ShareOfDriftedColumns float64 `json:"share_of_drifted_columns"`
	// DatasetDrift is ShareOfDriftedColumns >= DriftShare.
	DatasetDrift bool `json:"dataset_drift"`
	// Columns holds one result per column, in reference column order.
	Columns []ColumnResult `json:"columns"`
}

// ColumnResult is the drift result of one column.
type ColumnResult struct {
	// ColumnName is the column's name.
	ColumnName string `json:"column_name"`
	// ColumnType is "num" or "cat".
	ColumnType ColumnType `json:"column_type"`
	// StatTest is the key of the test used, e.g. "ks"; empty only when no
	// test could be chosen.
	StatTest string `json:"stattest"`
	// StatTestThreshold is the threshold the score was compared with.
	StatTestThreshold float64 `json:"stattest_threshold"`
	// ScoreKind says whether DriftScore is a p-value or a distance.
	ScoreKind ScoreKind `json:"score_kind"`
	// DriftScore is the test's score, nil when it could not be computed.
	DriftScore *float64 `json:"drift_score"`
	// DriftDetected is the test's verdict; false when not computable.
	DriftDetected bool `json:"drift_detected"`
	// Reason says why the score could not be computed.
	Reason string `json:"reason,omitempty"`

	// Histogram summarises both distributions for charts.
	Histogram Histogram `json:"-"`
}

// Histogram is a small summary of a column's reference and current
// distributions, enough to draw them side by side. Its size does not depend
// on the number of rows.
type Histogram struct {
	// Edges are the bin edges of a numerical column: len(Reference)+1
	// values, shared by both samples.
	Edges []float64
	// Labels are the categories of a categorical column, most frequent
	// (in both samples together) first. When there are more than
	// MaxHistogramLabels categories the rest are summed into a last entry
	// and Other is true.
	Labels []string
	// Other records that the last label stands for the remaining
	// categories.
	Other bool
	// Reference and Current are the counts per bin or label.
	Reference, Current []int
	// ReferenceMissing and CurrentMissing count missing values (NaN, ±Inf
	// or empty).
	ReferenceMissing, CurrentMissing int
}

// Score returns the drift score and whether there is one.
func (c ColumnResult) Score() (float64, bool) {
	if c.DriftScore == nil {
		return 0, false
	}
	return *c.DriftScore, true
}

// TestName returns the Evidently display name of the column's test, e.g.
// "K-S p_value", or "" when no test was chosen.
func (c ColumnResult) TestName() string {
	t, ok := lookup(c.StatTest)
	if !ok {
		return ""
	}
	return t.Name
}

// finish computes the dataset verdict from the column results.
func (r *Report) finish() {
	r.NumberOfColumns = len(r.Columns)
	r.NumberOfDriftedColumns = 0
	for _, c := range r.Columns {
		if c.DriftDetected {
			r.NumberOfDriftedColumns++
		}
	}
	r.ShareOfDriftedColumns = 0
	if r.NumberOfColumns > 0 {
		r.ShareOfDriftedColumns = float64(r.NumberOfDriftedColumns) / float64(r.NumberOfColumns)
	}
	r.DatasetDrift = r.NumberOfColumns > 0 && r.ShareOfDriftedColumns >= r.DriftShare
}
