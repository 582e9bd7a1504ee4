package concept

import (
	"math"

	"github.com/modelwatch/modelwatch"
)

// HDDMAConfig configures an HDDMA detector. The zero value of each field
// means River's default, shown in brackets.
type HDDMAConfig struct {
	// DriftConfidence is the confidence level of the drift test, in (0, 1]
	// [0.001].
	DriftConfidence float64
	// WarningConfidence is the confidence level of the warning test, in
	// (0, 1] [0.005].
	WarningConfidence float64
	// TwoSidedTest also flags decreases of the error rate [false].
	TwoSidedTest bool
}

func (c HDDMAConfig) withDefaults() HDDMAConfig {
	if c.DriftConfidence == 0 {
		c.DriftConfidence = 0.001
	}
	if c.WarningConfidence == 0 {
		c.WarningConfidence = 0.005
	}
	return c
}

// validateConfidences checks what River's math.log and math.sqrt would
// otherwise fail on.
func validateConfidences(detector string, drift, warning float64) error {
	for _, c := range []struct {
		name string
		v    float64
	}{{"drift_confidence", drift}, {"warning_confidence", warning}} {
		if !(c.v > 0 && c.v <= 1) {
			return modelwatch.Errorf(modelwatch.EInvalid, "%s: %s must be in (0, 1], got %v", detector, c.name, c.v)
		}
	}
	return nil
}

// HDDMA is the Hoeffding drift detection method with the A-test (average)
// of Frías-Blanco et al. (2014), as River's drift.binary.HDDMA (a port of
// MOA's). It keeps the running mean Z of all values and two snapshots of
// it, X_min and X_max, taken where the Hoeffding lower/upper bounds
// mean ± sqrt(ln(1/drift_confidence)/(2n)) reached their extreme, and tests
// whether the mean since a snapshot differs from it by at least
//
//	ε(c) = sqrt(m/2 · ln(2/c)),  m = (n_Z − n_X)/n_X · 1/n_Z.
//
// An increase at DriftConfidence is drift, else at WarningConfidence a
// warning; with TwoSidedTest a decrease (against X_max) also sets them, in
// River's order (a decrease at drift level sets drift without clearing a
// warning). There is no warm-up.
type HDDMA struct {
	cfg        HDDMAConfig
	logInvDC   float64 // ln(1/drift_confidence)
	logTwoDC   float64 // ln(2/drift_confidence)
	logTwoWC   float64 // ln(2/warning_confidence)
	z          mean
	xMin, xMax mean
	warning    bool
	drift      bool
}

// NewHDDMA returns an HDDMA detector; see HDDMAConfig for the defaults.
func NewHDDMA(cfg HDDMAConfig) (*HDDMA, error) {
	return newHDDMA(cfg.withDefaults())
}

func newHDDMA(cfg HDDMAConfig) (*HDDMA, error) {
	if err := validateConfidences("HDDM_A", cfg.DriftConfidence, cfg.WarningConfidence); err != nil {
		return nil, err
	}
	h := &HDDMA{
		cfg:      cfg,
		logInvDC: math.Log(1.0 / cfg.DriftConfidence),
		logTwoDC: math.Log(2.0 / cfg.DriftConfidence),
		logTwoWC: math.Log(2.0 / cfg.WarningConfidence),
	}
	h.reset()
	return h, nil
}

func (h *HDDMA) reset() {
	h.z, h.xMin, h.xMax = mean{}, mean{}, mean{}
	h.warning, h.drift = false, false
}

// bound is River's _hoeffding_bound(n), always at the drift confidence.
func (h *HDDMA) bound(n float64) float64 {
	return math.Sqrt(1.0 / (2 * n) * h.logInvDC)
}

// Update consumes one prediction outcome: 1 an error, 0 correct.
func (h *HDDMA) Update(x float64) {
	if !ValidInput(x) {
		return
	}
	if h.drift {
		h.reset()
	}
	h.z.update(x)
	if h.xMin.n == 0 {
		h.xMin = h.z
	}
	if h.xMax.n == 0 {
		h.xMax = h.z
	}
	epsZ := h.bound(h.z.n)
	if h.xMin.mean+h.bound(h.xMin.n) >= h.z.mean+epsZ {
		h.xMin = h.z
	}
	if h.xMax.mean-h.bound(h.xMax.n) <= h.z.mean-epsZ {
		h.xMax = h.z
	}
	switch {
	case h.changed(h.xMin, h.logTwoDC, false):
		h.warning, h.drift = false, true
	case h.changed(h.xMin, h.logTwoWC, false):
		h.warning, h.drift = true, false
	default:
		h.warning, h.drift = false, false
	}
	if h.cfg.TwoSidedTest {
		switch {
		case h.changed(h.xMax, h.logTwoDC, true):
			h.drift = true
		case h.changed(h.xMax, h.logTwoWC, true):
			h.warning = true
		}
	}
}

// changed is River's _mean_incr (decrease false, against X_min) and
// _mean_decr (decrease true, against X_max); logTwoC is ln(2/c).
func (h *HDDMA) changed(x mean, logTwoC float64, decrease bool) bool {
	if x.n == h.z.n {
		return false
	}
	m := (h.z.n - x.n) / x.n * (1.0 / h.z.n)
	eps := math.Sqrt(m / 2 * logTwoC)
	if decrease {
		return x.mean-h.z.mean >= eps
	}
	return h.z.mean-x.mean >= eps
}

// DriftDetected reports whether the last Update found drift.
func (h *HDDMA) DriftDetected() bool { return h.drift }

// WarningDetected reports whether the detector is in its warning zone.
func (h *HDDMA) WarningDetected() bool { return h.warning }

// healthy reports whether the state holds no NaN.
func (h *HDDMA) healthy() bool {
	return notNaN(h.z.mean, h.xMin.mean, h.xMax.mean)
}
