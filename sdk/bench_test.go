package sdk_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/modelwatch/modelwatch"
	"github.com/modelwatch/modelwatch/sdk"
)

// The logging path is compared with what a model service already pays per
// prediction for a Prometheus histogram: client_golang's Histogram.Observe
// with the seed's inference buckets. Target: Log ≤ 3× Observe, 0 allocs.
//
//	go test -run '^$' -bench 'Log|Observe' -benchmem -count 6 ./sdk | tee bench.txt
//	go tool -modfile=tools/go.mod benchstat bench.txt

// benchPrediction is a typical prediction: a few features, two classes.
func benchPrediction() modelwatch.Prediction {
	conf := 0.83
	return modelwatch.Prediction{
		ModelName:     "churn",
		ModelVersion:  "v1",
		Features:      modelwatch.Features(`{"tenure_months":14,"monthly_charges":70.5,"support_calls":2,"contract":"one-year"}`),
		Prediction:    "stay",
		Confidence:    &conf,
		Probabilities: map[string]float64{"stay": 0.83, "churn": 0.17},
	}
}

// logClient returns a client without its sender, and a function to call
// with the iteration number that empties the queue, in constant time,
// before it fills.
func logClient(b *testing.B) (*sdk.Client, func(i int)) {
	const size = 1 << 16
	c, err := sdk.NewWithoutSender(sdk.Config{Endpoint: "http://localhost:1", QueueSize: size})
	if err != nil {
		b.Fatal(err)
	}
	return c, func(i int) {
		if i%(size/2) == 0 {
			c.DiscardQueued()
		}
	}
}

func BenchmarkLog(b *testing.B) {
	b.Run("queued", func(b *testing.B) {
		c, drain := logClient(b)
		p := benchPrediction()
		p.ID, p.Timestamp = "0197a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", time.Now()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			c.Log(p)
			drain(i)
			i++
		}
	})
	b.Run("queued-now", func(b *testing.B) { // Log reads the clock for the timestamp
		c, drain := logClient(b)
		p := benchPrediction()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			c.Log(p)
			drain(i)
			i++
		}
	})
	b.Run("full", func(b *testing.B) { // the queue is full: the record is dropped
		c, err := sdk.NewWithoutSender(sdk.Config{Endpoint: "http://localhost:1", QueueSize: 1})
		if err != nil {
			b.Fatal(err)
		}
		p := benchPrediction()
		p.Timestamp = time.Now()
		c.Log(p)
		b.ReportAllocs()
		for b.Loop() {
			c.Log(p)
		}
	})
}

// BenchmarkLogTimed is the whole instrumentation of a prediction: a Timer,
// three stage marks (four clock reads) and LogTimed.
func BenchmarkLogTimed(b *testing.B) {
	c, drain := logClient(b)
	p := benchPrediction()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		t := sdk.StartTimer()
		t.Mark(sdk.Preprocessing)
		t.Mark(sdk.Inference)
		t.Mark(sdk.Postprocessing)
		c.LogTimed(p, &t)
		drain(i)
		i++
	}
}

// BenchmarkLogParallel logs from every core at once into one client.
func BenchmarkLogParallel(b *testing.B) {
	c, drain := logClient(b)
	p := benchPrediction()
	p.Timestamp = time.Now()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			c.Log(p)
			drain(i)
			i++
		}
	})
	if d := c.Stats().Predictions.Dropped; d != 0 {
		b.Fatalf("%d predictions dropped: the benchmark measured the wrong path", d)
	}
}

// BenchmarkHistogramObserve is the yardstick: client_golang's histogram
// with the seed's inference buckets.
func BenchmarkHistogramObserve(b *testing.B) {
	buckets := []float64{0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0}
	b.Run("Observe", func(b *testing.B) {
		h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "model_inference_duration_seconds", Help: "h", Buckets: buckets})
		b.ReportAllocs()
		for b.Loop() {
			h.Observe(0.042)
		}
	})
	b.Run("WithLabelValues.Observe", func(b *testing.B) { // as the seed calls it
		h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "model_inference_duration_seconds", Help: "h", Buckets: buckets},
			[]string{"model_name", "model_version"})
		b.ReportAllocs()
		for b.Loop() {
			h.WithLabelValues("churn", "v1").Observe(0.042)
		}
	})
}

// BenchmarkThroughput streams predictions from a client into a real
// modelwatch (in-process, SQLite with synchronous=FULL as served by
// default) and reports predictions/s delivered, by batch size. Each
// iteration logs a chunk and flushes it.
func BenchmarkThroughput(b *testing.B) {
	const chunk = 10000
	for _, batch := range []int{100, 500, 2000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			srv := startModelwatch(b, nil)
			c, err := sdk.New(sdk.Config{Endpoint: srv.URL, BatchSize: batch, QueueSize: chunk})
			if err != nil {
				b.Fatal(err)
			}
			p := benchPrediction()
			start := time.Now()
			for b.Loop() {
				for range chunk {
					c.Log(p)
				}
				if err := c.Flush(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
			elapsed := time.Since(start)
			b.StopTimer()
			if err := c.Close(context.Background()); err != nil {
				b.Fatal(err)
			}
			st := c.Stats().Predictions
			if st.Dropped != 0 || st.Failed != 0 {
				b.Fatalf("Stats().Predictions = %+v, want nothing dropped or failed", st)
			}
			b.ReportMetric(float64(st.Sent)/elapsed.Seconds(), "predictions/s")
			b.ReportMetric(0, "ns/op") // per chunk: not meaningful beside predictions/s
		})
	}
}
