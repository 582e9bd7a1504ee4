package drift

import (
	"fmt"
	"math"
)

// configure binds a reference column to its configured test and threshold.
func configure(c Column, opts Options) *refColumn {
	rc := &refColumn{name: c.Name, typ: c.Type, invalid: c.Invalid, input: c}
	if key := opts.testKey(c.Name, c.Type); key != "" {
		t, _ := lookup(key) // Options.validate has checked the key
		rc.test = t
		if !t.applies(c.Type) {
			rc.reason = fmt.Sprintf("stattest %q does not apply to %s columns (Evidently raises an error)", key, typeWord(c.Type))
		}
	}
	rc.threshold, rc.hasThr = opts.threshold(c.Name, c.Type)
	return rc
}

// load builds the column's sample. With own the sample owns its memory
// (a prepared Reference); without, it borrows the worker's scratch space.
func (rc *refColumn) load(s *scratch, own bool) {
	if rc.invalid != "" {
		return
	}
	keep := rc.test != nil && rc.test.ordered
	switch rc.typ {
	case Numerical:
		var dst []float64
		if !own {
			dst = s.refBuf
		}
		rc.num = newNumSample(rc.input.Numbers, keep, true, dst, s)
		if !own {
			s.refBuf = rc.num.sorted[:0]
		}
	case Categorical:
		rc.cat = newCatSample(rc.input, keep)
	}
}

// compare computes one column's result against the current column c
// (found reports whether current has the column at all).
func (rc *refColumn) compare(c Column, found bool, s *scratch) ColumnResult {
	res := ColumnResult{ColumnName: rc.name, ColumnType: rc.typ}
	p := &pair{typ: rc.typ, s: s, ref: rc.num, cref: rc.cat}
	keep := rc.test != nil && rc.test.ordered
	switch {
	case rc.invalid != "":
		return rc.fail(res, nil, "reference: "+rc.invalid)
	case !found:
		return rc.fail(res, p, "the column is missing from the current dataset")
	case c.Invalid != "":
		rc.attachCurrent(p, Column{Type: rc.typ}, keep)
		return rc.fail(res, p, "current: "+c.Invalid)
	case rc.typ == Numerical && c.Type != Numerical:
		return rc.fail(res, p, "the current column is categorical but the reference column is numerical (Evidently raises an error)")
	}
	if rc.typ == Categorical && c.Type == Numerical {
		c = c.asCategorical()
	}
	rc.attachCurrent(p, c, keep)
	res.Histogram = histogram(p)
	if rc.reason != "" {
		return rc.fail(res, p, rc.reason)
	}
	nref, ncur := p.sizes()
	if nref == 0 {
		return rc.fail(res, p, "the reference column has no values once missing values are dropped")
	}
	if ncur == 0 {
		return rc.fail(res, p, "the current column has no values once missing values are dropped")
	}
	t := rc.chooseTest(p)
	rc.describe(&res, t)
	score, err := t.run(p)
	switch {
	case err != nil:
		res.Reason = err.Error()
	case math.IsNaN(score):
		res.Reason = "the score is undefined (NaN)"
	case math.IsInf(score, 0):
		res.Reason = "the score overflows float64 (the values are too large for this test)"
	default:
		res.DriftScore = &score
		res.DriftDetected = t.verdict(score, res.StatTestThreshold)
	}
	return res
}

// attachCurrent builds the current sample of the pair.
func (rc *refColumn) attachCurrent(p *pair, c Column, keep bool) {
	if rc.typ == Numerical {
		p.cur = newNumSample(c.Numbers, keep, false, p.s.curBuf, p.s)
		p.s.curBuf = p.cur.sorted[:0]
		return
	}
	p.ccur = newCatSample(c, keep)
}

// chooseTest returns the configured test or Evidently's default.
func (rc *refColumn) chooseTest(p *pair) *stattest {
	if rc.test != nil {
		return rc.test
	}
	nref, _ := p.sizes()
	var nvalues int
	switch {
	case p.ready():
		nvalues = p.distinctUnionUpTo(5) // DefaultTest only tells 2, 5 and more apart
	case p.ref != nil:
		nvalues = p.ref.distinct
	case p.cref != nil:
		nvalues = len(p.cref.labels)
	}
	t, _ := lookup(DefaultTest(rc.typ, nref, nvalues))
	return t
}

// describe fills the test fields of a result.
func (rc *refColumn) describe(res *ColumnResult, t *stattest) {
	res.StatTest = t.Key
	res.ScoreKind = t.Kind
	res.StatTestThreshold = t.DefaultThreshold
	if rc.hasThr {
		res.StatTestThreshold = rc.threshold
	}
}

// fail returns a not-computable result: no score, no drift, a reason. The
// test fields still name the test that was (or would have been) used.
func (rc *refColumn) fail(res ColumnResult, p *pair, reason string) ColumnResult {
	if p == nil {
		p = &pair{typ: rc.typ}
	}
	rc.describe(&res, rc.chooseTest(p))
	res.DriftScore = nil
	res.DriftDetected = false
	res.Reason = reason
	return res
}

// sizes returns the numbers of non-missing reference and current values
// (zero for a side that is not loaded).
func (p *pair) sizes() (int, int) {
	var nref, ncur int
	if p.typ == Numerical {
		if p.ref != nil {
			nref = p.ref.n()
		}
		if p.cur != nil {
			ncur = p.cur.n()
		}
		return nref, ncur
	}
	if p.cref != nil {
		nref = p.cref.n
	}
	if p.ccur != nil {
		ncur = p.ccur.n
	}
	return nref, ncur
}

// ready reports whether both samples are loaded.
func (p *pair) ready() bool {
	if p.typ == Numerical {
		return p.ref != nil && p.cur != nil
	}
	return p.cref != nil && p.ccur != nil
}

// typeWord names a column type in messages.
func typeWord(t ColumnType) string {
	if t == Categorical {
		return "categorical"
	}
	return "numerical"
}
