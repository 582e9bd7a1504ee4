package concept_test

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/modelwatch/modelwatch/concept"
)

// errorStream is a model's errors (1 wrong, 0 right): one error in ten for
// 1000 predictions, then three in five.
func errorStream() []float64 {
	var xs []float64
	for i := range 1500 {
		wrong := i%10 == 0
		if i >= 1000 {
			wrong = i%5 < 3
		}
		if wrong {
			xs = append(xs, 1)
		} else {
			xs = append(xs, 0)
		}
	}
	return xs
}

func ExampleADWIN() {
	adwin, err := concept.NewADWIN(concept.ADWINConfig{}) // River's defaults
	if err != nil {
		panic(err)
	}
	for i, x := range errorStream() {
		adwin.Update(x)
		if adwin.DriftDetected() {
			fmt.Printf("drift after value %d: window of %d values, error rate %.2f\n", i, adwin.Width(), adwin.Estimation())
		}
	}
	// Output:
	// drift after value 1055: window of 128 values, error rate 0.32
}

func ExampleDDM() {
	ddm, err := concept.NewDDM(concept.DDMConfig{})
	if err != nil {
		panic(err)
	}
	warned := false
	for i, x := range errorStream() {
		ddm.Update(x)
		if ddm.WarningDetected() && !warned {
			fmt.Println("warning at", i)
			warned = true
		}
		if ddm.DriftDetected() {
			fmt.Println("drift at", i)
			warned = false
		}
	}
	// Output:
	// warning at 1017
	// drift at 1036
}

func ExampleReplay() {
	// A server rebuilds a detector after a restart by replaying the stored
	// errors; the same stream always gives the same state and flags.
	hddm, err := concept.NewHDDMA(concept.HDDMAConfig{})
	if err != nil {
		panic(err)
	}
	trace := concept.Replay(hddm, errorStream())
	b, _ := json.Marshal(trace)
	fmt.Println(string(b))
	// Output:
	// {"n":1500,"drift_indices":[1011],"warning_indices":[1007,1010]}
}

func ExampleBuild() {
	// Detectors by River's names and parameters, as "modelwatch detect"
	// and the server's configuration take them.
	d, params, err := concept.Build("pagehinkley", map[string]string{"threshold": "20", "mode": "up"})
	if err != nil {
		panic(err)
	}
	_ = json.NewEncoder(os.Stdout).Encode(params)
	fmt.Println(concept.Replay(d, errorStream()).DriftIndices)

	_, _, err = concept.Build("adwin", map[string]string{"clock": "0"})
	fmt.Println(err != nil)
	// Output:
	// {"min_instances":30,"delta":0.005,"threshold":20,"alpha":0.9999,"mode":"up"}
	// [1040]
	// true
}

func ExampleCheckBaseline() {
	now := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	var history []concept.AccuracyPoint
	for d, acc := range []float64{0.88, 0.87, 0.88, 0.86, 0.87, 0.86, 0.87, 0.86, 0.85, 0.83, 0.81} {
		history = append(history, concept.AccuracyPoint{
			Time:     now.Add(-time.Duration(10-d) * 24 * time.Hour),
			Accuracy: acc,
		})
	}
	// The last 7 days average 0.85, the 7 before 0.8725; the daily values
	// fell on each of the last 4 days (0.87, 0.86, 0.85, 0.83, 0.81).
	res, err := concept.CheckBaseline(0.87, history, now, concept.BaselineConfig{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("current %.2f, drop %.2f (%.1f%%), drift %v\n", res.CurrentAccuracy, res.AccuracyDrop, res.AccuracyDropPercent, res.DriftDetected)
	fmt.Printf("trend %+.4f, declining for %d days: %v\n", *res.Trend, res.DecliningDays, res.Declining)
	// Output:
	// current 0.81, drop 0.06 (6.9%), drift true
	// trend -0.0225, declining for 4 days: true
}
