package estimate_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/modelwatch/modelwatch/estimate"
)

// outputs simulates n predictions of a calibrated binary model. Scores
// near 0.5 (shift towards 1) make the model less sure of itself; labelled
// says whether the labels are known yet.
func outputs(r *rand.Rand, n int, shift float64, labelled bool) estimate.Data {
	d := estimate.Data{Scores: [][]float64{make([]float64, n)}, Pred: make([]int, n), Label: make([]int, n)}
	for i := range n {
		p := r.Float64()
		p += shift * (0.5 - p)
		d.Scores[0][i] = p
		if p >= 0.5 {
			d.Pred[i] = 1
		}
		switch {
		case !labelled:
			d.Label[i] = estimate.NoLabel
		case r.Float64() < p:
			d.Label[i] = 1
		}
	}
	return d
}

// Fit on labelled reference data once, then estimate production chunks
// that have no labels yet: inputs drifting towards the model's uncertain
// region lower the estimated accuracy below the reference's threshold.
func Example() {
	r := rand.New(rand.NewPCG(1, 2))
	e, err := estimate.Fit(outputs(r, 5000, 0, true), estimate.Options{
		Metrics: []estimate.Metric{estimate.Accuracy, estimate.ROCAUC},
		Chunker: estimate.SizeChunker{Size: 500},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("calibrated:", e.NeedsCalibration())
	for _, shift := range []float64{0, 0.6} {
		res, err := e.Estimate(outputs(r, 500, shift, false))
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, m := range res.Metrics {
			fmt.Printf("shift %.1f %-8s %.3f ± %.3f  thresholds [%.3f, %.3f]  alert %v\n",
				shift, m.Name, m.Value, 3*m.SamplingError, m.LowerThreshold, m.UpperThreshold, m.Alert)
		}
	}
	// Output:
	// calibrated: true
	// shift 0.0 accuracy 0.753 ± 0.058  thresholds [0.711, 0.798]  alert false
	// shift 0.0 roc_auc  0.839 ± 0.037  thresholds [0.806, 0.873]  alert false
	// shift 0.6 accuracy 0.600 ± 0.058  thresholds [0.711, 0.798]  alert true
	// shift 0.6 roc_auc  0.633 ± 0.037  thresholds [0.806, 0.873]  alert true
}

func ExampleFitIsotonic() {
	iso, err := estimate.FitIsotonic([]float64{1, 2, 3, 4, 5}, []float64{1, 3, 2, 4, 3.5}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(iso.X, iso.Y)
	for _, x := range []float64{0, 1.5, 2.5, 4.5, 9} {
		fmt.Print(iso.Predict(x), " ")
	}
	fmt.Println()
	// Output:
	// [1 2 3 4 5] [1 2.5 2.5 3.75 3.75]
	// 1 1.75 2.5 3.75 3.75
}
