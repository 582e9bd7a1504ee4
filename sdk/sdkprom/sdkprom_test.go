package sdkprom_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/sdk"
	"github.com/modelwatch/modelwatch/sdk/sdkprom"
)

type fixed sdk.Stats

func (f fixed) Stats() sdk.Stats { return sdk.Stats(f) }

func TestCollectorExposesStats(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	src := fixed{
		Predictions: sdk.Counts{Queued: 12, Capacity: 10000, Sent: 5000, Duplicates: 3, Dropped: 7, Failed: 2},
		GroundTruth: sdk.Counts{Queued: 1, Capacity: 10000, Sent: 300},
		Errors:      sdk.Counts{Capacity: 10000, Sent: 4, Failed: 1},
		Requests:    40,
		Retries:     3,
	}
	if _, err := sdkprom.Register(reg, src, sdkprom.Options{ConstLabels: prometheus.Labels{"client": "churn"}}); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP modelwatch_sdk_queue_length Records waiting in the modelwatch client's queue or being sent, by kind.
# TYPE modelwatch_sdk_queue_length gauge
modelwatch_sdk_queue_length{client="churn",kind="error"} 0
modelwatch_sdk_queue_length{client="churn",kind="ground_truth"} 1
modelwatch_sdk_queue_length{client="churn",kind="prediction"} 12
# HELP modelwatch_sdk_queue_capacity Size of the modelwatch client's queue (QueueSize), by kind.
# TYPE modelwatch_sdk_queue_capacity gauge
modelwatch_sdk_queue_capacity{client="churn",kind="error"} 10000
modelwatch_sdk_queue_capacity{client="churn",kind="ground_truth"} 10000
modelwatch_sdk_queue_capacity{client="churn",kind="prediction"} 10000
# HELP modelwatch_sdk_records_dropped_total Records the modelwatch client dropped without queuing them because its queue was full or it was closed, by kind.
# TYPE modelwatch_sdk_records_dropped_total counter
modelwatch_sdk_records_dropped_total{client="churn",kind="error"} 0
modelwatch_sdk_records_dropped_total{client="churn",kind="ground_truth"} 0
modelwatch_sdk_records_dropped_total{client="churn",kind="prediction"} 7
# HELP modelwatch_sdk_records_failed_total Records the modelwatch client gave up after queuing them: rejected by the server, invalid, out of retries, or abandoned at Close, by kind.
# TYPE modelwatch_sdk_records_failed_total counter
modelwatch_sdk_records_failed_total{client="churn",kind="error"} 1
modelwatch_sdk_records_failed_total{client="churn",kind="ground_truth"} 0
modelwatch_sdk_records_failed_total{client="churn",kind="prediction"} 2
# HELP modelwatch_sdk_records_sent_total Records the modelwatch server acknowledged, by kind.
# TYPE modelwatch_sdk_records_sent_total counter
modelwatch_sdk_records_sent_total{client="churn",kind="error"} 4
modelwatch_sdk_records_sent_total{client="churn",kind="ground_truth"} 300
modelwatch_sdk_records_sent_total{client="churn",kind="prediction"} 5000
# HELP modelwatch_sdk_requests_total HTTP requests the modelwatch client made, retries included.
# TYPE modelwatch_sdk_requests_total counter
modelwatch_sdk_requests_total{client="churn"} 40
# HELP modelwatch_sdk_retries_total HTTP requests the modelwatch client made to retry a failed attempt.
# TYPE modelwatch_sdk_retries_total counter
modelwatch_sdk_retries_total{client="churn"} 3
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	if _, err := sdkprom.Register(reg, src, sdkprom.Options{ConstLabels: prometheus.Labels{"client": "churn"}}); err == nil {
		t.Error("registering the same metrics twice succeeded")
	}
}

// TestCollectorOfARealClient reads a live client's counters.
func TestCollectorOfARealClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"accepted":2,"duplicates":0}`))
	}))
	defer srv.Close()
	c, err := sdk.New(sdk.Config{Endpoint: srv.URL, QueueSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	if _, err := sdkprom.Register(reg, c, sdkprom.Options{}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		c.Log(modelwatch.Prediction{ModelName: "churn", ModelVersion: "v1", Prediction: "stay"})
	}
	if err := c.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP modelwatch_sdk_queue_capacity Size of the modelwatch client's queue (QueueSize), by kind.
# TYPE modelwatch_sdk_queue_capacity gauge
modelwatch_sdk_queue_capacity{kind="error"} 50
modelwatch_sdk_queue_capacity{kind="ground_truth"} 50
modelwatch_sdk_queue_capacity{kind="prediction"} 50
# HELP modelwatch_sdk_records_sent_total Records the modelwatch server acknowledged, by kind.
# TYPE modelwatch_sdk_records_sent_total counter
modelwatch_sdk_records_sent_total{kind="error"} 0
modelwatch_sdk_records_sent_total{kind="ground_truth"} 0
modelwatch_sdk_records_sent_total{kind="prediction"} 2
# HELP modelwatch_sdk_requests_total HTTP requests the modelwatch client made, retries included.
# TYPE modelwatch_sdk_requests_total counter
modelwatch_sdk_requests_total 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"modelwatch_sdk_queue_capacity", "modelwatch_sdk_records_sent_total", "modelwatch_sdk_requests_total"); err != nil {
		t.Error(err)
	}
}
