package ui

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Chart geometry in SVG user units; the SVG scales to its container.
const (
	chartW     = 720
	chartH     = 190
	plotLeft   = 52
	plotRight  = 12
	plotTop    = 10
	plotBottom = 24
	maxOverRun = 1.5 // a threshold up to this many times the data's maximum is drawn
)

// grid is the time axis of a page's charts: n buckets of width step from
// from.
type grid struct {
	from time.Time
	step time.Duration
	n    int
	span span
}

// to returns the end of the last bucket.
func (g grid) to() time.Time { return g.from.Add(time.Duration(g.n) * g.step) }

// x returns the horizontal position of t.
func (g grid) x(t time.Time) float64 {
	frac := float64(t.Sub(g.from)) / float64(g.to().Sub(g.from))
	return plotLeft + frac*(chartW-plotLeft-plotRight)
}

// bucketWidth returns the width of one bucket.
func (g grid) bucketWidth() float64 { return float64(chartW-plotLeft-plotRight) / float64(g.n) }

// chart is an SVG time-series chart ready for the template.
type chart struct {
	ID, Title, Unit string
	Note            string // shown under the chart
	W, H            int
	PlotX, PlotY    string
	PlotW, PlotH    string
	Bottom          string // y of the x axis
	LabelY          string // y of the x tick labels
	TickEnd         string // y of the end of the x ticks
	MidX, MidY      string // centre of the plot
	PlotEnd         string // x of the plot's right edge
	XTicks, YTicks  []tick
	Bars            []barSet
	Lines           []line
	Rules           []rule
	Marks           []mark
	Hover           []hover
	Legend          []legendItem
	Empty           bool // nothing to draw: the chart says so
}

type tick struct{ Pos, Label string }

type line struct {
	Name, Class, D string
	Dots           []dot // a marker at each value, for sparse series
}

type dot struct{ X, Y string }

type barSet struct {
	Name, Class string
	Rects       []rect
}

type rect struct{ X, Y, W, H string }

// rule is a horizontal threshold line.
type rule struct{ Class, Y, Label string }

// mark is a vertical line at an event.
type mark struct{ Class, X, Title string }

// hover is a transparent column over a bucket whose title is the tooltip.
type hover struct{ X, W, Title string }

type legendItem struct{ Name, Class, Kind string }

// chartBuilder collects a chart's data before it is laid out.
type chartBuilder struct {
	g                  grid
	c                  chart
	lineData           []lineData
	barData            []barData
	ruleData           []ruleData
	markData           []mark
	titles             []string
	fixedMin, fixedMax *float64
	floor              bool // y from a nice value below the data (rates near 1)
}

type lineData struct {
	name, class string
	v           []float64 // NaN: no value
	sparse      bool      // join values across gaps and mark each one
}

type barData struct {
	name, class string
	v           []float64
	stackOn     int // index of the bar set this one stacks on, -1 for none
}

type ruleData struct {
	label, class string
	y            float64
	always       bool // draw it even when far above the data
}

func newChart(g grid, id, title, unit string) *chartBuilder {
	return &chartBuilder{g: g, c: chart{ID: id, Title: title, Unit: unit, W: chartW, H: chartH}}
}

// line adds a line series; NaN values are gaps.
func (b *chartBuilder) line(name, class string, v []float64) *chartBuilder {
	b.lineData = append(b.lineData, lineData{name: name, class: class, v: v})
	return b
}

// sparseLine adds a series of occasional values (one per check run, say):
// the line joins them across the empty buckets and marks each value.
func (b *chartBuilder) sparseLine(name, class string, v []float64) *chartBuilder {
	b.lineData = append(b.lineData, lineData{name: name, class: class, v: v, sparse: true})
	return b
}

// bars adds a bar series; stacked bars go on top of the previous set.
func (b *chartBuilder) bars(name, class string, v []float64, stacked bool) *chartBuilder {
	on := -1
	if stacked && len(b.barData) > 0 {
		on = len(b.barData) - 1
	}
	b.barData = append(b.barData, barData{name, class, v, on})
	return b
}

