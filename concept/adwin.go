package concept

import (
	"math"

	"github.com/modelwatch/modelwatch"
)

// ADWINConfig configures an ADWIN detector. The zero value of each field means
// River's default, shown in brackets; River's literal 0 for MinWindowLength
// or GracePeriod is reachable through Build.
type ADWINConfig struct {
	// Delta is the significance value δ of the cut test [0.002]. Smaller
	// values detect fewer, surer changes. Must be positive.
	Delta float64
	// Clock is how often, in updates, the window is checked for a cut [32].
	// Must be at least 1.
	Clock int
	// MaxBuckets is how many buckets of each size are kept before the two
	// oldest are merged [5]. Must be at least 1; with 1, River's window gets
	// corrupted after a cut, and ours drops the emptied rows instead.
	MaxBuckets int
	// MinWindowLength is the smallest size of either sub-window of a cut [5].
	MinWindowLength int
	// GracePeriod is how many values must be in the window before it is
	// checked at all [10].
	GracePeriod int
}

func (c ADWINConfig) withDefaults() ADWINConfig {
	if c.Delta == 0 {
		c.Delta = 0.002
	}
	if c.Clock == 0 {
		c.Clock = 32
	}
	if c.MaxBuckets == 0 {
		c.MaxBuckets = 5
	}
	if c.MinWindowLength == 0 {
		c.MinWindowLength = 5
	}
	if c.GracePeriod == 0 {
		c.GracePeriod = 10
	}
	return c
}

func (c ADWINConfig) validate() error {
	switch {
	case !(c.Delta > 0) || math.IsInf(c.Delta, 0):
		return modelwatch.Errorf(modelwatch.EInvalid, "ADWIN: delta must be a positive number, got %v", c.Delta)
	case c.Clock < 1:
		return modelwatch.Errorf(modelwatch.EInvalid, "ADWIN: clock must be at least 1, got %d", c.Clock)
	case c.MaxBuckets < 1:
		return modelwatch.Errorf(modelwatch.EInvalid, "ADWIN: max_buckets must be at least 1, got %d", c.MaxBuckets)
	}
	return nil
}

// ADWIN is the adaptive windowing detector of Bifet and Gavaldà (2007) in
// River's ADWIN2 form (river/drift/adwin.py and adwin_c.pyx): it keeps a
// window of recent values compressed into an exponential histogram and
// drops its oldest part whenever two sub-windows W0 (older) and W1 (newer)
// have means further apart than
//
//	ε = sqrt(2·m·(V/W)·δ') + (2/3)·δ'·m,  δ' = ln(2·ln(W)/δ),
//	m = 1/(n0 − mwl + 1) + 1/(n1 − mwl + 1)
//
// where W is the window width, V its sum of squared deviations and mwl the
// minimum window length. Cuts are tested every Clock updates once the width
// exceeds GracePeriod, scanning buckets from the oldest, and repeated until
// none holds. ADWIN has no warning zone.
//
// Every float operation follows River's Cython code, so Width, Total and
// Variance are bit-identical to River's.
type ADWIN struct {
	cfg   ADWINConfig
	mwl   float64 // MinWindowLength as River's double arithmetic sees it
	grace float64

	rows     []adwinRow // rows[i] holds buckets of 2^i values, oldest first
	width    float64
	total    float64
	variance float64
	tick     int
	drift    bool
}

// adwinRow is one row of the exponential histogram: the total and the sum of
// squared deviations of each bucket, oldest first. Rows keep their capacity
// when emptied so that a steady stream allocates nothing.
type adwinRow struct {
	totals    []float64
	variances []float64
}

// NewADWIN returns an ADWIN detector; see ADWINConfig for the defaults.
func NewADWIN(cfg ADWINConfig) (*ADWIN, error) {
	return newADWIN(cfg.withDefaults())
}

func newADWIN(cfg ADWINConfig) (*ADWIN, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	a := &ADWIN{cfg: cfg, mwl: float64(cfg.MinWindowLength), grace: float64(cfg.GracePeriod)}
	a.reset()
	return a, nil
}

// reset empties the window, as River's ADWIN._reset builds a new helper.
func (a *ADWIN) reset() {
	for i := range a.rows {
		a.rows[i].totals = a.rows[i].totals[:0]
		a.rows[i].variances = a.rows[i].variances[:0]
	}
	a.rows = a.rows[:0]
	a.addRow()
	a.width, a.total, a.variance = 0, 0, 0
	a.tick = 0
	a.drift = false
}

// addRow appends an empty row, reusing an old one's storage when there is
// one.
func (a *ADWIN) addRow() {
	if len(a.rows) < cap(a.rows) {
		a.rows = a.rows[:len(a.rows)+1]
		return
	}
	n := a.cfg.MaxBuckets + 1
	if n > 64 {
		n = 64 // a larger row grows on demand
	}
	a.rows = append(a.rows, adwinRow{totals: make([]float64, 0, n), variances: make([]float64, 0, n)})
}

// Update adds x to the window and, every Clock updates, drops the window's
// oldest buckets while a cut holds.
func (a *ADWIN) Update(x float64) {
	if !ValidInput(x) {
		return
	}
	if a.drift {
		a.reset()
	}
	a.insert(x)
	a.drift = a.detect()
}

