package report

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/internal/browsertest"
)

// TestRendersInChromium opens the report in a real headless Chromium: no
// console errors, every chart laid out with visible bars. The screenshot
// is kept under $MODELWATCH_ARTIFACTS_DIR when that is set.
func TestRendersInChromium(t *testing.T) {
	b := browsertest.Require(t)
	rep := sampleReport(t, 2000, 21)
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, render(t, rep), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	p, err := b.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetViewport(ctx, 1280, 900); err != nil {
		t.Fatal(err)
	}
	if err := p.Navigate(ctx, "file://"+path); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Rows    int    `json:"rows"`
		Charts  int    `json:"charts"`
		Visible int    `json:"visible"`
		Bars    int    `json:"bars"`
		Verdict string `json:"verdict"`
		Width   int    `json:"width"`
	}
	const probe = `(() => {
		const charts = [...document.querySelectorAll("svg.chart")];
		const visible = charts.filter(c => { const r = c.getBoundingClientRect(); return r.width > 100 && r.height > 50; });
		const bars = [...document.querySelectorAll("svg.chart rect")].filter(r => r.getBoundingClientRect().height > 0.5);
		return {rows: document.querySelectorAll("#columns-table tbody tr").length,
			charts: charts.length, visible: visible.length, bars: bars.length,
			verdict: document.getElementById("verdict").innerText,
			width: document.documentElement.scrollWidth};
	})()`
	if err := p.Eval(ctx, probe, &got); err != nil {
		t.Fatal(err)
	}
	png, err := p.Screenshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.SaveArtifact(t, "drift-report.png", png)
	if probs := p.Problems(); len(probs) > 0 {
		t.Errorf("console errors: %q", probs)
	}
	if got.Rows != len(rep.Columns) {
		t.Errorf("%d table rows, want %d", got.Rows, len(rep.Columns))
	}
	withChart := 0
	for _, c := range rep.Columns {
		if len(c.Histogram.Reference) > 0 {
			withChart++
		}
	}
	if got.Charts != withChart || got.Visible != withChart {
		t.Errorf("%d charts, %d laid out, want %d", got.Charts, got.Visible, withChart)
	}
	if got.Bars < 2*withChart {
		t.Errorf("%d visible bars for %d charts", got.Bars, withChart)
	}
	if got.Verdict == "" {
		t.Error("no verdict text")
	}
	if got.Width > 1280 {
		t.Errorf("page is %d px wide at a 1280 px viewport", got.Width)
	}
}
