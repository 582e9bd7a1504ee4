package concept

import (
	"math"

	"github.com/modelwatch/modelwatch"
)

// DDMConfig configures a DDM detector. The zero value of each field means
// River's default, shown in brackets; River's literal 0 is reachable through
// Build.
type DDMConfig struct {
	// WarmStart is the number of values before the first test [30]: tests
	// start with value WarmStart+1.
	WarmStart int
	// WarningThreshold is the number of standard deviations above the best
	// error rate that is a warning [2].
	WarningThreshold float64
	// DriftThreshold is the number of standard deviations above the best
	// error rate that is drift [3].
	DriftThreshold float64
}

func (c DDMConfig) withDefaults() DDMConfig {
	if c.WarmStart == 0 {
		c.WarmStart = 30
	}
	if c.WarningThreshold == 0 {
		c.WarningThreshold = 2
	}
	if c.DriftThreshold == 0 {
		c.DriftThreshold = 3
	}
	return c
}

func (c DDMConfig) validate() error {
	if !finite(c.WarningThreshold) || !finite(c.DriftThreshold) {
		return modelwatch.Errorf(modelwatch.EInvalid, "DDM: warning_threshold and drift_threshold must be finite numbers, got %v and %v", c.WarningThreshold, c.DriftThreshold)
	}
	return nil
}

// DDM is the Drift Detection Method of Gama et al. (2004) as River's
// drift.binary.DDM. It tracks the error rate p of the values so far (1 =
// error) and its standard deviation s = sqrt(p·(1−p)/n). After WarmStart
// values it remembers p_min and s_min at the smallest p+s seen (ties move
// the minimum), and flags
//
//	warning when p + s > p_min + WarningThreshold·s_min,
//	drift   when p + s > p_min + DriftThreshold·s_min (warning cleared).
//
// A stream that starts with only correct predictions has p_min = s_min = 0,
// so its first error after the warm start is drift, as in River.
type DDM struct {
	cfg     DDMConfig
	p       mean
	warm    float64
	pMin    float64
	sMin    float64
	psMin   float64
	warning bool
	drift   bool
}

// NewDDM returns a DDM detector; see DDMConfig for the defaults.
func NewDDM(cfg DDMConfig) (*DDM, error) {
	return newDDM(cfg.withDefaults())
}

func newDDM(cfg DDMConfig) (*DDM, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	d := &DDM{cfg: cfg, warm: float64(cfg.WarmStart)}
	d.reset()
	return d, nil
}

func (d *DDM) reset() {
	d.p = mean{}
	d.pMin, d.sMin, d.psMin = math.Inf(1), math.Inf(1), math.Inf(1)
	d.warning, d.drift = false, false
}

// Update consumes one prediction outcome: 1 an error, 0 correct.
func (d *DDM) Update(x float64) {
	if !ValidInput(x) {
		return
	}
	if d.drift {
		d.reset()
	}
	d.p.update(x)
	p, n := d.p.mean, d.p.n
	s := math.Sqrt(p * (1 - p) / n)
	if !(n > d.warm) {
		return
	}
	ps := p + s
	if ps <= d.psMin {
		d.pMin, d.sMin = p, s
		d.psMin = d.pMin + d.sMin
	}
	d.warning = ps > d.pMin+float64(d.cfg.WarningThreshold*d.sMin)
	if ps > d.pMin+float64(d.cfg.DriftThreshold*d.sMin) {
		d.drift = true
		d.warning = false
	}
}

// DriftDetected reports whether the last Update found drift.
func (d *DDM) DriftDetected() bool { return d.drift }

// WarningDetected reports whether the detector is in its warning zone.
func (d *DDM) WarningDetected() bool { return d.warning }

// healthy reports whether the state holds no NaN.
func (d *DDM) healthy() bool {
	return notNaN(d.p.mean, d.pMin, d.sMin, d.psMin)
}

// finite reports whether x is neither NaN nor ±Inf.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