// DriftDetected reports whether the last Update cut the window.
func (a *ADWIN) DriftDetected() bool { return a.drift }

// Width is the number of values in the window.
func (a *ADWIN) Width() int { return int(a.width) }

// Total is the sum of the values in the window.
func (a *ADWIN) Total() float64 { return a.total }

// Variance is the sum of squared deviations from the mean in the window (not
// divided by the width), River's ADWIN.variance.
func (a *ADWIN) Variance() float64 { return a.variance }

// Estimation is the mean of the window, 0 when it is empty.
func (a *ADWIN) Estimation() float64 {
	if a.width == 0 {
		return 0
	}
	return a.total / a.width
}

// insert appends x as a bucket of one to row 0, updates the window's width,
// total and variance, and merges full rows upwards.
func (a *ADWIN) insert(x float64) {
	r := &a.rows[0]
	r.totals = append(r.totals, x)
	r.variances = append(r.variances, 0)
	a.width++
	inc := 0.0
	if a.width > 1 {
		d := x - a.total/(a.width-1)
		inc = (a.width - 1) * d * d / a.width
	}
	a.variance += inc
	a.total += x
	a.compress()
}

// compress merges the two oldest buckets of every row that holds
// MaxBuckets+1 of them into one bucket of the next row, as River's
// _compress_buckets.
func (a *ADWIN) compress() {
	limit := a.cfg.MaxBuckets
	for idx := 0; len(a.rows[idx].totals) == limit+1; idx++ {
		if idx+1 == len(a.rows) {
			a.addRow()
		}
		r, next := &a.rows[idx], &a.rows[idx+1]
		size := math.Ldexp(1, idx)
		t0, t1 := r.totals[0], r.totals[1]
		mu1, mu2 := t0/size, t1/size
		merged := r.variances[0] + r.variances[1] + float64(size*0.5*(mu1-mu2)*(mu1-mu2))
		next.totals = append(next.totals, t0+t1)
		next.variances = append(next.variances, merged)
		r.totals = r.totals[:copy(r.totals, r.totals[2:])]
		r.variances = r.variances[:copy(r.variances, r.variances[2:])]
		if len(next.totals) <= limit {
			return
		}
	}
}

// detect runs River's _detect_change: on every Clock-th update with more
// than GracePeriod values, scan the cuts from the oldest bucket and drop the
// oldest bucket whenever one holds, until a full scan finds none.
func (a *ADWIN) detect() bool {
	a.tick++
	if a.tick%a.cfg.Clock != 0 || !(a.width > a.grace) {
		return false
	}
	found := false
	for a.scan() {
		found = true
	}
	return found
}

// scan looks for one cut and, when it finds one, deletes the oldest bucket
// and reports true.
func (a *ADWIN) scan() bool {
	// δ' and V/W depend on the window only, which changes only when a cut
	// deletes a bucket, so they are computed once per scan.
	deltaPrime := math.Log(2 * math.Log(a.width) / a.cfg.Delta)
	varPerValue := a.variance / a.width
	n0, n1 := 0.0, a.width
	u0, u1 := 0.0, a.total
	for idx := len(a.rows) - 1; idx >= 0; idx-- {
		r := &a.rows[idx]
		size := math.Ldexp(1, idx)
		for k, t := range r.totals {
			n0 += size
			n1 -= size
			u0 += t
			u1 -= t
			if idx == 0 && k == len(r.totals)-1 {
				return false // the newest bucket: W1 would be empty
			}
			if !(n1 > 0) {
				// Only with MaxBuckets = 1, whose row 0 is always empty: W1 is
				// empty, and River's test (n1 >= mwl) fails unless mwl <= 0.
				return false
			}
			if n1 < a.mwl || n0 < a.mwl {
				continue
			}
			m := 1/(n0-a.mwl+1) + 1/(n1-a.mwl+1)
			eps := math.Sqrt(2*m*varPerValue*deltaPrime) + float64(2.0/3.0*deltaPrime*m)
			if math.Abs(u0/n0-u1/n1) > eps {
				a.deleteOldest()
				return true
			}
		}
	}
	return false
}

// deleteOldest removes the oldest bucket of the window, River's
// _delete_element.
func (a *ADWIN) deleteOldest() {
	last := len(a.rows) - 1
	r := &a.rows[last]
	n := math.Ldexp(1, last)
	u, v := r.totals[0], r.variances[0]
	mu := u / n
	a.width -= n
	a.total -= u
	muWindow := a.total / a.width
	a.variance -= v + n*a.width*(mu-muWindow)*(mu-muWindow)/(n+a.width)
	r.totals = r.totals[:copy(r.totals, r.totals[1:])]
	r.variances = r.variances[:copy(r.variances, r.variances[1:])]
	// River pops the emptied row. With MaxBuckets = 1 a merge empties its row,
	// so the row below can be empty too, and River would next delete from
	// an empty row (corrupting its window); we drop every empty top row.
	for last > 0 && len(a.rows[last].totals) == 0 {
		last--
		a.rows = a.rows[:last+1]
	}
}

// healthy reports whether the state holds no NaN.
func (a *ADWIN) healthy() bool {
	return notNaN(a.width, a.total, a.variance) && a.width >= 0
}
