package concept

import (
	"math"

	"github.com/modelwatch/modelwatch"
)

// EDDMConfig configures an EDDM detector. The zero value of each field means
// River's default, shown in brackets; River's literal 0 is reachable through
// Build.
type EDDMConfig struct {
	// WarmStart is the number of values, and of errors, before the first test
	// [30].
	WarmStart int
	// Alpha is the warning level: warning when the ratio below falls under
	// Alpha [0.95].
	Alpha float64
	// Beta is the drift level: drift when the ratio falls under Beta [0.9].
	// Must not exceed Alpha.
	Beta float64
}

func (c EDDMConfig) withDefaults() EDDMConfig {
	if c.WarmStart == 0 {
		c.WarmStart = 30
	}
	if c.Alpha == 0 {
		c.Alpha = 0.95
	}
	if c.Beta == 0 {
		c.Beta = 0.9
	}
	return c
}

func (c EDDMConfig) validate() error {
	if !finite(c.Alpha) || !finite(c.Beta) {
		return modelwatch.Errorf(modelwatch.EInvalid, "EDDM: alpha and beta must be finite numbers, got %v and %v", c.Alpha, c.Beta)
	}
	if c.Alpha < c.Beta {
		return modelwatch.Errorf(modelwatch.EInvalid, "EDDM: alpha (%v) must be greater than or equal to beta (%v)", c.Alpha, c.Beta)
	}
	return nil
}

// EDDM is the Early Drift Detection Method of Baena-García et al. (2006) as
// River's drift.binary.EDDM. On every error (x = 1) it adds the distance in
// values since the previous error (the first: its 1-based position) to a
// running mean p′ and sample standard deviation s′, and once more than
// WarmStart values have been seen computes m = p′ + 2·s′:
//
//	if m > m_max: m_max = m (no test);
//	else, once more than WarmStart errors have been seen, with r = m/m_max:
//	  r < Beta → drift; else r < Alpha → warning; else no warning.
//
// Flags change on errors only: a warning persists across correct values,
// and, as in River, drift does not clear the warning flag.
type EDDM struct {
	cfg       EDDMConfig
	warm      int
	dist      variance
	n         int
	lastError int
	nErrors   int
	maxLevel  float64
	warning   bool
	drift     bool
}

// NewEDDM returns an EDDM detector; see EDDMConfig for the defaults.
func NewEDDM(cfg EDDMConfig) (*EDDM, error) {
	return newEDDM(cfg.withDefaults())
}

func newEDDM(cfg EDDMConfig) (*EDDM, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	e := &EDDM{cfg: cfg, warm: cfg.WarmStart}
	e.reset()
	return e, nil
}

func (e *EDDM) reset() {
	e.dist = variance{}
	e.n, e.lastError, e.nErrors = 0, 0, 0
	e.maxLevel = -1
	e.warning, e.drift = false, false
}

// Update consumes one prediction outcome: 1 an error, 0 correct.
func (e *EDDM) Update(x float64) {
	if !ValidInput(x) {
		return
	}
	if e.drift {
		e.reset()
	}
	e.n++
	if x != 1 { // River: if x == 1
		return
	}
	e.nErrors++
	e.dist.update(float64(e.n - e.lastError))
	if e.n > e.warm {
		m := e.dist.m.mean + float64(2*math.Sqrt(e.dist.get()))
		if m > e.maxLevel {
			e.maxLevel = m
		} else if e.nErrors > e.warm {
			level := m / e.maxLevel
			switch {
			case level < e.cfg.Beta:
				e.drift = true
			case level < e.cfg.Alpha:
				e.warning = true
			default:
				e.warning = false
			}
		}
	}
	e.lastError = e.n
}

// DriftDetected reports whether the last Update found drift.
func (e *EDDM) DriftDetected() bool { return e.drift }

// WarningDetected reports whether the detector is in its warning zone.
func (e *EDDM) WarningDetected() bool { return e.warning }

// healthy reports whether the state holds no NaN.
func (e *EDDM) healthy() bool {
	return notNaN(e.dist.m.mean, e.dist.s, e.maxLevel)
}
