package concept

import (
	"math"

	"github.com/modelwatch/modelwatch"
)

// KSWINConfig configures a KSWIN detector. The zero value of each field means
// River's default, shown in brackets; River's literal 0 for Alpha is
// reachable through Build.
type KSWINConfig struct {
	// Alpha is the significance level of the KS test [0.005]: drift when the
	// p-value is at most Alpha (and the statistic above 0.1). In [0, 1].
	Alpha float64
	// WindowSize is the number of recent values kept [100]. It must be at
	// least twice StatSize, so that StatSize older values can be drawn.
	WindowSize int
	// StatSize is the number of newest values compared with as many values
	// drawn from the rest of the window [30]. At least 1.
	StatSize int
	// Seed seeds the default sampler, a CPython-compatible Mersenne Twister,
	// so that Seed s draws the positions River's KSWIN(seed=s) draws [0].
	// River's own default, seed=None, is not reproducible.
	Seed uint64
	// NewSampler, when set, replaces the default sampler. KSWIN calls it when
	// built and on every reset, as River re-creates random.Random(seed) on
	// reset; return the same Sampler each time to share one sequence.
	NewSampler func() Sampler
	// Window pre-fills the window (River's window argument); only its last
	// WindowSize valid values are kept, and a reset forgets them.
	Window []float64
}

func (c KSWINConfig) withDefaults() KSWINConfig {
	if c.Alpha == 0 {
		c.Alpha = 0.005
	}
	if c.WindowSize == 0 {
		c.WindowSize = 100
	}
	if c.StatSize == 0 {
		c.StatSize = 30
	}
	return c
}

func (c KSWINConfig) validate() error {
	switch {
	case !(c.Alpha >= 0 && c.Alpha <= 1):
		return modelwatch.Errorf(modelwatch.EInvalid, "KSWIN: alpha must be between 0 and 1, got %v", c.Alpha)
	case c.StatSize < 1:
		return modelwatch.Errorf(modelwatch.EInvalid, "KSWIN: stat_size must be at least 1, got %d", c.StatSize)
	case c.WindowSize < 2*c.StatSize || c.WindowSize < 0:
		// River only requires window_size >= stat_size, then fails at the
		// first test drawing stat_size values from window_size - stat_size.
		return modelwatch.Errorf(modelwatch.EInvalid, "KSWIN: window_size must be at least twice stat_size (%d), got %d", c.StatSize, c.WindowSize)
	}
	return nil
}

// KSWIN is the Kolmogorov–Smirnov windowing detector of Raab, Heusinger and
// Schleif (2020) as River's drift.KSWIN: it keeps the last WindowSize values
// and, once the window is full, compares on every update its StatSize newest
// values with StatSize values drawn without replacement from the older
// WindowSize − StatSize, using the two-sample KS test (scipy's ks_2samp with
// method "auto", exact for these sizes). Drift when p-value ≤ Alpha and the
// statistic > 0.1. KSWIN has no warning zone.
type KSWIN struct {
	cfg     KSWINConfig
	sampler Sampler

	buf   []float64 // ring buffer of the window
	start int       // position of the oldest value in buf
	count int       // values in the window

	idx    []int     // sampled positions
	older  []float64 // sampled values
	recent []float64 // newest values

	n     int
	stat  float64
	p     float64
	drift bool
}

// NewKSWIN returns a KSWIN detector; see KSWINConfig for the defaults.
func NewKSWIN(cfg KSWINConfig) (*KSWIN, error) {
	return newKSWIN(cfg.withDefaults())
}

func newKSWIN(cfg KSWINConfig) (*KSWIN, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	k := &KSWIN{
		cfg:    cfg,
		idx:    make([]int, cfg.StatSize),
		older:  make([]float64, cfg.StatSize),
		recent: make([]float64, cfg.StatSize),
	}
	k.reset()
	for _, x := range cfg.Window {
		if ValidInput(x) {
			k.push(x)
		}
	}
	return k, nil
}

// reset empties the window and restarts the sampler, River's KSWIN._reset.
func (k *KSWIN) reset() {
	switch s := k.sampler.(type) {
	case *pySampler:
		s.reseed()
	default:
		if k.cfg.NewSampler != nil {
			k.sampler = k.cfg.NewSampler()
		}
		if k.sampler == nil {
			k.sampler = newPySampler(k.cfg.Seed)
		}
	}
	k.buf = k.buf[:0]
	k.start, k.count = 0, 0
	k.n = 0
	k.stat, k.p = 0, 0
	k.drift = false
}

// push appends x to the window, dropping the oldest value when it is full.
// The ring buffer grows to WindowSize on demand.
func (k *KSWIN) push(x float64) {
	if len(k.buf) < k.cfg.WindowSize {
		k.buf = append(k.buf, x)
		k.count++
		return
	}
	k.buf[k.start] = x
	k.start++
	if k.start == len(k.buf) {
		k.start = 0
	}
}

// at returns the window's i-th value, oldest first.
func (k *KSWIN) at(i int) float64 {
	i += k.start
	if i >= len(k.buf) {
		i -= len(k.buf)
	}
	return k.buf[i]
}

// Update appends x to the window and, when it is full, runs the KS test.
func (k *KSWIN) Update(x float64) {
	if !ValidInput(x) {
		return
	}
	if k.drift {
		k.reset()
	}
	k.n++
	k.push(x)
	if k.count < k.cfg.WindowSize {
		return
	}
	pop := k.cfg.WindowSize - k.cfg.StatSize
	k.sampler.Sample(k.idx, pop)
	for i, j := range k.idx {
		if j < 0 || j >= pop {
			j = (j%pop + pop) % pop
		}
		k.older[i] = k.at(j)
	}
	for i := range k.recent {
		k.recent[i] = k.at(pop + i)
	}
	k.stat, k.p = ksTwoSample(k.older, k.recent)
	k.drift = k.p <= k.cfg.Alpha && k.stat > 0.1
}

// DriftDetected reports whether the last Update's KS test found drift.
func (k *KSWIN) DriftDetected() bool { return k.drift }

// PValue is the p-value of the last KS test, 0 before the first one.
func (k *KSWIN) PValue() float64 { return k.p }

// Statistic is the KS statistic of the last KS test, 0 before the first one.
func (k *KSWIN) Statistic() float64 { return k.stat }

// healthy reports whether the state holds no NaN.
func (k *KSWIN) healthy() bool {
	if !notNaN(k.stat, k.p) || k.p < 0 || k.p > 1 || math.IsInf(k.stat, 0) {
		return false
	}
	for _, x := range k.buf {
		if !ValidInput(x) {
			return false
		}
	}
	return true
}