// rule adds a horizontal threshold. Unless always is set, a threshold far
// above the data is listed under the chart instead of squashing the data.
func (b *chartBuilder) rule(label, class string, y float64, always bool) *chartBuilder {
	if !math.IsNaN(y) {
		b.ruleData = append(b.ruleData, ruleData{label, class, y, always})
	}
	return b
}

// mark adds a vertical line at t when t is on the chart.
func (b *chartBuilder) mark(t time.Time, class, title string) *chartBuilder {
	if !t.Before(b.g.from) && t.Before(b.g.to()) {
		b.markData = append(b.markData, mark{Class: class, X: f1(b.g.x(t)), Title: title})
	}
	return b
}

// yRange fixes the vertical range.
func (b *chartBuilder) yRange(lo, hi float64) *chartBuilder {
	b.fixedMin, b.fixedMax = &lo, &hi
	return b
}

// rate makes the vertical range end at 1 and start at a round value below
// the data and the thresholds.
func (b *chartBuilder) rate() *chartBuilder {
	b.floor = true
	return b
}

// tooltips sets one tooltip per bucket.
func (b *chartBuilder) tooltips(titles []string) *chartBuilder {
	b.titles = titles
	return b
}

// note sets the text under the chart.
func (b *chartBuilder) note(s string) *chartBuilder {
	b.c.Note = s
	return b
}

// dataRange returns the smallest and largest value of the series (bars
// stacked), and whether there is any.
func (b *chartBuilder) dataRange() (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	see := func(v float64) {
		if !math.IsNaN(v) {
			lo, hi, ok = min(lo, v), max(hi, v), true
		}
	}
	for _, l := range b.lineData {
		for _, v := range l.v {
			see(v)
		}
	}
	for i := range b.barData {
		for j, v := range b.barData[i].v {
			if v > 0 { // no bar is no data
				see(b.stackTop(i, j))
			}
		}
	}
	return lo, hi, ok
}

// stackTop returns the top of bar j of set i, sets below included.
func (b *chartBuilder) stackTop(i, j int) float64 {
	v := b.barData[i].v[j]
	if math.IsNaN(v) {
		v = 0
	}
	if on := b.barData[i].stackOn; on >= 0 {
		v += b.stackTop(on, j)
	}
	return v
}

