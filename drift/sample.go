package drift

import (
	"math"
	"strconv"
)

// numSample is a cleaned numerical sample: its finite values, sorted, with
// the summaries the tests share. NaN and ±Inf are dropped, each side on its
// own, as Evidently drops NaN (we also drop infinities; see the package
// documentation).
type numSample struct {
	sorted   []float64 // finite values, ascending
	std      float64   // population standard deviation, np.std (reference only)
	distinct int       // number of distinct values (reference only)
	seq      []float64 // finite values in input order, for ordered tests
	missing  int       // number of dropped values
}

// newNumSample cleans values into dst (reused when large enough). With
// keepOrder the input-order values are kept in seq (a separate copy). With
// summary it also computes the standard deviation and the number of
// distinct values, which the tests need of the reference only.
func newNumSample(values []float64, keepOrder, summary bool, dst []float64, s *scratch) *numSample {
	if cap(dst) < len(values) {
		dst = make([]float64, 0, len(values))
	}
	dst = dst[:0]
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			dst = append(dst, v)
		}
	}
	ns := &numSample{sorted: dst, missing: len(values) - len(dst)}
	if len(dst) == 0 {
		return ns
	}
	if keepOrder {
		ns.seq = append([]float64(nil), dst...)
	}
	if !summary {
		sortFloats(dst, s)
		return ns
	}
	// np.std sums in input order, so compute it before sorting.
	ns.std = math.Sqrt(populationVariance(dst, s.floatBuf(len(dst))))
	sortFloats(dst, s)
	ns.distinct = 1
	for i := 1; i < len(dst); i++ {
		if dst[i] != dst[i-1] {
			ns.distinct++
		}
	}
	return ns
}

// n returns the number of finite values.
func (ns *numSample) n() int { return len(ns.sorted) }

// catSample is a cleaned categorical sample: the categories present and
// their counts.
type catSample struct {
	labels  []string // categories with a positive count, in first-seen order
	counts  []int
	n       int
	numeric bool             // labels are numbers (Column.NumericLevels)
	seq     []int32          // label index per non-missing row, for ordered tests
	index   map[string]int32 // label -> index
	missing int
}

// newCatSample counts a categorical column.
func newCatSample(c Column, keepOrder bool) *catSample {
	perCode := make([]int, len(c.Levels))
	missing := 0
	for _, code := range c.Codes {
		if code < 0 {
			missing++
			continue
		}
		perCode[code]++
	}
	cs := &catSample{numeric: c.NumericLevels, index: make(map[string]int32), missing: missing}
	remap := make([]int32, len(c.Levels))
	for code, cnt := range perCode {
		remap[code] = -1
		if cnt == 0 {
			continue
		}
		label := c.Levels[code]
		idx, ok := cs.index[label]
		if !ok {
			idx = int32(len(cs.labels))
			cs.index[label] = idx
			cs.labels = append(cs.labels, label)
			cs.counts = append(cs.counts, 0)
		}
		cs.counts[idx] += cnt
		cs.n += cnt
		remap[code] = idx
	}
	if keepOrder {
		cs.seq = make([]int32, 0, cs.n)
		for _, code := range c.Codes {
			if code >= 0 {
				cs.seq = append(cs.seq, remap[code])
			}
		}
	}
	return cs
}

// pair is a reference and a current sample of one column, the input of
// every test.
type pair struct {
	typ        ColumnType
	ref, cur   *numSample // numerical columns
	cref, ccur *catSample // categorical columns
	s          *scratch
	disc       *discrete
}

// discrete is the union of the observed values of both samples with their
// counts: the view of every test that works on category frequencies. For a
// numerical column the keys are the distinct values, ascending.
type discrete struct {
	labels     []string  // categorical: union of labels, reference first
	values     []float64 // numerical: union of distinct values, ascending
	numeric    bool      // categorical labels are numbers
	ref, cur   []float64 // counts per key
	nref, ncur int
	curIndex   []int32 // categorical: current label index -> key index
}

// keys returns the number of keys.
func (d *discrete) keys() int { return len(d.ref) }

// discrete builds (once) the union view of the pair.
func (p *pair) discrete() *discrete {
	if p.disc != nil {
		return p.disc
	}
	d := &discrete{}
	if p.typ == Numerical {
		a, b := p.ref.sorted, p.cur.sorted
		d.nref, d.ncur = len(a), len(b)
		i, j := 0, 0
		for i < len(a) || j < len(b) {
			var v float64
			if j >= len(b) || (i < len(a) && a[i] <= b[j]) {
				v = a[i]
			} else {
				v = b[j]
			}
			ci, cj := 0, 0
			for i < len(a) && a[i] == v {
				i++
				ci++
			}
			for j < len(b) && b[j] == v {
				j++
				cj++
			}
			d.values = append(d.values, v)
			d.ref = append(d.ref, float64(ci))
			d.cur = append(d.cur, float64(cj))
		}
	} else {
		r, c := p.cref, p.ccur
		d.nref, d.ncur = r.n, c.n
		d.numeric = r.numeric && c.numeric
		d.labels = append(d.labels, r.labels...)
		for _, cnt := range r.counts {
			d.ref = append(d.ref, float64(cnt))
		}
		d.cur = make([]float64, len(d.labels), len(d.labels)+len(c.labels))
		d.curIndex = make([]int32, len(c.labels))
		for ci, label := range c.labels {
			k, ok := r.index[label]
			if !ok {
				k = int32(len(d.labels))
				d.labels = append(d.labels, label)
				d.ref = append(d.ref, 0)
				d.cur = append(d.cur, 0)
			}
			d.cur[k] += float64(c.counts[ci])
			d.curIndex[ci] = k
		}
	}
	p.disc = d
	return d
}

// distinctUnion returns the number of distinct values of both samples
// together, pd.concat([ref, cur]).nunique().
func (p *pair) distinctUnion() int { return p.distinctUnionUpTo(math.MaxInt) }

// distinctUnionUpTo is distinctUnion, but it stops counting (and returns
// limit+1) once there are more than limit values.
func (p *pair) distinctUnionUpTo(limit int) int {
	if p.typ == Categorical {
		return p.discrete().keys()
	}
	if p.disc != nil {
		return p.disc.keys()
	}
	a, b := p.ref.sorted, p.cur.sorted
	n := 0
	i, j := 0, 0
	for (i < len(a) || j < len(b)) && n <= limit {
		var v float64
		if j >= len(b) || (i < len(a) && a[i] <= b[j]) {
			v = a[i]
		} else {
			v = b[j]
		}
		for i < len(a) && a[i] == v {
			i++
		}
		for j < len(b) && b[j] == v {
			j++
		}
		n++
	}
	return n
}

// firstKey returns the index of the smallest key, sorted(keys)[0] in
// Python: numbers numerically, strings by code point.
func (d *discrete) firstKey() int {
	if d.values != nil {
		return 0
	}
	best := 0
	if d.numeric {
		bv := math.Inf(1)
		for i, l := range d.labels {
			v, err := strconv.ParseFloat(l, 64)
			if err != nil {
				return d.firstLabel()
			}
			if i == 0 || v < bv {
				best, bv = i, v
			}
		}
		return best
	}
	return d.firstLabel()
}

// firstLabel returns the index of the smallest label as a string.
func (d *discrete) firstLabel() int {
	best := 0
	for i, l := range d.labels {
		if l < d.labels[best] {
			best = i
		}
	}
	return best
}
