package estimate

import (
	"encoding/json"
	"math"
	"os"
	"sync"
	"testing"
)

// The goldens in testdata/ come from testdata/golden.py, run with Debian's
// numpy 1.24.2, scipy 1.10.1 and scikit-learn 1.2.1. JSON null stands for
// NaN.

// golden is testdata/golden.json.
type golden struct {
	Numpy struct {
		Sums []struct {
			X         []float64 `json:"x"`
			Sum       float64   `json:"sum"`
			Mean, Std *float64
		} `json:"sums"`
		Draws []struct {
			Seed       uint32   `json:"seed"`
			Uint32     []uint32 `json:"uint32"`
			Perm23     []int    `json:"permutation23"`
			Choice1000 []int    `json:"choice1000"`
		} `json:"draws"`
		Splits []struct {
			Name  string `json:"name"`
			Y     []int  `json:"y"`
			Folds []struct {
				Train []int `json:"train"`
				Test  []int `json:"test"`
			} `json:"folds"`
		} `json:"splits"`
	} `json:"numpy"`
	Isotonic []struct {
		Name        string    `json:"name"`
		X           []float64 `json:"x"`
		Y           []float64 `json:"y"`
		W           []float64 `json:"w"`
		XThresholds []float64 `json:"x_thresholds"`
		YThresholds []float64 `json:"y_thresholds"`
		Query       []float64 `json:"query"`
		Predict     []float64 `json:"predict"`
	} `json:"isotonic"`
	BinaryClf []struct {
		Name             string    `json:"name"`
		Y                []int     `json:"y"`
		Score            []float64 `json:"score"`
		ROCAUC           float64   `json:"roc_auc"`
		AveragePrecision float64   `json:"average_precision"`
	} `json:"binary_clf"`
	Calibration struct {
		Cases []struct {
			Name             string    `json:"name"`
			Y                []int     `json:"y"`
			P                []float64 `json:"p"`
			ECEBefore        *float64  `json:"ece_before"`
			ECEAfter         *float64  `json:"ece_after"`
			NeedsCalibration bool      `json:"needs_calibration"`
		} `json:"cases"`
		BinEdges []struct {
			N     int      `json:"n"`
			Bins  int      `json:"bins"`
			Edges [][2]int `json:"edges"`
		} `json:"bin_edges"`
	} `json:"calibration"`
	Periods struct {
		Times   []string `json:"times"`
		Periods []struct {
			Period string `json:"period"`
			Chunks []struct {
				Key       string `json:"key"`
				Start     int    `json:"start"`
				End       int    `json:"end"`
				StartTime string `json:"start_time"`
				EndTime   string `json:"end_time"`
			} `json:"chunks"`
		} `json:"periods"`
	} `json:"periods"`
}

var loadGolden = sync.OnceValues(func() (*golden, error) {
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		return nil, err
	}
	g := new(golden)
	return g, json.Unmarshal(b, g)
})

func readGolden(t testing.TB) *golden {
	t.Helper()
	g, err := loadGolden()
	if err != nil {
		t.Fatalf("read golden: %v", err)
	}
	return g
}

// near reports whether got is within tol of want, relative to want's
// magnitude when that exceeds 1; NaN equals NaN.
func near(got, want, tol float64) bool {
	if math.IsNaN(want) || math.IsNaN(got) {
		return math.IsNaN(want) && math.IsNaN(got)
	}
	if math.IsInf(want, 0) || math.IsInf(got, 0) {
		return got == want
	}
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func nanIfNil(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}
