package concept

import (
	"math"

	"github.com/modelwatch/modelwatch"
)

// HDDMWConfig configures an HDDMW detector. The zero value of each field
// means River's default, shown in brackets; River's literal 0 for
// LambdaVal is reachable through Build.
type HDDMWConfig struct {
	// DriftConfidence is the confidence level of the drift test, in (0, 1]
	// [0.001].
	DriftConfidence float64
	// WarningConfidence is the confidence level of the warning test, in
	// (0, 1] [0.005].
	WarningConfidence float64
	// LambdaVal is the weight λ of the newest value in the exponentially
	// weighted means, in [0, 1] [0.05].
	LambdaVal float64
	// TwoSidedTest also flags decreases of the error rate [false].
	TwoSidedTest bool
}

func (c HDDMWConfig) withDefaults() HDDMWConfig {
	if c.DriftConfidence == 0 {
		c.DriftConfidence = 0.001
	}
	if c.WarningConfidence == 0 {
		c.WarningConfidence = 0.005
	}
	if c.LambdaVal == 0 {
		c.LambdaVal = 0.05
	}
	return c
}

// HDDMW is the Hoeffding drift detection method with the W-test
// (exponentially weighted moving average) of Frías-Blanco et al. (2014), as
// River's drift.binary.HDDMW (a port of MOA's). Each sample summary holds an
// EWMA e with weight λ (the first value sets it) and its independent bound
// condition ibc ← λ² + (1−λ)²·ibc, starting at 1. With the McDiarmid bound
// b(ibc, c) = sqrt(ibc·ln(1/c)/2):
//
//   - the summary of all values moves the increase cut point down to
//     e + b(ibc, DriftConfidence) whenever it falls below it, snapshotting
//     itself as S1 and starting an empty S2 (else S2 takes the value);
//   - an increase is S2.e − S1.e > b(S1.ibc + S2.ibc, c): drift at
//     DriftConfidence, else a warning at WarningConfidence;
//   - decreases are tracked the same way from above and, with TwoSidedTest,
//     set drift or warning in River's order.
type HDDMW struct {
	cfg      HDDMWConfig
	logInvDC float64 // ln(1/drift_confidence)
	logInvWC float64 // ln(1/warning_confidence)

	total          hddmwSample
	s1Incr, s2Incr hddmwSample
	s1Decr, s2Decr hddmwSample
	incrCut        float64
	decrCut        float64
	warning        bool
	drift          bool
}

// hddmwSample is River's SampleInfo: an EWMA, whether it has seen a value,
// and its independent bound condition.
type hddmwSample struct {
	ewma ewMean
	init bool
	ibc  float64
}

func (h *HDDMW) newSample() hddmwSample {
	return hddmwSample{ewma: newEWMean(h.cfg.LambdaVal), ibc: 1}
}

func (h *HDDMW) updateSample(s *hddmwSample, x float64) {
	s.ewma.update(x)
	s.init = true
	lambda := h.cfg.LambdaVal
	s.ibc = float64(lambda*lambda) + float64((1-lambda)*(1-lambda)*s.ibc)
}

// NewHDDMW returns an HDDMW detector; see HDDMWConfig for the defaults.
func NewHDDMW(cfg HDDMWConfig) (*HDDMW, error) {
	return newHDDMW(cfg.withDefaults())
}

func newHDDMW(cfg HDDMWConfig) (*HDDMW, error) {
	if err := validateConfidences("HDDM_W", cfg.DriftConfidence, cfg.WarningConfidence); err != nil {
		return nil, err
	}
	if !(cfg.LambdaVal >= 0 && cfg.LambdaVal <= 1) {
		return nil, modelwatch.Errorf(modelwatch.EInvalid, "HDDM_W: lambda_val must be between 0 and 1, got %v", cfg.LambdaVal)
	}
	h := &HDDMW{
		cfg:      cfg,
		logInvDC: math.Log(1 / cfg.DriftConfidence),
		logInvWC: math.Log(1 / cfg.WarningConfidence),
	}
	h.reset()
	return h, nil
}

func (h *HDDMW) reset() {
	h.total = h.newSample()
	h.s1Incr, h.s2Incr = h.newSample(), h.newSample()
	h.s1Decr, h.s2Decr = h.newSample(), h.newSample()
	h.incrCut, h.decrCut = math.Inf(1), math.Inf(-1)
	h.warning, h.drift = false, false
}

// bound is River's _mcdiarmid_bound(ibc, c) with logInvC = ln(1/c).
func bound(ibc, logInvC float64) float64 {
	return math.Sqrt(ibc * logInvC / 2)
}

// changed is River's _has_mean_changed(s1, s2, c): whether s2's mean exceeds
// s1's by more than the bound.
func changed(s1, s2 *hddmwSample, logInvC float64) bool {
	if !s1.init || !s2.init {
		return false
	}
	return s2.ewma.mean-s1.ewma.mean > bound(s1.ibc+s2.ibc, logInvC)
}

// Update consumes one prediction outcome: 1 an error, 0 correct.
func (h *HDDMW) Update(x float64) {
	if !ValidInput(x) {
		return
	}
	if h.drift {
		h.reset()
	}
	h.updateSample(&h.total, x)

	eps := bound(h.total.ibc, h.logInvDC)
	if h.total.ewma.mean+eps < h.incrCut {
		h.incrCut = h.total.ewma.mean + eps
		h.s1Incr = h.total
		h.s2Incr = h.newSample()
	} else {
		h.updateSample(&h.s2Incr, x)
	}
	switch {
	case changed(&h.s1Incr, &h.s2Incr, h.logInvDC):
		h.warning, h.drift = false, true
	case changed(&h.s1Incr, &h.s2Incr, h.logInvWC):
		h.warning, h.drift = true, false
	default:
		h.warning, h.drift = false, false
	}

	if h.total.ewma.mean-eps > h.decrCut {
		h.decrCut = h.total.ewma.mean - eps
		h.s1Decr = h.total
		h.s2Decr = h.newSample()
	} else {
		h.updateSample(&h.s2Decr, x)
	}
	if h.cfg.TwoSidedTest {
		switch {
		case changed(&h.s2Decr, &h.s1Decr, h.logInvDC):
			h.drift = true
		case changed(&h.s2Decr, &h.s1Decr, h.logInvWC):
			h.warning = true
		}
	}
}

// DriftDetected reports whether the last Update found drift.
func (h *HDDMW) DriftDetected() bool { return h.drift }

// WarningDetected reports whether the detector is in its warning zone.
func (h *HDDMW) WarningDetected() bool { return h.warning }

// healthy reports whether the state holds no NaN.
func (h *HDDMW) healthy() bool {
	return notNaN(h.total.ewma.mean, h.total.ibc, h.s1Incr.ewma.mean, h.s2Incr.ewma.mean,
		h.s1Decr.ewma.mean, h.s2Decr.ewma.mean, h.incrCut, h.decrCut)
}
