package concept

import (
	"math"

	"github.com/modelwatch/modelwatch"
)

// Page-Hinkley modes: which direction of change in the mean is drift.
const (
	ModeUp   = "up"   // increases only
	ModeDown = "down" // decreases only
	ModeBoth = "both" // either
)

// PageHinkleyConfig configures a PageHinkley detector. The zero value of
// each field means River's default, shown in brackets; River's literal 0
// for Delta, Threshold or Alpha is reachable through Build.
type PageHinkleyConfig struct {
	// MinInstances is the number of values before the first test [30].
	MinInstances int
	// Delta is the magnitude of change that is tolerated [0.005].
	Delta float64
	// Threshold is λ, the cumulative deviation that is drift [50].
	Threshold float64
	// Alpha is the forgetting factor of the cumulative sums, in [0, 1]
	// [1 − 0.0001].
	Alpha float64
	// Mode is ModeUp, ModeDown or ModeBoth [ModeBoth].
	Mode string
}

func (c PageHinkleyConfig) withDefaults() PageHinkleyConfig {
	if c.MinInstances == 0 {
		c.MinInstances = 30
	}
	if c.Delta == 0 {
		c.Delta = 0.005
	}
	if c.Threshold == 0 {
		c.Threshold = 50
	}
	if c.Alpha == 0 {
		c.Alpha = 1 - 0.0001
	}
	if c.Mode == "" {
		c.Mode = ModeBoth
	}
	return c
}

func (c PageHinkleyConfig) validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"delta", c.Delta}, {"threshold", c.Threshold}, {"alpha", c.Alpha}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return modelwatch.Errorf(modelwatch.EInvalid, "PageHinkley: %s must be a finite number, got %v", f.name, f.v)
		}
	}
	if c.Alpha < 0 || c.Alpha > 1 {
		return modelwatch.Errorf(modelwatch.EInvalid, "PageHinkley: alpha must be between 0 and 1, got %v", c.Alpha)
	}
	switch c.Mode {
	case ModeUp, ModeDown, ModeBoth:
		return nil
	}
	return modelwatch.Errorf(modelwatch.EInvalid, "PageHinkley: mode must be %q, %q or %q, got %q", ModeUp, ModeDown, ModeBoth, c.Mode)
}

// PageHinkley is the two-sided Page–Hinkley test (Page 1954) as River's
// drift.PageHinkley. With μ the running mean (including x) and d = x − μ:
//
//	S⁺ = α·S⁺ + d − δ,  S⁻ = α·S⁻ + d + δ,
//	min⁺ = min(min⁺, S⁺),  max⁻ = max(max⁻, S⁻)
//
// starting from S⁺ = S⁻ = 0, min⁺ = +∞ and, as River has it, max⁻ = −1.
// From the MinInstances-th value on, drift when S⁺ − min⁺ > λ (mode up),
// max⁻ − S⁻ > λ (mode down) or either (mode both). PageHinkley has no
// warning zone.
type PageHinkley struct {
	cfg        PageHinkleyConfig
	up, down   bool
	mean       mean
	sumInc     float64
	sumDec     float64
	minInc     float64
	maxDec     float64
	minN       float64
	driftState bool
}

// NewPageHinkley returns a PageHinkley detector; see PageHinkleyConfig for
// the defaults.
func NewPageHinkley(cfg PageHinkleyConfig) (*PageHinkley, error) {
	return newPageHinkley(cfg.withDefaults())
}

func newPageHinkley(cfg PageHinkleyConfig) (*PageHinkley, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	p := &PageHinkley{
		cfg:  cfg,
		up:   cfg.Mode != ModeDown,
		down: cfg.Mode != ModeUp,
		minN: float64(cfg.MinInstances),
	}
	p.reset()
	return p, nil
}

func (p *PageHinkley) reset() {
	p.mean = mean{}
	p.sumInc, p.sumDec = 0, 0
	p.minInc, p.maxDec = math.Inf(1), -1
	p.driftState = false
}

// Update adds x to the running mean and the cumulative sums and tests them.
func (p *PageHinkley) Update(x float64) {
	if !ValidInput(x) {
		return
	}
	if p.driftState {
		p.reset()
	}
	p.mean.update(x)
	dev := x - p.mean.mean
	p.sumInc = float64(p.cfg.Alpha*p.sumInc) + dev - p.cfg.Delta
	p.sumDec = float64(p.cfg.Alpha*p.sumDec) + dev + p.cfg.Delta
	if p.sumInc < p.minInc {
		p.minInc = p.sumInc
	}
	if p.sumDec > p.maxDec {
		p.maxDec = p.sumDec
	}
	if p.mean.n >= p.minN {
		p.driftState = p.up && p.sumInc-p.minInc > p.cfg.Threshold ||
			p.down && p.maxDec-p.sumDec > p.cfg.Threshold
	}
}

// DriftDetected reports whether the last Update found drift.
func (p *PageHinkley) DriftDetected() bool { return p.driftState }

// healthy reports whether the state holds no NaN.
func (p *PageHinkley) healthy() bool {
	return notNaN(p.mean.mean, p.sumInc, p.sumDec, p.minInc, p.maxDec)
}
