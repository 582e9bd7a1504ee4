package estimate

import (
	"fmt"
	"math"
)

// Threshold turns the realised values of a metric on the reference chunks
// into alert thresholds. A NaN bound means that side never alerts.
type Threshold interface {
	Bounds(reference []float64) (lower, upper float64)
}

// StandardDeviationThreshold is NannyML's default threshold: the mean of
// the reference chunk values minus and plus a multiple of their population
// standard deviation (np.nanmean, np.nanstd with ddof=0; NaN values are
// left out). A NaN multiplier disables that side. The default multipliers
// are 3 and 3.
type StandardDeviationThreshold struct {
	LowerMultiplier float64 // std multiples below the mean
	UpperMultiplier float64 // std multiples above the mean
}

// DefaultThreshold returns StandardDeviationThreshold{3, 3}.
func DefaultThreshold() Threshold {
	return StandardDeviationThreshold{LowerMultiplier: 3, UpperMultiplier: 3}
}

// Bounds implements Threshold. For reference values 0, 1, …, 9 it returns
// −4.116843969807043 and 13.116843969807043, as NannyML's docstring shows.
func (t StandardDeviationThreshold) Bounds(reference []float64) (lower, upper float64) {
	m, s := nanMeanStd(reference)
	lower, upper = math.NaN(), math.NaN()
	if !math.IsNaN(t.LowerMultiplier) {
		lower = m - s*t.LowerMultiplier
	}
	if !math.IsNaN(t.UpperMultiplier) {
		upper = m + s*t.UpperMultiplier
	}
	return lower, upper
}

// ConstantThreshold is a fixed pair of bounds; NaN disables a side.
type ConstantThreshold struct {
	Lower float64 // alert below; NaN: never
	Upper float64 // alert above; NaN: never
}

// Bounds implements Threshold.
func (t ConstantThreshold) Bounds([]float64) (lower, upper float64) { return t.Lower, t.Upper }

// checkThreshold rejects thresholds that cannot work: negative
// multipliers and constant bounds in the wrong order.
func checkThreshold(t Threshold) error {
	switch t := t.(type) {
	case StandardDeviationThreshold:
		if t.LowerMultiplier < 0 || t.UpperMultiplier < 0 {
			return fmt.Errorf("standard deviation threshold: negative multiplier (%v, %v)", t.LowerMultiplier, t.UpperMultiplier)
		}
	case ConstantThreshold:
		if t.Lower >= t.Upper {
			return fmt.Errorf("constant threshold: lower %v is not below upper %v", t.Lower, t.Upper)
		}
	case nil:
		return fmt.Errorf("nil threshold")
	}
	return nil
}

// clipBounds is NannyML's calculate_threshold_values: a lower bound at or
// below the metric's lower limit becomes the limit, and likewise for the
// upper bound. Infinite limits mean none.
func clipBounds(lower, upper, lowerLimit, upperLimit float64) (float64, float64) {
	if lower <= lowerLimit {
		lower = lowerLimit
	}
	if upper >= upperLimit {
		upper = upperLimit
	}
	return lower, upper
}
