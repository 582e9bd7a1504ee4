package drift_test

import (
	"fmt"
	"math"

	"github.com/modelwatch/modelwatch/drift"
)

// The expected scores were checked with SciPy 1.10: ks_2samp, chisquare and
// wasserstein_distance / np.std.
func Example() {
	reference := []drift.Column{
		drift.Numeric("age", []float64{23, 35, 31, 44, 52, 28, 39, 47, 33, 41, 26, 58}),
		drift.Strings("plan", []string{"free", "pro", "free", "team", "pro", "free", "pro", "free", "team", "pro", "free", "pro"}, nil),
	}
	current := []drift.Column{
		drift.Numeric("age", []float64{61, 57, 66, 49, 72, 58, 63, 55, 69, 60, math.NaN(), 64}),
		drift.Strings("plan", []string{"free", "pro", "pro", "team", "pro", "team", "pro", "free", "team", "pro", "pro", "free"}, nil),
	}
	report, err := drift.Compare(reference, current, drift.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range report.Columns {
		score, _ := c.Score()
		fmt.Printf("%s (%s): %s %s=%.4f drift=%v\n", c.ColumnName, c.ColumnType, c.StatTest, c.ScoreKind, score, c.DriftDetected)
	}
	fmt.Printf("dataset drift: %v (%d of %d columns)\n", report.DatasetDrift, report.NumberOfDriftedColumns, report.NumberOfColumns)
	// Output:
	// age (num): ks p_value=0.0001 drift=true
	// plan (cat): chisquare p_value=0.4724 drift=false
	// dataset drift: true (1 of 2 columns)
}

func ExamplePrepare() {
	reference := []drift.Column{drift.Numeric("latency_ms", []float64{12, 15, 11, 14, 13, 16, 12, 15, 14, 13})}
	ref, err := drift.Prepare(reference, drift.Options{NumStatTest: "wasserstein"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, window := range [][]float64{
		{14, 12, 16, 13, 15, 11, 13, 14, 12, 15, 13, 14},
		{25, 27, 24, 29, 26, 28, 25, 30},
	} {
		report, err := ref.Compare([]drift.Column{drift.Numeric("latency_ms", window)})
		if err != nil {
			fmt.Println(err)
			return
		}
		c := report.Columns[0]
		score, _ := c.Score()
		fmt.Printf("%s=%.3f drift=%v\n", c.StatTest, score, c.DriftDetected)
	}
	// Output:
	// wasserstein=0.089 drift=false
	// wasserstein=8.833 drift=true
}
