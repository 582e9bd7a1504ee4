package drift

import (
	"fmt"
	"math"
	"runtime"
)

// DefaultDriftShare is Evidently's default drift_share: the dataset drifts
// when at least half of its columns drift.
const DefaultDriftShare = 0.5

// Options configures a comparison. The zero Options is Evidently's
// DataDriftPreset with its defaults.
//
// A column's test is the first that is set of PerColumnStatTest[name],
// NumStatTest or CatStatTest (by the column's type), and StatTest; if none
// is, the default test is chosen from the data (see DefaultTest).
// Thresholds resolve the same way, independently of the tests, falling back
// to the chosen test's default threshold.
type Options struct {
	// StatTest is the test for every column.
	StatTest string
	// NumStatTest is the test for numerical columns.
	NumStatTest string
	// CatStatTest is the test for categorical columns.
	CatStatTest string
	// PerColumnStatTest maps a column name to its test.
	PerColumnStatTest map[string]string

	// StatTestThreshold is the threshold for every column.
	StatTestThreshold *float64
	// NumStatTestThreshold is the threshold for numerical columns.
	NumStatTestThreshold *float64
	// CatStatTestThreshold is the threshold for categorical columns.
	CatStatTestThreshold *float64
	// PerColumnStatTestThreshold maps a column name to its threshold.
	PerColumnStatTestThreshold map[string]float64

	// DriftShare is the share of drifted columns at which the dataset
	// drifts (inclusive). Zero means DefaultDriftShare.
	DriftShare float64
	// Columns, when not empty, restricts the comparison to these reference
	// columns. The report keeps the reference's column order.
	Columns []string
	// Workers is the number of columns computed in parallel. Zero means
	// runtime.GOMAXPROCS(0).
	Workers int
}

// validate checks the options against the reference column names.
func (o Options) validate(names map[string]ColumnType) error {
	for _, k := range []string{o.StatTest, o.NumStatTest, o.CatStatTest} {
		if k == "" {
			continue
		}
		if _, ok := lookup(k); !ok {
			return fmt.Errorf("unknown stattest %q (known: %s)", k, knownKeys())
		}
	}
	for col, k := range o.PerColumnStatTest {
		if _, ok := names[col]; !ok {
			return fmt.Errorf("per-column stattest for %q: no such column in the reference", col)
		}
		if _, ok := lookup(k); !ok {
			return fmt.Errorf("per-column stattest for %q: unknown stattest %q (known: %s)", col, k, knownKeys())
		}
	}
	check := func(what string, v *float64) error {
		if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
			return fmt.Errorf("%s %v is not a finite number", what, *v)
		}
		return nil
	}
	for what, v := range map[string]*float64{
		"stattest threshold":     o.StatTestThreshold,
		"num stattest threshold": o.NumStatTestThreshold,
		"cat stattest threshold": o.CatStatTestThreshold,
	} {
		if err := check(what, v); err != nil {
			return err
		}
	}
	for col, v := range o.PerColumnStatTestThreshold {
		if _, ok := names[col]; !ok {
			return fmt.Errorf("per-column stattest threshold for %q: no such column in the reference", col)
		}
		if err := check(fmt.Sprintf("per-column stattest threshold for %q", col), &v); err != nil {
			return err
		}
	}
	if math.IsNaN(o.DriftShare) || o.DriftShare < 0 || o.DriftShare > 1 {
		return fmt.Errorf("drift share %v is not between 0 and 1", o.DriftShare)
	}
	seen := make(map[string]bool)
	for _, c := range o.Columns {
		if _, ok := names[c]; !ok {
			return fmt.Errorf("column %q is not in the reference", c)
		}
		if seen[c] {
			return fmt.Errorf("column %q is listed twice", c)
		}
		seen[c] = true
	}
	if o.Workers < 0 {
		return fmt.Errorf("workers %d is negative", o.Workers)
	}
	return nil
}

// testKey returns the explicitly configured test for a column, or "".
func (o Options) testKey(name string, typ ColumnType) string {
	if k, ok := o.PerColumnStatTest[name]; ok && k != "" {
		return k
	}
	if typ == Numerical && o.NumStatTest != "" {
		return o.NumStatTest
	}
	if typ == Categorical && o.CatStatTest != "" {
		return o.CatStatTest
	}
	return o.StatTest
}

// threshold returns the explicitly configured threshold for a column.
func (o Options) threshold(name string, typ ColumnType) (float64, bool) {
	if v, ok := o.PerColumnStatTestThreshold[name]; ok {
		return v, true
	}
	if typ == Categorical && o.CatStatTestThreshold != nil {
		return *o.CatStatTestThreshold, true
	}
	if typ == Numerical && o.NumStatTestThreshold != nil {
		return *o.NumStatTestThreshold, true
	}
	if o.StatTestThreshold != nil {
		return *o.StatTestThreshold, true
	}
	return 0, false
}

// driftShare returns the effective drift share.
func (o Options) driftShare() float64 {
	if o.DriftShare == 0 {
		return DefaultDriftShare
	}
	return o.DriftShare
}

// workers returns the effective number of workers.
func (o Options) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.GOMAXPROCS(0)
}
