package report

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/drift"
)

var update = flag.Bool("update", false, "rewrite testdata/report.golden.html")

// sampleReport compares a small deterministic dataset with numerical,
// categorical, many-category, hostile-label and not-computable columns.
func sampleReport(t testing.TB, rows, numCols int) drift.Report {
	t.Helper()
	r := rand.New(rand.NewPCG(42, 42))
	var ref, cur []drift.Column
	for c := range numCols {
		a, b := make([]float64, rows), make([]float64, rows)
		for i := range rows {
			a[i] = r.NormFloat64()
			b[i] = r.NormFloat64()*(1+float64(c%3)/4) + float64(c%2)/3
			if i%50 == 0 {
				b[i] = math.NaN()
			}
		}
		name := fmt.Sprintf("feature_%02d", c)
		ref, cur = append(ref, drift.Numeric(name, a)), append(cur, drift.Numeric(name, b))
	}
	labels := func(n, k int, skew float64) []string {
		out := make([]string, n)
		for i := range out {
			v := int(math.Floor(math.Pow(r.Float64(), 1+skew) * float64(k)))
			out[i] = fmt.Sprintf("level %02d", v)
		}
		return out
	}
	ref = append(ref, drift.Strings("plan", labels(rows, 4, 0), nil), drift.Strings("city", labels(rows, 30, 0), nil))
	cur = append(cur, drift.Strings("plan", labels(rows, 4, 1), nil), drift.Strings("city", labels(rows, 30, 0.1), nil))
	hostile := []string{`<script>alert("x")</script>`, `a&b "quoted"`}
	ref = append(ref, drift.Strings("<b>label</b>", []string{hostile[0], hostile[1], hostile[0]}, nil))
	cur = append(cur, drift.Strings("<b>label</b>", []string{hostile[1], hostile[1], hostile[0]}, nil))
	ref = append(ref, drift.Numeric("empty", []float64{math.NaN(), math.NaN()}))
	cur = append(cur, drift.Numeric("empty", []float64{1, 2}))
	rep, err := drift.Compare(ref, cur, drift.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func render(t testing.TB, rep drift.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	err := WriteHTML(&buf, rep, Meta{Reference: "reference.csv", Current: "current.csv", ReferenceRows: 600, CurrentRows: 600})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGoldenHTML(t *testing.T) {
	got := render(t, sampleReport(t, 600, 3))
	const path = "testdata/report.golden.html"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("report HTML differs from %s; inspect and run go test ./internal/report -update", path)
	}
}

func TestPageContents(t *testing.T) {
	rep := sampleReport(t, 600, 3)
	html := string(render(t, rep))
	for _, want := range []string{
		"Dataset drift is detected",
		`<div class="counter" id="columns"><b>7</b>`,
		"K-S p_value",
		`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`,
		"the reference column has no values",
		`class="chart"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(html, "<script>") || strings.Contains(html, "http://") || strings.Contains(html, "https://") || strings.Contains(html, "@import") {
		t.Error("page loads or runs something external")
	}
	// Drifted columns come first.
	first := strings.Index(html, `<tr class="`)
	if !strings.HasPrefix(html[first:], `<tr class="drifted"`) {
		t.Errorf("first row is %.40s, want a drifted column", html[first:])
	}
	if last := strings.LastIndex(html, `<tr class="`); !strings.HasPrefix(html[last:], `<tr class="unknown"`) {
		t.Errorf("last row is %.40s, want the not-computable column", html[last:])
	}
}

func TestSizeDoesNotDependOnRows(t *testing.T) {
	small := render(t, sampleReport(t, 1000, 21))
	large := render(t, sampleReport(t, 100000, 21))
	if len(large) > 300_000 {
		t.Errorf("25-column report is %d bytes, want < 300 KB", len(large))
	}
	if d := len(large) - len(small); d > 2000 || d < -2000 {
		t.Errorf("report grows with rows: %d bytes at 1000 rows, %d at 100000", len(small), len(large))
	}
	t.Logf("25 columns: %d bytes", len(large))
}

func TestWriteText(t *testing.T) {
	rep := sampleReport(t, 600, 2)
	var buf bytes.Buffer
	if err := WriteText(&buf, rep); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(rep.Columns)+3 {
		t.Errorf("%d lines for %d columns:\n%s", len(lines), len(rep.Columns), out)
	}
	for _, want := range []string{"COLUMN", "feature_00", "ks", "not computable: the reference column has no values", "Dataset drift DETECTED"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}
