package report

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/modelwatch/modelwatch/drift"
)

//go:embed assets/report.html.tmpl assets/report.css
var assets embed.FS

// Meta describes the compared data for the page header.
type Meta struct {
	// Title is the page title; empty means "Data drift report".
	Title string
	// Reference and Current name the two datasets (file names, windows).
	Reference, Current string
	// ReferenceRows and CurrentRows are the row counts, shown when set.
	ReferenceRows, CurrentRows int
	// Generated is shown as the time of the report when not zero.
	Generated time.Time
}

// page is the template's data.
type page struct {
	Title, Reference, Current  string
	ReferenceRows, CurrentRows int
	Generated                  string
	CSS                        template.CSS
	DatasetDrift               bool
	DriftShare                 string
	DriftSharePercent          string
	Columns, Drifted           int
	NotComputable              int
	Share, SharePercent        string
	Rows                       []row
}

// row is one column of the table.
type row struct {
	Name, Type              string
	TestName, TestKey, Rule string
	Threshold, Score, Kind  string
	Class, Verdict, Reason  string
	Missing                 string
	Chart                   *chart
	drifted, computable     bool
	order                   int
}

// WriteHTML writes the report as a self-contained HTML page.
func WriteHTML(w io.Writer, rep drift.Report, meta Meta) error {
	tmpl, err := template.New("report.html.tmpl").ParseFS(assets, "assets/report.html.tmpl")
	if err != nil {
		return fmt.Errorf("parse report template: %w", err)
	}
	css, err := assets.ReadFile("assets/report.css")
	if err != nil {
		return fmt.Errorf("read report stylesheet: %w", err)
	}
	p := build(rep, meta)
	p.CSS = template.CSS(css)
	if err := tmpl.Execute(w, p); err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	return nil
}

// build turns a drift report into the page's data.
func build(rep drift.Report, meta Meta) page {
	p := page{
		Title:             meta.Title,
		Reference:         meta.Reference,
		Current:           meta.Current,
		ReferenceRows:     meta.ReferenceRows,
		CurrentRows:       meta.CurrentRows,
		DatasetDrift:      rep.DatasetDrift,
		DriftShare:        formatNumber(rep.DriftShare),
		DriftSharePercent: percent(rep.DriftShare),
		Columns:           rep.NumberOfColumns,
		Drifted:           rep.NumberOfDriftedColumns,
		Share:             strconv.FormatFloat(rep.ShareOfDriftedColumns, 'f', 3, 64),
		SharePercent:      percent(rep.ShareOfDriftedColumns),
	}
	if p.Title == "" {
		p.Title = "Data drift report"
	}
	if !meta.Generated.IsZero() {
		p.Generated = meta.Generated.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	for i, c := range rep.Columns {
		r := columnRow(c)
		r.order = i
		if !r.computable {
			p.NotComputable++
		}
		p.Rows = append(p.Rows, r)
	}
	// Drifted columns first, then the others, not computable ones last;
	// input order within each group.
	rank := func(r row) int {
		switch {
		case r.drifted:
			return 0
		case r.computable:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(p.Rows, func(a, b row) int { return rank(a) - rank(b) })
	return p
}

// columnRow formats one column.
func columnRow(c drift.ColumnResult) row {
	r := row{
		Name:      c.ColumnName,
		Type:      typeName(c.ColumnType),
		TestName:  c.TestName(),
		TestKey:   c.StatTest,
		Threshold: formatNumber(c.StatTestThreshold),
		Kind:      kindName(c.ScoreKind),
		Reason:    c.Reason,
		drifted:   c.DriftDetected,
	}
	if t, ok := drift.LookupTest(c.StatTest); ok {
		r.Rule = "drift if " + t.Rule
	}
	score, ok := c.Score()
	r.computable = ok
	switch {
	case !ok:
		r.Score, r.Class, r.Verdict = "—", "unknown", "Not computable"
	case c.DriftDetected:
		r.Score, r.Class, r.Verdict = formatScore(score), "drifted", "Detected"
	default:
		r.Score, r.Class, r.Verdict = formatScore(score), "stable", "Not detected"
	}
	h := c.Histogram
	r.Chart = newChart(c.ColumnName, h)
	r.Missing = missingText(h)
	return r
}

func typeName(t drift.ColumnType) string {
	switch t {
	case drift.Numerical:
		return "num"
	case drift.Categorical:
		return "cat"
	}
	return string(t)
}

func kindName(k drift.ScoreKind) string {
	switch k {
	case drift.PValue:
		return "p-value"
	case drift.Distance:
		return "distance"
	}
	return ""
}

// formatScore shows six significant digits.
func formatScore(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

// formatNumber shows a number as briefly as it round-trips.
func formatNumber(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func percent(v float64) string { return strconv.FormatFloat(100*v, 'f', -1, 64) + "%" }

// missingText describes the missing values of both samples.
func missingText(h drift.Histogram) string {
	if h.ReferenceMissing == 0 && h.CurrentMissing == 0 {
		return ""
	}
	return fmt.Sprintf("missing: %s of reference, %s of current",
		share(h.ReferenceMissing, h.ReferenceMissing+sum(h.Reference)),
		share(h.CurrentMissing, h.CurrentMissing+sum(h.Current)))
}

func share(part, whole int) string {
	if whole == 0 {
		return "0%"
	}
	return strconv.FormatFloat(100*float64(part)/float64(whole), 'f', 1, 64) + "%"
}

func sum(v []int) int {
	s := 0
	for _, x := range v {
		s += x
	}
	return s
}
