package metrics_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/internal/metrics"
	"github.com/modelwatch/modelwatch/internal/window"
)

// windows is a WindowSource over fixed stats.
type windows []metrics.WindowStat

func (w windows) WindowStats() []metrics.WindowStat { return w }

// sizedWindows is a WindowSource that is also a WindowSizer.
type sizedWindows struct {
	windows
	size int
}

func (w sizedWindows) WindowSize() int { return w.size }

func stat(name, version string, count int, acc float64) metrics.WindowStat {
	return metrics.WindowStat{
		Key:     modelwatch.ModelKey{Name: name, Version: version},
		Metrics: window.Metrics{Count: count, Accuracy: acc, Precision: acc, Recall: acc, F1: acc},
	}
}

// TestWindowGaugesMinCount checks the boundary: the performance gauges
// are absent with one labelled prediction fewer than the minimum and
// present at the minimum, while the count is always there.
func TestWindowGaugesMinCount(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(metrics.NewWindowCollector(windows{stat("m", "a", 99, 0.5), stat("m", "b", 100, 0.75)}, 100))
	want := `
# HELP model_accuracy Model accuracy over the sliding window of the most recent labelled predictions (modelwatch serve --window-size). Published once 100 labelled predictions are in the window.
# TYPE model_accuracy gauge
model_accuracy{model_name="m",model_version="b"} 0.75
# HELP model_window_labelled_predictions Labelled predictions in the sliding window of the most recent labelled predictions (modelwatch serve --window-size); the performance gauges are published once it reaches 100.
# TYPE model_window_labelled_predictions gauge
model_window_labelled_predictions{model_name="m",model_version="a"} 99
model_window_labelled_predictions{model_name="m",model_version="b"} 100
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "model_accuracy", "model_window_labelled_predictions"); err != nil {
		t.Error(err)
	}
	for _, name := range []string{"model_precision", "model_recall", "model_f1_score"} {
		if got := series(t, reg, name); len(got) != 1 || got[0] != "m,b" {
			t.Errorf("%s series = %q, want only m,b", name, got)
		}
	}
	lint(t, reg)
}

// TestWindowHelpSize checks that the help of the window gauges names the
// window size of a source that knows it.
func TestWindowHelpSize(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(metrics.NewWindowCollector(sizedWindows{windows{stat("m", "1", 50, 1)}, 500}, 50))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	help := map[string]string{}
	for _, mf := range mfs {
		help[mf.GetName()] = mf.GetHelp()
	}
	for _, name := range []string{"model_accuracy", "model_precision", "model_recall", "model_f1_score", "model_window_labelled_predictions"} {
		if h := help[name]; !strings.Contains(h, "the sliding window of the last 500 labelled predictions") || strings.Contains(h, "1000") {
			t.Errorf("help of %s = %q, want the window of 500", name, h)
		}
	}
	if h := help["model_accuracy"]; !strings.HasSuffix(h, "Published once 50 labelled predictions are in the window.") {
		t.Errorf("help of model_accuracy = %q, want the minimum of 50", h)
	}
	lint(t, reg)
}

// TestWindowModelVersionCap checks that at most DefaultMaxModelVersions
// model versions have window gauges, and that they stay the same ones.
func TestWindowModelVersionCap(t *testing.T) {
	var src windows
	for i := range metrics.DefaultMaxModelVersions + 10 {
		src = append(src, stat("m", fmt.Sprintf("%04d", i), 100, 1))
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(metrics.NewWindowCollector(src, 100))
	for range 2 {
		got := series(t, reg, "model_accuracy")
		if len(got) != metrics.DefaultMaxModelVersions || got[len(got)-1] != fmt.Sprintf("m,%04d", metrics.DefaultMaxModelVersions-1) {
			t.Fatalf("%d series of model_accuracy, last %q; want the first %d versions", len(got), got[len(got)-1], metrics.DefaultMaxModelVersions)
		}
	}
}
