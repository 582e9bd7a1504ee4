package report

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/modelwatch/modelwatch/drift"
)

// Chart geometry, in pixels.
const (
	chartWidth  = 260
	chartHeight = 92
	plotHeight  = 70
)

// chart is a small grouped bar chart of both samples' shares per bin.
type chart struct {
	Width, Height int
	Base, TextY   int
	Label         string
	Left, Right   string
	Bins          []bin
}

// bin is one pair of bars.
type bin struct {
	Title            string
	W                string
	RefX, RefY, RefH string
	CurX, CurY, CurH string
}

// newChart draws a histogram; nil when there is nothing to draw.
func newChart(name string, h drift.Histogram) *chart {
	n := len(h.Reference)
	if n == 0 || len(h.Current) != n {
		return nil
	}
	refTotal, curTotal := sum(h.Reference), sum(h.Current)
	shareOf := func(c, total int) float64 {
		if total == 0 {
			return 0
		}
		return float64(c) / float64(total)
	}
	top := 0.0
	for i := range n {
		top = max(top, shareOf(h.Reference[i], refTotal), shareOf(h.Current[i], curTotal))
	}
	if top == 0 {
		top = 1
	}
	c := &chart{Width: chartWidth, Height: chartHeight, Base: plotHeight + 2, TextY: chartHeight - 4}
	slot := float64(chartWidth) / float64(n)
	w := slot * 0.42
	for i := range n {
		rs, cs := shareOf(h.Reference[i], refTotal), shareOf(h.Current[i], curTotal)
		rh, ch := plotHeight*rs/top, plotHeight*cs/top
		x := slot*float64(i) + slot*0.08
		b := bin{
			W:    px(w),
			RefX: px(x), RefY: px(float64(c.Base) - rh), RefH: px(rh),
			CurX: px(x + w), CurY: px(float64(c.Base) - ch), CurH: px(ch),
		}
		b.Title = fmt.Sprintf("%s: reference %s (%d), current %s (%d)",
			binName(h, i), pct(rs), h.Reference[i], pct(cs), h.Current[i])
		c.Bins = append(c.Bins, b)
	}
	if len(h.Edges) == n+1 {
		c.Left, c.Right = short(h.Edges[0]), short(h.Edges[n])
		c.Label = fmt.Sprintf("Histogram of %s from %s to %s", name, c.Left, c.Right)
	} else {
		c.Left = clip(h.Labels[0], 24)
		c.Right = fmt.Sprintf("%d categories", n)
		if h.Other {
			c.Right = fmt.Sprintf("top %d categories", n-1)
		}
		c.Label = fmt.Sprintf("Category shares of %s", name)
	}
	return c
}

// binName names bin i: its interval or its category.
func binName(h drift.Histogram, i int) string {
	if len(h.Edges) == len(h.Reference)+1 {
		closing := ")"
		if i == len(h.Reference)-1 {
			closing = "]"
		}
		return "[" + short(h.Edges[i]) + ", " + short(h.Edges[i+1]) + closing
	}
	if h.Other && i == len(h.Labels)-1 {
		return "other categories"
	}
	return clip(h.Labels[i], 60)
}

func px(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func pct(v float64) string { return strconv.FormatFloat(100*v, 'f', 1, 64) + "%" }

func short(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

// clip shortens a label to n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