// build lays the chart out.
func (b *chartBuilder) build() chart {
	c := b.c
	lo, hi, ok := b.dataRange()
	c.Empty = !ok
	var off []string
	ymin, ymax := 0.0, hi
	if !ok {
		ymax = 1
	}
	for _, r := range b.ruleData {
		if r.always || !ok || r.y <= hi*maxOverRun {
			ymax = max(ymax, r.y)
			lo = min(lo, r.y)
		} else {
			off = append(off, r.label)
		}
	}
	switch {
	case b.fixedMin != nil:
		ymin, ymax = *b.fixedMin, *b.fixedMax
	case b.floor:
		ymax = 1
		ymin = 0
		if ok && lo > 0.2 {
			ymin = math.Floor((lo-0.05)*10) / 10
		}
	}
	if ymax <= ymin {
		ymax = ymin + 1
	}
	step := niceStep((ymax - ymin) / 4)
	if !b.floor && b.fixedMax == nil {
		ymax = math.Ceil(ymax/step-1e-9) * step
	}
	plotH := float64(chartH - plotTop - plotBottom)
	y := func(v float64) float64 { return plotTop + plotH*(1-(v-ymin)/(ymax-ymin)) }
	c.PlotX, c.PlotY = f1(plotLeft), f1(plotTop)
	c.PlotW, c.PlotH = f1(chartW-plotLeft-plotRight), f1(plotH)
	c.Bottom, c.LabelY, c.TickEnd = f1(plotTop+plotH), f1(chartH-6), f1(plotTop+plotH+4)
	c.PlotEnd = f1(chartW - plotRight)
	c.MidX, c.MidY = f1(plotLeft+(chartW-plotLeft-plotRight)/2.0), f1(plotTop+plotH/2)
	for v := math.Ceil(ymin/step-1e-9) * step; v <= ymax+step*1e-9; v += step {
		c.YTicks = append(c.YTicks, tick{Pos: f1(y(v)), Label: axisNumber(v, step)})
	}
	for t := b.g.from.Truncate(b.g.span.Tick); t.Before(b.g.to()); t = t.Add(b.g.span.Tick) {
		if !t.Before(b.g.from) {
			c.XTicks = append(c.XTicks, tick{Pos: f1(b.g.x(t)), Label: t.Format(b.g.span.TickFormat)})
		}
	}
	bw := b.g.bucketWidth()
	for i, bd := range b.barData {
		set := barSet{Name: bd.name, Class: bd.class}
		for j, v := range bd.v {
			if math.IsNaN(v) || v <= 0 {
				continue
			}
			top := b.stackTop(i, j)
			x := plotLeft + float64(j)*bw + bw*0.1
			set.Rects = append(set.Rects, rect{X: f1(x), Y: f1(y(top)), W: f1(max(bw*0.8, 0.5)), H: f1(y(top-v) - y(top))})
		}
		c.Bars = append(c.Bars, set)
		c.Legend = append(c.Legend, legendItem{Name: bd.name, Class: bd.class, Kind: "bar"})
	}
	for _, ld := range b.lineData {
		l := line{Name: ld.name, Class: ld.class}
		if ld.sparse {
			for j, v := range ld.v {
				if !math.IsNaN(v) {
					l.Dots = append(l.Dots, dot{X: f1(plotLeft + (float64(j)+0.5)*bw), Y: f1(y(v))})
				}
			}
			if len(l.Dots) > 0 {
				l.D = "M" + l.Dots[0].X + " " + l.Dots[0].Y
				for _, d := range l.Dots[1:] {
					l.D += "L" + d.X + " " + d.Y
				}
				if len(l.Dots) == 1 {
					l.D += "h0.1"
				}
			}
		} else {
			l.D = path(ld.v, bw, y)
		}
		c.Lines = append(c.Lines, l)
		c.Legend = append(c.Legend, legendItem{Name: ld.name, Class: ld.class, Kind: "line"})
	}
	for _, r := range b.ruleData {
		if !r.always && ok && r.y > hi*maxOverRun {
			continue
		}
		ry := y(r.y)
		c.Rules = append(c.Rules, rule{Class: r.class, Y: f1(ry), Label: r.label})
		c.Legend = append(c.Legend, legendItem{Name: r.label, Class: r.class, Kind: "rule"})
	}
	c.Marks = b.markData
	for j, title := range b.titles {
		c.Hover = append(c.Hover, hover{X: f1(plotLeft + float64(j)*bw), W: f1(bw), Title: title})
	}
	if len(off) > 0 {
		note := "Off the scale: " + strings.Join(off, "; ") + "."
		if c.Note != "" {
			note = c.Note + " " + note
		}
		c.Note = note
	}
	return c
}

// path draws values at bucket centres, breaking the line at NaN; an
// isolated value is a dot.
func path(v []float64, bw float64, y func(float64) float64) string {
	var sb strings.Builder
	prev := false
	for j, val := range v {
		if math.IsNaN(val) {
			prev = false
			continue
		}
		x := plotLeft + (float64(j)+0.5)*bw
		cmd := "L"
		if !prev {
			cmd = "M"
		}
		sb.WriteString(cmd + f1(x) + " " + f1(y(val)))
		next := j+1 < len(v) && !math.IsNaN(v[j+1])
		if !prev && !next {
			sb.WriteString("h0.1")
		}
		prev = true
	}
	return sb.String()
}

// niceStep rounds a tick step up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= raw*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// axisNumber formats a tick value with as many decimals as its step needs.
func axisNumber(v, step float64) string {
	if math.Abs(v) < step*1e-6 {
		v = 0
	}
	if math.Abs(v) >= 10000 {
		return compact(v)
	}
	dec := 0
	for s := step; dec < 4 && math.Abs(s-math.Round(s)) > 1e-9; s *= 10 {
		dec++
	}
	return strconv.FormatFloat(v, 'f', dec, 64)
}

// f1 formats an SVG coordinate.
func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
