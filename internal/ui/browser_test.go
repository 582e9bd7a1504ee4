package ui

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelwatch/modelwatch/internal/browsertest"
)

var screenshots = flag.Bool("screenshots", false, "rewrite docs/images/ui-overview.png and ui-model.png from the browser test")

// TestPagesInChromium opens the UI of a simulated fortnight in a real
// headless Chromium: both pages load without console errors, every chart
// has drawn series, and clicking through from the overview to a model
// version and on to a drift report works. Screenshots are kept under
// $MODELWATCH_ARTIFACTS_DIR, and written to docs/images with -screenshots.
func TestPagesInChromium(t *testing.T) {
	b := browsertest.Require(t)
	srv, _ := scenario(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p, err := b.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SetViewport(ctx, 1440, 520); err != nil {
		t.Fatal(err)
	}
	if err := p.Navigate(ctx, srv.URL+"/"); err != nil {
		t.Fatal(err)
	}
	var overview struct {
		Rows    []string `json:"rows"`
		Health  []string `json:"health"`
		Links   int      `json:"links"`
		Styled  bool     `json:"styled"`
		Reports int      `json:"reports"`
	}
	const probeOverview = `(() => {
		const rows = [...document.querySelectorAll("table.models tbody tr")];
		return {
			rows: rows.map(r => r.cells[1].innerText + " " + r.cells[2].innerText),
			health: rows.map(r => r.className),
			links: document.querySelectorAll("a.model-link").length,
			styled: getComputedStyle(document.querySelector("header.top")).display === "flex",
			reports: document.querySelectorAll("a.badge[href$='/report']").length,
		};
	})()`
	if err := p.Eval(ctx, probeOverview, &overview); err != nil {
		t.Fatal(err)
	}
	shot(ctx, t, p, "ui-overview.png")
	if probs := p.Problems(); len(probs) > 0 {
		t.Errorf("overview: console errors: %q", probs)
	}
	if len(overview.Rows) != 4 || overview.Links != 4 {
		t.Fatalf("overview rows = %q (%d links), want the 4 model versions", overview.Rows, overview.Links)
	}
	if overview.Rows[0] != "churn-predictor v2" || overview.Health[0] != "health-bad" {
		t.Errorf("first row = %s (%s), want the drifting churn-predictor v2 first and unhealthy", overview.Rows[0], overview.Health[0])
	}
	if !overview.Styled {
		t.Error("the stylesheet did not apply")
	}
	if overview.Reports < 2 {
		t.Errorf("%d data-drift verdicts link to their reports, want at least 2", overview.Reports)
	}

	if err := p.SetViewport(ctx, 1440, 900); err != nil {
		t.Fatal(err)
	}
	if err := click(ctx, p, `a.model-link[href="/ui/models/churn-predictor/versions/v2"]`); err != nil {
		t.Fatal(err)
	}
	var version struct {
		Path   string `json:"path"`
		Charts []struct {
			ID     string `json:"id"`
			Width  int    `json:"width"`
			Series int    `json:"series"`
			Bars   int    `json:"bars"`
			Rules  int    `json:"rules"`
			Marks  int    `json:"marks"`
			Empty  bool   `json:"empty"`
		} `json:"charts"`
		Runs, Reports, Events, Review int
	}
	const probeVersion = `(() => {
		const charts = [...document.querySelectorAll("figure.chart-box")].map(f => ({
			id: f.id,
			width: Math.round(f.querySelector("svg.chart").getBoundingClientRect().width),
			series: [...f.querySelectorAll("path.series")].filter(s => s.getTotalLength() > 0 && s.getBoundingClientRect().height + s.getBoundingClientRect().width > 0).length,
			bars: [...f.querySelectorAll("g.bars rect")].filter(r => r.getBoundingClientRect().height > 0.3).length,
			rules: f.querySelectorAll("line.rule").length,
			marks: f.querySelectorAll("line.mark").length,
			empty: !!f.querySelector("text.nodata"),
		}));
		return {path: location.pathname, charts,
			Runs: document.querySelectorAll("#runs tbody tr").length,
			Reports: document.querySelectorAll("#runs a.report-link").length,
			Events: document.querySelectorAll("#events tbody tr").length,
			Review: document.querySelectorAll("#review tbody tr").length};
	})()`
	if err := p.Eval(ctx, probeVersion, &version); err != nil {
		t.Fatal(err)
	}
	shot(ctx, t, p, "ui-model.png")
	if probs := p.Problems(); len(probs) > 0 {
		t.Errorf("model version page: console errors: %q", probs)
	}
	if version.Path != "/ui/models/churn-predictor/versions/v2" {
		t.Fatalf("the click led to %s", version.Path)
	}
	if len(version.Charts) != 10 {
		t.Errorf("%d charts, want 10", len(version.Charts))
	}
	for _, c := range version.Charts {
		wantSeries := map[string]int{"chart-volume": 1, "chart-quality": 4, "chart-classes": 0}[c.ID]
		if strings.HasPrefix(c.ID, "chart-latency-") {
			wantSeries = 3
		}
		if wantSeries == 0 && c.ID != "chart-classes" {
			wantSeries = 1
		}
		if c.Empty || c.Series < wantSeries || c.Width < 300 {
			t.Errorf("%s: %d drawn series (want %d), %d px wide, empty %v", c.ID, c.Series, wantSeries, c.Width, c.Empty)
		}
		switch c.ID {
		case "chart-volume", "chart-classes":
			if c.Bars < 100 {
				t.Errorf("%s: %d visible bars, want one or more per hour of the week", c.ID, c.Bars)
			}
		case "chart-quality":
			if c.Rules != 3 || c.Marks == 0 {
				t.Errorf("quality chart: %d thresholds (want baseline, drift and alert), %d detector marks (want some)", c.Rules, c.Marks)
			}
		case "chart-drift", "chart-confidence":
			if c.Rules < 1 {
				t.Errorf("%s: no threshold drawn", c.ID)
			}
		}
	}
	if version.Runs != 8 || version.Reports == 0 || version.Events == 0 || version.Review != 8 {
		t.Errorf("tables: %d runs (%d with reports), %d detector events, %d to review; want 8 runs, some reports and events, 8 to review",
			version.Runs, version.Reports, version.Events, version.Review)
	}

	if err := click(ctx, p, "#runs a.report-link"); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Title   string `json:"title"`
		Verdict string `json:"verdict"`
		Rows    int    `json:"rows"`
	}
	if err := p.Eval(ctx, `({title: document.title, verdict: (document.getElementById("verdict") || {}).innerText || "", rows: document.querySelectorAll("#columns-table tbody tr").length})`, &rep); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rep.Title, "Data drift: churn-predictor v2") || rep.Verdict == "" || rep.Rows != 4 {
		t.Errorf("report link led to title %q, verdict %q, %d column rows; want the churn-predictor v2 report of 4 columns", rep.Title, rep.Verdict, rep.Rows)
	}
	if probs := p.Problems(); len(probs) > 0 {
		t.Errorf("report: console errors: %q", probs)
	}
}

// click clicks the first element matching selector and waits until the
// page it leads to has loaded.
func click(ctx context.Context, p *browsertest.Page, selector string) error {
	var before string
	if err := p.Eval(ctx, "location.href", &before); err != nil {
		return err
	}
	var ok bool
	expr := fmt.Sprintf(`(() => { const a = document.querySelector(%q); if (!a) return false; a.click(); return true; })()`, selector)
	if err := p.Eval(ctx, expr, &ok); err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("nothing matches %s", selector)
	}
	for {
		var state struct {
			Href  string `json:"href"`
			Ready string `json:"ready"`
		}
		// Evaluation fails while the old document is torn down; try again.
		if err := p.Eval(ctx, `({href: location.href, ready: document.readyState})`, &state); err == nil && state.Href != before && state.Ready == "complete" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("click %s: waiting for the next page: %w", selector, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// shot saves a screenshot as an artifact and, with -screenshots, into the
// documentation.
func shot(ctx context.Context, t *testing.T, p *browsertest.Page, name string) {
	t.Helper()
	png, err := p.Screenshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.SaveArtifact(t, name, png)
	if *screenshots {
		path := filepath.Join("..", "..", "docs", "images", name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d KiB)", path, len(png)/1024)
	}
}
